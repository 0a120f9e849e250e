"""`nanwiz` (no command): the interactive troubleshooting session (Textual)."""

from __future__ import annotations

from pathlib import Path

from nanwiz.commands.common import knowledge
from nanwiz.errors import UsageError
from nanwiz.probing.plan import check_script_path
from nanwiz.session import Session

DEFAULT_NAME = "nanwiz-session"


def free_path(folder: Path) -> Path:
    """nanwiz-session.json, or -2, -3... so a new session never overwrites an earlier one."""
    candidate = folder / f"{DEFAULT_NAME}.json"
    n = 2
    while candidate.exists():
        candidate = folder / f"{DEFAULT_NAME}-{n}.json"
        n += 1
    return candidate


def run_tui_command(args) -> int:
    session = None
    if args.resume:
        session = Session.load(args.resume)
        if session.knowledge_dirs and not args.knowledge:
            args.knowledge = list(session.knowledge_dirs)
    kb = knowledge(args)
    if session is None:
        session = Session(knowledge_dirs=list(args.knowledge or []))
    script = check_script_path(args.model) if args.model else None
    if getattr(args, "run", None):
        if args.model:
            raise UsageError("give either --model (a contract script) or --run (your own program), not both")
        from nanwiz.commands.run import program_spec
        from nanwiz.harness.attach.launch import ProgramSpec

        spec = program_spec(args.run, None, list(args.program_args or []))
        source = ProgramSpec.model_validate(spec).source_file
        session.program = spec
        script = Path(source)
    if args.session:
        save_path = Path(args.session)
        if save_path.is_dir():
            raise UsageError(f"{save_path} is a directory; give --session a file path")
        if save_path.exists() and not (args.resume and save_path.resolve() == Path(args.resume).resolve()):
            raise UsageError(f"{save_path} already exists; continue it with 'nanwiz --resume {save_path}' "
                             "or choose another --session path")
    elif args.resume:
        save_path = Path(args.resume)
    else:
        save_path = free_path(script.parent if script is not None else Path.cwd())
    from nanwiz.tui.app import run_app

    return run_app(kb, session=session, script=script, save_path=save_path, plots=not args.no_plots)

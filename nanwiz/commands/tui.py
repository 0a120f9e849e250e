"""`nanwiz` (no command): the interactive troubleshooting session (Textual)."""

from __future__ import annotations

from pathlib import Path

from nanwiz.commands.common import knowledge
from nanwiz.errors import UsageError
from nanwiz.probing.plan import check_script_path
from nanwiz.session import Session


def run_tui_command(args) -> int:
    kb = knowledge(args)
    session = None
    if args.resume:
        session = Session.load(args.resume)
    script = check_script_path(args.model) if args.model else None
    if args.session:
        save_path = Path(args.session)
    elif args.resume:
        save_path = Path(args.resume)
    elif script is not None:
        save_path = script.parent / "nanwiz-session.json"
    else:
        save_path = Path.cwd() / "nanwiz-session.json"
    if save_path.exists() and not args.resume and save_path.is_dir():
        raise UsageError(f"{save_path} is a directory; give --session a file path")
    from nanwiz.tui.app import run_app

    return run_app(kb, session=session, script=script, save_path=save_path)

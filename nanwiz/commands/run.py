"""`nanwiz run [OPTIONS] SCRIPT [ARGS...]` / `nanwiz run [OPTIONS] -m MODULE [ARGS...]`.

Runs the user's unmodified program under the watch, shows its own output and a live line of
the training, and at the first NaN/Inf stops it and diagnoses from what was captured. Exit 0 a
diagnosis was made, 1 the run stayed finite (healthy), 2 usage or program errors, 130 interrupted.
"""

from __future__ import annotations

import os
from pathlib import Path

from nanwiz.commands.answers import load_answers
from nanwiz.commands.common import knowledge
from nanwiz.commands.drive import drive
from nanwiz.errors import UsageError
from nanwiz.session import Session


def program_spec(script: str | None, module: str | None, args: list[str], cwd: str | None = None) -> dict:
    """Check what the user asked to run, as `python` would find it; a clear error if it cannot be run."""
    from nanwiz.harness.attach.launch import ProgramSpec, find_module

    cwd = cwd or os.getcwd()
    if module:
        if script:
            args = [script, *args]
        found = find_module(module, cwd)
        if found is None:
            raise UsageError(f"-m {module}: no module named {module!r} can be found from {cwd}")
        return ProgramSpec(module=module, args=args, cwd=cwd).model_dump()
    if not script:
        raise UsageError("nanwiz run needs the program to run: nanwiz run train.py [ARGS...] or "
                         "nanwiz run -m package.module [ARGS...]")
    path = Path(script).expanduser()
    if not path.is_absolute():
        path = Path(cwd) / path
    if not path.exists():
        raise UsageError(f"{script}: no such file")
    if path.is_dir():
        main = path / "__main__.py"
        if not main.exists():
            raise UsageError(f"{script} is a directory without __main__.py; give the training script")
        path = main
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{script} cannot be read: {exc.strerror}") from None
    try:
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        where = f"{path.name}:{exc.lineno}" + (f":{exc.offset}" if exc.offset else "")
        code = (exc.text or "").rstrip()
        raise UsageError(f"{where}: {script} is not a Python program nanwiz can run (syntax error: {exc.msg})"
                         + (f"\n    {code.strip()}" if code else "")) from None
    except ValueError:
        raise UsageError(f"{script} is not a Python program (it holds null bytes: a binary file?)") from None
    return ProgramSpec(script=str(path.resolve()), args=args, cwd=cwd).model_dump()


def run_run_command(args) -> int:
    kb = knowledge(args)
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.max_steps is not None and args.max_steps < 1:
        raise UsageError("--max-steps must be at least 1")
    if args.reruns < 0:
        raise UsageError("--reruns must be 0 or more")
    if args.nproc_per_node < 1:
        raise UsageError("--nproc-per-node must be at least 1")
    spec = program_spec(args.script, args.module, list(args.args or []))
    spec["nproc"] = args.nproc_per_node
    from nanwiz.harness.attach.launch import ProgramSpec

    program = ProgramSpec.model_validate(spec)
    source = program.source_file
    if source is None:
        raise UsageError(f"-m {program.module}: its source file cannot be found (nanwiz runs Python source)")
    session = Session(script=source, program=spec, knowledge_dirs=list(args.knowledge or []))
    if args.max_steps is not None:
        session.overrides["steps"] = args.max_steps
    if args.answers:
        load_answers(kb, args.answers, session)
    return drive(args, kb, session, f"[bold]nanwiz[/] running [cyan]{program.display}[/] under the watch",
                 lambda diagnoser: diagnoser.run_program(verify=not args.no_verify, reruns=args.reruns),
                 show_output=True, where="in your program's run")

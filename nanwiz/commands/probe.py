"""`nanwiz probe --model script.py`: run the probes with live progress, print the diagnosis,
write the report, JSON and session files. Exit 0 diagnosis made, 1 nothing reproduced."""

from __future__ import annotations

from nanwiz.commands.answers import load_answers
from nanwiz.commands.common import knowledge
from nanwiz.commands.drive import drive
from nanwiz.errors import UsageError
from nanwiz.probing.plan import check_script_path, default_probes, parse_probe_list
from nanwiz.session import Session


def run_probe_command(args) -> int:
    kb = knowledge(args)
    script = check_script_path(args.model)
    if args.steps is not None and args.steps < 1:
        raise UsageError("--steps must be at least 1")
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    probes = parse_probe_list(kb, args.probes) if args.probes else default_probes(kb)
    session = Session(script=str(script), knowledge_dirs=list(args.knowledge or []))
    if args.steps is not None:
        session.overrides["steps"] = args.steps
    if args.answers:
        load_answers(kb, args.answers, session)
    return drive(args, kb, session, f"[bold]nanwiz[/] probing [cyan]{script.name}[/] ({', '.join(probes)})",
                 lambda diagnoser: diagnoser.run(probes, verify=not args.no_verify, thorough=args.thorough),
                 not_reproduced="If your own run fails, try more --steps, or answer questions in 'nanwiz'.")

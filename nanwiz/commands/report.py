"""`nanwiz report SESSION.json -o report.md [--json out.json]`."""

from __future__ import annotations

import sys

from nanwiz.commands.common import console, knowledge
from nanwiz.report.jsonout import write_json
from nanwiz.report.markdown import render, write_markdown
from nanwiz.report.model import build_diagnosis
from nanwiz.session import Session


def run_report_command(args) -> int:
    session = Session.load(args.session)
    if session.knowledge_dirs and not args.knowledge:
        args.knowledge = list(session.knowledge_dirs)
    kb = knowledge(args)
    diagnosis = build_diagnosis(kb, session)
    err = console(stderr=True)
    if args.output:
        written = write_markdown(diagnosis, args.output, plots=not args.no_plots)
        err.print(f"Report written to [cyan]{written.describe()}[/]", highlight=False)
    else:
        sys.stdout.write(render(diagnosis) + "\n")
    if args.json:
        path = write_json(diagnosis, args.json)
        err.print(f"JSON diagnosis written to [cyan]{path}[/]")
    return 0

"""`nanwiz probe --model script.py`: run the probes with live progress, print the diagnosis,
write the report, JSON and session files. Exit 0 diagnosis made, 1 nothing reproduced."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from nanwiz.commands.answers import load_answers
from nanwiz.commands.common import console, knowledge
from nanwiz.commands.view import show_diagnosis
from nanwiz.errors import EXIT_NOT_REPRODUCED, EXIT_OK, UsageError
from nanwiz.probing.plan import Diagnoser, ProbeEvent, check_script_path, default_probes, parse_probe_list
from nanwiz.report.jsonout import write_json
from nanwiz.report.markdown import write_markdown
from nanwiz.report.model import build_diagnosis
from nanwiz.session import Session


def interrupt_on_termination() -> None:
    """SIGTERM / SIGHUP (a job scheduler, `timeout`, a closed terminal) take the same path as
    Ctrl-C: probes stopped, session saved, exit 130. SIGINT itself is restored if a parent
    shell started nanwiz with it ignored."""

    def raise_interrupt(_signum, _frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        try:
            signal.signal(sig, raise_interrupt)
        except (ValueError, OSError):  # not the main thread, or a platform without it
            pass


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
    out = console()
    err = console(stderr=True)
    cancel = threading.Event()
    save = Path(args.save) if args.save else None

    def autosave(s: Session) -> None:
        if save is not None:
            s.save(save)

    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[probe]:<10}"), BarColumn(bar_width=24),
                        TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                        TextColumn("[dim]{task.fields[message]}"), console=err, transient=False,
                        disable=args.quiet)
    tasks: dict[str, int] = {}

    def on_event(event: ProbeEvent) -> None:
        if event.probe not in tasks:
            tasks[event.probe] = progress.add_task(event.probe, total=1.0, probe=event.probe, message="starting")
        task = tasks[event.probe]
        if event.kind == "progress":
            progress.update(task, completed=event.fraction, message=event.message[:60])
        elif event.kind == "finished" and event.record is not None:
            status = event.record.status
            message = "done" if status == "done" else f"[red]{status}: {(event.record.reason or '')[:60]}"
            progress.update(task, completed=1.0, message=message)

    diagnoser = Diagnoser(kb, session, timeout=args.timeout, jobs=args.jobs, on_event=on_event,
                          on_record=autosave, cancel=cancel)
    interrupt_on_termination()
    if not args.quiet:
        err.print(f"[bold]nanwiz[/] probing [cyan]{script.name}[/] ({', '.join(probes)})")
    try:
        with progress:
            diagnoser.run(probes, verify=not args.no_verify)
    except KeyboardInterrupt:
        cancel.set()
        if save is not None:
            session.save(save)
        raise
    finally:
        if save is not None:
            session.save(save)
    diagnosis = build_diagnosis(kb, session)
    show_diagnosis(diagnosis, out)
    if args.report:
        path = write_markdown(diagnosis, args.report)
        err.print(f"Report written to [cyan]{path}[/]")
    if args.json:
        path = write_json(diagnosis, args.json)
        err.print(f"JSON diagnosis written to [cyan]{path}[/]")
    if save is not None:
        err.print(f"Session saved to [cyan]{save}[/] (open it with 'nanwiz --resume {save}')")
    if not diagnosis["reproduced"]:
        if diagnosis["top_cause"] is None:
            err.print("[yellow]No NaN/Inf was reproduced with your settings, so no cause is named. If your own "
                      "run fails, try more --steps, or answer questions in 'nanwiz'.")
        else:
            err.print("[yellow]No NaN/Inf was reproduced with your settings; the cause above rests on the "
                      "other evidence (probe results above).")
        return EXIT_NOT_REPRODUCED
    return EXIT_OK

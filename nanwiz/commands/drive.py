"""What `nanwiz probe` and `nanwiz run` share once they know what to run: the live progress, the
session saved as it goes (and on Ctrl-C or SIGTERM, which stop every probe and exit 130), the
diagnosis in the terminal, and the report, JSON and session files."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path

from nanwiz.commands.common import console
from nanwiz.commands.progress import ProgressView
from nanwiz.commands.view import show_diagnosis
from nanwiz.errors import EXIT_NOT_REPRODUCED, EXIT_OK
from nanwiz.kb.model import KnowledgeBase
from nanwiz.probing.plan import Diagnoser
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


def drive(args, kb: KnowledgeBase, session: Session, heading: str, work: Callable[[Diagnoser], None], *,
          show_output: bool = False, not_reproduced: str = "", where: str = "with your settings") -> int:
    """Run `work` on a Diagnoser with live progress, then show and write the diagnosis."""
    out = console()
    err = console(stderr=True)
    cancel = threading.Event()
    save = Path(args.save) if args.save else None

    def autosave(s: Session) -> None:
        if save is not None:
            s.save(save)

    if args.report and not args.no_plots:
        from nanwiz.report.plot import preload

        preload()  # matplotlib's import (about a second) overlaps the probes instead of following them
    view = ProgressView(err, quiet=args.quiet)
    diagnoser = Diagnoser(kb, session, timeout=args.timeout, jobs=args.jobs, on_event=view.on_event,
                          on_record=autosave, cancel=cancel, on_output=show_output)
    interrupt_on_termination()
    if not args.quiet:
        err.print(heading)
    try:
        with view:
            work(diagnoser)
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
        written = write_markdown(diagnosis, args.report, plots=not args.no_plots)
        err.print(f"Report written to [cyan]{written.describe()}[/]", highlight=False)
    if args.json:
        path = write_json(diagnosis, args.json)
        err.print(f"JSON diagnosis written to [cyan]{path}[/]")
    if save is not None:
        err.print(f"Session saved to [cyan]{save}[/] (open it with 'nanwiz --resume {save}')")
    if not diagnosis["reproduced"]:
        if diagnosis["top_cause"] is None:
            err.print(f"[yellow]No NaN/Inf was reproduced {where}, so no cause is named. {not_reproduced}".rstrip())
        else:
            err.print(f"[yellow]No NaN/Inf was reproduced {where}; the cause above rests on the other evidence "
                      "(probe results above).")
        return EXIT_NOT_REPRODUCED
    return EXIT_OK

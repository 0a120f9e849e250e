"""`nanwiz.watch()`: the watch of `nanwiz run`, inside a Python process that cannot be launched
from outside (a notebook, a job scheduler's entry point, a function in a larger program).

    with nanwiz.watch():          # or: @nanwiz.watch()  on the training function
        train()                   # or: nanwiz.watch().start()  at the top of a script

The watched code runs unchanged. At its first NaN/Inf the watch lets it run a few more steps
(with failing updates undone), stops it, replays the captured failing step, prints the diagnosis
and writes the report; the code after the `with` block then goes on. Only the diagnosis from
the captured failure is possible here: nanwiz cannot re-run code it did not launch (whole-run
checks such as lower learning rates and fix verification need `nanwiz run`).
"""

from __future__ import annotations

import atexit
import functools
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from nanwiz.probing.plan import PROGRAM_LOCAL


class Watch:
    def __init__(self, *, report: str | Path | None = "nanwiz-report.md", json: str | Path | None = None,
                 save: str | Path | None = None, quiet: bool = False, continue_steps: int = 20,
                 max_steps: int | None = None, knowledge: tuple[str, ...] = ()):
        self.report = Path(report) if report else None
        self.json = Path(json) if json else None
        self.save = Path(save) if save else None
        self.quiet = quiet
        self.continue_steps = continue_steps
        self.max_steps = max_steps
        self.knowledge = tuple(knowledge)
        self.diagnosis: dict[str, Any] | None = None
        """The last diagnosis made (plain data, as `--json` writes it)."""
        self._attachment = None
        self._caller: str | None = None
        self._began = 0.0

    # ------------------------------------------------------------ the three ways to use it
    def __enter__(self) -> Watch:
        from nanwiz.harness.attach.attachment import Attachment
        from nanwiz.harness.attach.controls import Controls

        frame = sys._getframe(1)
        self._caller = self._caller or frame.f_code.co_filename
        self._began = time.monotonic()
        self._attachment = Attachment(controls=Controls(), continue_steps=self.continue_steps,
                                      max_steps=self.max_steps)
        self._attachment.install()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        from nanwiz.harness.attach.attachment import NanwizStop
        from nanwiz.harness.attach.launch import ProgramOutcome, user_traceback
        from nanwiz.harness.attach.run import _mid_step

        attachment = self._attachment
        if attachment is None:
            return False
        attachment.uninstall()
        self._attachment = None
        if exc_type is not None and issubclass(exc_type, NanwizStop):
            outcome = ProgramOutcome(status="stopped")
        elif exc_type is not None and issubclass(exc_type, Exception):
            text, frames = user_traceback(exc)
            outcome = ProgramOutcome(status="error", exit_code=1, error=exc, traceback=text, frames=frames)
            if attachment.started and _mid_step(attachment):
                attachment.fail_with_error(exc, text)
        elif exc_type is not None:
            return False  # KeyboardInterrupt, SystemExit: not ours to handle
        else:
            outcome = ProgramOutcome(status="finished")
        if attachment.started:
            self._diagnose(attachment, outcome)
        elif not self.quiet:
            print("nanwiz.watch(): no training step was seen (no backward() call)", file=sys.stderr)
        return exc_type is not None and issubclass(exc_type, NanwizStop)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper

    def start(self) -> Watch:
        """Watch from here to the end of the process (a call at the top of a script)."""
        self._caller = sys._getframe(1).f_code.co_filename
        self.__enter__()
        previous = sys.excepthook

        def excepthook(exc_type, exc, tb):
            if self._attachment is not None:
                if self.__exit__(exc_type, exc, tb):
                    return  # nanwiz stopped the script after its failure: the diagnosis is printed
            previous(exc_type, exc, tb)

        sys.excepthook = excepthook
        atexit.register(lambda: self._attachment is not None and self.__exit__(None, None, None))
        return self

    # ------------------------------------------------------------ the diagnosis
    def _diagnose(self, attachment, outcome) -> None:
        from nanwiz.commands.common import console
        from nanwiz.commands.view import show_diagnosis
        from nanwiz.harness.attach.run import AttachedRun
        from nanwiz.harness.protocol import ProbeContext
        from nanwiz.kb.load import load_knowledge
        from nanwiz.probes import PROBES
        from nanwiz.probes.__main__ import run_then
        from nanwiz.probing.plan import to_record
        from nanwiz.probing.runner import EventCollector, ProbeOutcome
        from nanwiz.report.jsonout import write_json
        from nanwiz.report.markdown import write_markdown
        from nanwiz.report.model import build_diagnosis
        from nanwiz.session import Session

        err = console(stderr=True)
        if not self.quiet:
            err.print("[bold]nanwiz[/] diagnosing the watched training…")
        script = Path(self._caller).resolve() if self._caller and Path(self._caller).exists() else None
        run = AttachedRun.watched(attachment, outcome)
        outcome_main = ProbeOutcome(probe="baseline", status="failed", started=time.monotonic())
        collector = EventCollector(outcome_main, "baseline")
        ctx = ProbeContext("baseline", script or Path("<watched>"), PROBES["baseline"].FACTS, collector)
        ctx._baseline = run
        try:
            PROBES["baseline"].run(ctx)
            outcome_main.status = "done"
        except Exception as exc:  # noqa: BLE001 - report what could be measured, never lose the training's result
            outcome_main.reason = f"{type(exc).__name__}: {exc}"
            outcome_main.details["traceback"] = traceback.format_exc()[-3000:]
        outcome_main.duration = time.monotonic() - outcome_main.started
        run_then(ctx, list(PROGRAM_LOCAL))
        session = Session(script=str(script) if script else None, knowledge_dirs=list(self.knowledge))
        records = [to_record(outcome_main)] + [to_record(o) for o in outcome_main.others.values()]
        if script is not None and script.suffix == ".py":
            records.append(_source_record(script))
        for record in records:
            session.record(record)
        kb = load_knowledge([Path(d) for d in self.knowledge])
        self.diagnosis = diagnosis = build_diagnosis(kb, session)
        if not self.quiet:
            show_diagnosis(diagnosis, console())
        if self.report is not None and diagnosis["reproduced"]:
            write_markdown(diagnosis, self.report)
            if not self.quiet:
                err.print(f"Report written to [cyan]{self.report}[/]")
        if self.json is not None:
            write_json(diagnosis, self.json)
        if self.save is not None:
            session.save(self.save)


def _source_record(script: Path):
    """The static scan of the file that called watch(), as its own probe record."""
    from nanwiz.probes import PROBES
    from nanwiz.harness.protocol import ProbeContext
    from nanwiz.probing.plan import to_record
    from nanwiz.probing.runner import EventCollector, ProbeOutcome

    outcome = ProbeOutcome(probe="source", status="failed", started=time.monotonic())
    ctx = ProbeContext("source", script, PROBES["source"].FACTS, EventCollector(outcome, "source"))
    try:
        PROBES["source"].run(ctx)
        outcome.status = "done"
    except Exception as exc:  # noqa: BLE001
        outcome.reason = f"{type(exc).__name__}: {exc}"
    outcome.duration = time.monotonic() - outcome.started
    return to_record(outcome)


def watch(**kwargs: Any) -> Watch:
    """Watch training code in this process; see the module's docstring."""
    return Watch(**kwargs)

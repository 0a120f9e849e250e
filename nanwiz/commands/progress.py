"""Live progress of a diagnosis on the terminal (rich), shared by `nanwiz probe` and `nanwiz run`.

One bar per probe; while the user's program runs under the watch, a line with its step, loss,
gradient norm and GradScaler skips; the program's own output is printed above the bars, so the
two never fight over the terminal.
"""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from nanwiz.probing.plan import ProbeEvent


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"


class ProgressView:
    def __init__(self, console: Console, quiet: bool = False):
        self.console = console
        self.progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[probe]:<10}"),
                                 BarColumn(bar_width=24), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                                 TextColumn("[dim]{task.fields[message]}"), console=console, transient=False,
                                 disable=quiet)
        self.quiet = quiet
        self.tasks: dict[str, int] = {}
        self.steps = 0
        self.skips = 0
        self.last: dict[str, Any] = {}

    def __enter__(self) -> ProgressView:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def _task(self, probe: str) -> int:
        if probe not in self.tasks:
            self.tasks[probe] = self.progress.add_task(probe, total=1.0, probe=probe, message="starting")
        return self.tasks[probe]

    def on_event(self, event: ProbeEvent) -> None:
        if event.kind == "output":
            self.progress.console.print(Text(event.message), soft_wrap=True, highlight=False, markup=False)
            return
        task = self._task(event.probe)
        if event.kind == "progress":
            if event.probe != "baseline" or not self.steps:
                self.progress.update(task, completed=event.fraction, message=event.message[:60])
            else:
                self.progress.update(task, completed=event.fraction)
        elif event.kind == "series":
            for point in event.points or []:
                self.steps += 1
                self.skips += bool(point.get("skipped"))
                self.last = point
            self.progress.update(task, message=self.watch_line())
        elif event.kind == "finished" and event.record is not None:
            status = event.record.status
            message = "done" if status == "done" else f"[red]{status}: {(event.record.reason or '')[:60]}"
            self.progress.update(task, completed=1.0, message=message)

    def watch_line(self) -> str:
        p = self.last
        parts = [f"step {p.get('step', '?')}", f"loss {_num(p.get('loss'))}", f"grad norm {_num(p.get('grad_norm'))}"]
        if self.skips:
            parts.append(f"skips {self.skips}")
        if p.get("failed"):
            parts.append(f"[red]non-finite {p.get('failure')}[/]")
        return " · ".join(parts)

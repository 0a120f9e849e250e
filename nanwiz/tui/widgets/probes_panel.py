"""The probes panel: one row per probe of this session with its status, progress and reason.

It mirrors what the worker reports (queued, running with a bar and the probe's own progress
text, done, failed with the reason) and what a resumed session recorded. Selecting a row asks
for the full record (`ProbesPanel.ProbeSelected`): the complete reason, the measured facts and
the probe's log tail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from nanwiz.session import ProbeRecord
from nanwiz.tui.colors import color, on_theme_change, track
from nanwiz.tui.widgets.bar import Bar

ICONS = {"queued": "·", "running": "▶", "done": "✔", "cancelled": "■"}
FAILED = ("failed", "script_error", "timeout", "crashed")


@dataclass
class Row:
    status: str = "queued"
    fraction: float = 0.0
    text: str = ""
    record: ProbeRecord | None = field(default=None, repr=False)


class ProbesPanel(OptionList):
    """Probe rows, in the order they were queued; empty-state text until a run starts."""

    @dataclass
    class ProbeSelected(Message):
        probe: str

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: dict[str, Row] = {}
        self.script: str | None = None
        self.idle_text = "No probe has run yet."

    def on_mount(self) -> None:
        self.border_title = "Probes"
        on_theme_change(self, self.redraw)
        self.redraw()

    # ------------------------------------------------------------ state changes
    def load(self, records: dict[str, ProbeRecord], script: str | None) -> None:
        """Show what a session already holds (on start and on resume)."""
        self.script = script
        self.rows = {name: Row(r.status, 1.0 if r.finished else 0.0, r.reason or "", r) for name, r in records.items()}
        self.redraw()

    def queue(self, probes: list[str], script: str) -> None:
        self.script = script
        for probe in probes:
            self.rows[probe] = Row()
        self.redraw()

    def started(self, probe: str) -> None:
        self.rows[probe] = Row("running", 0.0, "starting")
        self.redraw(probe)

    def progress(self, probe: str, fraction: float, text: str) -> None:
        row = self.rows.setdefault(probe, Row("running"))
        row.status, row.fraction, row.text = "running", fraction, text
        self.redraw(probe)

    def finished(self, record: ProbeRecord) -> None:
        self.rows[record.probe] = Row(record.status, 1.0, record.reason or "", record)
        self.redraw(record.probe)

    def drop_queued(self) -> None:
        """A run ended early (stopped, or the script broke the contract): queued probes will not run."""
        for name in [n for n, r in self.rows.items() if r.status == "queued"]:
            del self.rows[name]
        self.redraw()

    # ------------------------------------------------------------ drawing
    def counts(self) -> tuple[int, int]:
        """(finished, total) probes."""
        done = sum(1 for r in self.rows.values() if r.status not in ("queued", "running"))
        return done, len(self.rows)

    def redraw(self, probe: str | None = None) -> None:
        if probe is not None and probe in self._option_ids():
            self.replace_option_prompt(probe, self._row(probe, self.rows[probe]))
        else:
            keep = self.highlighted
            self.clear_options()
            if self.rows:
                self.add_options([Option(self._row(n, r), id=n) for n, r in self.rows.items()])
                self.highlighted = min(keep or 0, self.option_count - 1)
            else:
                self.add_option(Option(Text(self.idle_text, style="dim"), disabled=True))
        done, total = self.counts()
        name = self.script.rsplit("/", 1)[-1] if self.script else None
        self.border_title = f"Probes · {name}" if name else "Probes"
        if total and done < total:
            self.border_subtitle = f"{done}/{total} finished · x: stop"
        elif total:
            self.border_subtitle = f"{done}/{total} finished · p: run again"
        else:
            self.border_subtitle = ""

    def _option_ids(self) -> set[str]:
        return {self.get_option_at_index(i).id for i in range(self.option_count)}

    def _row(self, name: str, row: Row) -> Table:
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(width=1, no_wrap=True)
        grid.add_column(width=9, no_wrap=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        failed = row.status in FAILED
        icon = Text("✖" if failed else ICONS.get(row.status, "·"),
                    style=color(self, "error") if failed else color(self, "success") if row.status == "done"
                    else color(self, "primary") if row.status == "running" else "dim")
        grid.add_row(icon, Text(name, style="bold" if row.status == "running" else ""), self._status(row, failed))
        return grid

    def _status(self, row: Row, failed: bool):
        if row.status == "running":
            inner = Table.grid(expand=True, padding=(0, 1))
            inner.add_column(width=10, no_wrap=True)
            inner.add_column(width=4, justify="right", no_wrap=True)
            inner.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            bar = Style.parse(f"{color(self, 'primary')} on {track(self)}")
            inner.add_row(Bar(row.fraction, style=bar, track=bar), f"{row.fraction:.0%}", Text(row.text, style="dim"))
            return inner
        if row.status == "queued":
            return Text("queued", style="dim")
        duration = row.record.duration if row.record is not None else None
        took = f" · {duration:.1f} s" if duration is not None else ""
        if row.status == "done":
            measured = len(row.record.facts) if row.record is not None else 0
            return Text(f"done{took} · {measured} fact{'s' if measured != 1 else ''}", style="dim")
        # the reason says it all ("timed out after 600 s", "crashed with a segmentation fault"...)
        return Text(row.text or row.status.replace("_", " "), style=color(self, "error") if failed else "dim")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ProbeSelected(event.option.id))

"""One probe's record: what it does, how it ended and why, what it measured, the end of its log."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from nanwiz.kb.schema import ProbeDecl
from nanwiz.session import ProbeRecord


def value_text(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).lower() if isinstance(value, bool) else str(value)


class ProbeInfoScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "app.pop_screen", "Close")]

    def __init__(self, probe: str, decl: ProbeDecl | None, record: ProbeRecord | None) -> None:
        super().__init__()
        self.probe, self.decl, self.record = probe, decl, record

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="probe-box"):
            if self.decl is not None:
                yield Static(self.decl.description, classes="section-body", markup=False)
            yield Static(self._status(), classes="section-body")
            record = self.record
            if record is not None and record.facts:
                yield Static("Measured", classes="section-title")
                yield Static("\n".join(f"{k} = {value_text(v)}" for k, v in record.facts.items()),
                             classes="section-body", markup=False)
            if record is not None and record.log_tail.strip():
                yield Static("End of the probe's output", classes="section-title")
                yield Static(Text(record.log_tail.strip()[-1500:]), classes="section-body log")

    def on_mount(self) -> None:
        box = self.query_one("#probe-box")
        box.border_title = self.decl.title if self.decl else self.probe
        box.border_subtitle = "esc: close"

    def _status(self) -> Text:
        record = self.record
        if record is None:
            return Text("Queued: it has not started yet.", style="dim")
        text = Text.assemble(("Status: ", "bold"), record.status.replace("_", " "))
        if record.duration is not None:
            text.append(f" after {record.duration:.1f} s")
        if record.reason:
            text.append(f"\n{record.reason}")
        return text

"""Where the first NaN/Inf appeared and which samples are bad, in full.

The text is the report's own sections ("Where it happened", "Offending samples"), rendered as
Markdown: the screen and the exported report cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from nanwiz.report.markdown import render_findings


class FindingsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f", "app.pop_screen", "Close")]

    def __init__(self, diagnosis: dict[str, Any]) -> None:
        super().__init__()
        self.diagnosis = diagnosis

    def compose(self) -> ComposeResult:
        text = render_findings(self.diagnosis) or ("Nothing found yet. The probes locate the first NaN/Inf "
                                                   "(baseline) and the bad samples (bisect): press p to run them.")
        with VerticalScroll(id="findings-box"):
            yield Markdown(text)

    def on_mount(self) -> None:
        box = self.query_one("#findings-box")
        box.border_title = "Findings"
        box.border_subtitle = "esc: close"

"""The run's curves on the whole screen: where the main screen has no room for them (a terminal
under 32 rows), and for a closer look. `g` switches the view, as on the main screen."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen

from nanwiz.tui.widgets.curves import CurvesPanel


class CurvesScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Close"), Binding("g", "cycle", "Next view")]

    def __init__(self, series: list[dict[str, Any]], live: bool = False, view: str = "loss") -> None:
        super().__init__()
        self.series, self.live, self.view = series, live, view

    def compose(self) -> ComposeResult:
        yield CurvesPanel(hint="esc: close", id="curves-box")

    def on_mount(self) -> None:
        panel = self.query_one(CurvesPanel)
        panel.view = self.view
        panel.show(self.series, self.live)

    def show(self, series: list[dict[str, Any]], live: bool = False) -> None:
        """New steps arrived while the screen is open."""
        self.query_one(CurvesPanel).show(series, live)

    def action_cycle(self) -> None:
        self.query_one(CurvesPanel).cycle()

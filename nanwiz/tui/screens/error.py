"""A modal for errors the user can act on (a bad script, a report that cannot be written).

The session goes on behind it: closing the dialog returns to where the user was.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ErrorDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "app.pop_screen", "Close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.error_title = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static(self.message, id="error-message", markup=False)
            yield Button("OK", variant="error", id="ok", compact=True)

    def on_mount(self) -> None:
        self.query_one("#error-box").border_title = self.error_title
        self.query_one("#ok").focus()

    @on(Button.Pressed, "#ok")
    def close(self) -> None:
        self.app.pop_screen()

"""One fix of a cause: its steps, the code before and after (highlighted), and a button to copy it.

Code is copied through the terminal (OSC 52, `App.copy_to_clipboard`), which works over SSH
and in tmux with `set-clipboard on`; the notification says what was copied either way.
Long code lines wrap instead of scrolling sideways, so a fix reads whole at 80 columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Static

MARKS = {True: ("✔ verified", "success"), False: ("✖ did not help", "error")}


class FixView(Vertical, can_focus=True):
    """A fix as the report describes it (the dict of `report.model.cause_entry`)."""

    @dataclass
    class Copy(Message):
        fix_view: FixView

    def __init__(self, number: int, fix: dict[str, Any], dark: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.number = number
        self.fix = fix
        self.dark = dark

    @property
    def code(self) -> str:
        return (self.fix.get("code") or {}).get("after") or ""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="fix-head"):
            title = Text(f"{self.number}. ", style="bold")
            title.append(self.fix["title"], style="bold")
            yield Label(title, classes="fix-title")
            if self.code:
                yield Button("Copy code", id=f"copy-{self.number}", compact=True)
        mark = MARKS.get(self.fix.get("verified"))
        if mark is not None:
            note = self.fix.get("verification") or ""
            yield Static(mark[0] + (f" — {note}" if note else ""), classes=f"fix-verified -{mark[1]}",
                         markup=False)
        yield Static("\n".join(f"• {s}" for s in self.fix.get("steps", [])), classes="fix-steps", markup=False)
        code = self.fix.get("code") or {}
        theme = "monokai" if self.dark else "default"
        if code.get("before"):
            yield Static("Before:", classes="code-label")
            yield Static(Syntax(code["before"].rstrip("\n"), "python", theme=theme, word_wrap=True),
                         classes="code -before")
        if code.get("after"):
            yield Static("After:" if code.get("before") else "Code:", classes="code-label")
            yield Static(Syntax(code["after"].rstrip("\n"), "python", theme=theme, word_wrap=True),
                         classes="code -after")
        sources = self.fix.get("sources") or []
        if sources:
            yield Static("Sources: " + "; ".join(source_label(s) for s in sources), classes="fix-sources", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Copy(self))


def source_label(source: dict[str, Any]) -> str:
    """'seed 001 §3.1' or 'title (url)': a reference a reader can follow."""
    label = source.get("label") or ""
    url = source.get("url")
    return f"{label} ({url})" if url and url != label else label

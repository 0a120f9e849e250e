"""The interview panel: the one question worth most now, its answers on keys and on the mouse.

It only shows the `Prompt` the store chose and reports the choice as `InterviewPanel.Answered`;
it does not know why this question was picked. Keys (y/n/1-9/?) are bound on the main screen
and routed here through `choose`, so they work wherever the focus is (except in a text input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nanwiz.session import DONT_KNOW
from nanwiz.tui.colors import color, on_theme_change
from nanwiz.engine import Settled
from nanwiz.tui.store import Prompt

SKIP = "?"


class InterviewPanel(Vertical):
    """Shows one question; posts `Answered` when the user picks an option (or don't know)."""

    @dataclass
    class Answered(Message):
        question_id: str
        value: Any

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.prompt: Prompt | None = None
        self._values: list[Any] = []
        self._answered = 0
        self._hint: str | None = None
        self._settled: tuple[Settled, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="question-text", markup=False)
        yield Static(id="question-help", markup=False)
        yield OptionList(id="options")
        yield Static(id="interview-hint")

    def on_mount(self) -> None:
        self.border_title = "Question"
        on_theme_change(self, lambda: self.show(self.prompt, self._answered, self._hint, self._settled))

    def show(self, prompt: Prompt | None, answered: int, hint: str | None = None,
             settled: tuple[Settled, str] | None = None) -> None:
        """Display `prompt` (None: nothing left worth asking, or the diagnosis is `settled`, given
        with the top cause's title) and a hint line under the options."""
        self.prompt, self._answered, self._hint, self._settled = prompt, answered, hint, settled
        text = self.query_one("#question-text", Static)
        help_ = self.query_one("#question-help", Static)
        options = self.query_one("#options", OptionList)
        hint_widget = self.query_one("#interview-hint", Static)
        self.border_subtitle = f"{answered} answered" if answered else ""
        if prompt is not None and prompt.changing:
            self.border_subtitle = "esc: keep your answer"
        options.clear_options()
        self._values = []
        if prompt is None and settled is not None:
            self.border_title = "Settled"
            text.update("The diagnosis is settled.")
            help_.update(f"{settled[0].reason(settled[1])} Press d for why and how to fix it.")
            help_.display = True
            options.display = False
        elif prompt is None:
            self.border_title = "Question"
            text.update("No question left that would change the ranking.")
            help_.update("Run the probes on your training script (p), or open the top cause (d).")
            help_.display = True
            options.display = False
        else:
            question = prompt.question
            self.border_title = "Change your answer" if prompt.changing else "Question"
            text.update(question.text)
            help_.update(question.help or "")
            help_.display = bool(question.help)
            options.display = True
            options.add_options(self._options(prompt))
            marked = self._values.index(prompt.previous) if prompt.previous in self._values else 0
            options.highlighted = marked
        hint_widget.update(hint or "")
        hint_widget.display = bool(hint)

    def _options(self, prompt: Prompt) -> list[Option]:
        key_style = f"bold {color(self, 'accent')}"
        rows = []
        for option in prompt.question.options:
            rows.append((option.key, option.label, option.value))
        rows.append((SKIP, "Don't know (skip)", DONT_KNOW))
        out = []
        for key, label, value in rows:
            text = Text(label)
            if prompt.changing and value == prompt.previous:
                text.append("  ◂ your answer", style="italic")
            row = Table.grid(padding=(0, 2))  # a grid keeps wrapped labels indented under the label
            row.add_column(width=1)
            row.add_column(ratio=1)
            row.add_row(Text(key, style=key_style), text)
            self._values.append(value)
            out.append(Option(row))
        return out

    def choose(self, key: str) -> bool:
        """Answer with the option on `key`; False when the current question has no such key."""
        if self.prompt is None:
            return False
        if key == SKIP:
            self.post_message(self.Answered(self.prompt.question.id, DONT_KNOW))
            return True
        for option in self.prompt.question.options:
            if option.key == key:
                self.post_message(self.Answered(self.prompt.question.id, option.value))
                return True
        return False

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.prompt is not None:
            self.post_message(self.Answered(self.prompt.question.id, self._values[event.option_index]))

"""Your answers so far: pick one to change it, or remove it (the question may be asked again)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nanwiz.kb.schema import Question


class AnswersScreen(ModalScreen[tuple[str, str] | None]):
    """Dismissed with ("change", question id), ("forget", question id), or None."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Close"),
        Binding("enter", "change", "Change", show=False),
        Binding("delete,x", "forget", "Remove answer"),
    ]

    def __init__(self, answered: list[tuple[Question, str]]) -> None:
        super().__init__()
        self.answered = answered

    def compose(self) -> ComposeResult:
        with Vertical(id="answers-box"):
            if self.answered:
                options = []
                for question, label in self.answered:
                    text = Text(question.text)
                    text.append(f"\n  → {label}", style="bold")
                    options.append(Option(text, id=question.id))
                yield OptionList(*options, id="answers")
            else:
                yield Static("No answers yet.", id="answers-empty")

    def on_mount(self) -> None:
        box = self.query_one("#answers-box")
        box.border_title = f"Your answers ({len(self.answered)})"
        box.border_subtitle = "enter: change · x/del: remove · esc: close"

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(("change", event.option.id))

    def _highlighted(self) -> str | None:
        lists = self.query(OptionList)
        if not lists or lists.first().highlighted is None:
            return None
        option_list = lists.first()
        return option_list.get_option_at_index(option_list.highlighted).id

    def action_change(self) -> None:
        qid = self._highlighted()
        if qid:
            self.dismiss(("change", qid))

    def action_forget(self) -> None:
        qid = self._highlighted()
        if qid:
            self.dismiss(("forget", qid))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

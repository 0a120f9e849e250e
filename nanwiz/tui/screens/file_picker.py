"""A file picker for the training script: folders and Python files only, hidden folders left out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Label


class ScriptTree(DirectoryTree):
    """A DirectoryTree showing what could be a training script (and plain icons every terminal draws)."""

    ICON_NODE_EXPANDED = "▾ "
    ICON_NODE = "▸ "
    ICON_FILE = "  "

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith((".", "__pycache__")):
                continue
            try:
                if path.is_dir() or path.suffix == ".py":
                    yield path
            except OSError:
                continue


class FilePickerScreen(ModalScreen[Path | None]):
    """Pick a .py file; dismissed with its path, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("backspace", "up", "Parent folder")]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start.resolve()

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(str(self.start), id="picker-path")
            yield ScriptTree(self.start, id="tree")
            yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = "Choose the training script"
        self.query_one("#picker").border_subtitle = "enter: open/choose · backspace: parent · esc: cancel"
        self.query_one(ScriptTree).focus()

    def action_up(self) -> None:
        tree = self.query_one(ScriptTree)
        parent = Path(tree.path).resolve().parent
        tree.path = parent
        self.query_one("#picker-path", Label).update(str(parent))

    @on(DirectoryTree.FileSelected)
    def chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

"""A path input that completes file names as a shell does: type a prefix, press Tab (or →).

Only folders and Python files are offered, since a training script is what nanwiz runs.
The file system is read on every keystroke (no cache): a script written meanwhile must show up.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input


def completions(value: str, base: Path | None = None) -> list[str]:
    """Folders (with a trailing /) and .py files that start with `value`, sorted, hidden ones left out."""
    expanded = os.path.expanduser(value)
    head, prefix = os.path.split(expanded)
    folder = Path(head) if head else Path(".")
    if not folder.is_absolute() and base is not None:
        folder = base / folder
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if not entry.name.startswith(prefix) or (entry.name.startswith(".") and not prefix.startswith(".")):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir or entry.name.endswith(".py"):
            typed = value[: len(value) - len(prefix)]
            out.append(typed + entry.name + ("/" if is_dir else ""))
    return out


class PathSuggester(Suggester):
    """Suggests the first completion; with one match it is the whole name."""

    def __init__(self, base: Path | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.base = base

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        found = completions(value, self.base)
        if not found:
            return None
        common = os.path.commonprefix(found)
        return common if len(common) > len(value) else found[0]


class PathInput(Input):
    """An Input whose Tab accepts the completion on offer (and moves focus on when there is none)."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]

    def __init__(self, value: str = "", base: Path | None = None, **kwargs) -> None:
        super().__init__(value=value, suggester=PathSuggester(base), **kwargs)

    def action_complete(self) -> None:
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()

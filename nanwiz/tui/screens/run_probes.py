"""The dialog that starts a probe run: which script, which probes, how many steps.

The script path is checked here, before anything starts (missing, a folder, not a .py file):
the message appears under the field and the dialog stays open, so a typo costs nothing.
A script that breaks the contract is found by the first probes and reported by the main screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, SelectionList, Static

from nanwiz.errors import UsageError
from nanwiz.kb.model import KnowledgeBase
from nanwiz.probing.plan import check_script_path, default_probes
from nanwiz.tui.screens.file_picker import FilePickerScreen
from nanwiz.tui.widgets.path_input import PathInput

VERIFY = "fixes"


@dataclass(frozen=True)
class ProbeRequest:
    script: Path
    probes: list[str]
    steps: int | None
    verify: bool
    """Afterwards, re-run the training with the top causes' fixes applied (the `fixes` probe)."""


class RunProbesScreen(ModalScreen[ProbeRequest | None]):
    """Choose the script and the probes; dismissed with a `ProbeRequest`, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+r", "run", "Run")]

    def __init__(self, kb: KnowledgeBase, script: str | None, chosen: list[str], steps: int | None,
                 verify: bool = True) -> None:
        super().__init__()
        self.kb = kb
        self.script = script or ""
        self.chosen = set(chosen)
        self.steps = steps
        self.verify = verify

    def compose(self) -> ComposeResult:
        probes = [p for p in default_probes(self.kb) if p != VERIFY]
        blink = getattr(self.app, "cursor_blink", True)
        with Vertical(id="dialog"):
            yield Label("Training script (a .py file that follows the nanwiz contract)")
            with Horizontal(classes="row"):
                yield PathInput(self.script, placeholder="path/to/train.py  (Tab completes)", id="script",
                                compact=True)
                yield Button("Browse…", id="browse", compact=True)
            yield Static(id="script-error", markup=False)
            yield Label("Probes (space toggles one, a selects all)")
            yield SelectionList[str](*[(f"{p:<10}{self.kb.probes[p].title}", p, p in self.chosen or not self.chosen)
                                       for p in probes], id="probe-list")
            yield Checkbox("Then verify the top causes' fixes (re-runs the training with each fix)",
                           self.verify, id="verify", compact=True)
            with Horizontal(classes="row"):
                yield Label("Steps", id="steps-label")
                yield Input(str(self.steps) if self.steps else "", placeholder="the script's own", id="steps",
                            type="integer", compact=True)
                yield Button("Run", variant="primary", id="run", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        for widget in self.query(Input):
            widget.cursor_blink = blink

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Run probes"
        self.query_one("#dialog").border_subtitle = "enter/ctrl+r: run · esc: cancel"
        self.query_one("#script-error").display = False
        self.query_one("#script" if not self.script else "#run").focus()

    def on_key(self, event) -> None:
        if event.key == "a" and self.focused is self.query_one(SelectionList):
            selection = self.query_one(SelectionList)
            if len(selection.selected) == selection.option_count:
                selection.deselect_all()
            else:
                selection.select_all()
            event.stop()

    def error(self, message: str) -> None:
        box = self.query_one("#script-error", Static)
        box.update(message)
        box.display = bool(message)

    @on(Button.Pressed, "#browse")
    def browse(self) -> None:
        current = self.query_one("#script", Input).value.strip()
        start = Path(current).expanduser() if current else Path.cwd()
        while not start.is_dir() and start != start.parent:
            start = start.parent

        def picked(path: Path | None) -> None:
            if path is not None:
                field = self.query_one("#script", Input)
                field.value = str(path)
                self.error("")
                self.query_one("#run").focus()

        self.app.push_screen(FilePickerScreen(start if start.is_dir() else Path.cwd()), picked)

    @on(Input.Submitted)
    @on(Button.Pressed, "#run")
    def action_run(self) -> None:
        try:
            script = check_script_path(self.query_one("#script", Input).value.strip() or ".")
        except UsageError as error:
            self.error(error.msg)
            self.query_one("#script").focus()
            return
        probes = list(self.query_one(SelectionList).selected)
        if not probes:
            self.error("Choose at least one probe.")
            return
        text = self.query_one("#steps", Input).value.strip()
        steps = int(text) if text.isdigit() else None
        if text and (steps is None or steps < 1):
            self.error("Steps must be a whole number of at least 1 (or empty for the script's own).")
            return
        self.dismiss(ProbeRequest(script, probes, steps, self.query_one("#verify", Checkbox).value))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

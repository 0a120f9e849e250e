"""The help screen: what nanwiz does, the four steps of a session, and every key."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

if TYPE_CHECKING:
    from nanwiz.tui.app import NanwizApp

HELP = """\
nanwiz finds out why a PyTorch training run produces **NaN or Inf**, and how to fix it.
It weighs every known cause against the evidence: your answers and what the probes measure.

1. **Answer the questions** on the left. Each is the one that would tell most right now.
   Press the key in front of an answer (`y` `n` `1`…`9`) or click it; `?` if you don't know.
2. **Run the probes** (`p`): nanwiz runs short experiments on your training script
   (a `.py` file with `build_model`, `build_dataset`, `compute_loss` and `NANWIZ` settings).
   Keep answering while they run; the ranking updates as each result arrives.
3. **Read the top cause** (`d`, or select any cause on the right): why it ranks there,
   what would confirm it, and the fixes, with code you can copy (`c`).
4. **Export the report** (`e`): Markdown, the same as `nanwiz report`.

The session is saved after every change: `nanwiz --resume {save}` continues it.

| Key | Where | Does |
|---|---|---|
| `y` `n` `1`…`9` | main | answer the question |
| `?` | main | don't know (skip the question) |
| `b` / backspace | main | back: undo the last answer and ask it again |
| `esc` | main | keep the answer you had (after `b` or a change) |
| `a` | main | your answers: change or remove one |
| `p` / `x` | main | run the probes / stop them |
| `d` / enter | main | why the top (or selected) cause ranks there and how to fix it |
| `f` | main | where the first NaN/Inf appeared, which samples are bad |
| `g` | main | the run's curves, next view: loss, gradient norm, activations |
| `tab` | anywhere | move between panels |
| `f` / `c` | cause | jump to the fixes / copy the fix's code |
| `e` | anywhere | export the Markdown report to `{report}` |
| `t` | anywhere | dark / light theme |
| `ctrl+p` | anywhere | command palette: every action, and every cause by name |
| `F1` | anywhere | this help |
| `q` / `ctrl+c` | anywhere | quit (running probes are stopped, the session is saved) |
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        store = cast("NanwizApp", self.app).store
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP.format(save=store.save_path, report=store.report_path()))

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "nanwiz help"
        box.border_subtitle = "esc: close"

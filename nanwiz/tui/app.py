"""The interactive session (`nanwiz`, `nanwiz --model`, `nanwiz --resume`): the Textual app.

Deliberately small: it owns the session store and the probe runner, the app-wide keys (quit,
help, export, theme) and the command palette's actions. Screens and widgets live in their own
modules; the rules about the session (next question, back, autosave) live in `store.py`.
Quitting (q, Ctrl+C, a closed terminal) stops the probes' child processes and saves first.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from nanwiz.errors import NanwizError
from nanwiz.kb.model import KnowledgeBase
from nanwiz.probing.plan import default_probes
from nanwiz.probing.runner import DEFAULT_TIMEOUT
from nanwiz.session import Session
from nanwiz.tui.commands import main_commands
from nanwiz.tui.probe_runner import ProbeRunner
from nanwiz.tui.screens import ErrorDialog, HelpScreen, MainScreen
from nanwiz.tui.store import SessionStore

DARK, LIGHT = "textual-dark", "textual-light"


class NanwizApp(App[int]):
    """nanwiz's troubleshooting session: interview, live ranking, probes, fixes, export."""

    CSS_PATH = "app.tcss"
    TITLE = "nanwiz"
    BINDINGS = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("q", "quit", "Quit"),
        Binding("f1", "help", "Help"),
        Binding("e", "export", "Export"),
        Binding("t", "toggle_theme", "Theme", show=False),
    ]

    def __init__(self, kb: KnowledgeBase, *, session: Session | None = None, script: Path | None = None,
                 save_path: Path, probes: list[str] | None = None, verify: bool = True,
                 timeout: float = DEFAULT_TIMEOUT, jobs: int | None = None, cursor_blink: bool = True,
                 plots: bool = True):
        super().__init__()
        session = session or Session()
        if script is not None:
            session.script = str(script)
        self.store = SessionStore(kb, session, save_path, plots=plots)
        self.runner = ProbeRunner(self.store, timeout=timeout, jobs=jobs)
        self.autostart = script is not None
        self.probe_choice = list(probes) if probes is not None else default_probes(kb)
        """Probes a run starts with (preselected in the run dialog)."""
        self.verify = verify
        self.cursor_blink = cursor_blink

    def get_default_screen(self) -> Screen:
        return MainScreen()

    def on_mount(self) -> None:
        self.store.mark_interrupted()
        self.store.save()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, lambda: self.call_later(self.action_quit))
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no Unix signals
                pass

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from main_commands(self, screen)
        yield from super().get_system_commands(screen)

    # ------------------------------------------------------------ actions
    async def action_quit(self) -> None:
        if self.runner.running:
            self.notify("Stopping the probes…", timeout=3)
            await self.runner.shutdown()
        self.store.save()
        self.exit(0)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.current_theme.dark else DARK

    def action_export(self) -> None:
        try:
            written = self.store.export()
        except NanwizError as error:
            self.push_screen(ErrorDialog(error.title, error.msg))
            return
        self.notify(f"Report written to {written.describe()}", title="Exported", timeout=10, markup=False)

    def show_error(self, title: str, message: str) -> None:
        self.push_screen(ErrorDialog(title, message))


def run_app(kb: KnowledgeBase, session: Session | None = None, script: Path | None = None,
            save_path: Path = Path("nanwiz-session.json"), plots: bool = True) -> int:
    """Run the session in the terminal until the user quits; returns the exit code."""
    app = NanwizApp(kb, session=session, script=script, save_path=save_path, plots=plots)
    try:
        code = app.run()
    finally:
        app.runner.cancel.set()  # whatever ended the app, no probe keeps running
        app.store.save()
    if app.store.save_error:
        raise NanwizError(app.store.save_error, title="Session not saved")
    print(f"Session saved to {app.store.save_path} (continue it with: nanwiz --resume {app.store.save_path})")
    return code or 0

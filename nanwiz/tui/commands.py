"""The command palette (Ctrl+P): the main actions by name, and every cause to open by its title.

Actions are listed only where they can run (e.g. "Stop the probes" only while probes run), so
the palette never offers something that would just say no.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from nanwiz.tui.widgets.bar import pct

if TYPE_CHECKING:
    from nanwiz.tui.app import NanwizApp


def main_commands(app: NanwizApp, screen: Screen) -> Iterator[SystemCommand]:
    from nanwiz.tui.screens.main import MainScreen

    main = app.screen_stack[0] if app.screen_stack and isinstance(app.screen_stack[0], MainScreen) else None
    if main is not None:
        yield SystemCommand("Run probes", "Run the probes (all or some) on a training script", main.action_run_probes)
        if app.runner.running:
            yield SystemCommand("Stop the probes", "Stop the running probes and their processes",
                                main.action_stop_probes)
        yield SystemCommand("Back", "Undo the last answer and ask that question again", main.action_back)
        yield SystemCommand("Answers", "List your answers to change or remove one", main.action_answers)
        yield SystemCommand("Findings", "Where the first NaN/Inf appeared and which samples are bad",
                            main.action_findings)
        if main.query_one("#curves").has_data:
            yield SystemCommand("Curves", "The run's loss, gradient norm or activations (next view)",
                                main.action_cycle_curves)
        for scored in app.store.ranking().causes:
            yield SystemCommand(f"Cause: {scored.title}", f"{pct(scored.probability)} — why it ranks there and "
                                "how to fix it", lambda cid=scored.cause_id: main.open_cause(cid))
    yield SystemCommand("Export report", f"Write the Markdown report to {app.store.report_path()}", app.action_export)
    yield SystemCommand("Toggle dark/light", "Switch between the dark and the light theme", app.action_toggle_theme)
    yield SystemCommand("Help", "How nanwiz works and every key", app.action_help)

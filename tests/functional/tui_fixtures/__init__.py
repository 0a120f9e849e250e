"""Shared pieces of the TUI tests: a small, frozen knowledge base and app builders.

The snapshot tests draw their screens from `kb/` here rather than from the shipped knowledge
base, which other work keeps changing: a new rule or a reworded question must not break a
picture of the TUI. The Pilot tests of whole flows use the shipped knowledge base.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from nanwiz.kb.load import load_knowledge
from nanwiz.kb.model import KnowledgeBase

KB_DIR = Path(__file__).resolve().parent / "kb"
ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


def fixture_kb() -> KnowledgeBase:
    return load_knowledge([KB_DIR], include_shipped=False)


async def wait_until(pilot, predicate, timeout: float = 60.0, step: float = 0.1) -> None:
    """Let the app run until `predicate()` holds (probes report from worker threads)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        await pilot.pause(step)
    await pilot.pause()


def screen_text(app) -> str:
    """Everything the current screen shows, as plain text (for asserting on what a user reads)."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, record=True, file=open("/dev/null", "w"),  # noqa: SIM115
                      color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def pilot_test(test):
    """Run an async Pilot test without an async pytest plugin (the project's test extras have none)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run

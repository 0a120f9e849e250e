"""Pictures of the main screens at 80x24 and at 120x40 (pytest-textual-snapshot).

They use the frozen knowledge base of `tui_fixtures` and fixed probe records, run in a
temporary folder with relative paths, and keep the cursor from blinking, so that a picture
changes only when the TUI does. Regenerate with `pytest tests/functional/test_tui_snapshots.py
--snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nanwiz.session import ProbeRecord, Session
from nanwiz.tui.app import NanwizApp
from nanwiz.tui.widgets import ProbesPanel
from tests.fixtures.runs import traced_session
from tests.functional.tui_fixtures import fixture_kb

SMALL, LARGE = (80, 24), (120, 40)


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("train.py").write_text("# a training script\n", encoding="utf-8")
    return tmp_path


def fresh() -> NanwizApp:
    return NanwizApp(fixture_kb(), save_path=Path("nanwiz-session.json"), cursor_blink=False)


def probed() -> NanwizApp:
    """Mid-session: one answer, three probes finished (one timed out), findings in."""
    kb = fixture_kb()
    session = Session(script="train.py")
    session.answer(kb, "when", "later")
    session.record(ProbeRecord(probe="source", status="timeout", duration=600.0,
                               reason="timed out after 600 s (raise it with --timeout)"))
    session.record(ProbeRecord(probe="lr_zero", status="done", facts={"lr_zero.nonfinite": True}, duration=2.5))
    session.record(ProbeRecord(probe="baseline", status="done", facts={"baseline.nonfinite": True}, duration=3.1,
                               details={"first_nonfinite": {"step": 12, "phase": "input", "op": "input",
                                                            "kind": "nan", "bad_in_batch": [7, 41]}}))
    return NanwizApp(kb, session=session, save_path=Path("nanwiz-session.json"), cursor_blink=False)


def traced() -> NanwizApp:
    """The probes traced their runs: the curves panel shows your run climbing to its failure."""
    return NanwizApp(fixture_kb(), session=traced_session(), save_path=Path("nanwiz-session.json"),
                     cursor_blink=False)


async def quiet(pilot) -> None:
    """No toasts over the picture (the resumed session's offer to re-run the probes)."""
    await pilot.pause()
    pilot.app.clear_notifications()


async def running_probe(pilot) -> None:
    """Show one probe mid-run, as a progress event leaves it."""
    await quiet(pilot)
    panel = pilot.app.query_one(ProbesPanel)
    panel.queue(["repeat"], "train.py")
    panel.progress("repeat", 0.4, "step 8/20")


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_main_screen_at_start(here, snap_compare, size):
    assert snap_compare(fresh(), terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_main_screen_with_probe_results(here, snap_compare, size):
    assert snap_compare(probed(), terminal_size=size, run_before=running_probe)


def test_changing_an_answer(here, snap_compare):
    assert snap_compare(fresh(), terminal_size=SMALL, press=["1", "b"])


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_cause_detail(here, snap_compare, size):
    assert snap_compare(probed(), terminal_size=size, press=["d"], run_before=quiet)


def test_run_probes_dialog(here, snap_compare):
    assert snap_compare(probed(), terminal_size=SMALL, press=["p"], run_before=quiet)


def test_help_screen(here, snap_compare):
    assert snap_compare(fresh(), terminal_size=LARGE, press=["f1"])


def test_light_theme(here, snap_compare):
    assert snap_compare(probed(), terminal_size=SMALL, press=["t"], run_before=quiet)


def test_main_screen_with_the_run_curves(here, snap_compare):
    assert snap_compare(traced(), terminal_size=LARGE, run_before=quiet)


def test_curves_switched_to_the_gradient_norm(here, snap_compare):
    assert snap_compare(traced(), terminal_size=LARGE, press=["g"], run_before=quiet)


def test_curves_on_their_own_screen_in_a_small_terminal(here, snap_compare):
    assert snap_compare(traced(), terminal_size=SMALL, press=["g"], run_before=quiet)

"""The curves panel: hidden until a run was measured, grows while the baseline runs (its
`series` events), marks the failure, and `g` switches between loss, gradient norm and
activations."""

from __future__ import annotations

from nanwiz.session import ProbeRecord, Session
from nanwiz.tui.app import NanwizApp
from nanwiz.tui.messages import ProbeFinished, ProbeSeries, ProbeStarted
from nanwiz.tui.screens import CurvesScreen, MainScreen
from nanwiz.tui.widgets import CurvesPanel
from tests.fixtures.runs import FAIL_AT, diverging, traced_session
from tests.functional.tui_fixtures import fixture_kb, pilot_test


@pilot_test
async def test_the_curves_grow_while_the_baseline_runs_and_g_switches_the_view(tmp_path):
    app = NanwizApp(fixture_kb(), session=Session(script="train.py"), save_path=tmp_path / "s.json")
    trace = diverging()
    async with app.run_test(size=(100, 36)) as pilot:
        curves = app.query_one(CurvesPanel)
        assert not curves.display
        await pilot.press("g")  # no curves yet: the key does nothing
        assert curves.view == "loss"
        app.screen.post_message(ProbeStarted("baseline"))
        app.screen.post_message(ProbeSeries("baseline", trace[:10]))
        await pilot.pause()
        assert curves.display and curves.live and curves.border_title == "Curves · loss · live"
        assert curves.runs[0]["step"] == list(range(10))
        app.screen.post_message(ProbeSeries("baseline", trace[10:]))
        await pilot.pause()
        assert curves.border_title == f"Curves · loss · ✗ step {FAIL_AT} · live"
        for view in ("grad_norm", "activations", "loss"):
            await pilot.press("g")
            assert curves.view == view
        assert "gradient norm" in curves.border_subtitle
        record = ProbeRecord(probe="baseline", status="done", details={"trace": trace})
        app.store.session.record(record)
        app.screen.post_message(ProbeFinished(record))
        await pilot.pause()
        assert not curves.live and curves.runs[0]["steps_run"] == FAIL_AT + 1
        app.screen.post_message(ProbeStarted("baseline"))  # run again: the live curves start over
        app.store.session.record(ProbeRecord(probe="baseline", status="running"))  # as Diagnoser does
        app.screen.post_message(ProbeSeries("baseline", trace[:3]))
        await pilot.pause()
        assert curves.runs[0]["step"] == [0, 1, 2]


@pilot_test
async def test_a_small_terminal_shows_the_curves_on_their_own_screen(tmp_path):
    app = NanwizApp(fixture_kb(), session=traced_session(), save_path=tmp_path / "s.json")
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.query_one(CurvesPanel).display  # no room beside the interview and the probes
        await pilot.press("g")
        assert isinstance(app.screen, CurvesScreen)
        panel = app.screen.query_one(CurvesPanel)
        assert panel.display and panel.border_title == f"Curves · loss · ✗ step {FAIL_AT}"
        await pilot.press("g")
        assert panel.view == "grad_norm" and panel.border_subtitle == "g: largest |activation| · esc: close"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.resize_terminal(120, 40)
        assert app.query_one(CurvesPanel).display  # room now: beside the probes


def test_the_store_keeps_a_bounded_number_of_live_steps(tmp_path):
    from nanwiz.tui.store import LIVE_POINTS, SessionStore

    store = SessionStore(fixture_kb(), Session(), tmp_path / "s.json")
    for start in range(0, 3 * LIVE_POINTS, 100):
        store.add_points("baseline", [{"step": t, "loss": 1.0} for t in range(start, start + 100)])
    kept = store.live["baseline"]
    assert len(kept) <= LIVE_POINTS + 1 and kept[0]["step"] == 0 and kept[-1]["step"] == 3 * LIVE_POINTS - 1
    (series,), live = store.curves()
    assert live and series["steps_run"] == 3 * LIVE_POINTS

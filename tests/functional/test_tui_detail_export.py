"""Cause detail, copying a fix, export, help, palette, themes and resuming a saved session."""

from __future__ import annotations

import json

from nanwiz.cli import main
from nanwiz.report.markdown import render
from nanwiz.report.model import build_diagnosis
from nanwiz.session import ProbeRecord, Session
from nanwiz.tui.app import NanwizApp
from nanwiz.tui.screens import CauseDetailScreen, FindingsScreen, HelpScreen, MainScreen
from nanwiz.tui.widgets import FixView, ProbesPanel, RankingPanel
from tests.functional.tui_fixtures import fixture_kb, pilot_test, screen_text


def probed_session(script: str | None = None) -> Session:
    """A session as probes leave it: the learning-rate-0 run still fails, a log in the source."""
    session = Session(script=script)
    session.answer(fixture_kb(), "when", "later")
    session.record(ProbeRecord(probe="lr_zero", status="done", facts={"lr_zero.nonfinite": True}, duration=2.5))
    session.record(ProbeRecord(probe="baseline", status="done", facts={"baseline.nonfinite": True}, duration=3.1,
                               details={"first_nonfinite": {"step": 12, "phase": "input", "op": "input",
                                                            "kind": "nan", "bad_in_batch": [7, 41]}}))
    return session


@pilot_test
async def test_cause_detail_shows_why_and_how_to_fix_and_copies_the_code(tmp_path):
    kb = fixture_kb()
    app = NanwizApp(kb, session=probed_session(), save_path=tmp_path / "s.json")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("d")  # the top cause
        assert isinstance(app.screen, CauseDetailScreen)
        assert app.screen.cause_id == "data.nonfinite_input"
        text = screen_text(app)
        assert "Why it ranks here" in text
        assert "×6" in text and "The failure persists with the learning rate at 0" in text
        await pilot.press("c")
        assert app.clipboard == kb.causes["data.nonfinite_input"].fixes[0].code.after
        await pilot.click("#copy-1")
        assert app.clipboard.startswith("bad = ")
        fix = app.screen.query_one(FixView)
        assert fix.fix["title"] == "Find the non-finite samples and leave them out"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@pilot_test
async def test_any_cause_opens_from_the_ranking(tmp_path):
    app = NanwizApp(fixture_kb(), save_path=tmp_path / "s.json")
    async with app.run_test(size=(80, 24)) as pilot:
        ranking = app.query_one(RankingPanel)
        ranking.focus()
        await pilot.press("down", "enter")
        assert isinstance(app.screen, CauseDetailScreen)
        assert app.screen.cause_id == ranking.ranking.causes[1].cause_id
        assert "Not known yet: what would confirm or rule it out" in screen_text(app)


@pilot_test
async def test_export_writes_the_same_report_as_nanwiz_report(tmp_path):
    kb = fixture_kb()
    save = tmp_path / "nanwiz-session.json"
    app = NanwizApp(kb, session=probed_session(), save_path=save)
    async with app.run_test() as pilot:
        await pilot.press("d", "e")  # export works from any screen
    report = tmp_path / "nanwiz-report.md"
    assert report.read_text(encoding="utf-8") == render(build_diagnosis(kb, Session.load(save)))
    assert "## Where it happened" in report.read_text(encoding="utf-8")


@pilot_test
async def test_export_to_an_unwritable_place_says_why(tmp_path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    app = NanwizApp(fixture_kb(), save_path=tmp_path / "blocker" / "s.json")
    async with app.run_test() as pilot:
        await pilot.press("e")
        assert app.screen.query_one("#error-message") is not None
        assert "cannot write the report" in app.screen.message
        await pilot.press("escape", "1")
        assert app.store.session.answers


@pilot_test
async def test_resume_shows_answers_and_probe_results_and_offers_to_rerun(tmp_path):
    kb = fixture_kb()
    train = tmp_path / "train.py"
    train.write_text("")
    save = tmp_path / "s.json"
    session = probed_session(str(train))
    session.record(ProbeRecord(probe="source", status="running"))  # nanwiz was closed meanwhile
    session.save(save)
    app = NanwizApp(kb, session=Session.load(save), save_path=save)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        panel = app.query_one(ProbesPanel)
        assert panel.rows["lr_zero"].status == "done"
        assert panel.rows["source"].status == "cancelled" and "interrupted" in panel.rows["source"].text
        assert not app.runner.running  # offered, not started
        await pilot.pause(0.2)
        assert "Press p to re-run the probes on" in screen_text(app)
        assert "p: run again" in panel.border_subtitle
        assert app.query_one(RankingPanel).ranking.top.cause_id == "data.nonfinite_input"
        await pilot.press("f")
        assert isinstance(app.screen, FindingsScreen)
        await pilot.press("escape", "p")
        assert app.screen.query_one("#script").value == str(train)
    assert Session.load(save).probes["source"].status == "cancelled"


def test_a_corrupt_session_file_is_refused_and_left_untouched(tmp_path, capsys):
    bad = tmp_path / "s.json"
    bad.write_text('{"version": 1, "answers": ', encoding="utf-8")
    assert main(["--resume", str(bad)]) == 2
    assert "Session file error" in capsys.readouterr().err
    assert bad.read_text(encoding="utf-8") == '{"version": 1, "answers": '
    other = tmp_path / "old.json"
    other.write_text(json.dumps({"version": 99}), encoding="utf-8")
    assert main(["--resume", str(other)]) == 2
    assert json.loads(other.read_text(encoding="utf-8")) == {"version": 99}


@pilot_test
async def test_help_palette_and_theme(tmp_path):
    app = NanwizApp(fixture_kb(), save_path=tmp_path / "s.json")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        dark = app.current_theme.dark
        await pilot.press("t")
        assert app.current_theme.dark != dark
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Run probes", "Export report", "Back", "Answers", "Help",
                       "Cause: Learning rate too high: the loss grows step over step until it overflows"):
            assert wanted in titles
        assert "Stop the probes" not in titles  # nothing runs

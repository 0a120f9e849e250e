"""The interview and the live ranking, driven through the keyboard and the mouse (Pilot)."""

from __future__ import annotations

import pytest

from nanwiz.session import DONT_KNOW, Session
from nanwiz.tui.app import NanwizApp
from nanwiz.tui.screens import AnswersScreen
from nanwiz.tui.widgets import InterviewPanel, RankingPanel
from tests.functional.tui_fixtures import fixture_kb, pilot_test, screen_text


@pytest.fixture(scope="module")
def small_kb():
    return fixture_kb()


def probabilities(app: NanwizApp) -> dict[str, float]:
    return {s.cause_id: s.probability for s in app.query_one(RankingPanel).ranking.causes}


def asked(app: NanwizApp) -> str | None:
    prompt = app.query_one(InterviewPanel).prompt
    return prompt.question.id if prompt else None


@pilot_test
async def test_answers_move_the_ranking_and_are_saved_at_once(small_kb, tmp_path):
    save = tmp_path / "session.json"
    app = NanwizApp(small_kb, save_path=save)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert asked(app) == "loss_before"  # the most informative question comes first
        before = probabilities(app)
        await pilot.press("1")  # "It grew step over step"
        after = probabilities(app)
        assert after["optim.lr_too_high"] > before["optim.lr_too_high"]
        assert app.query_one(RankingPanel).ranking.top.cause_id == "optim.lr_too_high"
        assert Session.load(save).answers == {"loss_before": "rising"}
        assert asked(app) != "loss_before"
        assert "Learning rate too high" in screen_text(app)


@pilot_test
async def test_back_reasks_the_last_question_and_a_new_answer_replaces_it(small_kb, tmp_path):
    app = NanwizApp(small_kb, save_path=tmp_path / "s.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        top_rising = app.query_one(RankingPanel).ranking.top.cause_id
        await pilot.press("b")
        panel = app.query_one(InterviewPanel)
        assert panel.prompt.question.id == "loss_before" and panel.prompt.changing
        assert panel.prompt.previous == "rising"
        assert app.store.session.answers == {}
        assert "your answer" in screen_text(app)
        await pilot.press("2")  # "decreasing normally, then suddenly NaN"
        assert app.store.session.answers == {"loss_before": "falling_then_nan"}
        assert app.query_one(RankingPanel).ranking.top.cause_id != top_rising


@pilot_test
async def test_escape_after_back_keeps_the_old_answer(small_kb, tmp_path):
    app = NanwizApp(small_kb, save_path=tmp_path / "s.json")
    async with app.run_test() as pilot:
        await pilot.press("1", "b", "escape")
        assert app.store.session.answers == {"loss_before": "rising"}
        assert not app.query_one(InterviewPanel).prompt.changing


@pilot_test
async def test_change_an_earlier_answer_from_the_answer_list(small_kb, tmp_path):
    app = NanwizApp(small_kb, save_path=tmp_path / "s.json")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1", "1")  # loss_before=rising, then when=first_steps
        assert list(app.store.session.answers) == ["loss_before", "when"]
        await pilot.press("a")
        assert isinstance(app.screen, AnswersScreen)
        await pilot.press("enter")  # the first answer: loss_before
        assert app.query_one(InterviewPanel).prompt.question.id == "loss_before"
        await pilot.press("2")
        assert app.store.session.answers == {"when": "first_steps", "loss_before": "falling_then_nan"}
        await pilot.press("a", "x")  # remove the highlighted (first listed) answer
        assert "when" not in app.store.session.answers


@pilot_test
async def test_skip_is_dont_know_and_a_wrong_key_changes_nothing(small_kb, tmp_path):
    app = NanwizApp(small_kb, save_path=tmp_path / "s.json")
    async with app.run_test() as pilot:
        before = probabilities(app)
        await pilot.press("y")  # loss_before has answers 1 and 2 only
        assert app.store.session.answers == {}
        await pilot.press("question_mark")
        assert app.store.session.answers == {"loss_before": DONT_KNOW}
        assert probabilities(app) == before  # don't know is no evidence


@pilot_test
async def test_a_question_appears_only_when_its_condition_holds(small_kb, tmp_path):
    app = NanwizApp(small_kb, save_path=tmp_path / "s.json")
    async with app.run_test() as pilot:
        seen = []
        while asked(app) is not None and len(seen) < 10:
            qid = asked(app)
            seen.append(qid)
            await pilot.press({"custom_math": "y", "log_softmax": "y"}.get(qid, "question_mark"))
        assert "log_softmax" in seen and seen.index("log_softmax") > seen.index("custom_math")
        assert app.query_one(RankingPanel).ranking.top.cause_id == "num.log_zero"
        assert "No question left" in screen_text(app)


@pilot_test
async def test_options_answer_with_the_mouse(small_kb, tmp_path):
    app = NanwizApp(small_kb, save_path=tmp_path / "s.json")
    async with app.run_test(size=(80, 24)) as pilot:
        options = app.query_one("#interview OptionList")
        await pilot.click(options, offset=(5, 1))  # second row: the second option
        assert app.store.session.answers == {"loss_before": "falling_then_nan"}


@pilot_test
async def test_the_shipped_knowledge_base_runs_an_interview(kb, tmp_path):
    app = NanwizApp(kb, save_path=tmp_path / "s.json")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            panel = app.query_one(InterviewPanel)
            if panel.prompt is None:  # the answers already settled the diagnosis
                assert app.store.settled() is not None and panel.border_title == "Settled"
                break
            await pilot.press(panel.prompt.question.options[0].key)
        assert 2 <= len(app.store.session.answers) <= 3
        ranking = app.query_one(RankingPanel).ranking
        assert any(s.is_unknown for s in ranking.causes)
        assert abs(sum(s.probability for s in ranking.causes) - 1) < 1e-9


@pilot_test
async def test_the_interview_says_when_the_diagnosis_is_settled(kb, tmp_path):
    from nanwiz.session import ProbeRecord

    session = Session(script="train.py")
    session.record(ProbeRecord(probe="baseline", status="done", duration=1.0, facts={
        "baseline.nonfinite": True, "baseline.error": "none", "first_nonfinite.phase": "backward",
        "first_nonfinite.op": "AcosBackward0", "first_nonfinite.domain_edge": True}))
    session.record(ProbeRecord(probe="lr_zero", status="done", duration=1.0, facts={"lr_zero.nonfinite": True}))
    app = NanwizApp(kb, session=session, save_path=tmp_path / "s.json")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(InterviewPanel)
        assert panel.prompt is None
        assert "The diagnosis is settled." in screen_text(app)
        assert panel.border_title == "Settled"

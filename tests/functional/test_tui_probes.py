"""Probes from the TUI: results arrive live, bad scripts and crashes are reported, quitting stops them.

Each probe is a child process (a few seconds to start), so these tests use few probes and
few steps on the tiny examples.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from nanwiz.session import Session
from nanwiz.tui.app import NanwizApp
from nanwiz.tui.screens import ErrorDialog, ProbeInfoScreen, RunProbesScreen
from nanwiz.tui.widgets import CurvesPanel, FindingsPanel, ProbesPanel, RankingPanel
from tests.functional.tui_fixtures import EXAMPLES, fixture_kb, pilot_test, screen_text, wait_until

pytestmark = pytest.mark.slow

GOOD = """
import torch
from torch import nn
import torch.nn.functional as F

def build_model():
    {model}
    return nn.Linear(4, 2)

def build_dataset():
    return torch.utils.data.TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))

def compute_loss(model, batch):
    {loss}
    x, y = batch
    return F.cross_entropy(model(x), y)

NANWIZ = {{"steps": 5, "batch_size": 8}}
"""


def script(tmp_path: Path, name: str, model: str = "pass", loss: str = "pass") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(GOOD.format(model=model, loss=loss)), encoding="utf-8")
    return path


@pilot_test
async def test_model_flag_runs_probes_at_once_and_results_arrive(kb, tmp_path):
    session = Session()
    session.overrides["steps"] = 20
    save = tmp_path / "session.json"
    app = NanwizApp(kb, session=session, script=EXAMPLES / "mlp_dirty_sample.py", save_path=save,
                    probes=["baseline", "lr_zero"], verify=False)
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(ProbesPanel)
        await wait_until(pilot, lambda: panel.rows and "baseline" in panel.rows, timeout=10)
        # with a warm probe server the results may already be in: compare with the prior instead
        prior = Session().ranking(kb).get("data.nonfinite_input").probability
        await wait_until(pilot, lambda: not app.runner.running, timeout=90)
        assert {n: r.status for n, r in panel.rows.items()} == {"baseline": "done", "lr_zero": "done"}
        ranking = app.query_one(RankingPanel).ranking
        assert ranking.top.cause_id == "data.nonfinite_input"
        assert ranking.top.probability > 5 * prior
        assert app.query_one(FindingsPanel).display  # the first NaN/Inf was located
        assert "First NaN/Inf: step" in screen_text(app)
        assert app.store.live["baseline"][0]["step"] == 0  # its steps arrived while it ran
        curves = app.query_one(CurvesPanel)
        # lr 0 is answered on the captured failure (the failing step replayed), not by a run of its own
        assert curves.has_data and not curves.live and [r["id"] for r in curves.runs] == ["baseline"]
        assert app.store.session.probes["lr_zero"].facts
        saved = Session.load(save)
        assert {n: r.status for n, r in saved.probes.items()} == {"baseline": "done", "lr_zero": "done"}


@pilot_test
async def test_a_missing_or_wrong_script_path_is_explained_in_the_dialog(tmp_path):
    (tmp_path / "notes.txt").write_text("not a script")
    app = NanwizApp(fixture_kb(), save_path=tmp_path / "s.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, RunProbesScreen)
        for bad, message in ((tmp_path / "nope.py", "no such file"), (tmp_path / "notes.txt", "not a Python file"),
                             (tmp_path, "is a directory")):
            field = app.screen.query_one("#script")
            field.value = str(bad)
            await pilot.press("enter")
            assert isinstance(app.screen, RunProbesScreen)  # still open, nothing started
            assert message in str(app.screen.query_one("#script-error").render())
        assert not app.runner.running
        await pilot.press("escape", "1")  # the session goes on
        assert app.store.session.answers


@pilot_test
async def test_path_completion_and_chosen_probes(tmp_path):
    train = script(tmp_path, "train_mlp.py")
    app = NanwizApp(fixture_kb(), save_path=tmp_path / "s.json", verify=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        field = app.screen.query_one("#script")
        field.value = str(tmp_path / "tra")
        await pilot.pause(0.2)
        await pilot.press("tab")
        assert field.value == str(train)
        app.screen.query_one("#probe-list").deselect("lr_zero")
        app.screen.query_one("#probe-list").deselect("baseline")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: not app.runner.running, timeout=60)
        assert list(app.query_one(ProbesPanel).rows) == ["source"]
        assert app.store.session.script == str(train)


@pilot_test
async def test_a_script_that_breaks_the_contract_is_reported_and_the_session_goes_on(kb, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\n\ndef build_dataset():\n    return []\n", encoding="utf-8")
    app = NanwizApp(kb, script=broken, save_path=tmp_path / "s.json", probes=["inspect", "baseline"])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorDialog), timeout=60)
        assert "build_model" in app.screen.message
        await pilot.press("escape")
        panel = app.query_one(ProbesPanel)
        assert panel.rows["baseline"].status == "script_error"  # the contract is checked as the baseline starts
        assert "inspect" not in panel.rows  # it runs on the baseline's capture: never started
        first = app.store.prompt().question
        await pilot.press(first.options[0].key)
        assert first.id in app.store.session.answers


@pilot_test
async def test_a_crashing_probe_is_marked_failed_with_its_reason(kb, tmp_path):
    crash = script(tmp_path, "crash.py", model="import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    app = NanwizApp(kb, script=crash, save_path=tmp_path / "s.json", probes=["baseline"], verify=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: not app.runner.running and app.query_one(ProbesPanel).rows, timeout=60)
        row = app.query_one(ProbesPanel).rows["baseline"]
        assert row.status == "crashed"
        assert "SIGKILL" in row.text
        assert "✖ baseline  the probe process" in screen_text(app)
        assert not isinstance(app.screen, ErrorDialog)  # one failed probe is not a fault of the session
        app.query_one(ProbesPanel).focus()
        await pilot.press("enter")
        assert isinstance(app.screen, ProbeInfoScreen)
        assert "SIGKILL" in screen_text(app)


def test_quitting_while_probes_run_stops_them_and_saves(kb, tmp_path):
    pid_file = tmp_path / "pid"
    slow = script(tmp_path, "slow.py", model=f"open({str(pid_file)!r}, 'w').write(str(__import__('os').getpid()))",
                  loss="__import__('time').sleep(60)")
    save = tmp_path / "s.json"
    app = NanwizApp(kb, script=slow, save_path=save, probes=["baseline"], verify=False)

    async def run(pilot):
        await wait_until(pilot, lambda: pid_file.exists() and pid_file.read_text(), timeout=60)
        await pilot.press("q")

    import asyncio

    async def main():
        async with app.run_test() as pilot:
            await run(pilot)
            await wait_until(pilot, lambda: not app.is_running, timeout=30)

    asyncio.run(main())
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert Session.load(save).probes["baseline"].status == "cancelled"

"""`nanwiz run` on the frameworks people train with, and on jobs of several processes: unmodified
Lightning programs (Trainer.fit), transformers Trainer programs (one whose logged loss stays
clean while the training fails), and two-rank DistributedDataParallel jobs (gloo) started
through torch.distributed.run. Written, with their ground truth
(tests/fixtures/programs/frameworks/manifest.yaml), by someone who did not see nanwiz's code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from nanwiz.cli import main

pytest.importorskip("lightning")
pytest.importorskip("transformers")

FRAMEWORKS = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "frameworks"
CASES = {e["file"]: e for e in yaml.safe_load((FRAMEWORKS / "manifest.yaml").read_text(encoding="utf-8"))}


def diagnose(tmp_path, monkeypatch, capsys, name: str) -> tuple[int, dict]:
    case = CASES[name]
    monkeypatch.chdir(FRAMEWORKS)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    out = tmp_path / "d.json"
    ranks = ["--nproc-per-node", str(case["nproc"])] if case["launcher"] == "torchrun" else []
    code = main(["run", "--quiet", "--no-plots", "--reruns", "0", "--json", str(out), *ranks, name,
                 *[str(a) for a in case.get("args") or []]])
    capsys.readouterr()
    return code, json.loads(out.read_text(encoding="utf-8"))


def check_failure(d: dict, case: dict) -> None:
    where = d["first_nonfinite"]
    assert where["step"] == case["failing_step"], where
    source = where.get("source")
    if source is not None:
        assert source["file"] == case["producer"]["file"] and source["line"] == case["producer"]["line"], source
    wanted = set(case.get("bad_samples") or [])
    if wanted:
        assert wanted <= set(d["bad_samples"]["indices"]), d["bad_samples"]["indices"]


@pytest.mark.parametrize("name", ["lit_sensor_classifier.py", "lit_fraction_regressor.py", "hf_alert_focal.py",
                                  "ddp_session_churn.py", "ddp_energy_regression.py"])
def test_the_cause_comes_first_through_the_framework(tmp_path, monkeypatch, capsys, name):
    case = CASES[name]
    code, d = diagnose(tmp_path, monkeypatch, capsys, name)
    assert code == 0
    assert d["top_cause"] == case["cause"], [c["id"] for c in d["causes"][:3]]
    check_failure(d, case)


@pytest.mark.parametrize("name", ["lit_waveform_bf16.py", "hf_gpt2_causal_lm.py", "ddp_pattern_cnn.py"])
def test_healthy_framework_runs_name_no_cause(tmp_path, monkeypatch, capsys, name):
    code, d = diagnose(tmp_path, monkeypatch, capsys, name)
    assert code == 1 and d["status"] == "healthy" and d["top_cause"] is None, d["verdict"]


def test_the_rank_that_produced_the_nan_is_named(tmp_path, monkeypatch, capsys):
    """Rank 1's batch holds sample 430; after the all-reduce both ranks hold NaN gradients, but only
    rank 1's own replay reproduces the failure."""
    _code, d = diagnose(tmp_path, monkeypatch, capsys, "ddp_session_churn.py")
    assert d["first_nonfinite"]["rank"] == 1 and d["first_nonfinite"]["world_size"] == 2
    assert any("produced on rank 1" in note for note in d["notes"])


def test_a_clean_logged_loss_does_not_hide_the_failure(tmp_path, monkeypatch, capsys):
    """The Trainer's logging_nan_inf_filter leaves the NaN out of the logged loss: nanwiz sees the
    real one, localizes it and says the logs hid it."""
    case = CASES["hf_listing_price.py"]
    _code, d = diagnose(tmp_path, monkeypatch, capsys, "hf_listing_price.py")
    assert d["reproduced"] is True
    check_failure(d, case)
    assert any("logged loss hid this failure" in note for note in d["notes"])
    assert "data.bad_label" in [c["id"] for c in d["causes"][:3]]


DDP_LOOP = """
import time
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
rank = dist.get_rank()
torch.manual_seed(0)
model = DDP(nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(64, 8)
for step in range(20):
    if step == 3 and rank == 1:
        TROUBLE
    opt.zero_grad()
    loss = model(x[step % 8 * 8:(step % 8 + 1) * 8]).pow(2).mean()
    loss.backward()
    opt.step()
dist.destroy_process_group()
"""


def job(tmp_path, monkeypatch, capsys, trouble: str, *options: str) -> tuple[int, str, dict]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train_ddp.py").write_text(DDP_LOOP.replace("TROUBLE", trouble), encoding="utf-8")
    session = tmp_path / "s.json"
    code = main(["run", "--quiet", "--nproc-per-node", "2", "--save", str(session), *options, "train_ddp.py"])
    _out, err = capsys.readouterr()
    return code, " ".join(err.split()), json.loads(session.read_text())


def test_a_rank_that_crashes_is_named_and_the_others_stop(tmp_path, monkeypatch, capsys):
    code, err, session = job(tmp_path, monkeypatch, capsys, "raise OSError('No space left on device')")
    assert code == 2
    assert "rank 1 of 2 failed (rank 0: stopped with it" in err and "No space left on device" in err
    assert session["probes"]["baseline"]["status"] == "script_error"


def test_a_rank_that_hangs_is_named_where_it_hangs(tmp_path, monkeypatch, capsys):
    code, err, session = job(tmp_path, monkeypatch, capsys, "time.sleep(3600)", "--timeout", "45")
    assert code == 2
    assert "rank 0: waiting in a collective" in err
    assert "rank 1: in its own code, not in a collective, at train_ddp.py:16 `time.sleep(3600)`" in err
    assert session["probes"]["baseline"]["status"] == "script_error"

"""What the diagnosis says when nothing failed, when the bug lives in the user's own loop, when the
failure is benign; latent risks; evidence that presumes a failure; when the interview stops."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nanwiz.engine import next_actions, settled
from nanwiz.report.markdown import render
from nanwiz.report.model import build_diagnosis
from nanwiz.session import ProbeRecord, Session

HEALTHY = {
    "baseline": {"baseline.nonfinite": False, "baseline.error": "none", "baseline.scaler_skips": 0,
                 "baseline.max_activation": 12.0},
    "lr_zero": {"lr_zero.nonfinite": False},
    "lr_sweep": {"fix.lower_lr.clean": True, "fix.lower_lr_100.clean": True},
    "inspect": {"model.pool_stride_gt_kernel": True, "config.amp": "none", "model.depth": 3},
    "source": {"source.log_unguarded": True, "source.loop_without_zero_grad": False},
    "amp": {"amp.fp32_clean": True, "amp.fp32_exceeds_fp16": True},
}
PRESUMES_FAILURE = {"lr_zero.clean", "lr_sweep.removed", "fix.clip_removes", "fix.eps_removes",
                    "fix.exclude_removes", "fix.bounded_removes", "fix.downweight_removes",
                    "fix.downweight_removes_balanced", "fix.default_init_removes"}


def session_of(probes: dict[str, dict], script: str = "train.py") -> Session:
    session = Session(script=script)
    for name, facts in probes.items():
        session.record(ProbeRecord(probe=name, status="done", facts=facts, duration=1.0))
    return session


def test_a_healthy_run_names_no_cause(kb):
    d = build_diagnosis(kb, session_of(HEALTHY))
    assert d["status"] == "healthy" and d["top_cause"] is None and d["reproduced"] is False
    assert d["next_steps"] is None
    titles = [c["title"] for c in d["causes"]]
    assert not any(t in d["verdict"] for t in titles), d["verdict"]
    assert "looks healthy" in d["verdict"]


def test_a_program_that_could_not_run_names_no_cause_from_its_static_scan_alone(kb):
    """The program raised before training (a saved session of it, reopened): the source scan's facts
    alone once ranked a 'most likely cause' of a failure nobody saw."""
    session = Session(script="train.py")
    session.record(ProbeRecord(probe="source", status="done", facts={"source.exp_unguarded": True,
                                                                     "source.div_unguarded": True}, duration=1.0))
    session.record(ProbeRecord(probe="baseline", status="script_error", duration=1.0,
                               reason="train.py raised RuntimeError before training started:\n\n"
                                      "Traceback ...\nRuntimeError: dtype mismatch"))
    d = build_diagnosis(kb, session)
    assert d["status"] == "no_evidence" and d["top_cause"] is None, d["verdict"]
    assert "could not run" in d["verdict"] and "RuntimeError: dtype mismatch" in d["verdict"]


def test_a_healthy_run_lists_its_latent_risks_with_their_evidence(kb):
    d = build_diagnosis(kb, session_of(HEALTHY))
    risks = {r["rule"]: r for r in d["risks"]}
    assert {"model.pooling_trap", "src.log", "amp.values_beyond_fp16"} <= set(risks)
    assert risks["model.pooling_trap"]["evidence"] == [{"fact": "model.pool_stride_gt_kernel", "value": True}]
    assert "arch.pooling_stride_gt_kernel" in risks["model.pooling_trap"]["causes"]
    report = render(d)
    assert "## Latent risks" in report and "## Ranked causes" not in report and "Most likely cause" not in report


def test_evidence_that_presumes_a_failure_does_not_fire_on_a_clean_run(kb):
    ranking = session_of(HEALTHY).ranking(kb)
    assert not PRESUMES_FAILURE & set(ranking.fired), PRESUMES_FAILURE & set(ranking.fired)
    failed = session_of({**HEALTHY, "baseline": {"baseline.nonfinite": True, "baseline.error": "none"}})
    assert {"lr_zero.clean", "lr_sweep.removed"} <= set(failed.ranking(kb).fired)


def test_the_interview_alone_still_reads_what_a_fix_did(kb):
    session = Session()
    session.answer(kb, "lr_zero", False)  # "the NaN goes away with lr 0": the user reports a failure
    assert "lr_zero.clean" in session.ranking(kb).fired


def test_a_clean_run_the_user_says_fails_is_not_reproduced_and_names_no_cause(kb):
    session = session_of(HEALTHY)
    session.answer(kb, "when", "later")
    d = build_diagnosis(kb, session)
    assert d["status"] == "not_reproduced" and d["top_cause"] is None
    assert "names no cause" in d["verdict"]


def test_a_bug_in_the_users_own_loop_is_named_though_nanwiz_s_loop_stays_finite(kb):
    probes = {**HEALTHY, "source": {"source.accumulation_undivided": True, "source.clip_before_unscale": True,
                                    "source.loop_without_zero_grad": False}}
    probes["inspect"] = {"config.amp": "none", "model.depth": 3, "model.pool_stride_gt_kernel": False}
    d = build_diagnosis(kb, session_of(probes))
    assert d["status"] == "not_reproduced" and d["top_cause"] == "optim.accumulation_or_scaling_misuse"
    assert "your own loop" in d["verdict"]


def test_the_benign_verdict_says_not_a_bug_once(kb):
    probes = {"baseline": {"baseline.nonfinite": False, "baseline.error": "none", "baseline.scaler_skips": 3,
                           "baseline.scaler_late_skips": 0},
              "inspect": {"config.amp": "fp16"}}
    d = build_diagnosis(kb, session_of(probes))
    assert d["status"] == "benign" and d["top_cause"] == "amp.scaler_skips_expected"
    assert d["verdict"].startswith("Not a bug: ") and d["verdict"].count("Not a bug") == 1, d["verdict"]


def test_the_interview_stops_once_no_answer_could_change_the_top_cause(kb):
    facts = {"first_nonfinite.phase": "backward", "first_nonfinite.op": "AcosBackward0",
             "first_nonfinite.domain_edge": True, "baseline.nonfinite": True, "lr_zero.nonfinite": True}
    done = settled(kb, facts, next_actions(kb, facts))
    assert done is not None and done.cause_id == "num.domain_edge_grad"
    assert "could put another cause on top" in done.reason("acos at the edge") or done.open_questions == 0
    assert settled(kb, {}, next_actions(kb, {})) is None  # nothing known yet: keep asking


def test_every_fix_in_the_knowledge_base_runs(kb):
    """The 'after' code of every fix is a runnable script: all of them, in one interpreter."""
    snippets = [(c.id, f.id, f.code.after) for c in kb.causes.values() for f in c.fixes]
    program = "import warnings\nwarnings.simplefilter('ignore')\nfailed = []\n"
    for cause, fix, code in snippets:
        program += f"try:\n    exec(compile({code!r}, {f'{cause}:{fix}'!r}, 'exec'), {{'__name__': 'fix'}})\n"
        program += f"except Exception as exc:\n    failed.append(({cause!r}, {fix!r}, repr(exc)))\n"
    program += "print(failed)\nassert not failed, failed\n"
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_a_term_weighted_down_counts_for_the_term_weight_only_where_a_term_was_out_of_balance(kb):
    """A tenth of one of two balanced terms (a contrastive difference) weakens the gradient like a lower
    learning rate: that the failure then goes away says little about a weight set too high."""
    def odds(dominance: float, verified: bool) -> float:
        probes = {"baseline": {"baseline.nonfinite": True, "baseline.first_step": 30, "baseline.term_growth": 1.1,
                               "baseline.term_dominance": dominance},
                  "inspect": {"loss.terms": 2}}
        if verified:
            probes["fixes"] = {"fix.downweight_term.clean": True}
        ranking = session_of(probes).ranking(kb)
        p = next(c.probability for c in ranking.causes if c.cause_id == "optim.loss_term_weight")
        return p / (1 - p)

    assert odds(0.95, True) / odds(0.95, False) > 50  # (the shipped temperature sharpens every ratio)
    assert odds(0.5, True) / odds(0.5, False) < 5


def test_an_exp_overflowing_on_values_the_training_moved_is_the_exp_not_the_learning_rate(kb):
    """A mixture's exp of a log-likelihood the updates drove past 88.7: clean at lr 0 and at lr x0.1,
    as a learning rate too high would be; the exp is where the values ran out."""
    probes = {
        "source": {"source.exp_unguarded": True, "source.log_unguarded": True, "source.loop_without_zero_grad": False,
                   "source.manual_loss_scale": False, "source.accumulation_undivided": False,
                   "source.clip_before_unscale": False},
        "baseline": {"loop.grads_carried_over": False, "loop.backward_per_step": 1.0, "baseline.nonfinite": True, "baseline.error": "none", "baseline.loss_trend": "falling",
                     "baseline.loss_growth": 1.3, "baseline.grad_norm_growth": 1.0, "baseline.weight_norm_growth": 21.8,
                     "baseline.first_step": 57, "replay.reproduced": True, "first_nonfinite.phase": "loss",
                     "first_nonfinite.kind": "posinf", "first_nonfinite.op": "exp", "first_nonfinite.module_type": "none",
                     "first_nonfinite.operand_zero": False, "first_nonfinite.operand_negative": True,
                     "first_nonfinite.operand_origin": "reduction", "baseline.recurrence": 1.0},
        "bisect": {"data.nonfinite_samples": 0, "data.nonfinite_fraction": 0.0, "data.nonfinite_where": "none",
                   "data.missing_values": 0, "data.label_out_of_range": 0, "bisect.bad_samples": 0},
        "lr_zero": {"lr_zero.nonfinite": False},
        "lr_sweep": {"fix.lower_lr.clean": True, "lr_sweep.effect": "removed"},
    }
    d = build_diagnosis(kb, session_of(probes))
    assert d["top_cause"] == "num.exp_overflow", [(c["id"], c["probability"]) for c in d["causes"][:3]]


def zero_divisor_replayed(phase: str, origin: str, **facts) -> dict[str, dict]:
    """Probe facts of a run whose replayed step divided by an exact 0 (in the loss code, or in a
    module's forward), which fails the same with the learning rate at 0 or lowered."""
    return {
        "baseline": {"baseline.nonfinite": True, "baseline.error": "none", "replay.reproduced": True,
                     "first_nonfinite.phase": phase, "first_nonfinite.kind": "nan", "first_nonfinite.op": "div",
                     "first_nonfinite.module_type": "none" if phase == "loss" else "Pooler",
                     "first_nonfinite.operand_zero": True, "first_nonfinite.operand_negative": False,
                     "first_nonfinite.operand_origin": origin, **facts},
        "lr_zero": {"lr_zero.nonfinite": True},
        "lr_sweep": {"fix.lower_lr.clean": False, "lr_sweep.effect": "unchanged"},
    }


@pytest.mark.parametrize("phase, expected", [("loss", "num.div_zero"), ("forward", "arch.norm_zero_variance")])
def test_a_division_by_a_std_is_a_normalization_in_a_module_and_a_division_in_the_loss(kb, phase, expected):
    """Returns standardized by their std, a Pearson correlation: the loss code's division by a std of 0
    is a division by zero; the same division inside a module is the normalization cause."""
    d = build_diagnosis(kb, session_of(zero_divisor_replayed(phase, "variance")))
    assert d["top_cause"] == expected, [(c["id"], c["probability"]) for c in d["causes"][:3]]


@pytest.mark.parametrize("phase, origin, expected", [("forward", "reduction", "num.div_zero"),
                                                      ("loss", "reduction", "num.empty_reduction"),
                                                      ("forward", "other", "num.empty_reduction")])
def test_a_masked_mean_pooling_over_padding_is_a_division_and_a_loss_over_nothing_an_empty_reduction(
        kb, phase, origin, expected):
    """sum / mask.sum() pooling an all-padding sequence inside the model divides by a count of 0; a
    loss's mean over nothing (or a model computing its loss over all-ignored labels, origin 'other')
    stays the empty reduction."""
    probes = zero_divisor_replayed(phase, origin, **{"first_nonfinite.empty_reduction": True})
    d = build_diagnosis(kb, session_of(probes))
    assert d["top_cause"] == expected, [(c["id"], c["probability"]) for c in d["causes"][:3]]

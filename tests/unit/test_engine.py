"""The engine: a proper posterior, monotone in supporting evidence, order-free, deterministic,
honest about 'unknown', and choosing informative questions."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nanwiz.engine import next_actions, rank, settle
from nanwiz.engine.voi import fact_gain, outcomes


def _evidence_strategy(kb):
    """Random partial evidence: a value for some facts, drawn from each fact's outcome space."""
    facts = sorted(f for f in kb.facts if kb.facts[f].derive is None and outcomes(kb, f))
    return st.dictionaries(st.sampled_from(facts), st.integers(0, 10**6), max_size=12).map(
        lambda d: {f: outcomes(kb, f)[i % len(outcomes(kb, f))] for f, i in d.items()})


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_posterior_sums_to_one(kb):
    @SETTINGS
    @given(_evidence_strategy(kb))
    def check(evidence):
        ranking = rank(kb, evidence)
        assert math.isclose(sum(c.probability for c in ranking.causes), 1.0, rel_tol=1e-9)
        assert all(0 <= c.probability <= 1 for c in ranking.causes)

    check()


def test_order_of_evidence_does_not_matter(kb):
    @SETTINGS
    @given(_evidence_strategy(kb), st.randoms())
    def check(evidence, rnd):
        items = list(evidence.items())
        rnd.shuffle(items)
        a = rank(kb, evidence)
        b = rank(kb, dict(items))
        assert [(c.cause_id, c.probability) for c in a.causes] == [(c.cause_id, c.probability) for c in b.causes]

    check()


def test_supporting_evidence_never_lowers_its_cause(kb):
    """Adding a fact whose newly firing rules only raise cause c (and name no other) never lowers c."""

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(_evidence_strategy(kb), st.data())
    def check(evidence, data):
        ranking = rank(kb, evidence)
        candidates = []
        for fact in sorted(kb.facts):
            if fact in ranking.evidence or kb.facts[fact].derive is not None:
                continue
            for value in outcomes(kb, fact):
                after = rank(kb, {**evidence, fact: value})
                new = set(after.fired) - set(ranking.fired)
                effects = [kb.rules[r].effects for r in new]
                causes = {c for e in effects for c in e}
                if len(causes) == 1 and all(r > 1 for e in effects for r in e.values()):
                    candidates.append((fact, value, next(iter(causes))))
        if not candidates:
            return
        fact, value, cause = data.draw(st.sampled_from(candidates))
        before = ranking.get(cause).probability
        after = rank(kb, {**evidence, fact: value}).get(cause).probability
        assert after >= before - 1e-12

    check()


def test_same_evidence_same_ranking_and_text(kb):
    evidence = {"lr_zero.nonfinite": False, "baseline.loss_trend": "rising", "config.amp": "none"}
    a, b = rank(kb, evidence), rank(kb, dict(reversed(list(evidence.items()))))
    assert [(c.cause_id, c.probability, c.contributions) for c in a.causes] == \
           [(c.cause_id, c.probability, c.contributions) for c in b.causes]


def test_no_evidence_gives_the_priors(kb):
    ranking = rank(kb, {})
    assert ranking.top.cause_id == max(kb.causes, key=lambda c: kb.causes[c].prior)
    assert math.isclose(ranking.get("unknown").probability, kb.settings.unknown_prior)


def test_evidence_against_every_cause_raises_unknown(kb):
    """Contradicting evidence shows up as 'unknown' instead of being forced onto one cause."""
    contradictions = {
        "lr_zero.nonfinite": True,          # not optimization
        "data.nonfinite_samples": 0, "data.label_out_of_range": 0, "data.missing_values": 0,  # not data
        "init.weight_scale": 0.6, "init.nonfinite_params": 0,  # not init
        "config.amp": "none", "model.param_dtype": "float32",  # not amp
        "repeat.consistent": True, "model.has_batchnorm": False, "model.has_attention": False,
        "first_nonfinite.op": "i0", "first_nonfinite.phase": "forward", "first_nonfinite.kind": "nan",
        "user.custom_math": "none",
    }
    ranking = rank(kb, contradictions)
    assert ranking.get("unknown").probability > 10 * kb.settings.unknown_prior
    assert ranking.position("unknown") <= 2


def test_explanation_lists_what_moved_a_cause(kb):
    ranking = rank(kb, {"lr_zero.nonfinite": False, "fix.lower_lr.clean": True})
    top = ranking.top
    assert top.cause_id == "optim.lr_too_high"
    assert {c.rule_id for c in top.support} >= {"lr_zero.clean", "lr_sweep.removed"}
    s = settle(kb, {"lr_zero.nonfinite": False}, "optim.lr_too_high")
    assert s.confirm and all(p.unknown_facts for p in s.confirm)
    assert any("lr_sweep" in p.probes or "lower_lr" in p.questions for p in s.confirm)


def test_dont_know_changes_nothing(kb):
    from nanwiz.session import DONT_KNOW, Session

    session = Session()
    before = session.ranking(kb)
    session.answer(kb, "when", DONT_KNOW)
    after = session.ranking(kb)
    assert [(c.cause_id, c.probability) for c in before.causes] == [(c.cause_id, c.probability) for c in after.causes]
    assert "when" not in [a.id for a in session.next_actions(kb)]


def test_next_action_prefers_informative_cheap_questions(kb):
    actions = next_actions(kb, {})
    assert actions and actions[0].gain > 0
    scores = [a.score for a in actions]
    assert scores == sorted(scores, reverse=True)
    # a question whose fact is already known is never proposed
    def questions(facts):
        return [a.id for a in next_actions(kb, facts) if a.kind == "question"]

    assert "amp" in questions({})
    assert "amp" not in questions({"config.amp": "none"})
    # conditional questions appear only when their condition holds
    assert "fp32_fixes" not in questions({})
    assert "fp32_fixes" in questions({"config.amp": "fp16"})


def test_gain_is_zero_for_a_fact_no_rule_reads(kb):
    assert fact_gain(kb, {}, "config.batch_size" if "config.batch_size" in kb.facts else "first_nonfinite.operand_absmax") == 0


def test_questions_a_probe_answered_are_not_asked_or_offered(kb):
    measured = {"data.nonfinite_samples": 4, "data.label_out_of_range": 0, "data.missing_values": 0,
                "data.nonfinite_where": "input", "first_nonfinite.op": "input"}
    asked = [a.id for a in next_actions(kb, measured) if a.kind == "question"]
    assert "data_checked" not in asked and "custom_math" not in asked
    assert "data_checked" in [a.id for a in next_actions(kb, {}) if a.kind == "question"]
    s = settle(kb, measured, "data.nonfinite_input")
    assert all("data_checked" not in p.questions for p in s.confirm + s.rule_out)
    assert not any(p.text.startswith("Some samples or labels hold NaN/Inf") for p in s.confirm)


def test_overlapping_rules_count_with_diminishing_weight():
    """The k-th strongest rule pointing one way counts overlap ** k; order-free; with overlap 1 it
    is naive Bayes; one more supporting rule never lowers the total, nor one more against raises it."""
    from nanwiz.engine.infer import combined

    logs = [math.log(3), math.log(20), -math.log(4), math.log(5), -math.log(2)]
    assert combined(logs, 1.0, 1.0) == logs
    assert [round(v, 9) for v in combined(logs, 2.0, 1.0)] == [round(v / 2, 9) for v in logs]
    applied = combined(logs, 1.0, 0.5)
    assert math.isclose(applied[1], math.log(20))            # the strongest at full weight
    assert math.isclose(applied[3], math.log(5) * 0.5)       # then halved, then quartered
    assert math.isclose(applied[0], math.log(3) * 0.25)
    assert math.isclose(applied[2], -math.log(4)) and math.isclose(applied[4], -math.log(2) * 0.5)

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.floats(-7, 7, allow_nan=False), max_size=8), st.floats(0.2, 1.0), st.floats(0.25, 5.0),
           st.floats(0.01, 7), st.randoms())
    def check(values, overlap, temperature, extra, rnd):
        total = sum(combined(values, temperature, overlap))
        shuffled = list(values)
        rnd.shuffle(shuffled)
        assert math.isclose(sum(combined(shuffled, temperature, overlap)), total, abs_tol=1e-9)
        assert sum(combined(values + [extra], temperature, overlap)) >= total - 1e-9
        assert sum(combined(values + [-extra], temperature, overlap)) <= total + 1e-9

    check()


def test_a_precision_experiment_that_also_drops_a_misused_scaler_does_not_count(kb):
    """fp32 and bf16 runs drop the GradScaler: when the loop stepped on its scaled gradients, 'clean
    in fp32' removed the misuse too and says nothing about the precision."""
    amp = {"config.amp": "fp16", "baseline.nonfinite": True, "amp.fp32_clean": True, "amp.bf16_clean": True,
           "amp.fp16_clean": False, "amp.fp32_exceeds_fp16": True}
    assert rank(kb, amp).top.cause_id == "amp.fp16_overflow"
    assert rank(kb, {**amp, "loop.scaled_step": False}).top.cause_id == "amp.fp16_overflow"
    assert rank(kb, {**amp, "loop.scaled_step": True}).top.cause_id == "optim.accumulation_or_scaling_misuse"


def test_a_log_that_fails_only_under_bf16_autocast_is_the_precision_not_a_plain_log_of_zero(kb):
    """bf16 has float32's range but less precision: sigmoid rounds to exactly 1 and log(1 - p) is
    -inf, while the same run in fp32 is clean. 'The user trains with bf16' had counted against every
    precision cause, so the log of zero came first."""
    facts = {"config.amp": "bf16", "baseline.nonfinite": True, "first_nonfinite.op": "log",
             "first_nonfinite.kind": "neginf", "first_nonfinite.phase": "loss", "source.log_unguarded": True}
    assert rank(kb, facts).top.cause_id == "num.log_zero"  # nothing says the precision matters yet
    ranking = rank(kb, {**facts, "amp.fp32_clean": True, "amp.bf16_clean": False})
    assert ranking.top.cause_id == "amp.fp16_underflow_log", [(c.cause_id, c.probability) for c in ranking.causes[:3]]

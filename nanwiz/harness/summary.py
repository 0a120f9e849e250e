"""Numbers that summarize how a run moved before its first failure.

Pure arithmetic over StepRecords: trends and growth ratios of the loss, gradient norm,
weight norm and activations, loss-term balance, and GradScaler skips.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

from nanwiz.harness.run import StepRecord

SCALER_CALIBRATION_STEPS = 30


def _finite(values: list[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def loss_trend(losses: list[float]) -> str:
    """'rising', 'falling', 'flat', 'erratic' or 'too_short' over finite losses."""
    if len(losses) < 6:
        return "too_short"
    k = max(2, len(losses) // 4)
    first = statistics.median(losses[:k])
    last = statistics.median(losses[-k:])
    scale = max(abs(first), abs(last), 1e-12)
    change = (last - first) / scale
    ups = sum(1 for a, b in zip(losses, losses[1:]) if b > a)
    up_share = ups / (len(losses) - 1)
    if change > 0.3 and up_share >= 0.4:
        return "rising"
    if change < -0.1:
        return "falling"
    spread = statistics.pstdev(losses) / scale
    if spread > 0.5:
        return "erratic"
    if change > 0.3:
        return "erratic"
    return "flat"


def loss_runaway(losses: list[float], factor: float = 100.0) -> str:
    """'up' if the loss climbed past 100x its starting magnitude, 'down' if it fell below minus
    100x (an objective unbounded below), else 'none'."""
    start = statistics.median(losses[:3])
    scale = max(abs(start), 1e-12)
    if max(losses) - start > factor * scale:
        return "up"
    if start - min(losses) > factor * scale:
        return "down"
    return "none"


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None:
        return None
    if denominator <= 0:
        return None if numerator <= 0 else 1e12
    return numerator / denominator


def one_series(records: list[StepRecord], failure: StepRecord | None) -> list[StepRecord]:
    """With several optimizers (a GAN's critic and generator) the records interleave two losses and
    two gradient norms of unrelated scales: trends and jumps are read on one of them, the one whose
    step failed (else the first)."""
    labels = [r.label for r in records if r.label]
    if not labels:
        return records
    label = failure.label if failure is not None and failure.label else labels[0]
    return [r for r in records if r.label == label or r.label is None]


def summarize(records: list[StepRecord], failure: StepRecord | None) -> dict[str, Any]:
    """Facts-to-be about the run (keys are the suffixes after 'baseline.')."""
    scalers = [r for r in records if r.skipped]
    records = one_series(records, failure)
    before = [r for r in records if failure is None or r.step < failure.step]
    out: dict[str, Any] = {}
    losses = _finite([r.loss for r in before])
    out["loss_trend"] = loss_trend(losses)
    if losses:
        start = statistics.median([abs(x) for x in losses[:3]])
        out["loss_growth"] = ratio(max(abs(x) for x in losses), start)
        out["loss_runaway"] = loss_runaway(losses)
    grads = _finite([r.grad_norm for r in before if not r.skipped])
    if failure is not None and failure.grad_norm is not None and math.isfinite(failure.grad_norm):
        grads_with_failure = grads + [failure.grad_norm]
    else:
        grads_with_failure = grads
    if grads_with_failure:
        start = statistics.median(grads_with_failure[:3])
        out["grad_norm_growth"] = ratio(max(grads_with_failure), start)
        jumps = [ratio(b, a) for a, b in zip(grads_with_failure, grads_with_failure[1:])]
        jumps = [j for j in jumps if j is not None]
        out["grad_spike"] = max(jumps) if jumps else 1.0
    weights = _finite([r.weight_norm for r in before])
    if len(weights) >= 1 and records and records[0].weight_norm:
        first_weight = records[0].weight_norm
        out["weight_norm_growth"] = ratio(weights[-1], first_weight)
    acts = [max(_finite([r.out_absmax, r.act_absmax]), default=None) for r in before]
    acts = _finite(acts)
    if acts:
        out["max_activation"] = max(acts)
        out["activation_growth"] = ratio(max(acts[-3:]), acts[0]) if len(acts) >= 2 else 1.0
    soft = _finite([r.softmax_absmax for r in before])
    if soft:
        out["softmax_input_absmax"] = max(soft)
    skips = [r.step for r in scalers]
    out["scaler_skips"] = len(skips)
    out["scaler_late_skips"] = sum(1 for s in skips if s >= SCALER_CALIBRATION_STEPS)
    out.update(term_balance(before, failure))
    return {k: v for k, v in out.items() if v is not None}


def term_balance(before: list[StepRecord], failure: StepRecord | None) -> dict[str, Any]:
    named = [r for r in before if len(r.terms) > 1 and all(math.isfinite(v) for v in r.terms.values())]
    out: dict[str, Any] = {}
    if failure is not None and len(failure.terms) > 1 and failure.failure == "loss":
        bad = [k for k, v in failure.terms.items() if not math.isfinite(v)]
        out["term_alone"] = len(bad) == 1
        if len(bad) == 1:
            out["failing_term"] = bad[0]
    if not named:
        return out
    last = named[-1].terms
    total = sum(abs(v) for v in last.values()) or 1e-30
    shares = {k: abs(v) / total for k, v in last.items()}
    dominant = max(shares, key=shares.get)
    out["term_dominance"] = shares[dominant]
    out["dominant_term"] = dominant
    first = named[0].terms
    growth = {k: ratio(abs(last[k]), abs(first[k]) or 1e-30) or 0.0 for k in last}
    fastest = max(growth, key=growth.get)
    rest_first = sum(abs(v) for k, v in first.items() if k != fastest)
    rest_last = sum(abs(v) for k, v in last.items() if k != fastest)
    rest_growth = ratio(rest_last, rest_first or 1e-30) or 1e-30
    out["term_growth"] = growth[fastest] / max(rest_growth, 1e-30)
    out["fastest_term"] = fastest
    return out


TRACE_MODULES = 4


def top_modules(records: list[StepRecord], count: int = TRACE_MODULES) -> list[str]:
    """The leaf modules with the largest activations over the run (the ones worth a curve)."""
    peak: dict[str, float] = {}
    for record in records:
        for name, value in record.act_modules.items():
            peak[name] = max(value, peak.get(name, value))
    return sorted(peak, key=lambda n: -peak[n])[:count]


def trace(records: list[StepRecord], limit: int = 400) -> list[dict[str, Any]]:
    """A compact per-step trace for the report and its curves: every step, or evenly thinned but
    always with the statistics steps (weight norm, activations per module) and the failure.
    Activation maxima are kept for the few modules with the largest ones."""
    keep = records
    if len(records) > limit:
        stride = math.ceil(len(records) / limit)
        keep = [r for i, r in enumerate(records)
                if i % stride == 0 or r.act_modules or r.failed or i == len(records) - 1]
    modules = top_modules(records)
    return [r.to_dict(modules) for r in keep]

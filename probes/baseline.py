"""The user's settings under cheap sentinels; at the first failure, replay it instrumented.

Then, from the snapshot before the failure, run a few more steps that skip any update that
would be non-finite: whether the failures keep coming (the model state is broken) or only
return with particular batches (the samples are) is itself evidence.
"""

from __future__ import annotations

import time

from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.replay import localize_step
from nanwiz.harness.run import first_failure
from nanwiz.harness.summary import summarize, trace
from nanwiz.harness.watch import SoftmaxWatcher

NAME = "baseline"
FACTS = (
    "baseline.nonfinite", "baseline.first_step", "baseline.error", "baseline.recurrence", "baseline.loss_trend",
    "baseline.loss_growth", "baseline.loss_runaway", "baseline.grad_norm_growth", "baseline.grad_spike", "baseline.weight_norm_growth",
    "baseline.activation_growth", "baseline.max_activation", "baseline.softmax_input_absmax",
    "baseline.scaler_skips", "baseline.scaler_late_skips", "baseline.term_alone", "baseline.term_dominance",
    "baseline.term_growth", "replay.reproduced", "first_nonfinite.phase", "first_nonfinite.kind",
    "first_nonfinite.op", "first_nonfinite.module_type", "first_nonfinite.operand_zero",
    "first_nonfinite.operand_negative", "first_nonfinite.operand_absmax", "first_nonfinite.from_constant",
    "first_nonfinite.operand_origin", "first_nan.op", "loop.grads_carried_over", "loop.clip_before_unscale", "loop.scaled_step",
    "loop.step_outside_scaler", "loop.loss_scaled_by_hand", "loop.scaler_step_bypassed",
    "loop.backward_per_step", "loop.closure", *(f"first_nonfinite.{t}" for t in (
        "empty_reduction", "single_element_variance", "ctc_infeasible", "upstream_grad_zero", "masked_output",
        "domain_edge", "forward_contained")),
)
CONTINUE_STEPS = 20
STATS_EVERY = 10
"""Per-module statistics every this many steps when the run's length is not known in advance."""
SUMMARY_FACTS = ("loss_trend", "loss_growth", "loss_runaway", "grad_norm_growth", "grad_spike", "weight_norm_growth",
                 "activation_growth", "max_activation", "softmax_input_absmax", "scaler_skips",
                 "scaler_late_skips", "term_alone", "term_dominance", "term_growth")


def report_localization(ctx: ProbeContext, loc: dict) -> None:
    ctx.fact("replay.reproduced", bool(loc.get("reproduced")))
    if not loc.get("reproduced"):
        return
    ctx.fact("first_nonfinite.phase", loc.get("phase"))
    ctx.fact("first_nonfinite.kind", loc.get("kind"))
    if loc.get("op"):
        ctx.fact("first_nonfinite.op", loc["op"])
    if loc.get("phase") not in ("input", "optimizer"):
        ctx.fact("first_nonfinite.module_type", loc.get("module_type") or "none")
    for key in ("operand_zero", "operand_negative", "operand_absmax", "from_constant", "operand_origin"):
        if loc.get(key) is not None:
            ctx.fact(f"first_nonfinite.{key}", loc[key])
    if loc.get("first_nan_op"):
        ctx.fact("first_nan.op", loc["first_nan_op"])
    for trait, value in (loc.get("traits") or {}).items():
        ctx.fact(f"first_nonfinite.{trait}", bool(value))


def report_loop(ctx: ProbeContext, counts: dict | None, steps: int) -> None:
    """What the watch saw of the user's own loop (only when attached to it)."""
    if not counts or not steps:
        return
    if counts.get("grad_checks"):
        ctx.fact("loop.grads_carried_over", counts["grads_carried"] * 2 >= counts["grad_checks"])
    ctx.fact("loop.clip_before_unscale", counts.get("clip_scaled", 0) > 0)
    ctx.fact("loop.scaled_step", counts.get("scaled_step", 0) > 0)
    ctx.fact("loop.step_outside_scaler", counts.get("step_outside_scaler", 0) > 0)
    ctx.fact("loop.loss_scaled_by_hand", counts.get("hand_scaled", 0) > 0)
    ctx.fact("loop.scaler_step_bypassed", counts.get("scaler_bypassed", 0) > 0)
    if counts.get("steps"):
        ctx.fact("loop.backward_per_step", counts.get("backward_calls", 0) / counts["steps"])
    ctx.fact("loop.closure", counts.get("closure", 0) > 0)


def run(ctx: ProbeContext) -> None:
    training = ctx.baseline()
    steps = training.steps
    seen: dict[str, float] = {}

    def on_record(record) -> None:
        if record.failure is not None and "failed_at" not in seen:
            seen["failed_at"] = time.time()  # when the failure was seen: what the diagnosis costs after it
        ctx.step_record(record)

    records = training.run(stats_every=max(1, steps // 40) if steps else STATS_EVERY, watch=SoftmaxWatcher,
                           progress=ctx.stage(0, 2, "training with your settings"),
                           continue_after_failure=CONTINUE_STEPS, on_record=on_record)
    if seen:
        ctx.detail("failed_at", seen["failed_at"])
    ctx.flush_series()
    failure = first_failure(records)
    loc = None
    program = training.failing_step() if failure is not None else None
    if program is not None:
        ctx.progress(0.6, f"replaying step {failure.step} with full instrumentation", force=True)
        loc = localize_step(program)
        loc["rerun_matched"] = getattr(program, "rerun_matched", None)
    # a step that raised on a NaN/Inf it was handed (a loss checking its input's range) failed by that value
    errored = failure is not None and failure.failure == "error" and not (loc or {}).get("raised_on_nonfinite")
    ctx.fact("baseline.nonfinite", failure is not None and not errored)
    ctx.fact("baseline.error", failure.error["kind"] if errored and failure.error else "none")
    summary = summarize(records, failure)
    for key in SUMMARY_FACTS:
        if key in summary:
            ctx.fact(f"baseline.{key}", summary[key])
    ctx.detail("summary", summary)
    ctx.detail("trace", trace(records))
    ctx.detail("steps_run", len(records))
    ctx.detail("snapshot_every", training.snapshot_every)
    info = getattr(training, "info", None) or {}
    for key, value in info.items():
        ctx.detail(f"program_{key}", value)
    report_loop(ctx, info.get("counts"), len(records))
    if failure is None:
        ctx.progress(1.0, "no failure", force=True)
        return
    ctx.fact("baseline.first_step", failure.step)
    ctx.detail("failure", failure.to_dict())
    if loc is not None:
        if errored:  # nothing was non-finite: where the step raised is a detail, not first_nonfinite facts
            ctx.detail("error_location", loc)
        else:
            ctx.detail("first_nonfinite", loc)
            report_localization(ctx, loc)
    continuation = training.continuation
    if len(continuation) >= 3:
        failing = [{"step": r.step, "indices": r.indices} for r in continuation if r.failed or r.guarded_skip]
        ctx.fact("baseline.recurrence", len(failing) / len(continuation))
        ctx.detail("continuation", {"steps": len(continuation), "failing": failing})
    ctx.progress(1.0, "done", force=True)

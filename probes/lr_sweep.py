"""The same run with the learning rate x0.1 and x0.01, against the user's own."""

from __future__ import annotations

from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.run import first_failure
from nanwiz.harness.summary import trace
from nanwiz.variation import Variation

NAME = "lr_sweep"
FACTS = ("lr_sweep.effect", "fix.lower_lr.clean", "fix.lower_lr_100.clean")


def _first_step(ctx: ProbeContext, variation: Variation, index: int, label: str,
                traces: dict | None = None) -> int | None:
    training = ctx.training(variation)
    # stop once the answer is known: past twice the original failure step (the plan's max_steps)
    records = training.run(progress=ctx.stage(index, 3, label), steps=ctx.params.get("max_steps"))
    failure = first_failure(records)
    ctx.detail(f"run_{label.replace(' ', '_')}", {"steps_run": len(records),
                                                   "failure": failure.to_dict() if failure else None})
    if traces is not None:  # the curves of the lowered runs (the x1 run is the baseline's)
        traces[label] = trace(records)
        ctx.detail("traces", traces)
    return failure.step if failure else None


def run(ctx: ProbeContext) -> None:
    reference = ctx.params.get("reference_step")
    if reference is None:  # not told where the user's run failed: find out
        reference = _first_step(ctx, Variation(), 0, "lr x1")
    if reference is None:
        ctx.detail("note", "the run with the user's learning rate stays finite; nothing to compare")
        ctx.progress(1.0, "done", force=True)
        return
    traces: dict = {}
    tenth = _first_step(ctx, Variation(lr_scale=0.1), 1, "lr x0.1", traces)
    ctx.fact("fix.lower_lr.clean", tenth is None)
    if tenth is None:
        ctx.fact("lr_sweep.effect", "removed")
        ctx.progress(1.0, "done", force=True)
        return
    hundredth = _first_step(ctx, Variation(lr_scale=0.01), 2, "lr x0.01", traces)
    ctx.fact("fix.lower_lr_100.clean", hundredth is None)
    if hundredth is None:
        effect = "removed_at_0_01"
    elif tenth >= 1.5 * reference + 3 or hundredth >= 2 * reference + 5:
        effect = "delayed"
    else:
        effect = "unchanged"
    ctx.fact("lr_sweep.effect", effect)
    ctx.progress(1.0, "done", force=True)

"""The training with the weights frozen (learning rate 0: the optimizer step is never applied).

Seed 001 §2 item 5: if the loss still goes NaN with lr = 0, the learning rate is not the cause.
After a failure, the question is answered on the failing step itself: does its batch fail with
the initial weights (the weights the learning rate never moved)? Run on its own, the probe
trains once more with every update skipped (freezing the step, rather than passing lr=0, also
holds for optimizers that ignore lr)."""

from __future__ import annotations

from nanwiz.harness.local import step_fails
from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.run import first_failure
from nanwiz.harness.summary import trace
from nanwiz.variation import Variation

NAME = "lr_zero"
FACTS = ("lr_zero.nonfinite", "lr_zero.first_step")


def run(ctx: ProbeContext) -> None:
    captured = ctx.captured()
    program = captured.failing_step() if captured is not None else None
    if program is not None and program.failure != "param":
        ctx.progress(0.2, f"step {program.step} with the initial weights", force=True)
        reason = step_fails(program, initial=True)
        ctx.fact("lr_zero.nonfinite", reason is not None)
        ctx.detail("local", {"step": program.step, "weights": "initial", "fails": reason})
        ctx.progress(1.0, "done", force=True)
        return
    if captured is not None and first_failure(captured.run_records) is None:
        ctx.detail("note", "the run with your settings stayed finite: nothing to compare")
        ctx.progress(1.0, "done", force=True)
        return
    training = ctx.training(Variation(freeze_weights=True))
    records = training.run(progress=ctx.stage(0, 1, "weights frozen"))
    failure = first_failure(records)
    ctx.fact("lr_zero.nonfinite", failure is not None)
    ctx.detail("steps_run", len(records))
    ctx.detail("traces", {"lr 0": trace(records)})
    if failure is not None:
        ctx.fact("lr_zero.first_step", failure.step)
        ctx.detail("failure", failure.to_dict())
    ctx.progress(1.0, "done", force=True)

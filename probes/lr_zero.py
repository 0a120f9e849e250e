"""The same run with the weights frozen (learning rate 0: the optimizer step is never applied).

Seed 001 §2 item 5: if the loss still goes NaN with lr = 0, the learning rate is not the cause.
Freezing the step, rather than passing lr=0, also holds for optimizers that ignore lr."""

from __future__ import annotations

from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.run import first_failure
from nanwiz.harness.summary import trace
from nanwiz.variation import Variation

NAME = "lr_zero"
FACTS = ("lr_zero.nonfinite", "lr_zero.first_step")


def run(ctx: ProbeContext) -> None:
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

"""The user's settings twice more with the same seed: is the failure reproducible?"""

from __future__ import annotations

import math

from nanwiz.harness.local import step_fails
from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.run import StepRecord, first_failure

NAME = "repeat"
REPLAYS = 3
"""Replays of the failing step: a failure that does not come back on the same state and batch is
not the program's (flaky hardware, a nondeterministic kernel)."""
FACTS = ("repeat.consistent",)


def _same(a: list[StepRecord], b: list[StepRecord]) -> bool:
    fa, fb = first_failure(a), first_failure(b)
    if (fa is None) != (fb is None):
        return False
    if fa is not None and fb is not None and fa.step != fb.step:
        return False
    for x, y in zip(a, b):
        if x.loss is None or y.loss is None:
            continue
        if math.isfinite(x.loss) and math.isfinite(y.loss):
            if not math.isclose(x.loss, y.loss, rel_tol=1e-3, abs_tol=1e-5):
                return False
        elif math.isfinite(x.loss) != math.isfinite(y.loss):
            return False
    return True


def run(ctx: ProbeContext) -> None:
    captured = ctx.captured()
    program = captured.failing_step() if captured is not None else None
    matched = getattr(program, "rerun_matched", None)
    if program is not None and matched is not None:
        # the failing step was reached again from the last snapshot before it, replaying the steps in
        # between: the same losses; and the failing step itself, replayed from the same state and
        # batch, fails every time. Together they say what two more whole runs would.
        again = []
        if program.failure in ("loss", "grad"):  # (a broken update is not replayed by a forward/backward)
            again = [step_fails(program) is not None for _ in range(REPLAYS)]
        ctx.fact("repeat.consistent", bool(matched) and all(again))
        ctx.detail("local", {"step": program.step, "rerun_matched": matched, "failing_step_replays_failed": again})
        ctx.progress(1.0, "done", force=True)
        return
    runs = []
    for i in range(2):
        training = ctx.training()
        records = training.run(progress=ctx.stage(i, 2, f"run {i + 1} of 2"))
        failure = first_failure(records)
        runs.append(records)
        ctx.detail(f"run_{i + 1}", {"steps_run": len(records), "first_failure": failure.step if failure else None})
    ctx.fact("repeat.consistent", _same(runs[0], runs[1]))
    ctx.progress(1.0, "done", force=True)

"""Experiments on the failing step itself, from the state captured before it.

They ask what a whole re-run would ask, at the cost of a few replays of one step: does the
step fail with the initial weights (the learning rate never moved them), in fp32 or bf16, with
only some of its samples? Each takes a StepProgram, so they run the same way on a contract
script and on a program nanwiz is attached to.
"""

from __future__ import annotations

from typing import Any

import torch

from nanwiz.harness.grouptest import GroupTestResult, find_bad
from nanwiz.harness.step import StepProgram

BUDGET_S = 20.0


def step_fails(program: StepProgram, *, rows: list[int] | None = None, samples: list[int] | None = None,
               precision: str | None = None, initial: bool = False, train: bool = True) -> str | None:
    """Replay the step's forward, loss and backward without updating anything: None when everything
    stays finite, else a short reason (a non-finite loss or gradient, or the error raised).
    `train=False` runs the models in eval mode (no batch statistics, no dropout)."""
    program.restore(initial=initial)
    program.zero_grad()
    modes = [(m, m.training) for m in program.models]
    try:
        _terms, loss = program.forward_loss(rows=rows, samples=samples, precision=precision,
                                            train=None if train else False)
        if not bool(torch.isfinite(loss.detach()).all()):
            return "non-finite loss"
        program.backward(loss)
        for p in program.params:
            if p.grad is not None and not bool(torch.isfinite(p.grad).all()):
                return "non-finite gradient"
        return None
    except Exception as exc:  # noqa: BLE001 - an error on these samples is itself the finding
        message = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
        return f"{type(exc).__name__}: {message}"
    finally:
        for model, mode in modes:
            model.train(mode)
        program.zero_grad()


def bisect_batch(program: StepProgram, *, budget_s: float = BUDGET_S) -> tuple[GroupTestResult, list[int]]:
    """Which samples of the failing batch make the step fail on their own (eval mode, weights as
    before the step)? Returns the group test over batch rows and the rows' sample indices."""
    indices = program.sample_indices()
    rows = list(range(len(indices)))
    if len(rows) < 2:
        return GroupTestResult(exhaustive=False), indices

    def test(group: list[int]) -> str | None:
        return step_fails(program, rows=group, train=False)

    result = find_bad(rows, test, max_group=len(rows), budget_s=budget_s)
    return result, indices


def describe(result: GroupTestResult, indices: list[int]) -> dict[str, Any]:
    """The group test over batch rows, in dataset indices."""
    return {"bad": [indices[r] for r in result.bad], "passes": result.passes, "exhaustive": result.exhaustive,
            "reasons": {str(indices[r]): why for r, why in result.reasons.items()},
            "estimated_bad_fraction": result.estimated_bad_fraction}

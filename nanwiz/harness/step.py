"""One training step that can be run again: the seam between owning the loop and attaching.

The local experiments (the instrumented replay, bisection of the failing batch, the failing batch
with the initial weights, other precisions) need to re-run the failing step's forward, loss and
backward on the state before it. `StepProgram` is what they ask for. Contract mode implements it
by calling the script's `compute_loss` (`ContractStep`); attached to a user's program it re-runs
the step's recorded tape (`nanwiz.harness.attach.program.TapeStep`).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import torch
from torch import nn

from nanwiz.harness.watch import OpWatcher, UserCode, made_while_loading


class StepProgram(Protocol):
    step: int
    failure: str | None
    """What failed in the original step: 'loss', 'grad', 'param', 'error' (None for a clean step)."""
    user: UserCode
    models: list[nn.Module]
    params: list[torch.Tensor]
    scaler: Any
    grad_clip: float | None
    freeze: bool

    def restore(self, initial: bool = False) -> None:
        """The model, optimizer and RNG as they were just before the step (or before training)."""

    def sample_indices(self) -> list[int]:
        """The dataset index of each sample of the step's batch (positions when there are none)."""

    def batch_tensors(self) -> list[torch.Tensor]:
        """The step's input tensors, as the data source gave them."""

    def data_tensors(self) -> list[torch.Tensor]:
        """The tensors the step's data is read from (for a batch sliced by hand, the tensors it is sliced
        from): where a replay looks for NaN/Inf that was already in the data."""

    def loading_event(self, t: torch.Tensor) -> Any:
        """The op (`watch.OpEvent`) that made the data tensor t non-finite while it was loaded; None
        when that is not known or its NaN/Inf was in the data itself."""

    def forward_loss(self, *, rows: list[int] | None = None, samples: list[int] | None = None,
                     precision: str | None = None, train: bool | None = None
                     ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """The step's forward pass and loss; under another precision; with the batch made of only
        some of its rows, or of other dataset samples (see `fill`); with the models in train or eval
        mode (None: as the step ran)."""

    def backward(self, loss: torch.Tensor) -> None:
        """Backward as the original step did it (scaled by the GradScaler when it had one)."""

    def clip(self) -> bool:
        """Clip the gradients as the original step did; False when it did not clip."""

    def update(self) -> None:
        """The optimizer step as the original did it (GradScaler), on the current grads."""

    def zero_grad(self) -> None: ...

    def param_names(self) -> dict[int, str]: ...


class ContractStep:
    """A step of nanwiz's own loop over a contract script (a TrainingRun)."""

    def __init__(self, run: Any, step: int, failure: str | None = None):
        self.run = run
        self.step = step
        self.failure = failure
        self.user = UserCode(run.target.path)
        self.models = [run.model]
        self.params = run.params
        self.grad_clip = run.grad_clip
        self.freeze = run.variation.freeze_weights
        self.rerun_matched: bool | None = None
        """Did re-running the steps from the snapshot give the original losses (determinism)?"""
        self._batch: Any = None
        self._made: list[Any] = []
        self._before: dict[str, Any] | None = None
        self._initial: dict[str, Any] | None = None

    @property
    def scaler(self) -> Any:
        return self.run.scaler  # renewed by every restore

    def restore(self, initial: bool = False) -> None:
        if initial:
            if self.run.run_records is None and not self.run.snapshots:
                return  # never trained: the weights are the initial ones
            if self._initial is None:
                first = min(self.run.snapshots, key=lambda s: s["step"]) if self.run.snapshots else None
                if first is None or first["step"] != 0:
                    raise RuntimeError("no snapshot of the initial weights")
                self._initial = first
            self.run.restore(self._initial)
            return
        if self._before is None:  # replay from the nearest snapshot once, then keep the exact state
            self.run.restore_before(self.step)
            self.run.snapshot(self.step)
            self._before = self.run.snapshots[-1]
        else:
            self.run.restore(self._before)

    def sample_indices(self) -> list[int]:
        return list(self.run.indices(self.step))

    def batch(self, rows: list[int] | None = None) -> Any:
        """The step's batch; the whole batch is loaded once, so watchers see the same tensors."""
        indices = self.sample_indices()
        if rows is not None:
            return self.run.load_batch([indices[r] for r in fill(rows, len(indices))])
        if self._batch is None:
            watcher = OpWatcher(self.user, None)  # which op of the dataset's code made a NaN, if one did
            with watcher:
                self._batch = self.run.load_batch(indices)
            self._made = made_while_loading(watcher, self.batch_tensors())
        return self._batch

    def batch_tensors(self) -> list[torch.Tensor]:
        from nanwiz.harness.tensors import iter_tensors

        return list(iter_tensors(self.batch()))

    def data_tensors(self) -> list[torch.Tensor]:
        return self.batch_tensors()

    def loading_event(self, t: torch.Tensor) -> Any:
        self.batch()
        tensors = self.batch_tensors()
        return next((made for x, made in zip(tensors, self._made) if x is t), None)

    def forward_loss(self, *, rows: list[int] | None = None, samples: list[int] | None = None,
                     precision: str | None = None, train: bool | None = None
                     ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        train = True if train is None else train
        if samples is not None:
            batch = self.run.load_batch(fill(samples, len(self.sample_indices())))
        else:
            batch = self.batch(rows)
        if precision is None:
            return self.run.forward_loss(batch, train)
        saved = self.run.amp
        self.run.amp = None if precision == "fp32" else precision
        try:
            return self.run.forward_loss(batch, train)
        finally:
            self.run.amp = saved

    def backward(self, loss: torch.Tensor) -> None:
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(self.run.optimizer)
        else:
            loss.backward()

    def clip(self) -> bool:
        if self.grad_clip is None:
            return False
        torch.nn.utils.clip_grad_norm_(self.params, self.grad_clip)
        return True

    def update(self) -> None:
        if self.freeze:
            return
        if self.scaler is not None:
            self.scaler.step(self.run.optimizer)
            self.scaler.update()
        else:
            self.run.optimizer.step()

    def zero_grad(self) -> None:
        self.run.optimizer.zero_grad(set_to_none=True)

    def available(self) -> dict[str, Any]:
        """What the step can be re-run on, and the largest group of samples to test at once."""
        return {"rows": True, "samples": True, "group": max(self.run.batch_size, 256)}

    def param_names(self) -> dict[int, str]:
        return {id(p): n for n, p in self.run.model.named_parameters()}

    @property
    def optimizers(self) -> list[Any]:
        return [self.run.optimizer]


def fill(items: list[int], size: int) -> list[int]:
    """`items` repeated to make a batch of `size`: a group of samples tested at the step's own batch
    size, so that code written for that size (a reshape, a view) still runs."""
    if not items:
        raise ValueError("an empty group")
    return [items[i % len(items)] for i in range(max(size, len(items)))]


def weights_finite(models: list[nn.Module], extra: list[torch.Tensor] = ()) -> bool:
    tensors = [t for m in models for t in list(m.parameters()) + list(m.buffers()) if t.is_floating_point()]
    tensors += [t for t in extra if t.is_floating_point()]
    return all(bool(torch.isfinite(t).all()) for t in tensors)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)

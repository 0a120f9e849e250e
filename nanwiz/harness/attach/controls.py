"""One change injected into a whole re-run of the user's program, from outside.

The same Variation vocabulary as contract mode (nanwiz.variation), applied through the hooks:
the learning rate is scaled at each optimizer step (so schedules keep working), a frozen run
puts the weights back after every step, clipping is applied just before the step (gradients are
unscaled there), autocast is switched off or to bf16 where the program enters it, excluded
samples are filtered out of the DataLoader's sampler, a model's layers get PyTorch's default
initialization again before the model's first call, a model's floating-point inputs are
standardized with its first batch's statistics, a loss term is re-weighted in the gradient
that backward is given (the loss the program reads is its own), and a fixed seed is set before the
program starts. What cannot be injected from outside says so (`unsupported`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from nanwiz.harness.run import InputStandardizer, reset_to_default_init
from nanwiz.harness.tensors import optimizer_params
from nanwiz.variation import Variation


@dataclass
class Controls:
    variation: Variation = field(default_factory=Variation)
    exclude: set[int] = field(default_factory=set)
    seed: int | None = None
    term: str | None = None
    """The loss term a dominant_term_scale re-weights (its name in the baseline's records)."""
    _saved_lr: dict[int, list[Any]] = field(default_factory=dict)
    _saved_params: dict[int, list[torch.Tensor]] = field(default_factory=dict)
    _reset: set[int] = field(default_factory=set)
    standardizer: InputStandardizer | None = None

    @classmethod
    def of(cls, variation: Variation | None, exclude: tuple[int, ...] = (), seed: int | None = None,
           term: str | None = None) -> Controls:
        variation = variation or Variation()
        return cls(variation=variation, exclude=set(exclude) if variation.exclude_bad_samples else set(), seed=seed,
                   term=term if variation.dominant_term_scale else None)

    def unsupported(self) -> str | None:
        """Why this variation cannot be applied to a program nanwiz does not own, or None."""
        v = self.variation
        if v.bounded_activations:
            return "activations cannot be replaced in a program nanwiz does not own"
        if v.dominant_term_scale and not self.term:
            return "the loss is not a sum of terms on one line of the program: no term to re-weight"
        if v.batch_size or v.shuffle is not None:
            return "the DataLoader's batch size and order belong to the program"
        if v.amp == "fp16":
            return "fp16 cannot be switched on from outside (it needs a GradScaler in the loop)"
        return None

    # ------------------------------------------------------------ at a model's first call
    def before_forward(self, model: torch.nn.Module) -> int:
        """The default-initialization run: a model's layers re-initialized before it first computes
        anything (in place: the optimizer built on them keeps training the same tensors). How many
        layers were reset. The standardized-inputs run: the model's inputs rescaled from this call on."""
        if self.variation.standardize_inputs and any(True for _ in model.parameters()):
            if self.standardizer is None:
                self.standardizer = InputStandardizer()
            self.standardizer.attach(model)  # once per model; rescales this call's inputs already
        if not self.variation.default_init or id(model) in self._reset:
            return 0
        self._reset.add(id(model))
        return reset_to_default_init(model)

    @property
    def standardized(self) -> int:
        """How many input tensors the standardized-inputs variation rescaled."""
        return self.standardizer.changed if self.standardizer is not None else 0

    # ------------------------------------------------------------ at the optimizer step
    def before_step(self, optimizer: Any) -> None:
        v = self.variation
        key = id(optimizer)
        if v.optimizer_eps is not None:
            for group in optimizer.param_groups:
                if "eps" in group:
                    group["eps"] = v.optimizer_eps
        if v.lr_scale:
            self._saved_lr[key] = [group.get("lr") for group in optimizer.param_groups]
            for group in optimizer.param_groups:
                if isinstance(group.get("lr"), (int, float, torch.Tensor)):
                    group["lr"] = group["lr"] * v.lr_scale
        if v.grad_clip is not None:
            params = [p for p in optimizer_params(optimizer) if p.grad is not None]
            if params:
                torch.nn.utils.clip_grad_norm_(params, v.grad_clip)
        if v.freeze_weights:
            self._saved_params[key] = [p.detach().clone() for p in optimizer_params(optimizer)]

    def after_step(self, optimizer: Any) -> None:
        key = id(optimizer)
        saved = self._saved_lr.pop(key, None)
        if saved is not None:
            for group, lr in zip(optimizer.param_groups, saved):
                group["lr"] = lr
        params = self._saved_params.pop(key, None)
        if params is not None:
            with torch.no_grad():
                for p, value in zip(optimizer_params(optimizer), params):
                    p.copy_(value)

    # ------------------------------------------------------------ autocast
    def autocast(self, enabled: bool, dtype: Any) -> tuple[bool, Any]:
        amp = self.variation.amp
        if amp == "none":
            return False, dtype
        if amp == "bf16" and enabled:
            return True, torch.bfloat16
        return enabled, dtype

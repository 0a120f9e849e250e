"""Copies of the training state of a program nanwiz does not own, to restore before a replay.

The objects are the program's own (found by the hooks): the root modules, every optimizer and
its parameters, GradScalers, LR schedulers, and the random number generators.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

import torch

from nanwiz.harness.tensors import optimizer_params

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None  # type: ignore[assignment]


@dataclass
class RngState:
    cpu: torch.Tensor
    cuda: list[torch.Tensor] | None
    python: Any
    numpy: Any

    @classmethod
    def capture(cls) -> RngState:
        cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
        return cls(cpu=torch.get_rng_state(), cuda=cuda, python=random.getstate(),
                   numpy=np.random.get_state() if np is not None else None)

    def restore(self) -> None:
        torch.set_rng_state(self.cpu)
        if self.cuda is not None:
            torch.cuda.set_rng_state_all(self.cuda)
        random.setstate(self.python)
        if np is not None and self.numpy is not None:
            np.random.set_state(self.numpy)


@dataclass
class TrainingState:
    """Everything a replay needs to start from the same point as the original step."""

    modules: list[tuple[torch.nn.Module, dict[str, torch.Tensor]]] = field(default_factory=list)
    tensors: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)
    """(parameter, its value): optimizer parameters that no captured module holds."""
    optimizers: list[tuple[Any, dict]] = field(default_factory=list)
    scalers: list[tuple[Any, dict]] = field(default_factory=list)
    schedulers: list[tuple[Any, dict]] = field(default_factory=list)
    rng: RngState | None = None

    @classmethod
    def capture(cls, modules: list[torch.nn.Module], optimizers: list[Any], scalers: list[Any] = (),
                schedulers: list[Any] = (), rng: RngState | None = None, with_optimizers: bool = True) -> TrainingState:
        state = cls(rng=rng)
        for module in modules:
            state.modules.append((module, {k: v.detach().clone() for k, v in module.state_dict(keep_vars=True).items()
                                           if isinstance(v, torch.Tensor)}))
        for optimizer in optimizers:
            state.add_missing(optimizer)
            if with_optimizers:
                state.optimizers.append((optimizer, copy.deepcopy(optimizer.state_dict())))
        for scaler in scalers:
            state.scalers.append((scaler, copy.deepcopy(scaler.state_dict())))
        for scheduler in schedulers:
            try:
                state.schedulers.append((scheduler, copy.deepcopy(scheduler.state_dict())))
            except Exception:  # noqa: BLE001 - a scheduler whose state cannot be copied is left alone
                pass
        return state

    def restore(self, *, rng: bool = True) -> None:
        with torch.no_grad():
            for module, values in self.modules:
                current = module.state_dict(keep_vars=True)
                for key, value in values.items():
                    target = current.get(key)
                    if isinstance(target, torch.Tensor) and target.shape == value.shape:
                        target.copy_(value)
            for p, value in self.tensors:
                p.copy_(value)
        for optimizer, saved in self.optimizers:
            optimizer.load_state_dict(copy.deepcopy(saved))
        for scaler, saved in self.scalers:
            scaler.load_state_dict(copy.deepcopy(saved))
        for scheduler, saved in self.schedulers:
            scheduler.load_state_dict(copy.deepcopy(saved))
        if rng and self.rng is not None:
            self.rng.restore()

    def add_missing(self, optimizer: Any) -> None:
        """Keep the values of an optimizer's parameters that no held module holds (bare tensors). Also
        called on a state captured before the optimizer was first seen (at its first step, after a
        failure in an accumulated micro-batch: a CRF's transitions trained beside its modules)."""
        held = {id(p) for module, _values in self.modules for p in module.parameters()}
        held.update(id(p) for p, _value in self.tensors)
        for p in optimizer_params(optimizer):
            if id(p) not in held:
                held.add(id(p))
                self.tensors.append((p, p.detach().clone()))


@dataclass
class HandUpdate:
    """The weights a loop updates by hand, with no torch.optim optimizer (`p.data -= lr * p.grad`,
    makemore-style): shaped like an optimizer (param_groups, an empty state_dict) so that the state
    captured before a step keeps them as it keeps an optimizer's bare parameters."""

    params: list[torch.Tensor] = field(default_factory=list)

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        return [{"params": self.params}]

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, _state: dict[str, Any]) -> None:
        return None

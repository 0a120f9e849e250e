"""Small helpers over nested batches and outputs (tuples, lists, dicts of tensors)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch


def iter_tensors(obj: Any) -> Iterator[torch.Tensor]:
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from iter_tensors(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from iter_tensors(value)


def optimizer_params(optimizer: Any) -> list[torch.Tensor]:
    """The tensors an optimizer trains, in param-group order (a tensor in two groups twice)."""
    return [p for group in optimizer.param_groups for p in group["params"]]


def float_tensors(obj: Any) -> list[torch.Tensor]:
    return [t for t in iter_tensors(obj) if t.is_floating_point() or t.is_complex()]


def to_device(obj: Any, device: torch.device) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=True)
    if isinstance(obj, dict):
        moved = {k: to_device(v, device) for k, v in obj.items()}
        if type(obj) is dict:
            return moved
        try:
            return type(obj)(moved)
        except TypeError:
            return moved
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(to_device(v, device) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, device) for v in obj)
    return obj


def nan_or_posinf(t: torch.Tensor) -> bool:
    """NaN or +Inf in a float tensor: what an op that raised was handed, when the crash is how the
    program met a NaN (a -inf mask is written on purpose; a read that fails counts as none)."""
    if not t.is_floating_point() or not t.numel():
        return False
    try:
        d = t.detach()
        return bool((torch.isnan(d) | torch.isposinf(d)).any())
    except RuntimeError:
        return False


def nonfinite_count(t: torch.Tensor) -> torch.Tensor:
    return (~torch.isfinite(t)).sum()


def all_finite(tensors: list[torch.Tensor]) -> torch.Tensor:
    """One device bool: every element of every tensor is finite (no host sync)."""
    if not tensors:
        return torch.tensor(True)
    flags = [torch.isfinite(t).all() for t in tensors]
    return torch.stack([f.to(flags[0].device) for f in flags]).all()


def absmax(t: torch.Tensor) -> torch.Tensor:
    """Largest |finite value| (0 when there is none), as a float32 device scalar."""
    t = t.detach()
    if t.numel() == 0:
        return torch.zeros((), device=t.device)
    a = t.float().abs()
    a = torch.where(torch.isfinite(a), a, torch.zeros((), device=a.device))
    return a.amax()


def peak(t: torch.Tensor) -> torch.Tensor:
    """Largest |value| in one pass over the tensor, as a float32 device scalar (Inf or NaN when the
    tensor holds them): the cheap measure for every-step and stats-step sentinels."""
    t = t.detach()
    if t.numel() == 0:
        return torch.zeros((), device=t.device)
    if t.dtype == torch.float64:  # vector_norm's dtype= only widens: a float64 model's peak is cast after
        return torch.linalg.vector_norm(t, float("inf")).to(torch.float32)
    return torch.linalg.vector_norm(t, float("inf"), dtype=torch.float32)


def clean_number(value: float) -> float | None:
    """A JSON-safe float: NaN becomes None, infinities are clamped to +-1e300."""
    if value != value:
        return None
    if value == float("inf"):
        return 1e300
    if value == float("-inf"):
        return -1e300
    return float(value)


def kind_of(t: torch.Tensor) -> str | None:
    """'nan', 'posinf' or 'neginf' for the first non-finite kind present (NaN first)."""
    t = t.detach()
    if not (t.is_floating_point() or t.is_complex()):
        return None
    if torch.isnan(t).any():
        return "nan"
    if torch.isposinf(t).any():
        return "posinf"
    if torch.isneginf(t).any():
        return "neginf"
    return None


def keeps_running_stats(module: torch.nn.Module) -> bool:
    """A BatchNorm that tracks running statistics: torch's own, or one written by hand that keeps
    `running_mean` and `running_var` buffers the way torch's does (a sparse or masked BatchNorm)."""
    if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
        return bool(module.track_running_stats)
    return isinstance(getattr(module, "running_mean", None), torch.Tensor) \
        and isinstance(getattr(module, "running_var", None), torch.Tensor)


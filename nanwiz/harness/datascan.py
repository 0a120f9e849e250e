"""A direct scan of every sample as the dataset returns it: non-finite values (where, in which
feature positions), missing parts, label range, constant and outlying features, input scale.

A sample is split into named parts ('0', '1', or dict keys). Parts the model reads are
'inputs'; the rest are 'targets' (found by matching the model's forward arguments against the
batch). Per-position statistics are kept for parts whose shape is the same in every sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch


def parts_of(sample: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """The leaves of a sample as (name, value): tensors, numbers, None."""
    if isinstance(sample, dict):
        out = []
        for key, value in sample.items():
            out += parts_of(value, f"{prefix}{key}.")
        return out
    if isinstance(sample, (list, tuple)) and not (sample and isinstance(sample[0], (int, float))
                                                  and all(isinstance(v, (int, float)) for v in sample)):
        out = []
        for i, value in enumerate(sample):
            out += parts_of(value, f"{prefix}{i}.")
        return out
    return [(prefix.rstrip(".") or "sample", sample)]


def as_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return torch.tensor(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float)) for v in value):
        return torch.tensor(value)
    try:
        import numpy as np

        if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
            return torch.from_numpy(np.ascontiguousarray(value))
        if isinstance(value, np.generic):
            return torch.tensor(value.item())
    except ImportError:  # pragma: no cover
        pass
    return None


@dataclass
class PartStats:
    name: str
    floating: bool
    shape: tuple[int, ...] | None
    consistent: bool = True
    count: int = 0
    nonfinite_samples: list[int] = field(default_factory=list)
    nonfinite_per_position: torch.Tensor | None = None
    total: torch.Tensor | None = None
    total_sq: torch.Tensor | None = None
    finite_count: torch.Tensor | None = None
    minimum: torch.Tensor | None = None
    maximum: torch.Tensor | None = None
    absmax: float = 0.0
    int_min: int | None = None
    int_max: int | None = None
    int_ranges: dict[int, tuple[int, int]] = field(default_factory=dict)
    """sample index -> (min, max) of its integer values (labels, token ids), to check ranges."""

    def add(self, index: int, t: torch.Tensor) -> None:
        self.count += 1
        if self.shape is not None and tuple(t.shape) != self.shape:
            self.consistent = False
        if self.floating:
            x = t.double().flatten()
            finite = torch.isfinite(x)
            if not bool(finite.all()):
                self.nonfinite_samples.append(index)
            if finite.any():
                self.absmax = max(self.absmax, float(x[finite].abs().max()))
            if self.consistent:
                zero = torch.zeros_like(x)
                clean = torch.where(finite, x, zero)
                if self.total is None:
                    self.nonfinite_per_position = (~finite).long()
                    self.total, self.total_sq, self.finite_count = clean, clean * clean, finite.long()
                    self.minimum = torch.where(finite, x, torch.full_like(x, math.inf))
                    self.maximum = torch.where(finite, x, torch.full_like(x, -math.inf))
                else:
                    self.nonfinite_per_position += (~finite).long()
                    self.total += clean
                    self.total_sq += clean * clean
                    self.finite_count += finite.long()
                    self.minimum = torch.minimum(self.minimum, torch.where(finite, x, torch.full_like(x, math.inf)))
                    self.maximum = torch.maximum(self.maximum, torch.where(finite, x, torch.full_like(x, -math.inf)))
        else:
            if t.numel():
                lo, hi = int(t.min()), int(t.max())
                self.int_min = lo if self.int_min is None else min(self.int_min, lo)
                self.int_max = hi if self.int_max is None else max(self.int_max, hi)
                self.int_ranges[index] = (lo, hi)

    def position_std(self) -> torch.Tensor | None:
        if self.total is None or self.finite_count is None or not self.consistent:
            return None
        n = self.finite_count.clamp(min=1).double()
        mean = self.total / n
        var = (self.total_sq / n - mean * mean).clamp(min=0)
        return var.sqrt()


@dataclass
class Scan:
    size: int
    scanned: int
    parts: dict[str, PartStats]
    missing: list[int] = field(default_factory=list)
    load_errors: dict[int, str] = field(default_factory=dict)


def scan_dataset(dataset: Any, limit: int = 50000, progress=None) -> Scan:
    n = len(dataset)
    step = max(1, math.ceil(n / limit))
    indices = range(0, n, step)
    parts: dict[str, PartStats] = {}
    scan = Scan(size=n, scanned=0, parts=parts)
    for count, i in enumerate(indices):
        if progress is not None and count % 256 == 0:
            progress(count, len(indices))
        try:
            sample = dataset[i]
        except Exception as exc:  # noqa: BLE001 - a sample that cannot be loaded is a finding
            scan.missing.append(i)
            scan.load_errors[i] = f"{type(exc).__name__}: {str(exc)[:200]}"
            continue
        scan.scanned += 1
        for name, value in parts_of(sample):
            if value is None:
                if i not in scan.missing:
                    scan.missing.append(i)
                continue
            t = as_tensor(value)
            if t is None:
                continue
            stats = parts.get(name)
            if stats is None:
                floating = t.is_floating_point()
                stats = parts[name] = PartStats(name=name, floating=floating, shape=tuple(t.shape))
            if t.is_floating_point() != stats.floating:
                stats.consistent = False
                continue
            stats.add(i, t)
    return scan

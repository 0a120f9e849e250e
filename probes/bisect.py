"""The data: a direct scan of every sample and label, then group-testing bisection for the
samples that fail on their own (with the initial weights, and within the failing batch at
the snapshot before the failing step).

Seed 001 §3.1 finds dirty samples with batch_size=1 and shuffle=False, one pass per sample;
bisection needs about 2·k·log2(N) passes for k bad samples among N."""

from __future__ import annotations

import statistics
from typing import Any

import torch

from nanwiz.harness.datascan import PartStats, Scan, parts_of, scan_dataset
from nanwiz.harness.grouptest import find_bad
from nanwiz.harness.local import bisect_batch, describe, step_fails
from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.tensors import float_tensors, iter_tensors

NAME = "bisect"
FACTS = ("data.nonfinite_samples", "data.nonfinite_fraction", "data.nonfinite_where", "data.column_concentration",
         "data.constant_features", "data.input_absmax", "data.input_scale", "data.outlier_columns",
         "data.label_out_of_range", "data.target_absmax", "data.missing_values", "bisect.bad_samples",
         "bisect.bad_fraction", "bisect.batch_bad_fraction")
IGNORE_INDEX = -100
BUDGET_S = 20.0
"""Time for each bisection; past it the search stops and estimates (the report says so)."""


def _storage(t: torch.Tensor) -> int:
    try:
        return t.untyped_storage().data_ptr()
    except RuntimeError:
        return -1


def _label_argument(name: str) -> bool:
    """A forward argument that carries the targets, by transformers' convention (`find_labels`: a
    parameter whose name holds "label", or a QA span's start/end positions): a model that computes
    its own loss reads its labels too, and they are targets all the same."""
    return "label" in name.lower() or name in ("start_positions", "end_positions")


def model_view(program, seen: list[torch.Tensor] | None = None
               ) -> tuple[set[str] | None, tuple[int, ...] | None, dict[str, tuple]]:
    """Which parts of a batch the model reads as inputs, the shape of its output, and each part's
    batch shape. `seen`: filled with the tensors the model was given."""
    batch = program.batch()
    seen = [] if seen is None else seen
    outputs: list[torch.Tensor] = []
    handles = []

    def note_inputs(_module: Any, args: Any, kwargs: dict[str, Any]) -> None:
        seen.extend(iter_tensors((args, {k: v for k, v in kwargs.items() if not _label_argument(k)})))

    for model in program.models:
        handles.append(model.register_forward_pre_hook(note_inputs, with_kwargs=True))
        handles.append(model.register_forward_hook(lambda _m, _i, out: outputs.extend(float_tensors(out))))
    modes = [(m, m.training) for m in program.models]
    try:
        program.restore(initial=True)
        with torch.no_grad():
            program.forward_loss(train=False)
    except Exception:  # noqa: BLE001 - e.g. a label out of range: the forward already ran
        pass
    finally:
        for handle in handles:
            handle.remove()
        for model, mode in modes:
            model.train(mode)
    batch_parts = {name: value for name, value in parts_of(batch) if isinstance(value, torch.Tensor)}
    shapes = {name: tuple(value.shape) for name, value in batch_parts.items()}
    read = {_storage(t) for t in seen}  # a tensor passed as an input and as labels= is an input
    inputs = {name for name, value in batch_parts.items() if _storage(value) in read}
    out_shape = tuple(outputs[0].shape) if outputs else None
    return (inputs or None), out_shape, shapes


def class_count(out_shape: tuple[int, ...] | None, target_shape: tuple[int, ...] | None) -> int | None:
    """The class dimension of the output: the one dim of the output a label tensor lacks."""
    if not out_shape or target_shape is None or len(out_shape) != len(target_shape) + 1:
        return None
    for d in range(1, len(out_shape)):
        if out_shape[:d] + out_shape[d + 1:] == target_shape:
            return out_shape[d] if out_shape[d] > 1 else None
    return None


def _is_input(name: str, stats: PartStats, inputs: set[str] | None) -> bool:
    if inputs is not None:
        return name in inputs
    return stats.floating


def nonfinite_rows(scan: Scan, inputs: set[str] | None) -> tuple[set[int], set[int]]:
    """The samples with NaN/Inf in what the model reads, and in the other parts (the targets)."""
    parts = scan.parts
    bad_input = set().union(*[set(s.nonfinite_samples) for name, s in parts.items()
                              if s.floating and _is_input(name, s, inputs)] or [set()])
    bad_target = set().union(*[set(s.nonfinite_samples) for name, s in parts.items()
                               if s.floating and not _is_input(name, s, inputs)] or [set()])
    return bad_input, bad_target


def where(bad_input: set[int], bad_target: set[int]) -> str:
    return "both" if bad_input and bad_target else "input" if bad_input else "target" if bad_target else "none"


class RowsOf:
    """A batch seen as a dataset of its rows (a stream's batch has no dataset to scan)."""

    def __init__(self, batch: Any):
        self.batch = batch
        sizes = [t.shape[0] for t in iter_tensors(batch) if t.dim() >= 1]
        self.n = min(sizes) if sizes else 0

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        def row(value: Any) -> Any:
            if isinstance(value, torch.Tensor) and value.dim() >= 1 and value.shape[0] == self.n:
                return value[i]
            if isinstance(value, dict):
                return {k: row(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(row(v) for v in value) if not hasattr(value, "_fields") else \
                    type(value)(*(row(v) for v in value))
            return value
        return row(self.batch)


def _position_stds(s: PartStats) -> torch.Tensor | None:
    std = s.position_std()
    return None if std is None else std[s.finite_count >= 2]


def scale_facts(ctx: ProbeContext, scan: Scan, inputs: set[str] | None) -> None:
    """How large the inputs are (the largest value, the median feature's spread): over the dataset,
    or over the failing batch's rows where there is no dataset to scan."""
    stds: list[float] = []
    absmax = None
    for name, s in scan.parts.items():
        if not (s.floating and _is_input(name, s, inputs)):
            continue
        absmax = s.absmax if absmax is None else max(absmax, s.absmax)
        values = _position_stds(s)
        if values is not None:
            stds += values.tolist() if values.numel() <= 100000 else values[:: values.numel() // 100000].tolist()
    if absmax is not None:
        ctx.fact("data.input_absmax", absmax)
    if stds:
        ctx.fact("data.input_scale", statistics.median(stds))


def scan_facts(ctx: ProbeContext, scan: Scan, inputs: set[str] | None, out_shape, shapes) -> list[int]:
    """Report the data facts; return the sample indices the scan found bad."""
    parts = scan.parts
    n = max(scan.scanned, 1)
    bad_input, bad_target = nonfinite_rows(scan, inputs)
    bad = bad_input | bad_target
    ctx.fact("data.nonfinite_samples", len(bad))
    ctx.fact("data.nonfinite_fraction", len(bad) / n)
    ctx.fact("data.nonfinite_where", where(bad_input, bad_target))
    ctx.fact("data.missing_values", len(scan.missing))
    concentrated = total = 0
    constant = outliers = 0
    affected: dict[str, list[int]] = {}
    for name, s in parts.items():
        if not (s.floating and _is_input(name, s, inputs)):
            continue
        if s.nonfinite_per_position is not None and s.consistent:
            counts = s.nonfinite_per_position
            total += int(counts.sum())
            concentrated += int(counts[counts >= 0.9 * n].sum())
            hot = counts.nonzero().flatten()
            if hot.numel():
                order = counts[hot].argsort(descending=True)
                affected[name] = hot[order][:20].tolist()
        values = _position_stds(s)
        if values is None:
            continue
        if s.shape is not None and len(s.shape) <= 1 and s.minimum is not None:
            full = s.finite_count == s.count
            constant += int(((s.maximum == s.minimum) & full).sum())
        elif s.shape and s.minimum is not None:
            lo = s.minimum.reshape(s.shape[0], -1).amin(dim=1)
            hi = s.maximum.reshape(s.shape[0], -1).amax(dim=1)
            constant += int(((lo == hi) & torch.isfinite(lo)).sum())
        if s.shape is not None and len(s.shape) <= 1 and values.numel() >= 3:
            median = float(values.median())
            if median > 0:
                outliers += int((values > 100 * median).sum())
    if total:
        ctx.fact("data.column_concentration", concentrated / total)
    ctx.fact("data.constant_features", constant)
    ctx.fact("data.outlier_columns", outliers)
    scale_facts(ctx, scan, inputs)
    target_absmax = None
    out_of_range: dict[int, tuple[int, int]] = {}
    for name, s in parts.items():
        if _is_input(name, s, inputs):
            continue
        if s.floating:
            target_absmax = s.absmax if target_absmax is None else max(target_absmax, s.absmax)
            continue
        classes = class_count(out_shape, shapes.get(name))
        if classes is None:
            continue
        for index, (lo, hi) in s.int_ranges.items():
            if hi >= classes or (lo < 0 and lo != IGNORE_INDEX):
                out_of_range[index] = (lo, hi)
        ctx.detail("label_range", {"part": name, "classes": classes, "min": s.int_min, "max": s.int_max})
    ctx.fact("data.label_out_of_range", len(out_of_range))
    if target_absmax is not None:
        ctx.fact("data.target_absmax", target_absmax)
    ctx.detail("scan", {
        "size": scan.size, "scanned": scan.scanned,
        "parts": {name: {"kind": "float" if s.floating else "integer", "shape": list(s.shape or ()),
                         "role": "input" if _is_input(name, s, inputs) else "target",
                         "nonfinite_samples": len(s.nonfinite_samples)} for name, s in parts.items()},
        "nonfinite_samples": sorted(bad)[:100],
        "affected_positions": affected,
        "label_out_of_range": {str(k): v for k, v in sorted(out_of_range.items())[:100]},
        "missing": scan.missing[:100],
        "load_errors": {str(k): v for k, v in list(scan.load_errors.items())[:10]},
    })
    return sorted(bad | set(out_of_range) | set(scan.missing))


def run(ctx: ProbeContext) -> None:
    training = ctx.captured()
    if training is None:  # run on its own: train once with the user's settings to find the failing step
        training = ctx.baseline()
        training.run(progress=lambda d, t: ctx.progress(0.3 * d / max(t, 1), f"training: step {d}/{t}"))
    program = training.failing_step() or training.step_program(0)
    dataset = ctx.dataset()
    detail: dict[str, Any] = {}
    scan_bad: list[int] = []
    if dataset is not None:
        scan = scan_dataset(dataset, progress=lambda d, t: ctx.progress(0.3 + 0.3 * d / max(t, 1),
                                                                           "scanning samples"))
        inputs, out_shape, shapes = model_view(program) if program is not None else (None, None, {})
        scan_bad = scan_facts(ctx, scan, inputs, out_shape, shapes)
    elif program is not None and program is training.failing_step():
        # no dataset to scan (an IterableDataset, tensors built on the fly): the failing batch's own rows
        # still say whether the NaN/Inf is in what the model reads or only in the targets
        try:
            rows = RowsOf(program.batch())
            read: list[torch.Tensor] = []
            inputs, _out_shape, _shapes = model_view(program, read)
            model_rows = RowsOf([t for t in read if t.is_floating_point()])
            if not len(rows) and len(model_rows) >= 8:
                # a batch the loop built itself (no DataLoader, no tensor it slices): what the model read
                scale_facts(ctx, scan_dataset(model_rows), None)
            if len(rows):
                batch_scan = scan_dataset(rows)
                bad_input, bad_target = nonfinite_rows(batch_scan, inputs)
                ctx.fact("data.nonfinite_where", where(bad_input, bad_target))
                if len(rows) >= 8:  # enough rows for a spread
                    scale_facts(ctx, batch_scan, inputs)
                detail["failing_batch_scan"] = {"rows": len(rows), "nonfinite_input_rows": sorted(bad_input)[:50],
                                                "nonfinite_target_rows": sorted(bad_target)[:50]}
        except Exception as exc:  # noqa: BLE001 - a batch whose structure cannot be split into rows
            detail["failing_batch_scan"] = {"skipped": f"{type(exc).__name__}: {exc}"}
    if program is not None and dataset is not None and program.available()["samples"]:
        ctx.progress(0.6, "bisecting the dataset with the initial weights", force=True)
        n = len(dataset)

        def test(group: list[int]) -> str | None:
            return step_fails(program, samples=group, initial=True, train=False)

        result = find_bad(range(n), test, max_group=program.available()["group"], budget_s=BUDGET_S)
        ctx.fact("bisect.bad_samples", len(result.bad) if result.exhaustive
                 else round(result.estimated_bad_fraction * n))
        ctx.fact("bisect.bad_fraction", result.estimated_bad_fraction if result.estimated_bad_fraction is not None
                 else len(result.bad) / n)
        detail.update({
            "bad": result.bad[:100], "reasons": {str(k): v for k, v in list(result.reasons.items())[:100]},
            "passes": result.passes, "linear_scan_passes": n, "exhaustive": result.exhaustive,
        })
        found = result.bad if result.exhaustive else []
    else:
        found = []
    failing = training.failing_step()
    if failing is not None and failing.failure != "param" and len(failing.sample_indices()) >= 2:
        ctx.progress(0.85, f"bisecting the failing batch of step {failing.step}", force=True)
        in_batch, indices = bisect_batch(failing)
        ctx.fact("bisect.batch_bad_fraction", len(in_batch.bad) / len(indices) if in_batch.exhaustive
                 else in_batch.estimated_bad_fraction)
        detail["failing_batch"] = {"step": failing.step, "indices": indices, **describe(in_batch, indices)}
    offending = sorted(set(scan_bad) | set(found))
    detail["offending"] = offending[:200]
    ctx.detail("bisection", detail)
    ctx.progress(1.0, "done", force=True)

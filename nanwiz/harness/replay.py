"""Replaying the failing step with full instrumentation, to say where the first non-finite
value was produced: input data, forward (inside a module), loss (outside the model),
backward (an autograd node), or the optimizer update."""

from __future__ import annotations

import math
from typing import Any

import torch

from nanwiz.harness.run import StepRecord, TrainingRun
from nanwiz.harness.tensors import float_tensors, kind_of
from nanwiz.harness.watch import BackwardWatcher, ModuleTracker, OpEvent, OpWatcher


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def bad_samples_in_batch(batch: Any, indices: list[int]) -> tuple[list[int], str | None]:
    """Dataset indices of the batch's samples that hold non-finite values, and the first kind."""
    bad: set[int] = set()
    kind = None
    n = len(indices)
    for t in float_tensors(batch):
        finite = torch.isfinite(t)
        if finite.all():
            continue
        kind = kind or kind_of(t)
        if t.dim() >= 1 and t.shape[0] == n:
            rows = (~finite).reshape(n, -1).any(dim=1).nonzero().flatten().tolist()
            bad.update(indices[i] for i in rows)
    return sorted(bad), kind


def _choose_root(watcher: OpWatcher, tensors: list[torch.Tensor]) -> tuple[OpEvent | None, OpEvent | None]:
    for t in tensors:
        taint = watcher.taint_of(t)
        if taint is not None:
            return taint
    inf_ev, nan_ev, const_ev = watcher.first_inf, watcher.first_nan, watcher.first_const
    if inf_ev is not None and (nan_ev is None or inf_ev.index <= nan_ev.index):
        return inf_ev, nan_ev
    if nan_ev is not None:
        if nan_ev.inputs_had_inf and const_ev is not None and const_ev.index < nan_ev.index:
            nan_ev.from_constant = True
        return nan_ev, nan_ev
    return const_ev, None


def _weights_finite(run: TrainingRun) -> bool:
    tensors = [t for t in list(run.model.parameters()) + list(run.model.buffers()) if t.is_floating_point()]
    return all(bool(torch.isfinite(t).all()) for t in tensors)


def localize(run: TrainingRun, failing: StepRecord, originals: list[StepRecord]) -> dict[str, Any]:
    """Restore the state before the failing step, replay it instrumented, and describe the failure.

    If the weights are already non-finite before the failing step, the update of an earlier
    step broke them (sentinels check the weights only now and then): replay that step instead."""
    step = failing.step
    rerun = run.restore_before(step)
    while step > 0 and not _weights_finite(run):
        step -= 1
        rerun = run.restore_before(step)
        if _weights_finite(run):
            by_step = {r.step: r for r in originals}
            failing = by_step.get(step, StepRecord(step=step, indices=run.indices(step)))
            break
    by_step = {r.step: r for r in originals}
    deterministic = all(_close(r.loss, by_step[r.step].loss) for r in rerun if r.step in by_step)
    run.optimizer.zero_grad(set_to_none=True)
    indices = run.indices(step)
    result: dict[str, Any] = {"step": step, "batch_indices": indices, "reproduced": False,
                              "rerun_matched": deterministic}
    model = run.model
    names = {id(p): n for n, p in model.named_parameters()}
    try:
        batch = run.load_batch(indices)
    except Exception as exc:  # the data could not even be loaded
        result.update(reproduced=True, phase="input", op="input", kind=None,
                      error={"type": type(exc).__name__, "message": str(exc)[:500]})
        return result
    bad, input_kind = bad_samples_in_batch(batch, indices)
    result["bad_in_batch"] = bad
    tracker = ModuleTracker(model)
    watcher = OpWatcher(run.target.path, tracker, model, batch)
    for t in float_tensors(batch):
        if not torch.isfinite(t).all():
            watcher.seed_taint(t, OpEvent(index=0, op="input", kind=kind_of(t) or "nan", module=None,
                                          module_type=None, frame=None))
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        if t.is_floating_point() and not torch.isfinite(t).all():
            watcher.seed_taint(t, OpEvent(index=0, op="parameter", kind=kind_of(t) or "nan", module=name,
                                          module_type=None, frame=None))
    try:
        with torch.autograd.set_detect_anomaly(True, check_nan=False), tracker, watcher:
            terms, loss = run.forward_loss(batch)
    except Exception as exc:
        result.update(reproduced=True, phase="forward", op=None,
                      error={"type": type(exc).__name__, "message": str(exc).strip()[:500]})
        return result
    result["loss_terms"] = {k: float(v.detach().float()) for k, v in terms.items()}
    bad_terms = [k for k, v in terms.items() if not torch.isfinite(v.detach()).all()]
    if not torch.isfinite(loss.detach()).all() or bad_terms:
        result["reproduced"] = True
        result["nonfinite_terms"] = bad_terms
        root, nan_event = _choose_root(watcher, [loss, *[terms[k] for k in bad_terms]])
        if root is not None and root.op == "input":
            result.update(phase="input", op="input", kind=root.kind or input_kind)
        elif root is not None:
            result.update(
                phase="forward" if root.module is not None else "loss",
                op=root.op, kind=root.kind, module=root.module, module_type=root.module_type,
                operand_zero=root.operand_zero, operand_negative=root.operand_negative,
                operand_absmax=root.operand_absmax, operand_origin=root.operand_origin,
                from_constant=root.from_constant or bool(nan_event is not None and nan_event is not root
                                                         and root.from_constant),
                traits=dict(root.traits), root=root.to_dict())
            if nan_event is not None:
                result["first_nan"] = nan_event.to_dict()
                result["first_nan_op"] = nan_event.op
        else:
            result.update(phase="loss", op=None, kind=kind_of(loss.detach()))
        context = [e.to_dict() for e in (watcher.first_inf, watcher.first_const, watcher.first_nan) if e]
        result["events"] = context
        return result
    # forward and loss finite: watch the backward pass
    backward = BackwardWatcher(loss, watcher, run.target.path)
    try:
        with backward:
            if run.scaler is not None:
                run.scaler.scale(loss).backward()
            else:
                loss.backward()
    except Exception as exc:
        result.update(reproduced=True, phase="backward", op=None,
                      error={"type": type(exc).__name__, "message": str(exc).strip()[:500]})
        return result
    if run.scaler is not None:
        run.scaler.unscale_(run.optimizer)
    grad_bad = [names.get(id(p), "?") for p in run.params
                if p.grad is not None and not torch.isfinite(p.grad).all()]
    result["params_nonfinite_grad"] = grad_bad
    if grad_bad and run.scaler is None and backward.first is not None:
        root = backward.first
        result.update(reproduced=True, phase="backward", op=root.op, kind=root.kind, module=root.module,
                      module_type=root.module_type, operand_zero=root.operand_zero,
                      operand_negative=root.operand_negative, operand_absmax=root.operand_absmax,
                      operand_origin=root.operand_origin, from_constant=False, root=root.to_dict(),
                      traits={**root.traits, "forward_contained": watcher.first_inf is not None
                              or watcher.first_nan is not None})
        if backward.first_nan is not None:
            result["first_nan"] = backward.first_nan.to_dict()
            result["first_nan_op"] = backward.first_nan.op
        return result
    if grad_bad and run.scaler is None:
        result.update(reproduced=True, phase="backward", op=None, kind="nan")
        return result
    # gradients finite (or skipped by the GradScaler): take the optimizer step
    if run.grad_clip is not None and not grad_bad:
        torch.nn.utils.clip_grad_norm_(run.params, run.grad_clip)
    if not run.variation.freeze_weights:
        if run.scaler is not None:
            run.scaler.step(run.optimizer)
            run.scaler.update()
        else:
            run.optimizer.step()
    after_bad = [names.get(id(p), "?") for p in run.params if not torch.isfinite(p.detach()).all()]
    result["params_nonfinite_after_step"] = after_bad
    if after_bad:
        kinds = [kind_of(p.detach()) for p in run.params if not torch.isfinite(p.detach()).all()]
        eps = [g.get("eps") for g in run.optimizer.param_groups if "eps" in g]
        result.update(reproduced=True, phase="optimizer", op="optimizer_step", kind=kinds[0] if kinds else "nan",
                      module=None, module_type=None, optimizer=type(run.optimizer).__name__,
                      optimizer_eps=min(eps) if eps else None, operand_zero=False, operand_negative=False,
                      from_constant=False)
    return result

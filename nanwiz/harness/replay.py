"""Replaying the failing step with full instrumentation, to say where the first non-finite
value was produced: input data, forward (inside a module), loss (outside the model),
backward (an autograd node), or the optimizer update."""

from __future__ import annotations

import math
from typing import Any

import torch

from nanwiz.harness.run import TrainingRun
from nanwiz.harness.step import StepProgram
from nanwiz.harness.tensors import float_tensors, kind_of
from nanwiz.harness.watch import BackwardWatcher, ModuleTracker, OpEvent, OpWatcher


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


def _describe_root(result: dict[str, Any], watcher: OpWatcher, bad: list[torch.Tensor], input_kind: Any) -> None:
    """Fill in the op that made the non-finite values `bad` (a loss, a term, what a crashing op was given)."""
    root, nan_event = _choose_root(watcher, bad)
    if root is not None and root.op == "input":
        result.update(phase="input", op="input", kind=root.kind or input_kind)
        if root.frame is not None:  # numpy warned where the program's data preparation made it
            result["root"] = root.to_dict()
    elif root is not None:
        result.update(
            phase="forward" if root.module is not None else "input" if root.prepares_input else "loss",
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
        result.update(phase="loss", op=None, kind=kind_of(bad[0].detach()))
    result["events"] = [e.to_dict() for e in (watcher.first_inf, watcher.first_const, watcher.first_nan) if e]


def localize(run: TrainingRun) -> dict[str, Any]:
    """Contract mode: replay the first failure of the run's last `run()` (see TrainingRun.failing_step)."""
    program = run.failing_step()
    if program is None:
        return {"reproduced": False}
    result = localize_step(program)
    result["rerun_matched"] = program.rerun_matched
    return result


def localize_step(program: StepProgram, precision: str | None = None) -> dict[str, Any]:
    """Replay one step watched (see `_localize`). A step that raised (the program's anomaly mode, a
    clip_grad_norm_(error_if_nonfinite=True), a check of its own) and whose replay, free of those
    checks, makes a NaN/Inf raised because of it: the failure is that value."""
    result = _localize(program, precision)
    if getattr(program, "failure", None) == "error" and result.get("reproduced") and "error" not in result \
            and not result.get("raised_on_nonfinite"):
        result["raised_on_nonfinite"] = True
    return result


def _localize(program: StepProgram, precision: str | None = None) -> dict[str, Any]:
    """Replay one step with every op, module and autograd node watched, and describe the failure:
    the phase (input, forward, loss, backward, optimizer), the op that *produced* the first
    non-finite value from finite inputs, its module, source line and operands."""
    program.restore()
    program.zero_grad()
    step = program.step
    indices = program.sample_indices()
    result: dict[str, Any] = {"step": step, "batch_indices": indices, "reproduced": False}
    models = program.models
    names = program.param_names()
    try:
        batch = program.batch_tensors()
    except Exception as exc:  # the data could not even be loaded
        result.update(reproduced=True, phase="input", op="input", kind=None,
                      error={"type": type(exc).__name__, "message": str(exc)[:500]})
        return result
    bad, input_kind = bad_samples_in_batch(batch, indices)
    result["bad_in_batch"] = bad
    tracker = ModuleTracker(models)
    watcher = OpWatcher(program.user, tracker, models, batch, params=program.params)
    for t in float_tensors(program.data_tensors()):
        if not torch.isfinite(t).all():
            made = program.loading_event(t)  # the loader's own op (a standardization in the dataset)
            watcher.seed_taint(t, made or OpEvent(index=0, op="input", kind=kind_of(t) or "nan", module=None,
                                                  module_type=None, frame=None))
    held = [(name, t, "parameter") for model in models for name, t in model.named_parameters()]
    held += [(name, t, "buffer") for model in models for name, t in model.named_buffers()]  # running statistics
    seen = {id(t) for _name, t, _op in held}
    held += [(names.get(id(p), "tensor"), p, "parameter") for p in program.params if id(p) not in seen]  # bare
    for name, t, op in held:
        if t.is_floating_point() and not torch.isfinite(t).all():
            watcher.seed_taint(t, OpEvent(index=0, op=op, kind=kind_of(t) or "nan", module=name,
                                          module_type=None, frame=None))
    try:
        with torch.autograd.set_detect_anomaly(True, check_nan=False), tracker, watcher:
            terms, loss = program.forward_loss(precision=precision)
    except Exception as exc:
        result.update(reproduced=True, phase="forward", op=None,
                      error={"type": type(exc).__name__, "message": str(exc).strip()[:500]})
        culprit = watcher.raised
        if culprit is not None and watcher.raised_on:
            # the op raised because it was handed NaN/Inf (binary_cross_entropy's range check, multinomial):
            # the failure is that value, and where it was made
            result.update(raised_on_nonfinite=True, raised_op=culprit.op,
                          raised_source=culprit.frame.to_dict() if culprit.frame is not None else None)
            _describe_root(result, watcher, watcher.raised_on, input_kind)
            return result
        if culprit is not None:
            result["op"] = culprit.op
            result["module"], result["module_type"] = culprit.module, culprit.module_type
            if culprit.frame is not None:
                result["root"] = culprit.to_dict()
        return result
    result["loss_terms"] = {k: float(v.detach().float()) for k, v in terms.items()}
    bad_terms = [k for k, v in terms.items() if not torch.isfinite(v.detach()).all()]
    if not torch.isfinite(loss.detach()).all() or bad_terms:
        result["reproduced"] = True
        result["nonfinite_terms"] = bad_terms
        _describe_root(result, watcher, [loss, *[terms[k] for k in bad_terms]], input_kind)
        return result
    # forward and loss finite: watch the backward pass
    backward = BackwardWatcher(loss, watcher, program.user)
    scaler = program.scaler
    try:
        # the program's own anomaly mode would raise at the first NaN gradient: the watcher finds it instead
        with backward, torch.autograd.set_detect_anomaly(False):
            program.backward(loss)
    except Exception as exc:
        result.update(reproduced=True, phase="backward", op=None,
                      error={"type": type(exc).__name__, "message": str(exc).strip()[:500]})
        return result
    params = program.params
    grad_bad = [names.get(id(p), "?") for p in params if p.grad is not None and not torch.isfinite(p.grad).all()]
    if not grad_bad and getattr(program, "failure", None) == "grad":
        # the optimizer trains copies whose gradients the loop fills itself (fp32 master weights of a
        # half model): what the failing backward made is in the models' own parameters' gradients
        grad_bad = [name for name, t, op in held if op == "parameter" and t.grad is not None
                    and not torch.isfinite(t.grad).all()]
    result["params_nonfinite_grad"] = grad_bad
    # with a GradScaler non-finite gradients are a skip, unless the watch found the scaler had given up
    gave_up = scaler is not None and getattr(program, "failure", None) == "grad"
    if grad_bad and (scaler is None or gave_up) and backward.first is not None:
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
    if grad_bad and (scaler is None or gave_up):
        result.update(reproduced=True, phase="backward", op=None, kind="nan")
        return result
    # gradients finite (or skipped by the GradScaler): clip them as the step did, then take the update
    optimizers = getattr(program, "optimizers", [])
    if not grad_bad:
        before = _grad_norm(params)
        overflows = not math.isfinite(_grad_norm(params, torch.float32))
        if program.clip():
            clipped_bad = [names.get(id(p), "?") for p in params
                           if p.grad is not None and not torch.isfinite(p.grad).all()]
            if clipped_bad:  # finite gradients whose float32 norm overflows: clip_grad_norm_ scales them by inf/inf
                return _clipped(result, program, "nan", before, clipped_bad)
            if overflows and getattr(program, "failure", None) == "error":
                # the same overflow, and clip_grad_norm_(error_if_nonfinite=True) raised on it
                return _clipped(result, program, "posinf", before, [])
    program.update()
    after_bad = [names.get(id(p), "?") for p in params if not torch.isfinite(p.detach()).all()]
    result["params_nonfinite_after_step"] = after_bad
    if after_bad:
        kinds = [kind_of(p.detach()) for p in params if not torch.isfinite(p.detach()).all()]
        eps = [g.get("eps") for o in optimizers for g in o.param_groups if isinstance(g.get("eps"), (int, float))]
        result.update(reproduced=True, phase="optimizer", op="optimizer_step", kind=kinds[0] if kinds else "nan",
                      module=None, module_type=None,
                      optimizer=type(optimizers[0]).__name__ if optimizers else None,
                      optimizer_eps=min(eps) if eps else None, operand_zero=False, operand_negative=False,
                      from_constant=False)
        where = getattr(program, "step_where", None)
        if where:  # no line of the program made it: the update did, called from this line
            result["root"] = {"op": "optimizer_step", "produced": result["kind"], "source": where}
    return result


def _clipped(result: dict[str, Any], program: StepProgram, kind: str, before: float,
             bad: list[str]) -> dict[str, Any]:
    """The failure is clip_grad_norm_'s: the gradients were finite, their float32 norm was not."""
    result.update(reproduced=True, phase="clip", op="clip_grad_norm_", kind=kind, module=None, module_type=None,
                  operand_zero=False, operand_negative=False, from_constant=False,
                  grad_norm_before_clip=before, params_nonfinite_grad=bad)
    where = getattr(program, "clip_where", None)
    if where:
        result["root"] = {"op": "clip_grad_norm_", "produced": kind, "source": where}
    return result


def _grad_norm(params: list[torch.Tensor], dtype: torch.dtype = torch.float64) -> float:
    """The global gradient norm in float64 (finite even where float32 overflows), or as
    clip_grad_norm_ computes it (dtype float32)."""
    grads = [p.grad.detach().to(dtype) for p in params if p.grad is not None]
    return float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads]))) if grads else 0.0

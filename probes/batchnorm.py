"""BatchNorm in eval mode (running statistics) against train mode (batch statistics).

Trains with the user's settings for all their steps (while the run stays finite), then: checks running_mean and
running_var, runs eval-mode forwards over the first batches, compares their scale with
train-mode forwards on the same batches, retries the failing eval with batch statistics,
and tries one train-mode step at batch size 1. The model state is restored around each check."""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.run import first_failure
from nanwiz.harness.tensors import float_tensors, keeps_running_stats

NAME = "batchnorm"
FACTS = ("bn.present", "bn.eval_nonfinite", "bn.train_nonfinite", "bn.running_stats_nonfinite",
         "bn.running_var_min", "bn.bs1_fails", "bn.eval_shift", "bn.eval_batch_stats_clean")
EVAL_BATCHES = 64


def _bn_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(n, m) for n, m in model.named_modules() if keeps_running_stats(m)]


def _forward(training, batch, train_mode: bool) -> tuple[bool, float | None]:
    """(finite, median |output|) of one forward + loss without touching the weights."""
    model = training.model
    outputs: list[torch.Tensor] = []
    handle = model.register_forward_hook(lambda _m, _i, out: outputs.extend(float_tensors(out)))
    try:
        model.train(train_mode)
        with torch.no_grad(), training.autocast():
            result = training.target.compute_loss(model, batch)
    finally:
        handle.remove()
    tensors = float_tensors(result) + outputs
    finite = all(bool(torch.isfinite(t).all()) for t in tensors)
    scale = None
    if outputs:
        values = outputs[0].detach().float().abs().flatten()
        values = values[torch.isfinite(values)]
        if values.numel():
            scale = float(values.median())
    return finite, scale


def _replay_output(program, train: bool) -> tuple[bool, float | None]:
    """(finite, median |output|) of the failing call replayed in train or eval mode, nothing updated."""
    outputs: list[torch.Tensor] = []
    handles = [m.register_forward_hook(lambda _m, _i, out: outputs.extend(float_tensors(out)))
               for m in program.models]
    try:
        program.restore()
        with torch.no_grad():
            _terms, loss = program.forward_loss(train=train)
    finally:
        for handle in handles:
            handle.remove()
    finite = bool(torch.isfinite(loss).all()) and all(bool(torch.isfinite(t).all()) for t in outputs)
    scale = None
    if outputs:
        values = outputs[0].detach().float().abs().flatten()
        values = values[torch.isfinite(values)]
        if values.numel():
            scale = float(values.median())
    return finite, scale


def run_local(ctx: ProbeContext, program) -> None:
    """On the captured failure: a training step that failed says nothing of eval mode; an evaluation
    that returned NaN/Inf (the model in eval mode) is replayed with batch statistics instead."""
    layers = [(n, m) for model in program.models for n, m in _bn_layers(model)]
    ctx.fact("bn.present", bool(layers))
    if not layers:
        return
    if program.failure != "eval":
        # a training step may run its BatchNorms in eval mode (frozen while fine-tuning): if the step
        # fails as it ran and is finite with every layer on batch statistics, the running ones are to blame
        ok_as_run, _ = _replay_output(program, train=None)
        ok_train, _ = _replay_output(program, train=True) if not ok_as_run else (False, None)
        program.restore()
        ctx.fact("bn.train_nonfinite", not ok_train)
        if ok_train:
            ctx.fact("bn.eval_nonfinite", True)
            ctx.fact("bn.eval_batch_stats_clean", True)
            _running_stats(ctx, layers)
            ctx.detail("note", "the failing step ran BatchNorm in eval mode; with batch statistics it is finite")
        else:
            ctx.detail("note", "training itself fails; eval mode not checked")
        return
    ctx.fact("bn.train_nonfinite", False)  # the training steps were finite; an evaluation failed
    program.restore()
    _running_stats(ctx, layers)
    ctx.fact("bn.eval_nonfinite", True)
    _ok_eval, scale_eval = _replay_output(program, train=False)
    _ok_train, scale_train = _replay_output(program, train=True)
    if scale_eval is not None and scale_train:
        ctx.fact("bn.eval_shift", scale_eval / scale_train)
    if not all(isinstance(m, nn.modules.batchnorm._BatchNorm) for _, m in layers):
        program.restore()  # a BatchNorm written by hand cannot be switched to batch statistics from outside
        return
    kept = [(m, m.running_mean, m.running_var, m.track_running_stats) for _, m in layers]
    try:
        for m, *_ in kept:
            m.running_mean, m.running_var, m.track_running_stats = None, None, False
        ok, _ = _replay_output(program, train=False)
        ctx.fact("bn.eval_batch_stats_clean", ok)
    finally:
        for m, mean, var, track in kept:
            m.running_mean, m.running_var, m.track_running_stats = mean, var, track
    program.restore()


def _running_stats(ctx: ProbeContext, layers) -> None:
    stats_bad, var_min, per_layer = False, math.inf, {}
    for name, m in layers:
        mean, var = m.running_mean, m.running_var
        bad = not (torch.isfinite(mean).all() and torch.isfinite(var).all())
        stats_bad = stats_bad or bool(bad)
        finite_var = var[torch.isfinite(var)]
        layer_min = float(finite_var.min()) if finite_var.numel() else math.nan
        if not math.isnan(layer_min):
            var_min = min(var_min, layer_min)
        per_layer[name] = {"running_var_min": layer_min, "nonfinite": bool(bad), "eps": float(getattr(m, "eps", math.nan))}
    ctx.fact("bn.running_stats_nonfinite", stats_bad)
    if math.isfinite(var_min):
        ctx.fact("bn.running_var_min", var_min)
    ctx.detail("layers", per_layer)


def run(ctx: ProbeContext) -> None:
    captured = ctx.captured()
    program = captured.failing_step() if captured is not None else None
    if program is not None and program.failure != "param":
        run_local(ctx, program)
        ctx.progress(1.0, "done", force=True)
        return
    if captured is not None and captured.step_program(0) is None:  # a program's run, watched, that stayed finite
        layers = [(n, m) for model in captured.models for n, m in _bn_layers(model)]
        ctx.fact("bn.present", bool(layers))
        if layers:
            ctx.fact("bn.train_nonfinite", False)
            evaluated = getattr(captured, "info", {}).get("counts", {}).get("eval_calls", 0)
            if evaluated:  # the program's own evaluations were watched and stayed finite
                ctx.fact("bn.eval_nonfinite", False)
            _running_stats(ctx, layers)
        ctx.progress(1.0, "done", force=True)
        return
    training = ctx.training()
    layers = _bn_layers(training.model)
    ctx.fact("bn.present", bool(layers))
    if not layers:
        ctx.progress(1.0, "no BatchNorm layers", force=True)
        return
    # the running statistics that matter are those at the end of the user's training
    records = training.run(progress=ctx.stage(0, 2, "training in train mode"))
    failure = first_failure(records)
    ctx.fact("bn.train_nonfinite", failure is not None)
    if failure is not None:
        ctx.detail("train_failure", failure.to_dict())
        ctx.progress(1.0, "training itself fails; eval mode not checked", force=True)
        return
    _running_stats(ctx, layers)

    saved = copy.deepcopy(training.model.state_dict())
    eval_bad, ratios, bad_batches = False, [], []
    # batches spread over the whole dataset in order: running statistics fail on data unlike
    # the last batches they saw (seed 001 §3.6), which may be anywhere in the epoch
    n, size = len(training.dataset), training.batch_size
    starts = list(range(0, n, size))
    if len(starts) > EVAL_BATCHES:
        starts = [starts[round(i * (len(starts) - 1) / (EVAL_BATCHES - 1))] for i in range(EVAL_BATCHES)]
    count = len(starts)
    for t, start in enumerate(starts):
        ctx.progress(0.5 + 0.4 * t / count, f"eval vs train mode, batch {t + 1}/{count}")
        indices = list(range(start, min(start + size, n)))
        if len(indices) < 2:
            continue
        batch = training.load_batch(indices)
        ok_eval, scale_eval = _forward(training, batch, train_mode=False)
        training.model.load_state_dict(saved)
        try:
            ok_train, scale_train = _forward(training, batch, train_mode=True)
        except Exception:  # noqa: BLE001 - a train-mode error here is not what this check measures
            ok_train, scale_train = True, None
        training.model.load_state_dict(saved)  # train-mode forwards update the running statistics
        if not ok_eval:
            eval_bad = True
            bad_batches.append(indices)
        if scale_eval is not None and scale_train:
            ratios.append(scale_eval / scale_train)
    ctx.fact("bn.eval_nonfinite", eval_bad)
    if ratios:
        ctx.fact("bn.eval_shift", max(ratios))
    if bad_batches:
        ctx.detail("eval_failing_batches", bad_batches[:5])
        kept = [(m, m.running_mean, m.running_var, m.track_running_stats) for _, m in layers]
        try:
            for m, *_ in kept:
                m.running_mean, m.running_var, m.track_running_stats = None, None, False
            ok, _ = _forward(training, training.load_batch(bad_batches[0]), train_mode=False)
            ctx.fact("bn.eval_batch_stats_clean", ok)
        finally:
            for m, mean, var, track in kept:
                m.running_mean, m.running_var, m.track_running_stats = mean, var, track
    training.model.load_state_dict(saved)
    one = training.load_batch(training.indices(0)[:1])
    try:
        ok, _ = _forward(training, one, train_mode=True)
        ctx.fact("bn.bs1_fails", not ok)
    except Exception as exc:  # noqa: BLE001 - BatchNorm refuses one value per channel: that is the finding
        ctx.fact("bn.bs1_fails", True)
        ctx.detail("bs1_error", f"{type(exc).__name__}: {str(exc).strip()[:300]}")
    training.model.load_state_dict(saved)
    ctx.progress(1.0, "done", force=True)

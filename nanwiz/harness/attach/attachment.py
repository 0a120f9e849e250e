"""The always-on watch over a program nanwiz does not own.

Installed before the program starts, removed when it ends. At each optimizer step it reads
its sentinels (the losses given to backward, the gradients' global norm, the weights after the
step) in one host transfer per check; per-module maxima only every `stats_every` steps. At the
first real failure (a non-finite loss, non-finite gradients that a GradScaler did not skip,
non-finite weights after a step, an exception in a training step) it captures the state before
the step and keeps the step's tape, then lets the program run on for a few steps with the
failing updates undone (do the failures recur, on which batches?), and stops it.

Steps: a step is one optimizer step (or a GradScaler skip). With several optimizers, a step
ends when an optimizer that already stepped steps again (a GAN's critic and generator steps
share a step number). A step's record is the same `StepRecord` contract mode keeps.
"""

from __future__ import annotations

import functools
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as _module
from torch.optim import optimizer as _optimizer
from torch.utils import _pytree as pytree

from nanwiz.harness.attach.controls import Controls
from nanwiz.harness.attach.data import BatchRows, DataTracker
from nanwiz.harness.attach.frameworks import Seen
from nanwiz.harness.attach.ranks import POLL_EVERY, Coordinator
from nanwiz.harness.attach.state import HandUpdate, RngState, TrainingState
from nanwiz.harness.attach.tape import Ref, Source, Tape, caller
from nanwiz.harness.run import StepRecord
from nanwiz.harness.tensors import float_tensors, nan_or_posinf, optimizer_params, peak


class NanwizStop(BaseException):
    """Raised inside the user's program to end it once nanwiz has what it needs.

    A BaseException, so that the program's own `except Exception` blocks let it through."""


@dataclass
class BackwardCall:
    """One backward call of a step: its loss (as recorded on the tape) and value."""

    loss: Any
    """The tape leaf (Ref or Source) of the tensor backward was called on, unscaled."""
    scaled: bool
    value: float | None = None
    where: Any = None
    failing: bool = False
    """Its loss was non-finite: the backward call to replay."""
    terms: dict[str, Any] = field(default_factory=dict)
    """The terms its loss was added up from (`rec + beta * kl`): name -> value (a tensor until read)."""


@dataclass
class Segment:
    """What happened since the previous optimizer step."""

    index: int
    rng: RngState
    backwards: list[BackwardCall] = field(default_factory=list)
    batches: list[list[Source]] = field(default_factory=list)
    """Batches the data loader handed out during this step (a loader that reads ahead hands out the
    next step's batch here too: a step's own batch is found from its tape)."""
    indices: list[int] = field(default_factory=list)
    used: list[BatchRows] = field(default_factory=list)
    """Loader batches the step's root module calls read (the step's own data)."""
    out_absmax: list[torch.Tensor] = field(default_factory=list)
    act_absmax: list[torch.Tensor] = field(default_factory=list)
    failure: str | None = None
    stats: bool = False
    unscaled: set[int] = field(default_factory=set)
    clip_calls: list[dict[str, Any]] = field(default_factory=list)
    zero_grad_calls: int = 0
    pending: list[tuple[Any, torch.Tensor]] = field(default_factory=list)
    """Losses on an accelerator, not read yet (read with the gradient norm at the optimizer step)."""
    grad_norm_before_clip: float | None = None
    grads_carried: bool | None = None
    closure: bool = False
    observed: StepRecord | None = None
    """The record of a non-finite training value the program read itself (a loss it logged or checked)."""


@dataclass
class Failure:
    """The first failure, with what a replay of its step needs."""

    kind: str
    """'loss', 'grad', 'param', 'error', or 'eval' (evaluation output; training itself was finite)."""
    step: int
    segment: Segment
    state: TrainingState | None
    """The state before the failing step (None for 'param': the update is already applied)."""
    record: StepRecord | None = None
    error: dict[str, Any] | None = None
    optimizer: Any = None
    entry: int | None = None
    """For 'eval' (a model in eval mode returned NaN/Inf): the tape entry of that call."""
    step_where: dict[str, Any] | None = None
    """For 'param': the program's line that called the optimizer step whose update broke the weights."""


class Attachment:
    """Hooks into the running program; keeps the records, the tape and the first failure."""

    def __init__(self, *, controls: Controls | None = None, stats_every: int = 10, continue_steps: int = 20,
                 max_steps: int | None = None, stop_at_failure: bool = True,
                 on_record: Callable[[StepRecord], None] | None = None,
                 stats_watch: Callable[[], Any] | None = None):
        self.controls = controls or Controls()
        self.stats_every = max(1, stats_every)
        self.continue_steps = continue_steps
        self.max_steps = max_steps
        self.stop_at_failure = stop_at_failure
        self.on_record = on_record
        self.stats_watch = stats_watch
        self.tape = Tape(keep_terms=bool(self.controls.term))
        self.thread = threading.get_ident()
        self.records: list[StepRecord] = []
        self.models: list[nn.Module] = []
        self.optimizers: list[Any] = []
        self.scalers: list[Any] = []
        self.schedulers: list[Any] = []
        self.autocast_seen: set[tuple[str, str]] = set()
        self.initial: TrainingState | None = None
        self.failure: Failure | None = None
        self.step = 0
        self.started = False
        self.backward_seen = 0
        self.stop_requested: str | None = None
        self.stopped_by: str | None = None
        self.depth = 0
        self.suspended = 0
        self.closure_calls = 0
        self.counts: dict[str, int] = {"zero_grad": 0, "clip": 0, "clip_finite": 0, "clip_scaled": 0, "grads_carried": 0,
                                       "grad_checks": 0, "backward_calls": 0, "steps": 0, "closure": 0, "eval_calls": 0,
                                       "nonfinite_read": 0, "scaled_step": 0, "reweighted": 0,
                                       "step_outside_scaler": 0, "hand_scaled": 0, "reset_layers": 0,
                                       "scaler_bypassed": 0}
        self.time_first_step: float | None = None
        self.failed_at: float | None = None
        self.read_where: dict[str, Any] | None = None
        """Where the program read its own non-finite training value (the line of its check or log)."""
        """Wall-clock time of the first failure (to measure what the diagnosis costs after it)."""
        self.frameworks = Seen()
        self.step_time: float | None = None
        self._round: set[int] = set()
        self._round_started = False
        self._scaled: Any = None
        self._in_scaler_step: list[dict] = []
        self._guard: TrainingState | None = None
        self._step_state: TrainingState | None = None
        self._closure_state: TrainingState | None = None
        self._updated: set[int] = set()
        """Optimizers that have taken a step."""
        self._scaler_stepped: set[int] = set()
        """ids of the optimizers the program steps through scaler.step."""
        self._first_update_state: TrainingState | None = None
        """The whole state before an optimizer's first update (kept only for that step)."""
        self.hand: HandUpdate | None = None
        """A loop with no optimizer (yet): the weights its backward reaches, which it may update by hand."""
        self._hand_ptrs: tuple[int, set[int]] = (-1, set())
        self._grad_marks: dict[int, tuple[torch.Tensor, torch.Tensor | None, int]] = {}
        self._accumulated: dict[int, int] = {}
        """Per marked parameter: how many times backward has added into its gradient."""
        self._steps_after_failure = 0
        self._handles: list[Any] = []
        self._patches: list[tuple[Any, str, Any]] = []
        self._stats_mode: Any = None
        self._began = time.perf_counter()
        self._last_step_time: float | None = None
        self.segment = Segment(index=0, rng=RngState.capture(), stats=True)
        self.tape.on_read = self._on_read
        self.tape.on_inplace = self._on_inplace
        self.data = DataTracker(self._on_batch, self.suspend, self.resume, exclude=self.controls.exclude)
        self.coordinator = Coordinator()
        self._stop_at: int | None = None
        """The step at which the ranks of a job agreed to stop (read from, or published to, the store)."""
        self.defer_reads = False
        """Read losses with the step's gradient norm (as on an accelerator) even on a CPU (tests)."""

    # ------------------------------------------------------------ install / remove
    def __enter__(self) -> Attachment:
        self.install()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.uninstall()

    def install(self) -> None:
        from torch.utils.weak import WeakIdKeyDictionary

        self._scaled = WeakIdKeyDictionary()
        self._handles = [
            _module.register_module_forward_pre_hook(self._module_pre),
            _module.register_module_forward_hook(self._module_post, with_kwargs=True, always_call=True),
            _optimizer.register_optimizer_step_pre_hook(self._optimizer_pre),
            _optimizer.register_optimizer_step_post_hook(self._optimizer_post),
        ]
        self._patch_functions()
        self.data.install()
        torch._C._push_on_torch_function_stack(self.tape.mode)
        self.data.begin_preparation()

    def uninstall(self) -> None:
        stack = torch._C._len_torch_function_stack()
        modes = [torch._C._pop_torch_function_stack() for _ in range(stack)]
        for mode in reversed(modes):
            if mode is not self.tape.mode and mode is not self._stats_mode:
                torch._C._push_on_torch_function_stack(mode)
        self.suspended = 0
        for handle in self._handles:
            handle.remove()
        self._handles = []
        for owner, name, value in reversed(self._patches):
            setattr(owner, name, value)
        self._patches = []
        self.data.uninstall()

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        self._patches.append((owner, name, original))
        setattr(owner, name, make(original))

    def _patch_functions(self) -> None:
        me = self

        def backward(original):
            def wrapper(tensors, *args, **kwargs):
                if threading.get_ident() == me.thread:
                    me._before_backward(tensors)
                    tensors = me._reweighted(tensors)
                return original(tensors, *args, **kwargs)
            return wrapper

        self._patch(torch.autograd, "backward", backward)

        def suspended(original):
            def wrapper(*args, **kwargs):
                me.suspend()
                try:
                    return original(*args, **kwargs)
                finally:
                    me.resume()
            return wrapper

        def zero_grad(original):
            def wrapper(owner, *args, **kwargs):
                me.segment.zero_grad_calls += 1
                me.counts["zero_grad"] += 1
                me._cleared(owner)
                me.suspend()
                try:
                    return original(owner, *args, **kwargs)
                finally:
                    me.resume()
            return wrapper

        self._patch(torch.optim.Optimizer, "zero_grad", zero_grad)
        self._patch(nn.Module, "zero_grad", zero_grad)

        def clip(original):
            def wrapper(parameters, max_norm, *args, **kwargs):
                if isinstance(parameters, torch.Tensor):
                    parameters = [parameters]
                parameters = list(parameters)
                me._on_clip(max_norm, parameters)
                me.suspend()
                try:
                    return original(parameters, max_norm, *args, **kwargs)
                finally:
                    me.resume()
            return wrapper

        for owner in (torch.nn.utils, torch.nn.utils.clip_grad):
            self._patch(owner, "clip_grad_norm_", clip)
        self._patch(torch.nn.utils, "clip_grad_value_", suspended)

        scaler_cls = torch.amp.GradScaler

        def scale(original):
            def wrapper(scaler, outputs):
                me._register_scaler(scaler)
                me.suspend()
                try:
                    out = original(scaler, outputs)
                finally:
                    me.resume()
                if isinstance(outputs, torch.Tensor) and isinstance(out, torch.Tensor):
                    try:
                        me._scaled[out] = outputs
                    except TypeError:
                        pass
                    if scaler._scale is not None:
                        factor = scaler._scale.detach().clone()
                        me.tape.record("op", "mul", torch.mul, (outputs, factor), {}, out)
                return out
            return wrapper

        def unscale(original):
            def wrapper(scaler, optimizer):
                me.segment.unscaled.add(id(optimizer))
                me.suspend()
                try:
                    return original(scaler, optimizer)
                finally:
                    me.resume()
            return wrapper

        def scaler_step(original):
            def wrapper(scaler, optimizer, *args, **kwargs):
                me._register_scaler(scaler)
                frame = {"optimizer": optimizer, "stepped": False}
                me._in_scaler_step.append(frame)
                me.suspend()
                try:
                    return original(scaler, optimizer, *args, **kwargs)
                finally:
                    me.resume()
                    me._in_scaler_step.pop()
                    if not frame["stepped"] and scaler.is_enabled() and threading.get_ident() == me.thread:
                        me._on_skip(optimizer, scaler)
            return wrapper

        self._patch(scaler_cls, "scale", scale)
        self._patch(scaler_cls, "unscale_", unscale)
        self._patch(scaler_cls, "step", scaler_step)
        self._patch(scaler_cls, "update", suspended)

        def autocast_enter(original):
            def wrapper(ctx):
                enabled, dtype = me.controls.autocast(ctx._enabled, ctx.fast_dtype)
                ctx._enabled, ctx.fast_dtype = enabled, dtype
                if enabled:
                    me.autocast_seen.add((ctx.device, str(dtype).replace("torch.", "")))
                return original(ctx)
            return wrapper

        self._patch(torch.amp.autocast_mode.autocast, "__enter__", autocast_enter)

        def scheduler_init(original):
            def wrapper(sched, *args, **kwargs):
                original(sched, *args, **kwargs)
                if sched not in me.schedulers:
                    me.schedulers.append(sched)
            return wrapper

        self._patch(torch.optim.lr_scheduler.LRScheduler, "__init__", scheduler_init)
        self._patch_custom_functions()

    def _patch_custom_functions(self) -> None:
        """A torch.autograd.Function of the user's own, applied in their loop, is one call on the tape.

        The tape's mode sees the ops inside its forward (run with autograd off) but not `apply`
        itself, nor its hand-written backward: a replay would re-run those ops as constants and
        lose the gradient through the Function (a NaN its backward makes was then 'not reproduced').
        Recorded as one entry that calls `apply` again, the replay runs the user's forward and
        backward as the program did. Functions of installed libraries (a collective's autograd
        wrapper) are left as they are."""
        me = self
        function_cls = torch.autograd.Function
        raw = function_cls.__dict__["apply"]
        func = raw.__func__

        def apply(cls, *args, **kwargs):
            if threading.get_ident() != me.thread or me.suspended or me.tape.blocked or not _user_defined(cls):
                return func(cls, *args, **kwargs)
            me.suspend()
            try:
                out = func(cls, *args, **kwargs)
            finally:
                me.resume()
            me.tape.record("op", cls.__name__, _replayable(cls, func), args, kwargs, out)
            return out

        self._patches.append((function_cls, "apply", raw))
        function_cls.apply = classmethod(apply)

    # ------------------------------------------------------------ the tape mode on and off
    def suspend(self) -> None:
        """Library code starts running: take the tape's mode off the stack."""
        if threading.get_ident() != self.thread:
            return
        self.suspended += 1
        if self.suspended == 1:
            if torch._C._len_torch_function_stack() and \
                    torch._C._get_function_stack_at(torch._C._len_torch_function_stack() - 1) is self.tape.mode:
                torch._C._pop_torch_function_stack()
                self._popped = True
            else:
                self.tape.blocked += 1
                self._popped = False

    def resume(self) -> None:
        if threading.get_ident() != self.thread or self.suspended == 0:
            return
        self.suspended -= 1
        if self.suspended == 0:
            if self._popped:
                torch._C._push_on_torch_function_stack(self.tape.mode)
            else:
                self.tape.blocked -= 1

    # ------------------------------------------------------------ modules
    def _module_pre(self, module: nn.Module, args: Any) -> None:
        if threading.get_ident() != self.thread:
            return
        self.depth += 1
        if self.depth == 1:
            self.data.end_preparation()
            self._check_stop()
            self.suspend()
            self.counts["reset_layers"] += self.controls.before_forward(_unwrap(module))
            if self.segment.stats and self.stats_watch is not None and self._stats_mode is None:
                self._stats_mode = self.stats_watch()
                self._stats_mode.__enter__()

    def _module_post(self, module: nn.Module, args: Any, *rest: Any) -> None:
        # (kwargs, result) normally; torch calls always-called hooks with (result) alone when the
        # forward raised
        kwargs, result = rest if len(rest) == 2 else ({}, rest[0])
        if threading.get_ident() != self.thread:
            return
        if self.segment.stats and self.depth > 1 and next(module.children(), None) is None:
            tensors = float_tensors(result)
            if tensors:
                self.segment.act_absmax.append(torch.stack([peak(t) for t in tensors]).amax())
        self.depth = max(0, self.depth - 1)
        if self.depth:
            return
        error = sys.exc_info()[1] if result is None else None
        if self._stats_mode is not None:
            self._stats_mode.__exit__(None, None, None)
            self._watched = getattr(self, "_watched", []) + [self._stats_mode]
            self._stats_mode = None
        evaluated_nonfinite = False
        if any(True for _ in module.parameters()):
            inner = _unwrap(module)
            if not any(m is inner for m in self.models):
                self.models.append(inner)
            tensors = float_tensors(result)
            if module.training:
                if tensors and len(self.segment.out_absmax) < 8:
                    self.segment.out_absmax.append(peak(tensors[0]))
            elif tensors and self.failure is None:
                # evaluation (model.eval()): no backward will check it, so its output is checked here
                # (for NaN and +Inf: logits masked with -inf where a class is not allowed are on purpose)
                self.counts["eval_calls"] += 1
                evaluated_nonfinite = any(nan_or_posinf(t) for t in tensors)
        for t in pytree.tree_leaves((args, kwargs)):  # which loader batches this step really reads
            rows = self.tape.batches.get(t) if isinstance(t, torch.Tensor) else None
            if rows is not None and rows.indices is not None and not any(r is rows for r in self.segment.used):
                self.segment.used.append(rows)
        entry = self.tape.record("call", type(module).__name__, module, tuple(args), dict(kwargs or {}), result,
                                 error=error if isinstance(error, Exception) else None)
        if entry is not None:
            entry.training = module.training
            flags = tuple(m.training for m in _unwrap(module).modules())
            if any(flag != module.training for flag in flags):  # model.train() then its BatchNorms .eval()
                entry.submodes = flags
        if evaluated_nonfinite and entry is not None:
            self._fail("eval", entry=entry.index)
        self.resume()

    # ------------------------------------------------------------ data
    def _on_batch(self, batch: Any, rows: BatchRows) -> None:
        self._check_stop()
        sources = []
        n = len(rows.indices) if rows.indices is not None else None
        leaves, spec = pytree.tree_flatten(batch)
        for t in leaves:
            if not isinstance(t, torch.Tensor):
                continue
            if t.dim() >= 1 and (n is None or t.shape[0] == n):
                self.tape.batches[t] = rows
            source = self.tape._source(t)
            if len(rows.made) > len(sources) and rows.made[len(sources)] is not None:
                source.made = rows.made[len(sources)]
            sources.append(source)
        rows.sources = sources
        rows.structure = (spec, [isinstance(t, torch.Tensor) for t in leaves], leaves)
        self.segment.batches.append(sources)
        if rows.indices is not None:
            self.segment.indices.extend(rows.indices)

    # ------------------------------------------------------------ backward
    def _before_backward(self, tensors: Any) -> None:
        self.data.end_preparation()  # a loop with no module and no loader: its start ends here
        self._check_stop()
        loss = tensors if isinstance(tensors, torch.Tensor) else (
            tensors[0] if isinstance(tensors, (list, tuple)) and tensors and isinstance(tensors[0], torch.Tensor)
            else None)
        if loss is None:
            return
        self.backward_seen += 1
        self._mark_started()
        if self.hand is None and not self.optimizers:
            self._find_hand_trained(loss)
        unscaled = self._scaled.get(loss) if self._scaled is not None else None
        scaled = unscaled is not None
        target = unscaled if scaled else loss
        value_t = target.detach().float()
        value_t = value_t.sum() if value_t.numel() != 1 else value_t.reshape(())
        call = BackwardCall(loss=self.tape.leaf(target), scaled=scaled, where=caller(3),
                            terms=self.tape.loss_terms(target))
        self.counts["backward_calls"] += 1
        factor = self.tape.constant_factor(target)
        if factor is not None and abs(factor) >= HAND_SCALE:
            self.counts["hand_scaled"] += 1
        if self.segment.observed is not None and any(c.loss == call.loss for c in self.segment.backwards):
            return  # the program read this loss (non-finite) before its backward: already the step's loss
        self.segment.backwards.append(call)
        if (value_t.device.type == "cpu" and not self.defer_reads) or self.segment.closure:
            call.terms = {k: float(v) for k, v in call.terms.items()}
            self._read_loss(call, float(value_t))  # on a CPU a read costs nothing
        else:
            # on an accelerator the value is read with the step's gradient norm, in one host transfer
            # at the optimizer step (the weights have not moved yet: the captured state is the same)
            self.segment.pending.append((call, value_t))

    def _on_read(self, name: str, tensor: torch.Tensor, out: Any) -> None:
        """The program looked at a value of its training computation: `loss.item()`, `float(loss)`,
        `torch.isnan(loss)`... A loop that checks its loss and skips (or breaks, or raises) when it is
        not finite never hands it to backward: that read is where the watch learns of the failure."""
        # a scalar of the training graph (a loss, a term of it); a check of a whole tensor (a mask of
        # infinite attention scores, per-sample losses the program filters) is the program's business
        if self.failure is not None or threading.get_ident() != self.thread \
                or not tensor.is_floating_point() or tensor.numel() != 1:
            return
        if tensor.grad_fn is None:
            self._on_evaluation_read(name, tensor, out)
            return
        if name in ("item", "__float__"):
            value = out if isinstance(out, float) else None
        else:
            value = float(tensor.detach())  # the program branches on the check next: the sync is its own
        finite = value is None or math.isfinite(value)
        if finite:
            return
        made = self.tape.producer.get(tensor)
        entry = self.tape.entry(made.entry) if made is not None else None
        if entry is not None and entry.name in _EXTREMES:
            return  # the extreme of a tensor, logged (the -inf of masked logits): a statistic, not a loss
        self._mark_started()
        self.counts["nonfinite_read"] += 1
        where = caller(4)
        self.read_where = where.to_dict() if where is not None else None
        self._fail("loss")
        # the value read stands for the step's loss: a replay of the step recomputes it (and its backward)
        call = BackwardCall(loss=self.tape.leaf(tensor), scaled=False, where=where, value=value, failing=True)
        self.segment.backwards.append(call)
        record = StepRecord(step=self.failure.step, indices=_indices(self.segment), failed=True, failure="loss",
                            loss=value)
        self.segment.observed = self.failure.record = record
        self._add_record(record)
        if self.stop_at_failure and not self.coordinator.active:
            # the program may skip the step or stop on its own: stop it here, with the failing step captured
            # (ranks of a job stop together at the step their coordinator agreed instead)
            self.stop_requested = "failure"

    def _on_evaluation_read(self, name: str, tensor: torch.Tensor, out: Any) -> None:
        """A scalar outside autograd the program read (a validation loss under no_grad): non-finite and
        computed from a model call in eval mode, it is the evaluation's failure (training stayed finite,
        and the model's own output may be finite: exp() in the loss overflows)."""
        made = self.tape.producer.get(tensor)
        if made is None or not self.started:
            return
        value = out if name in ("item", "__float__") and isinstance(out, float) else float(tensor.detach())
        if math.isfinite(value):
            return
        if not any(e.kind == "call" and e.training is False for e in self.tape.ancestors([made.entry])):
            return
        self._fail("eval", entry=made.entry)
        where = caller(5)
        self.read_where = where.to_dict() if where is not None else None

    def _read_loss(self, call: BackwardCall, value: float) -> None:
        call.value = value
        if not math.isfinite(value):
            call.failing = True
            if self.segment.failure is None:
                self._fail("loss")

    def _cleared(self, owner: Any) -> None:
        """zero_grad() was called on an optimizer or a module: its parameters' gradients are cleared."""
        if not self._grad_marks:
            return
        params = optimizer_params(owner) if hasattr(owner, "param_groups") else \
            list(owner.parameters()) if isinstance(owner, nn.Module) else []
        ids = {id(p) for p in params}
        for key, mark in self._grad_marks.items():
            if id(mark[0]) in ids:
                self._grad_marks[key] = (mark[0], None, 0)

    def _check_carried_grads(self, optimizer: Any) -> None:
        """At an optimizer's step: are the gradients it updates from still the tensor its previous
        step used, never cleared (no zero_grad, not set to None) while backward added to them?
        (Another model's backward may write into them in between, as a GAN's generator step does
        into the critic's: only what happens before this optimizer's own next step counts.)"""
        mark = self._grad_marks.get(id(optimizer))
        if mark is None:
            return
        p, marked, accumulated = mark
        self.counts["grad_checks"] += 1
        # a gradient the loop overwrites itself (copied from a half model into fp32 master weights) is the
        # same tensor each step too: carried over only if backward added into it since
        if marked is not None and p.grad is marked and self._accumulated.get(id(p), 0) > accumulated:
            self.segment.grads_carried = True
            self.counts["grads_carried"] += 1

    def _mark_grads(self, optimizer: Any) -> None:
        for p in self._params(optimizer):
            if p.grad is not None:
                if id(p) not in self._accumulated:
                    self._accumulated[id(p)] = 0
                    try:
                        p.register_post_accumulate_grad_hook(self._count_accumulation)
                    except RuntimeError:  # not a leaf: backward never accumulates into it
                        pass
                self._grad_marks[id(optimizer)] = (p, p.grad, self._accumulated[id(p)])
                return

    def _count_accumulation(self, p: torch.Tensor) -> None:
        self._accumulated[id(p)] = self._accumulated.get(id(p), 0) + 1

    # ------------------------------------------------------------ loops with no optimizer
    def _find_hand_trained(self, loss: torch.Tensor) -> None:
        """First backward and no optimizer seen: the leaves its gradient reaches that no module holds
        are weights too (a makemore-style model of bare tensors); the loop may update them by hand."""
        from nanwiz.harness.watch import graph_nodes

        held = {id(p) for m in self.models for p in m.parameters()}
        leaves = []
        for node in graph_nodes(loss.grad_fn):
            leaf = getattr(node, "variable", None)
            if isinstance(leaf, torch.Tensor) and id(leaf) not in held:
                held.add(id(leaf))
                leaves.append(leaf)
                self.tape.mark_parameter(leaf)
        self.hand = HandUpdate(leaves)

    def trained_params(self) -> list[torch.Tensor]:
        """The weights of a loop with no optimizer: its models' parameters and the bare tensors it trains."""
        out = [p for m in self.models for p in m.parameters() if p.requires_grad]
        return out + (self.hand.params if self.hand is not None else [])

    def _on_inplace(self, target: torch.Tensor) -> bool:
        """An in-place change the loop makes at depth 0. With no optimizer, a change to a weight after a
        backward is the loop's own update: the step ends there, as it would at optimizer.step(). Such a
        change is not recorded (the weight stays a live parameter of later steps, not a value the tape
        made). True: it was a weight."""
        if self.optimizers or self.hand is None:
            return False
        count = len(self.models) + len(self.hand.params)
        if self._hand_ptrs[0] != count:
            self._hand_ptrs = (count, {p.data_ptr() for p in self.trained_params()})
        try:
            if target.data_ptr() not in self._hand_ptrs[1]:
                return False
        except RuntimeError:
            return False
        if self.segment.backwards and (self.failure is None or self._steps_after_failure <= self.continue_steps):
            self.suspend()
            try:
                self._hand_step()
            finally:
                self.resume()
        return True

    def _hand_step(self) -> None:
        """The end of a step of a loop that updates its weights by hand (before its first change)."""
        if self.initial is None:  # nothing has moved yet: these are the initial weights
            self.initial = TrainingState.capture(self.models, self.trained, rng=self.segment.rng,
                                                 with_optimizers=False)
        params = self.trained_params()
        self._check_gradients(None, params)
        if self.segment.failure in ("loss", "grad"):
            # the failing update cannot be undone afterwards (it is the loop's own code): zero gradients
            # make it a no-op, and the run goes on from the weights before it, as after optimizer.step()
            with torch.no_grad():
                for p in params:
                    if p.grad is not None:
                        p.grad.zero_()
        self._end_segment(None, skipped=False, weight_norm=None)

    # ------------------------------------------------------------ optimizer steps
    def _register_optimizer(self, optimizer: Any) -> None:
        if not any(o is optimizer for o in self.optimizers):
            self.optimizers.append(optimizer)
            # a bare tensor the optimizer trains (no nn.Module holds it) is a parameter too: a replay
            # reads the live tensor, where its gradient lands, not a copy kept as if it were data
            for p in self._params(optimizer):
                self.tape.mark_parameter(p)

    def _register_scaler(self, scaler: Any) -> None:
        if not any(s is scaler for s in self.scalers):
            self.scalers.append(scaler)

    def _optimizer_pre(self, optimizer: Any, args: tuple, kwargs: dict) -> tuple | None:
        if threading.get_ident() != self.thread:
            return None
        self._check_stop()
        self.suspend()
        self._register_optimizer(optimizer)
        for state in (self.failure.state if self.failure is not None else None, self._guard):
            if state is not None:  # the update has not run yet: these are the values the failing step saw
                state.add_missing(optimizer)
        through_scaler = False
        for frame in self._in_scaler_step:
            if frame["optimizer"] is optimizer:
                frame["stepped"] = through_scaler = True
        if through_scaler:
            self._scaler_stepped.add(id(optimizer))
        elif id(optimizer) in self._scaler_stepped:
            # stepped through its GradScaler before, now directly as well: a second update from the same
            # gradients, applied even when the scaler found them non-finite and skipped its own step
            self.counts["step_outside_scaler"] += 1
        if not through_scaler and any(c.scaled for c in self.segment.backwards):
            # gradients of a scaler.scale()d loss stepped without scaler.step, whose check for Inf/NaN
            # is what skips the steps an fp16 overflow of the scaled gradients makes (even unscaled)
            self.counts["scaler_bypassed"] += 1
            if id(optimizer) not in self.segment.unscaled:  # stepped as they are: scale times too large
                self.counts["scaled_step"] += 1
        first = None
        if id(optimizer) not in self._updated and self.segment.failure is None:
            # before its first update an optimizer holds no state, so the whole state is cheap to keep: an
            # update that breaks the weights from finite gradients (Adam's eps rounding to 0 in fp16) is
            # then replayed from it (later updates are not: a copy per step costs too much)
            first = TrainingState.capture(self.models, self.trained, self.scalers, self.schedulers,
                                          rng=self.segment.rng)
        self._updated.add(id(optimizer))
        if self.initial is None:  # the same weights: one copy serves both
            self.initial = TrainingState(modules=first.modules, tensors=first.tensors, rng=first.rng) \
                if first is not None else TrainingState.capture(self.models, self.trained, rng=self.segment.rng,
                                                                 with_optimizers=False)
        modified = self._wrap_closure(args, kwargs)
        if modified is None:  # with a closure the loop clears the gradients inside it: checked after the step
            self._check_carried_grads(optimizer)
        if modified is not None:
            # forward and backward run inside step(closure): gradients are checked after it, and a
            # failing update is undone back to the state kept here
            self._step_state = first or TrainingState.capture(self.models, self.trained, self.scalers,
                                                              self.schedulers, rng=self.segment.rng)
        else:
            self._step_state = None
            self._closure_state = None
            self._check_gradients(optimizer)
        self._first_update_state = first if self.segment.failure is None else None
        self.controls.before_step(optimizer)
        return modified

    def _wrap_closure(self, args: tuple, kwargs: dict) -> tuple | None:
        # the hook sees step's arguments with the optimizer first: (optimizer, closure)
        closure = kwargs.get("closure") if "closure" in kwargs else (args[1] if len(args) > 1 else None)
        if closure is None or not callable(closure):
            return None
        me, optimizer = self, args[0]

        def watched_closure(*a, **k):
            me.counts["closure"] += 1
            me.segment.closure = True
            # the optimizer may move the weights between its calls to the closure (LBFGS): a replay
            # of this call's forward and backward starts from the weights it is about to see
            me._closure_state = TrainingState.capture(me.models, me.trained, me.scalers, me.schedulers,
                                                      rng=RngState.capture())
            me.resume()
            try:
                out = closure(*a, **k)
            finally:
                me.suspend()
            me._check_closure_gradients(optimizer)
            return out

        if "closure" in kwargs:
            return args, {**kwargs, "closure": watched_closure}
        return (args[0], watched_closure, *args[2:]), kwargs

    def _check_closure_gradients(self, optimizer: Any) -> None:
        """After each call of a step's closure: the gradients it made. LBFGS calls its closure many
        times per step and goes on from NaN gradients (its line search may leave the weights as they
        were), so the call that made them is the failure, with the weights that call saw."""
        if self.segment.failure is not None or not self.segment.backwards:
            return
        grads = [p.grad for p in self._params(optimizer) if p.grad is not None]
        # NaN only: a line search's trial point may overflow to inf and backtrack, a healthy step
        if grads and math.isnan(float(_global_norm(grads))):
            self.segment.backwards[-1].failing = True
            self._fail("grad", optimizer)

    def _params(self, optimizer: Any) -> list[torch.Tensor]:
        return optimizer_params(optimizer)

    @property
    def trained(self) -> list[Any]:
        """What updates the weights: the optimizers, or (none seen) the loop's own hand-written update."""
        return self.optimizers if self.optimizers or self.hand is None else [self.hand]

    def _check_gradients(self, optimizer: Any, params: list[torch.Tensor] | None = None) -> None:
        """The step's losses and gradient norm, read together; a non-finite norm is the step's failure.
        `params`: the weights a loop with no optimizer updates by hand (else the optimizer's)."""
        params = self._params(optimizer) if params is None else params
        grads = [p.grad for p in params if p.grad is not None]
        pending, self.segment.pending = self.segment.pending, []
        if not grads and not pending:
            return
        norm = _global_norm(grads) if grads else torch.zeros((), dtype=torch.float64)
        if pending:  # the one host transfer of this step: the losses, their terms and the gradient norm
            terms = [(c, k, t) for c, _v in pending for k, t in c.terms.items()]
            values = torch.stack([v.to(norm.device, torch.float64) for _c, v in pending]
                                 + [t.to(norm.device, torch.float64) for _c, _k, t in terms] + [norm]).tolist()
            for (call, _k, _t), value in zip(terms, values[len(pending):]):
                call.terms[_k] = value
            for (call, _v), value in zip(pending, values):
                self._read_loss(call, value)
            value = values[-1]
        else:
            value = float(norm)
        if not grads:
            return
        before = self.segment.grad_norm_before_clip
        self._grad_norm = before if before is not None and not math.isfinite(value) else value
        if not math.isfinite(value) and self.segment.failure is None:
            self._fail("grad", optimizer)

    def _optimizer_post(self, optimizer: Any, args: tuple, kwargs: dict) -> None:
        if threading.get_ident() != self.thread:
            return
        self.controls.after_step(optimizer)
        before, self._first_update_state = self._first_update_state, None
        if getattr(self, "_step_state", None) is not None:
            self._check_carried_grads(optimizer)
            self._check_gradients(optimizer)
            self._step_state = self._closure_state = None
        params = self._params(optimizer)
        # the weights after the update: every step on a CPU (free there), on stats steps elsewhere, where
        # a weight the update broke shows as a non-finite loss at the next step anyway
        on_cpu = not params or params[0].device.type == "cpu"
        check = self.segment.stats or (on_cpu and self.segment.failure is None)
        weight = None
        if check:
            norm = _global_norm([p.detach() for p in params])
            weight = float(norm)
            if not math.isfinite(weight) and self.segment.failure is None:
                self._fail("param", optimizer, state=before)
                if self.failure is not None and self.failure.kind == "param" and self.failure.step_where is None:
                    where = caller(3)  # the update made it: its line is the program's optimizer.step()
                    self.failure.step_where = where.to_dict() if where is not None else None
        if self.segment.failure in ("loss", "grad") and self._guard is not None:
            self._guard.restore(rng=False)  # undo the failing update: the run goes on from the state before it
        self._mark_grads(optimizer)
        self._end_segment(optimizer, skipped=False, weight_norm=weight if self.segment.stats else None)
        self.resume()

    def _flush_pending(self) -> None:
        pending, self.segment.pending = self.segment.pending, []
        if pending:
            values = torch.stack([v.to(torch.float64) for _c, v in pending]).tolist()
            for (call, _v), value in zip(pending, values):
                self._read_loss(call, value)

    def _on_skip(self, optimizer: Any, scaler: Any) -> None:
        self._flush_pending()
        self._register_optimizer(optimizer)
        if self.initial is None:
            self.initial = TrainingState.capture(self.models, self.trained, rng=self.segment.rng,
                                                 with_optimizers=False)
        self._check_carried_grads(optimizer)
        self._mark_grads(optimizer)
        if self.failure is None and _scale(scaler) < 1.0:
            # halved below 1 without a finite step since: the gradients are not finite even unscaled (a
            # NaN the scaler keeps skipping, not an fp16 overflow of the scaled ones); the weights have
            # not moved since, so this step fails as the first skipped one did
            self._fail("grad", optimizer)
        self._end_segment(optimizer, skipped=True, weight_norm=None, scaler=scaler)

    def _on_clip(self, max_norm: Any, parameters: list[torch.Tensor]) -> None:
        self.counts["clip"] += 1
        if threading.get_ident() == self.thread and self.segment.grad_norm_before_clip is None:
            grads = [p.grad for p in parameters if isinstance(p, torch.Tensor) and p.grad is not None]
            if grads:  # the norm before clipping (float64): what the gradients really were
                self.segment.grad_norm_before_clip = float(_global_norm(grads))
        scaled = any(s.is_enabled() for s in self.scalers) and not self.segment.unscaled
        if scaled:
            self.counts["clip_scaled"] += 1
        try:
            limit = float(max_norm)
        except (TypeError, ValueError):
            limit = math.inf
        if math.isfinite(limit):
            self.counts["clip_finite"] += 1
        where = caller(3)
        self.segment.clip_calls.append({"max_norm": limit, "before_unscale": scaled,
                                        "where": where.to_dict() if where is not None else None})

    # ------------------------------------------------------------ steps and records
    def _end_segment(self, optimizer: Any, *, skipped: bool, weight_norm: float | None, scaler: Any = None) -> None:
        key = id(optimizer)
        self.counts["steps"] += 1
        if key in self._round:
            self.step += 1
            self._round = set()
        self._round.add(key)
        segment = self.segment
        losses = [c.value for c in segment.backwards if c.value is not None]
        record = StepRecord(step=self.step, indices=_indices(segment))
        if losses:
            record.loss = float(sum(losses))
        record.terms = _terms(segment)
        record.grad_norm = getattr(self, "_grad_norm", None)
        self._grad_norm = None
        if len(self.optimizers) > 1:
            record.label = _optimizer_label(self.optimizers, optimizer)
            for earlier in self.records:  # steps before the second optimizer's first step were the first's
                if earlier.label is None:
                    earlier.label = _optimizer_label(self.optimizers, self.optimizers[0])
        record.weight_norm = weight_norm
        values = [float(x) for x in segment.out_absmax]
        record.out_absmax = max(values) if values else None
        if segment.act_absmax:
            record.act_absmax = float(torch.stack([a.to(segment.act_absmax[0].device)
                                                   for a in segment.act_absmax]).amax())
        watched = getattr(self, "_watched", None)
        if watched:
            results = [w.result() for w in watched]
            record.watched = results[0] if len(results) == 1 else results
            if isinstance(record.watched, float):
                record.softmax_absmax = record.watched
            self._watched = []
        record.skipped = skipped
        if scaler is not None or self.scalers:
            s = scaler or self.scalers[0]
            try:
                record.scale = float(s.get_scale())
            except Exception:  # noqa: BLE001
                record.scale = None
        if segment.failure is not None:
            record.failed = True
            record.failure = segment.failure
        if record.failed and self.failure is not None and self.failure.segment is segment:
            self.failure.record = record
            self.failure.step = record.step
        now = time.perf_counter()
        if self._last_step_time is not None:
            elapsed = now - self._last_step_time
            self.step_time = elapsed if self.step_time is None else 0.8 * self.step_time + 0.2 * elapsed
        self._last_step_time = now
        if segment.observed is not None:
            # the step went on after the program read its non-finite value: this record says more
            self.records = [r for r in self.records if r is not segment.observed]
        self._add_record(record)
        if self.failure is not None:
            self._steps_after_failure += 1
            if not self.stop_at_failure:
                pass
            elif self.failure.kind == "param" or self._steps_after_failure > self.continue_steps:
                self.stop_requested = "failure"
        if self.max_steps is not None and self.step + 1 >= self.max_steps and self.stop_requested is None:
            self.stop_requested = "max_steps"
        if self.coordinator.active:
            if self.stop_requested == "failure":  # stop together, at a step every rank will have read
                self.stop_requested = None
                self._agree_stop(self.step + 1)
            if (self.step + 1) % POLL_EVERY == 0:  # another rank failed: stop at the same boundary
                polled = self.coordinator.poll()
                if polled is not None:
                    self._stop_at = polled if self._stop_at is None else min(self._stop_at, polled)
            if self._stop_at is not None and self.step + 1 >= self._stop_at and self.stop_requested is None:
                self.stop_requested = "peer" if self.failure is None else "failure"
        self.tape.next_segment()
        self._guard = None
        self.segment = Segment(index=segment.index + 1, rng=RngState.capture(),
                               stats=(self.step + 1) % self.stats_every == 0)

    def _fail(self, kind: str, optimizer: Any = None, state: TrainingState | None = None,
              entry: int | None = None) -> None:
        """A failure in the current step: capture (first time) or note it, and guard the update.

        The state a replay starts from is the one the failing forward and backward saw (inside a
        closure step, the weights the optimizer had set for that call); undoing the update goes back
        to the state before the step."""
        if kind != "eval":
            self.segment.failure = kind
        replay_state = None
        if kind == "eval":
            replay_state = TrainingState.capture(self.models, self.trained, self.scalers, self.schedulers,
                                                 rng=RngState.capture())
        if kind == "param":
            replay_state = state  # None after an optimizer's first update: nothing to replay from
        if kind in ("loss", "grad"):
            replay_state = state or getattr(self, "_closure_state", None) or TrainingState.capture(
                self.models, self.trained, self.scalers, self.schedulers, rng=self.segment.rng)
            self._guard = getattr(self, "_step_state", None) or replay_state
        if self.failure is None:
            self.failed_at = time.time()
            self.frameworks.look()
            self.failure = Failure(kind=kind, step=self._next_step_number(optimizer), segment=self.segment,
                                   state=replay_state, optimizer=optimizer, entry=entry)
            if kind == "eval":  # no training step will record it: the evaluation's own record says it failed
                self.failure.record = StepRecord(step=self.failure.step, indices=_indices(self.segment),
                                                 failed=True, failure="eval")
                self._add_record(self.failure.record)
            if self.coordinator.active:  # every rank stops at the same step boundary
                self._agree_stop(self.failure.step + self.continue_steps + 2)
            self.tape.pin(self.segment.index)

    def _agree_stop(self, wanted: int) -> None:
        """Publish the step every rank stops at: not before a boundary at which all of them read the
        store after this one (a rank may be a step ahead), whatever this rank wanted."""
        now = self.step + 1
        read_at = ((now + 1) // POLL_EVERY + 1) * POLL_EVERY
        self._stop_at = self.coordinator.publish(max(wanted, read_at + 1))

    def _next_step_number(self, optimizer: Any) -> int:
        if optimizer is None and self.optimizers:
            optimizer = self.optimizers[0]
        # (a loop that updates by hand ends its steps with the key id(None))
        return self.step + 1 if id(optimizer) in self._round else self.step

    def _mark_started(self) -> None:
        """Training started (a backward, a failure read or raised): when, for the run's info."""
        if not self.started:
            self.started = True
            self.time_first_step = time.perf_counter() - self._began

    def _add_record(self, record: StepRecord) -> None:
        self.records.append(record)
        if self.on_record is not None:
            self.on_record(record)

    def crashed_on_nonfinite(self, error: BaseException | None) -> bool:
        """Did the program end, before its first backward(), on an error raised by an op of its
        training step that was handed NaN/Inf (a loss that checks its input's range, a sampler of NaN
        probabilities)? Then that first step failed: the crash is how the program met the NaN."""
        if self.started or error is None:
            return False
        entries = self.tape.segment_entries(self.segment.index)
        failing = next((e for e in reversed(entries) if e.error), None)
        return failing is not None and failing.error == f"{type(error).__name__}: {error}" \
            and failing.nonfinite_inputs and failing.grad \
            and any(e.kind == "call" and e.grad and e.training for e in entries)

    def _reweighted(self, tensors: Any) -> Any:
        """A re-run that down-weights one loss term: the loss backward is given, less that share of
        the term (scaled as the loss is, under a GradScaler). The forward is the program's own."""
        scale = self.controls.variation.dominant_term_scale
        if not scale or not self.controls.term or not isinstance(tensors, torch.Tensor):
            return tensors
        unscaled = self._scaled.get(tensors) if self._scaled is not None else None
        target = unscaled if unscaled is not None else tensors
        term = self.tape.loss_terms(target, live=True).get(self.controls.term)
        if term is None:
            return tensors
        self.counts["reweighted"] += 1
        self.suspend()
        try:
            factor = (tensors.detach() / target.detach()) if unscaled is not None else 1.0
            return tensors - (1.0 - scale) * term * factor
        finally:
            self.resume()

    def fail_with_error(self, exc: BaseException, trace: str) -> None:
        """The program raised during training: the step's state is still the state before it."""
        from nanwiz.harness.run import error_kind

        self._mark_started()
        if self.initial is None:  # it failed before any update: the weights now are the initial ones
            self.initial = TrainingState.capture(self.models, self.trained, rng=self.segment.rng,
                                                 with_optimizers=False)
        message = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else type(exc).__name__
        error = {"type": type(exc).__name__, "kind": error_kind(exc), "message": message, "traceback": trace}
        record = StepRecord(step=self._next_step_number(None), indices=_indices(self.segment), failed=True,
                            failure="error", error=error)
        losses = [c.value for c in self.segment.backwards if c.value is not None]
        record.loss = float(sum(losses)) if losses else None
        record.terms = _terms(self.segment)
        self._add_record(record)
        self.frameworks.look()
        if self.failure is None:
            self.failed_at = time.time()
            self.segment.failure = "error"
            state = TrainingState.capture(self.models, self.trained, self.scalers, self.schedulers,
                                          rng=self.segment.rng)
            self.failure = Failure(kind="error", step=record.step, segment=self.segment, state=state,
                                   record=record, error=error)

    def _check_stop(self) -> None:
        if self.stop_requested is not None and threading.get_ident() == self.thread and self.suspended == 0:
            self.stopped_by = self.stop_requested
            self.frameworks.look()  # while the program's objects are still alive
            raise NanwizStop(self.stop_requested)


def _indices(segment: Segment) -> list[int]:
    """The dataset indices of what a step read: the batches its model calls used, else (data that
    reaches the model some other way) the batches the loader handed out during the step."""
    if segment.used:
        return [i for rows in segment.used for i in rows.indices]
    return list(segment.indices)


def _scale(scaler: Any) -> float:
    try:
        return float(scaler.get_scale())
    except Exception:  # noqa: BLE001 - a scaler of another kind: no scale to read
        return math.inf


_EXTREMES = {"min", "max", "amin", "amax", "aminmax"}
"""Reductions to the extreme of a tensor: what a program logs about its values, never a loss."""
HAND_SCALE = 128
"""A loss multiplied by at least this before backward is a loss scale (fp16's usual ones are 2**7..2**16),
not a loss weight."""


def _terms(segment: Segment) -> dict[str, float]:
    """The step's loss terms by name, over its backward calls (read values only)."""
    out: dict[str, float] = {}
    for call in segment.backwards:
        for name, value in call.terms.items():
            if isinstance(value, float):
                out[name] = out.get(name, 0.0) + value
    return out if len(out) > 1 else {}


def _user_defined(cls: type) -> bool:
    """Is this autograd Function the program's own (not torch's, nanwiz's, or an installed library's)?"""
    code = getattr(getattr(cls, "forward", None), "__code__", None)
    return code is not None and not code.co_filename.startswith(("<",) + _installed())


def _replayable(cls: type, func: Callable[..., Any]) -> Callable[..., Any]:
    """`cls.apply` for a replay, dispatched like a torch function: a replay's watcher then sees the
    Function as one op (its output's backward node is traced to the program's line), and can look
    inside it (`look_inside`: the same call, not dispatched) when it makes a non-finite value."""
    def call(*args, **kwargs):
        tensors = [a for a in args if isinstance(a, torch.Tensor)]
        if torch.overrides.has_torch_function(tensors):
            return torch.overrides.handle_torch_function(call, tensors, *args, **kwargs)
        return func(cls, *args, **kwargs)

    call.__name__ = call.__qualname__ = cls.__name__
    call.look_inside = lambda *args, **kwargs: func(cls, *args, **kwargs)  # type: ignore[attr-defined]
    return call


@functools.cache
def _installed() -> tuple[str, ...]:
    from nanwiz.harness.watch import library_dirs

    return library_dirs()


def _unwrap(module: nn.Module) -> nn.Module:
    """The module a data-parallel wrapper holds (its forward runs collectives nanwiz must not replay)."""
    inner = getattr(module, "module", None)
    if isinstance(inner, nn.Module) and type(module).__name__ in ("DistributedDataParallel", "DataParallel"):
        return inner
    return module


def _global_norm(tensors: list[torch.Tensor]) -> torch.Tensor:
    norms = torch._foreach_norm([t.detach() for t in tensors], 2, dtype=torch.float64) if tensors else []
    if not norms:
        return torch.zeros((), dtype=torch.float64)
    return torch.linalg.vector_norm(torch.stack([n.to(norms[0].device) for n in norms]))


def _optimizer_label(optimizers: list[Any], optimizer: Any) -> str:
    index = next((i for i, o in enumerate(optimizers) if o is optimizer), 0)
    return f"optimizer {index + 1} ({type(optimizer).__name__})"

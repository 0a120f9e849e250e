"""One training run of a target script under a Variation, owned by nanwiz.

The loop mirrors the contract: seeded builders, map-style dataset batched by a seeded
permutation (epochs), optional autocast and GradScaler, clipping after unscaling. Each step
reads its sentinels back in a single host transfer (loss terms, global gradient norm, weight
norm, output magnitude, input finiteness); per-module statistics are gathered only on
occasional 'stats' steps. Snapshots taken every few steps (chosen to cost a few percent)
let a probe restore the state before any step and replay it, instrumented or guarded.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils import _pytree as pytree
from torch import nn

from nanwiz.errors import ScriptError
from nanwiz.harness.script import Target, innermost_is_user, trimmed_traceback
from nanwiz.harness.tensors import float_tensors, peak, to_device
from nanwiz.variation import Variation

try:  # numpy is optional for the user's script; seed it when present
    import numpy as np
except ImportError:  # pragma: no cover
    np = None  # type: ignore[assignment]

UNBOUNDED_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.CELU, nn.SELU, nn.GELU, nn.SiLU,
                         nn.Mish, nn.Softplus, nn.RReLU, nn.Hardswish)


def relu_recurrent(module: nn.Module) -> bool:
    """nn.RNN / nn.RNNCell with nonlinearity="relu": an unbounded activation inside a fused call."""
    return isinstance(module, (nn.RNN, nn.RNNCell)) and module.nonlinearity == "relu"


def unbounded_activation(module: nn.Module) -> bool:
    return isinstance(module, UNBOUNDED_ACTIVATIONS) or relu_recurrent(module)


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ScriptError('NANWIZ["device"] is "cuda" but no CUDA device is available here')
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    random.seed(seed)
    if np is not None:
        np.random.seed(seed % (2**32))


def error_kind(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, IndexError) or "device-side assert" in text or "out of bounds" in text:
        return "index_error"
    if isinstance(exc, ValueError):
        return "value_error"
    if isinstance(exc, RuntimeError):
        return "runtime_error"
    return "other"


@dataclass
class StepRecord:
    step: int
    indices: list[int]
    loss: float | None = None
    terms: dict[str, float] = field(default_factory=dict)
    grad_norm: float | None = None
    weight_norm: float | None = None
    out_absmax: float | None = None
    act_absmax: float | None = None
    act_modules: dict[str, float] = field(default_factory=dict)
    """On stats steps: the largest |activation| of each leaf module ("name (Type)"), for the curves."""
    softmax_absmax: float | None = None
    watched: Any = None
    """What the step's watcher (a TorchFunctionMode with result()) measured, on watched steps."""
    input_nonfinite: bool = False
    skipped: bool = False
    scale: float | None = None
    failed: bool = False
    failure: str | None = None
    """'loss', 'grad', 'param' or 'error'."""
    error: dict[str, Any] | None = None
    guarded_skip: bool = False
    label: str | None = None
    """Which optimizer stepped, when a program has several (attached runs)."""

    def to_dict(self, modules: Collection[str] = ()) -> dict[str, Any]:
        """The record as JSON-ready data; `modules`: whose activation maxima to include (stats steps)."""
        out: dict[str, Any] = {"step": self.step}
        for key in ("loss", "grad_norm", "weight_norm", "out_absmax", "act_absmax", "softmax_absmax", "scale"):
            value = getattr(self, key)
            if value is not None:
                out[key] = _number(value)
        if self.terms and len(self.terms) > 1:
            out["terms"] = {k: _number(v) for k, v in self.terms.items()}
        acts = {m: _number(self.act_modules[m]) for m in modules if m in self.act_modules}
        if acts:
            out["act"] = acts
        for key in ("input_nonfinite", "skipped", "failed", "guarded_skip"):
            if getattr(self, key):
                out[key] = True
        if self.failure:
            out["failure"] = self.failure
        if self.label:
            out["label"] = self.label
        if self.error:
            out["error"] = self.error
        return out


def _number(value: float) -> float | str:
    """A finite value rounded for JSON; a non-finite one as its name ('nan', 'inf', '-inf')."""
    from nanwiz.harness.tensors import clean_number

    return clean_number(value) if math.isfinite(value) else str(value)


def split_terms(out: Any, path_name: str) -> dict[str, torch.Tensor]:
    """compute_loss's result as named scalar terms, or a ScriptError that says what is wrong."""
    if isinstance(out, torch.Tensor):
        terms = {"loss": out}
    elif isinstance(out, dict) and out:
        terms = dict(out)
    else:
        got = type(out).__name__ if not isinstance(out, dict) else "an empty dict"
        raise ScriptError(
            f"compute_loss in {path_name} must return a scalar Tensor or a dict of scalar Tensors, got {got}"
        )
    for name, value in terms.items():
        if not isinstance(value, torch.Tensor):
            raise ScriptError(
                f"compute_loss in {path_name} returned {name!r}: {type(value).__name__}; every loss term must "
                "be a scalar Tensor (keep it attached to the graph, do not call .item())"
            )
        if value.numel() != 1:
            raise ScriptError(
                f"compute_loss in {path_name} returned {name!r} with shape {list(value.shape)}; a loss term must "
                "be a scalar: reduce it (e.g. .mean())"
            )
        if not value.requires_grad:
            raise ScriptError(
                f"compute_loss in {path_name} returned {name!r} without a gradient; compute it from the model's "
                "outputs (no .detach(), no torch.no_grad())"
            )
    return terms


class BoundedActivation(nn.Module):
    """Stand-in for an unbounded activation: the original, clamped at +-6 (ReLU6 for ReLU)."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return torch.clamp(self.inner(*args, **kwargs), -6.0, 6.0)


def reset_to_default_init(model: nn.Module) -> int:
    """Give every layer of the model PyTorch's default initialization again (the layer's own
    reset_parameters, which scales by fan_in); how many layers were reset. Parameters that no layer
    initializes itself (a bare nn.Parameter of a custom module) keep their values."""
    reset = 0
    with torch.no_grad():
        for module in model.modules():
            own = any(True for _ in module.parameters(recurse=False))
            if own and callable(getattr(module, "reset_parameters", None)):
                module.reset_parameters()
                reset += 1
    return reset


class InputStandardizer:
    """The standardized-inputs variation: every floating-point tensor given to a model's forward is
    shifted and scaled per feature (its last dimension) to zero mean and unit std, with the
    statistics of the first batch that model sees, kept for later batches as a fitted scaler would
    be. It separates inputs on a raw scale from what they set off downstream (an exp, a loss that
    grows with them); integer inputs (token ids, class labels) and 0/1 masks are left alone.
    `changed` counts the tensors it rescaled: a model that takes no floating-point input leaves it
    at 0 (not applied)."""

    def __init__(self) -> None:
        self.changed = 0
        self._stats: dict[tuple[int, int, int], tuple[torch.Tensor, torch.Tensor] | None] = {}
        self._models: set[int] = set()

    def attach(self, model: nn.Module) -> None:
        if id(model) not in self._models:
            self._models.add(id(model))
            model.register_forward_pre_hook(self._standardize, with_kwargs=True)

    def _standardize(self, module: nn.Module, args: Any, kwargs: Any) -> tuple[Any, Any]:
        position = itertools.count()

        def scaled(t: Any) -> Any:
            if not (isinstance(t, torch.Tensor) and t.is_floating_point() and t.dim() >= 1 and t.numel() > 1) \
                    or isinstance(t, nn.Parameter):
                return t
            key = (id(module), next(position), t.shape[-1])
            if key not in self._stats:
                self._stats[key] = _feature_stats(t)
            stats = self._stats[key]
            if stats is None:
                return t
            self.changed += 1
            return ((t - stats[0]) / stats[1]).to(t.dtype)

        return pytree.tree_map(scaled, (tuple(args), dict(kwargs)))


def _feature_stats(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Mean and std per feature (the last dimension) over the finite values, a std of 0 read as 1;
    None for a mask or a one-hot (only 0s and 1s), which rescaling would turn into something else."""
    rows = t.detach().reshape(-1, t.shape[-1]).float()
    finite = torch.isfinite(rows)
    zero = torch.zeros((), device=rows.device)
    if bool(((rows == 0) | (rows == 1) | ~finite).all()):
        return None
    count = finite.sum(0).clamp_min(1)
    mean = torch.where(finite, rows, zero).sum(0) / count
    std = ((torch.where(finite, rows - mean, zero) ** 2).sum(0) / count).sqrt()
    return mean, torch.where(std > 0, std, torch.ones((), device=std.device))


def bound_activations(model: nn.Module) -> int:
    """Bound every activation module; how many were changed. A ReLU recurrent layer switches to
    tanh, since its ReLU runs inside one fused call that cannot be clamped. Activations called
    as functions (F.relu in forward) cannot be reached from outside and are not counted."""
    replaced = 0
    for name, child in list(model.named_children()):
        if isinstance(child, UNBOUNDED_ACTIVATIONS):
            setattr(model, name, BoundedActivation(child))
            replaced += 1
            continue
        if relu_recurrent(child):
            child.nonlinearity = "tanh"
            if isinstance(child, nn.RNN):
                child.mode = "RNN_TANH"
            replaced += 1
        replaced += bound_activations(child)
    return replaced


class TrainingRun:
    """The user's training under one Variation; steps can be run, snapshotted and replayed."""

    def __init__(self, target: Target, dataset: Any, variation: Variation | None = None, *,
                 exclude: tuple[int, ...] = (), dominant_term: str | None = None):
        self.target = target
        self.dataset = dataset
        self.variation = variation or Variation()
        settings = target.settings
        self.device = resolve_device(settings.device)
        v = self.variation
        self.amp = settings.amp if v.amp is None else (None if v.amp == "none" else v.amp)
        self.lr = settings.lr * (v.lr_scale or 1.0)
        self.grad_clip = v.grad_clip if v.grad_clip is not None else settings.grad_clip
        self.batch_size = v.batch_size or settings.batch_size
        self.shuffle = settings.shuffle if v.shuffle is None else v.shuffle
        self.steps = v.steps or settings.steps
        self.exclude = set(exclude) if v.exclude_bad_samples else set()
        self.dominant_term = dominant_term if v.dominant_term_scale else None
        self.seed = settings.seed
        self.snapshots: list[dict[str, Any]] = []
        self.snapshot_every = 1
        self.records: list[StepRecord] = []
        self.run_records: list[StepRecord] | None = None
        """The records of the last run() (self.records also holds replayed steps)."""
        self.continuation: list[StepRecord] = []
        self._failing = None
        self._order: list[list[int]] = []
        self._build()

    # ------------------------------------------------------------ construction
    def _build(self) -> None:
        seed_everything(self.seed)
        model = self.target.call("build_model")
        if not isinstance(model, nn.Module):
            raise ScriptError(f"build_model() in {self.target.path.name} must return a torch.nn.Module, "
                              f"got {type(model).__name__}")
        # How many activations the bounded-activations variation reached (None: not asked for).
        self.bounded = bound_activations(model) if self.variation.bounded_activations else None
        # How many layers the default-initialization variation reset (None: not asked for).
        self.reset = reset_to_default_init(model) if self.variation.default_init else None
        # The standardized-inputs variation's hook (None: not asked for); its count says if it applied.
        self.standardizer = InputStandardizer() if self.variation.standardize_inputs else None
        if self.standardizer is not None:
            self.standardizer.attach(model)
        self.model = model.to(self.device)
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        if not self.params:
            raise ScriptError(f"the model from build_model() in {self.target.path.name} has no trainable parameters")
        if self.target.build_optimizer is not None:
            optimizer = self.target.call("build_optimizer", self.params, self.target.settings.lr)
            if not isinstance(optimizer, torch.optim.Optimizer):
                raise ScriptError(f"build_optimizer() in {self.target.path.name} must return a "
                                  f"torch.optim.Optimizer, got {type(optimizer).__name__}")
        else:
            optimizer = torch.optim.Adam(self.params, lr=self.target.settings.lr)
        if self.variation.lr_scale:
            # Scale every group, so the variation applies even if the builder ignores its lr argument.
            for group in optimizer.param_groups:
                if isinstance(group.get("lr"), (int, float)):
                    group["lr"] = group["lr"] * self.variation.lr_scale
        if self.variation.optimizer_eps is not None:
            for group in optimizer.param_groups:
                if "eps" in group:
                    group["eps"] = self.variation.optimizer_eps
        self.optimizer = optimizer
        # An extension of the contract: an optional learning-rate schedule, built after the lr
        # variations so that it scales with them, stepped after every applied update.
        self.scheduler = None
        if self.target.build_scheduler is not None:
            scheduler = self.target.call("build_scheduler", optimizer)
            if not callable(getattr(scheduler, "step", None)) or not callable(getattr(scheduler, "state_dict", None)):
                raise ScriptError(f"build_scheduler() in {self.target.path.name} must return a learning-rate "
                                  f"scheduler (torch.optim.lr_scheduler), got {type(scheduler).__name__}")
            self.scheduler = scheduler
        self.scaler = torch.amp.GradScaler(self.device.type) if self.amp == "fp16" else None
        self._build_order()
        self._out_box: list[torch.Tensor] = []
        self._nan = torch.tensor(float("nan"), device=self.device)
        self._one = torch.tensor(1.0, device=self.device)
        self.model.register_forward_hook(self._record_output)  # lives as long as this run's model
        seed_everything(self.seed)  # training randomness (dropout) independent of builder RNG use

    @property
    def info(self) -> dict[str, Any]:
        """What the run tells of whether its variation applied, in the form an attached run gives."""
        return {"counts": {"standardized_inputs": self.standardizer.changed if self.standardizer is not None else 0}}

    def _record_output(self, _module: nn.Module, _inputs: Any, output: Any) -> None:
        """The model output's magnitude, one device scalar per forward (no host sync)."""
        tensors = float_tensors(output)
        if tensors and len(self._out_box) < 4:  # forwards outside step() (probes' checks) do not pile up
            self._out_box.append(peak(tensors[0]))

    def _build_order(self) -> None:
        n = len(self.dataset)
        keep = [i for i in range(n) if i not in self.exclude]
        if not keep:
            raise ScriptError("every sample of the dataset was excluded; nothing left to train on")
        generator = torch.Generator().manual_seed(self.seed)
        order: list[list[int]] = []
        while len(order) < self.steps:
            if self.shuffle:
                perm = torch.randperm(len(keep), generator=generator).tolist()
                epoch = [keep[i] for i in perm]
            else:
                epoch = list(keep)
            for start in range(0, len(epoch), self.batch_size):
                order.append(epoch[start:start + self.batch_size])
                if len(order) >= self.steps:
                    break
        self._order = order

    def indices(self, step: int) -> list[int]:
        return self._order[step]

    @property
    def autocast_dtype(self) -> torch.dtype | None:
        return {"fp16": torch.float16, "bf16": torch.bfloat16}.get(self.amp or "")

    def autocast(self):
        dtype = self.autocast_dtype
        if dtype is None:
            return torch.autocast(self.device.type, enabled=False)
        return torch.autocast(self.device.type, dtype=dtype)

    def load_batch(self, indices: list[int]) -> Any:
        samples = [self.dataset[i] for i in indices]
        collate = self.target.collate_fn or torch.utils.data.default_collate
        return to_device(collate(samples), self.device)

    # ------------------------------------------------------------ snapshots
    def snapshot(self, step: int) -> None:
        snap = {
            "step": step,
            "model": {k: v.detach().clone() for k, v in self.model.state_dict().items()},
            "optim": copy.deepcopy(self.optimizer.state_dict()),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "scheduler": copy.deepcopy(self.scheduler.state_dict()) if self.scheduler is not None else None,
            "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else None,
            "py": random.getstate(),
            "np": np.random.get_state() if np is not None else None,
        }
        earlier = [s for s in self.snapshots if s["step"] < step]
        initial = [s for s in earlier[:1] if s["step"] == 0 and s is not earlier[-1]]  # kept for good
        self.snapshots = initial + earlier[-1:] + [snap]

    def restore(self, snap: dict[str, Any]) -> None:
        self.model.load_state_dict(snap["model"])
        self.optimizer.load_state_dict(copy.deepcopy(snap["optim"]))
        if self.scaler is not None and snap["scaler"] is not None:
            # a fresh scaler: a replay that unscaled without stepping must not leave the optimizer marked
            # 'unscaled' for the next one (load_state_dict keeps that per-optimizer state)
            self.scaler = torch.amp.GradScaler(self.device.type)
            self.scaler.load_state_dict(snap["scaler"])
        if self.scheduler is not None and snap["scheduler"] is not None:
            self.scheduler.load_state_dict(copy.deepcopy(snap["scheduler"]))
        torch.set_rng_state(snap["rng"])
        if snap["cuda_rng"] is not None:
            torch.cuda.set_rng_state_all(snap["cuda_rng"])
        random.setstate(snap["py"])
        if np is not None and snap["np"] is not None:
            np.random.set_state(snap["np"])

    def restore_before(self, step: int) -> list[StepRecord]:
        """Put the model, optimizer and RNGs where they were just before `step`.

        Returns the records of the steps re-run from the snapshot, so a caller can check the
        re-run matched the original (determinism)."""
        candidates = [s for s in self.snapshots if s["step"] <= step]
        if not candidates:
            raise RuntimeError(f"no snapshot at or before step {step}")
        snap = candidates[-1]
        self.restore(snap)
        return [self.step(t) for t in range(snap["step"], step)]

    # ------------------------------------------------------------ one step
    def forward_loss(self, batch: Any, train: bool = True) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        self.model.train(train)
        with self.autocast():
            out = self.target.compute_loss(self.model, batch)
        terms = split_terms(out, self.target.path.name)
        loss = None
        for name, value in terms.items():
            value = value.float()
            if name == self.dominant_term and self.variation.dominant_term_scale:
                value = value * self.variation.dominant_term_scale
            loss = value if loss is None else loss + value
        assert loss is not None
        return terms, loss.reshape(())

    def step(self, t: int, *, guarded: bool = False, stats: bool = False,
             watch: Callable[[], Any] | None = None, last: bool = False) -> StepRecord:
        """Run optimizer step t; on a failure record it (the state is then as the step left it).

        `last` checks the weights after the update (done on stats steps too)."""
        indices = self.indices(t)
        record = StepRecord(step=t, indices=indices)
        hooks = []
        act_values: list[torch.Tensor] = []
        act_names: list[str] = []
        out_box = self._out_box
        out_box.clear()
        if stats:
            for name, module in self.model.named_modules():
                if next(module.children(), None) is None:
                    def leaf_hook(_m, _i, output, label=f"{name or 'model'} ({type(module).__name__})"):
                        tensors = float_tensors(output)
                        if tensors:
                            act_values.append(torch.stack([peak(x) for x in tensors]).amax())
                            act_names.append(label)
                    hooks.append(module.register_forward_hook(leaf_hook))
        watcher = watch() if (stats and watch is not None) else None
        # Gradients are cleared at the start of a step (not the end), so that they still exist
        # when the sentinels are read: a rare overflowing norm can then be recomputed exactly.
        self.optimizer.zero_grad(set_to_none=True)
        try:
            batch = self.load_batch(indices)
            inputs = float_tensors(batch)
            input_ok = torch.stack([torch.isfinite(x).all() for x in inputs]).all() if inputs else None
            if watcher is not None:
                with watcher:
                    terms, loss = self.forward_loss(batch)
            else:
                terms, loss = self.forward_loss(batch)
            if self.scaler is not None:
                self.scaler.scale(loss).backward()
                self.scaler.unscale_(self.optimizer)
            else:
                loss.backward()
            grads = [p.grad for p in self.params if p.grad is not None]
            grad_norm = _fast_norm(grads, self.device)
            if guarded:
                ok = bool(torch.isfinite(loss).item() and torch.isfinite(grad_norm).item())
                if not ok:
                    record.guarded_skip = True
            if self.grad_clip is not None and not record.guarded_skip:
                torch.nn.utils.clip_grad_norm_(self.params, self.grad_clip)
            scale_before = self.scaler.get_scale() if self.scaler is not None else None
            if self.variation.freeze_weights or record.guarded_skip:
                if self.scaler is not None:
                    self.scaler.update()
            elif self.scaler is not None:
                self.scaler.step(self.optimizer)
                self.scaler.update()
                self._schedule(loss)
            else:
                self.optimizer.step()
                self._schedule(loss)
            # The weight norm costs a pass over every weight: only on stats steps. A weight that
            # turned non-finite shows up as a non-finite loss at the next step anyway (and the
            # replay then steps back to the update that broke it).
            weight_norm = (_total_norm([p.detach() for p in self.params], self.device) if stats or last or guarded
                           else torch.zeros((), device=self.device))
            # few kernels, one host sync: the float32 sentinels stacked once, the float64 norms beside
            nan = self._nan
            small = [loss.detach()] + [v.detach().reshape(()).float() for v in terms.values()]
            small.append(out_box[0] if out_box else nan)
            small.append(input_ok.float() if input_ok is not None else self._one)
            small.extend(act_values)  # per leaf call, on stats steps only
            norms = torch.stack([grad_norm, weight_norm.to(torch.float64)])
            read = torch.cat([norms, torch.stack(small).to(torch.float64)]).tolist()  # the one host sync
            read = [read[2], read[0], read[1], *read[3:]]
        except ScriptError:
            raise
        except Exception as exc:  # a failure of the training step itself
            if innermost_is_user(exc, self.target.path) and isinstance(
                    exc, (TypeError, AttributeError, NameError, ImportError, KeyError, NotImplementedError)):
                raise ScriptError(
                    f"compute_loss (or a function it calls) in {self.target.path.name} raised "
                    f"{type(exc).__name__}: {exc}\n\n" + trimmed_traceback(exc, self.target.path)
                ) from None
            self.optimizer.zero_grad(set_to_none=True)
            record.failed = True
            record.failure = "error"
            record.error = {
                "type": type(exc).__name__,
                "kind": error_kind(exc),
                "message": str(exc).strip().splitlines()[0][:500] if str(exc).strip() else type(exc).__name__,
                "traceback": trimmed_traceback(exc, self.target.path),
            }
            self.records.append(record)
            return record
        finally:
            for handle in hooks:
                handle.remove()
        loss_v, grad_v, weight_v = read[0], read[1], read[2]
        if not math.isfinite(grad_v):  # overflowed in float32, or truly non-finite: decide exactly
            grad_v = float(_total_norm([p.grad for p in self.params if p.grad is not None], self.device))
        n_terms = len(terms)
        term_values = read[3:3 + n_terms]
        out_v, input_v = read[3 + n_terms:5 + n_terms]
        for label, value in zip(act_names, read[5 + n_terms:]):  # a module called twice: its larger value
            record.act_modules[label] = max(value, record.act_modules.get(label, value))
        act_v = max(record.act_modules.values(), default=math.nan)
        record.loss = loss_v
        record.terms = dict(zip(terms.keys(), term_values))
        record.grad_norm = grad_v
        record.weight_norm = weight_v if (stats or last or guarded) else None
        record.out_absmax = out_v if math.isfinite(out_v) else None
        record.act_absmax = None if math.isnan(act_v) else act_v
        record.input_nonfinite = input_v < 0.5
        if watcher is not None:
            record.watched = watcher.result()
            if isinstance(record.watched, float):
                record.softmax_absmax = record.watched
        if self.scaler is not None:
            scale_after = self.scaler.get_scale()
            record.scale = scale_after
            record.skipped = scale_before is not None and scale_after < scale_before
        loss_bad = not all(math.isfinite(x) for x in [loss_v, *term_values])
        grad_bad = not math.isfinite(grad_v)
        param_bad = (stats or last or guarded) and not math.isfinite(weight_v)
        if loss_bad:
            record.failure = "loss"
        elif param_bad:
            record.failure = "param"
        elif grad_bad and (self.scaler is None or (scale_before is not None and scale_before < 1.0)) \
                and not record.guarded_skip:
            # with a GradScaler, a skip is its business until its scale falls below 1: the gradients
            # are then not finite even unscaled (as in nanwiz run)
            record.failure = "grad"
        record.failed = record.failure is not None
        self.records.append(record)
        return record

    def _schedule(self, loss: torch.Tensor) -> None:
        if self.scheduler is None:
            return
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.scheduler.step(float(loss.detach()))  # needs the metric (one extra sync)
        else:
            self.scheduler.step()

    # ------------------------------------------------------------ whole runs
    def run(self, *, stop_at_failure: bool = True, stats_every: int = 0,
            watch: Callable[[], Any] | None = None,
            progress: Callable[[int, int], None] | None = None, steps: int | None = None,
            continue_after_failure: int = 0,
            on_record: Callable[[StepRecord], None] | None = None) -> list[StepRecord]:
        """Run from step 0; snapshots are taken before steps (every few, adaptively).

        With `continue_after_failure`, the steps after the first failure are run once more from
        the snapshot with failing updates skipped (`continuation`): do failures keep coming?"""
        self._failing = None
        records = self._run(stop_at_failure=stop_at_failure, stats_every=stats_every, watch=watch,
                            progress=progress, steps=steps, on_record=on_record)
        self.run_records = records
        self.continuation: list[StepRecord] = []
        failure = first_failure(records)
        total = self._total(steps)
        extra = min(continue_after_failure, total - failure.step - 1) if failure is not None else 0
        if failure is not None and failure.failure != "error" and extra >= 3:
            self.restore_before(failure.step)
            for t in range(failure.step, failure.step + extra + 1):
                record = self.step(t, guarded=True)
                if t > failure.step:
                    self.continuation.append(record)
        return records

    def failing_step(self):
        """The first failure of the last run() as a StepProgram, or None. If the weights are already
        non-finite before it (weights are checked only now and then), the step whose update broke
        them is the one to replay."""
        from nanwiz.harness.step import ContractStep, close, weights_finite

        if self._failing is not None:
            return self._failing
        failure = first_failure(self.run_records or [])
        if failure is None:
            return None
        step = failure.step
        rerun = self.restore_before(step)
        while step > 0 and not weights_finite([self.model]):
            step -= 1
            rerun = self.restore_before(step)
            if weights_finite([self.model]):
                break
        by_step = {r.step: r for r in self.run_records}
        program = ContractStep(self, step, failure.failure)
        program.rerun_matched = all(close(r.loss, by_step[r.step].loss) for r in rerun if r.step in by_step)
        self._failing = program  # the probes after the baseline all replay this step: found once
        return program

    def step_program(self, step: int):
        """Any step of the last run as a StepProgram (a healthy run's first step, say)."""
        from nanwiz.harness.step import ContractStep

        return ContractStep(self, step) if step < len(self._order) else None

    def config(self) -> dict[str, Any]:
        """How the training is set up, in the terms of the knowledge base's config facts."""
        return {"amp": self.amp or "none", "grad_clip": self.grad_clip is not None, "lr": self.lr,
                "batch_size": self.batch_size}

    def settings_dict(self) -> dict[str, Any]:
        return self.target.settings.model_dump()

    # ------------------------------------------------------------ what the probes read, in both modes
    @property
    def models(self) -> list[nn.Module]:
        return [self.model]

    @property
    def optimizers(self) -> list[Any]:
        return [self.optimizer]

    def _total(self, steps: int | None) -> int:
        """Steps to run: `steps` caps the user's own count, never extends it (there is no batch past it)."""
        return min(steps, self.steps) if steps else self.steps

    def _run(self, *, stop_at_failure: bool, stats_every: int, watch: Callable[[], Any] | None,
             progress: Callable[[int, int], None] | None, steps: int | None,
             on_record: Callable[[StepRecord], None] | None = None) -> list[StepRecord]:
        total = self._total(steps)
        records: list[StepRecord] = []
        step_time = None
        next_snapshot = 0
        for t in range(total):
            if t >= next_snapshot:
                began = time.perf_counter()
                self.snapshot(t)
                snap_time = time.perf_counter() - began
                if step_time:
                    # keep snapshot cost near 3% of training time
                    self.snapshot_every = max(1, min(50, math.ceil(snap_time / (0.03 * step_time))))
                next_snapshot = t + self.snapshot_every
            began = time.perf_counter()
            stats = bool(stats_every) and (t % stats_every == 0)
            record = self.step(t, stats=stats, watch=watch, last=t == total - 1)
            elapsed = time.perf_counter() - began
            step_time = elapsed if step_time is None else 0.8 * step_time + 0.2 * elapsed
            records.append(record)
            if on_record is not None:
                on_record(record)
            if progress is not None:
                progress(t + 1, total)
            if record.failed and stop_at_failure:
                break
        return records


def _fast_norm(tensors: list[torch.Tensor], device: torch.device) -> torch.Tensor:
    """Global L2 norm from per-tensor float32 norms combined in float64: exact unless one tensor's
    own norm overflows float32 (values above ~1e19), which the caller then recomputes."""
    if not tensors:
        return torch.zeros((), device=device, dtype=torch.float64)
    norms = torch._foreach_norm([t.detach() for t in tensors])
    return torch.linalg.vector_norm(torch.stack([n.to(device, torch.float64) for n in norms]))


def _total_norm(tensors: list[torch.Tensor], device: torch.device) -> torch.Tensor:
    """Global L2 norm, accumulated in float64: in float32 the squares of finite values above
    ~1e19 overflow, and a diverging run would look non-finite before it is."""
    if not tensors:
        return torch.zeros((), device=device, dtype=torch.float64)
    norms = torch._foreach_norm([t.detach() for t in tensors], 2, dtype=torch.float64)
    return torch.linalg.vector_norm(torch.stack([n.to(device) for n in norms]))


def first_failure(records: list[StepRecord]) -> StepRecord | None:
    return next((r for r in records if r.failed), None)

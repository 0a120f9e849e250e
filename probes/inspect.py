"""Model, optimizer and initial weights: what they are, before any training step."""

from __future__ import annotations

import math
from collections import Counter

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.run import split_terms, unbounded_activation
from nanwiz.harness.script import innermost_is_user, trimmed_traceback
from nanwiz.harness.tensors import float_tensors, keeps_running_stats
from nanwiz.harness.watch import op_name

NAME = "inspect"
FACTS = (
    "config.amp", "config.grad_clip", "config.lr", "optimizer.kind", "optimizer.eps", "model.param_dtype",
    "model.recurrent", "model.depth", "model.has_norm", "model.has_batchnorm", "model.norm_eps_min",
    "model.has_attention", "model.unbounded_activation", "model.pool_stride_gt_kernel", "model.has_embedding",
    "init.nonfinite_params", "init.weight_scale", "init.output_absmax", "init.activation_growth",
    "init.loss_nonfinite", "loss.terms",
)

NORM_TYPES = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.LocalResponseNorm)
if hasattr(nn, "RMSNorm"):
    NORM_TYPES = NORM_TYPES + (nn.RMSNorm,)
RECURRENT_TYPES = (nn.RNNBase, nn.RNNCellBase)
ATTENTION_TYPES = (nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)
# rnn_relu: nn.RNN(nonlinearity="relu") applies its ReLU inside one fused call, per time step
UNBOUNDED_FUNCS = {"relu", "leaky_relu", "prelu", "elu", "celu", "selu", "gelu", "silu", "mish", "softplus",
                   "rrelu", "hardswish", "rnn_relu", "rnn_relu_cell"}
NORM_FUNCS = {"batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm"}
ATTENTION_FUNCS = {"scaled_dot_product_attention", "multi_head_attention_forward"}
MATMUL_FUNCS = {"matmul", "bmm", "baddbmm", "einsum", "mm"}
POOL_TYPES = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)


def optimizer_kind(optimizer: torch.optim.Optimizer) -> str:
    name = type(optimizer).__name__.lower()
    if name == "adamw":
        return "adamw"
    if "adam" in name:
        return "adam"
    for kind in ("sgd", "rmsprop", "adagrad"):
        if name == kind:
            return kind
    return "other"


class ForwardSurvey(TorchFunctionMode):
    """Which functions one forward pass calls, and whether a softmax reads a matmul product."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.made_by: dict[int, tuple[str, list[int]]] = {}
        self.attention = False
        self._keep: list[torch.Tensor] = []

    def _ancestry(self, t: torch.Tensor, depth: int = 5) -> set[str]:
        names: set[str] = set()
        frontier = [id(t)]
        for _ in range(depth):
            nxt = []
            for key in frontier:
                if key in self.made_by:
                    name, parents = self.made_by[key]
                    names.add(name)
                    nxt.extend(parents)
            frontier = nxt
        return names

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = op_name(func)
        out = func(*args, **kwargs)
        self.calls[name] += 1
        if name in ("softmax", "log_softmax") and args and isinstance(args[0], torch.Tensor):
            if self._ancestry(args[0]) & MATMUL_FUNCS and args[0].dim() >= 2:
                self.attention = True
        if isinstance(out, torch.Tensor):
            parents = [id(a) for a in args if isinstance(a, torch.Tensor)]
            self.made_by[id(out)] = (name, parents)
            self._keep.append(out)  # keep ids stable for the duration of the survey
        return out


def weight_scale(model: nn.Module) -> float | None:
    best = None
    for module in model.modules():
        if isinstance(module, (nn.Embedding, nn.EmbeddingBag) + NORM_TYPES):
            continue
        for pname, p in module.named_parameters(recurse=False):
            if p.dim() < 2 or not pname.startswith("weight") and "proj_weight" not in pname:
                continue
            values = p.detach().float()
            values = values[torch.isfinite(values)]
            if values.numel() < 2:
                continue
            fan_in = math.prod(p.shape[1:])
            scale = float(values.std()) * math.sqrt(fan_in)
            best = scale if best is None else max(best, scale)
    return best


def bare_weight_scale(p: torch.Tensor) -> float | None:
    """std * sqrt(fan_in) of a weight matrix that is a bare tensor (`x @ W`, or `W @ x`): which side
    is the fan-in is unknown, so the smaller of the two readings (never calls a standard init large)."""
    if p.dim() != 2 or not p.is_floating_point():
        return None
    values = p.detach().float()
    values = values[torch.isfinite(values)]
    if values.numel() < 2:
        return None
    return float(values.std()) * math.sqrt(min(p.shape))


def run(ctx: ProbeContext) -> None:
    ctx.progress(0.05, "building the model, dataset and optimizer", force=True)
    training = ctx.captured() or ctx.training()
    dataset = ctx.dataset()
    config = training.config()
    models, optimizers = training.models, training.optimizers
    # a loop that updates its weights by hand (no optimizer; bare tensors, makemore-style): those weights
    hand = [] if optimizers else list(getattr(training, "hand_params", list)())
    if not (models or hand) or not (optimizers or hand):
        ctx.detail("note", "no model or optimizer was seen")
        ctx.progress(1.0, "done", force=True)
        return
    ctx.fact("config.amp", config["amp"])
    ctx.fact("config.grad_clip", config["grad_clip"])
    if optimizers:
        optimizer = optimizers[0]
        lrs = [float(g["lr"]) for o in optimizers for g in o.param_groups if isinstance(g.get("lr"), (int, float))]
        ctx.fact("config.lr", max(lrs) if lrs else config.get("lr"))
        ctx.fact("optimizer.kind", optimizer_kind(optimizer))
        eps = [float(g["eps"]) for o in optimizers for g in o.param_groups if isinstance(g.get("eps"), (int, float))]
        if eps:
            ctx.fact("optimizer.eps", min(eps))
    program = training.failing_step() or training.step_program(0)
    if program is not None:
        program.restore(initial=True)  # what follows is about the weights before any update
    dtypes = Counter(str(p.dtype).replace("torch.", "") for m in models for p in m.parameters() if p.is_floating_point())
    dtype = dtypes.most_common(1)[0][0] if dtypes else "float32"
    ctx.fact("model.param_dtype", dtype if dtype in ("float32", "float16", "bfloat16", "float64") else "other")
    modules = [m for model in models for m in model.modules()]
    norms = [m for m in modules if isinstance(m, NORM_TYPES)]
    ctx.fact("model.has_batchnorm", any(keeps_running_stats(m) for m in modules))
    norm_eps = [float(m.eps) for m in norms if isinstance(getattr(m, "eps", None), (int, float))]
    if norm_eps:
        ctx.fact("model.norm_eps_min", min(norm_eps))
    ctx.fact("model.has_embedding", any(isinstance(m, (nn.Embedding, nn.EmbeddingBag)) for m in modules))
    pool_trap = False
    for m in modules:
        if isinstance(m, POOL_TYPES):
            kernel = m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,)
            stride = m.stride if m.stride is not None else m.kernel_size
            stride = stride if isinstance(stride, tuple) else (stride,) * len(kernel)
            pool_trap = pool_trap or any(s > k for s, k in zip(stride, kernel))
    ctx.fact("model.pool_stride_gt_kernel", pool_trap)
    tensors = [t for model in models for t in list(model.parameters()) + list(model.buffers())]
    ctx.fact("init.nonfinite_params", sum(1 for t in tensors if t.is_floating_point() and not torch.isfinite(t).all()))
    in_models = {id(p) for model in models for p in model.parameters()}
    scales = [s for s in (weight_scale(model) for model in models) if s is not None]
    scales += [s for s in (bare_weight_scale(p) for p in hand if id(p) not in in_models) if s is not None]
    ctx.fact("init.weight_scale", max(scales) if scales else None)

    # one forward pass over a batch: what runs, how often, and how large
    ctx.progress(0.4, "one forward pass with the initial weights", force=True)
    calls: Counter[int] = Counter()
    leaf_rms: list[float] = []
    out_absmax: list[float] = []
    handles = []

    def count(module, _args):
        calls[id(module)] = calls[id(module)] + 1

    def measure(module, _args, output):
        if any(p.dim() >= 2 for p in module.parameters(recurse=False)) and not isinstance(
                module, (nn.Embedding, nn.EmbeddingBag)):
            tensors = float_tensors(output)
            if tensors and tensors[0].numel():
                t = tensors[0].detach().float()
                t = t[torch.isfinite(t)]
                if t.numel():
                    leaf_rms.append(float(t.pow(2).mean().sqrt()))

    def top(_module, _args, output):
        tensors = float_tensors(output)
        finite = [t.detach().float()[torch.isfinite(t.detach().float())] for t in tensors]
        finite = [t for t in finite if t.numel()]
        if finite:
            out_absmax.append(max(float(t.abs().max()) for t in finite))

    for m in modules:
        handles.append(m.register_forward_pre_hook(count))
        if next(m.children(), None) is None or isinstance(m, RECURRENT_TYPES):
            handles.append(m.register_forward_hook(measure))
    for model in models:
        handles.append(model.register_forward_hook(top))
    survey = ForwardSurvey()
    loss_terms = None
    modes = [(m, m.training) for m in models]
    try:
        if program is None:
            raise RuntimeError("no step of the training can be re-run")
        with survey:
            loss_terms, _loss = program.forward_loss(train=True)
    except Exception as exc:
        from nanwiz.errors import ScriptError

        if isinstance(exc, ScriptError):
            raise
        user = getattr(training, "target", None)
        if user is not None and innermost_is_user(exc, user.path) and isinstance(
                exc, (TypeError, AttributeError, NameError, ImportError, KeyError, NotImplementedError)):
            raise ScriptError(f"compute_loss in {user.path.name} raised {type(exc).__name__}: {exc}\n\n"
                              + trimmed_traceback(exc, user.path)) from None
        ctx.detail("first_batch_error", {"type": type(exc).__name__, "message": str(exc)[:500],
                                         "traceback": trimmed_traceback(exc, user.path) if user else ""})
    finally:
        for h in handles:
            h.remove()
        for model, mode in modes:
            model.train(mode)
    ran = [m for m in modules if calls.get(id(m))]
    recurrent = any(isinstance(m, RECURRENT_TYPES) for m in ran) or any(
        calls[id(m)] >= 4 and any(True for _ in m.parameters(recurse=False)) for m in ran)
    ctx.fact("model.recurrent", recurrent)
    depth = 0
    for m in ran:
        if isinstance(m, nn.RNNBase):
            depth += m.num_layers
        elif isinstance(m, (nn.Embedding, nn.EmbeddingBag)) or isinstance(m, NORM_TYPES):
            continue
        elif any(p.dim() >= 2 for p in m.parameters(recurse=False)):
            depth += 1
    ctx.fact("model.depth", depth)
    ctx.fact("model.has_norm", bool(norms) or bool(set(survey.calls) & NORM_FUNCS))
    ctx.fact("model.has_attention", any(isinstance(m, ATTENTION_TYPES) for m in modules) or survey.attention
             or bool(set(survey.calls) & ATTENTION_FUNCS))
    ctx.fact("model.unbounded_activation", any(unbounded_activation(m) for m in modules)
             or bool(set(survey.calls) & UNBOUNDED_FUNCS))
    first = (getattr(training, "run_records", None) or [None])[0]
    if first is not None and first.step == 0:  # the run itself measured its first step: use that
        if first.out_absmax is not None:
            out_absmax = [first.out_absmax]
        if first.loss is not None and loss_terms is not None:
            if len(first.terms) > 1:  # named terms, or the terms a program's loss was added up from
                loss_terms = {k: torch.tensor(v) for k, v in first.terms.items()}
            elif len(loss_terms) == 1:
                loss_terms = {"loss": torch.tensor(first.loss)}
    if out_absmax:
        ctx.fact("init.output_absmax", out_absmax[0])
    if len(leaf_rms) >= 2 and leaf_rms[0] > 0:
        ctx.fact("init.activation_growth", leaf_rms[-1] / leaf_rms[0])
    if loss_terms is not None:
        ctx.fact("loss.terms", len(loss_terms))
        ctx.fact("init.loss_nonfinite", not all(bool(torch.isfinite(v.detach()).all()) for v in loss_terms.values()))
        ctx.detail("loss_terms", sorted(loss_terms))
    params = sum(p.numel() for model in models for p in model.parameters())
    ctx.detail("model", {
        "class": ", ".join(type(model).__name__ for model in models),
        "parameters": params,
        "modules": dict(Counter(type(m).__name__ for m in modules if all(m is not model for model in models))
                        .most_common(12)),
        "device": str(next((p.device for model in models for p in model.parameters()), "cpu")),
    })
    ctx.detail("optimizer", {"class": ", ".join(type(o).__name__ for o in optimizers),
                             "lr": max(lrs) if lrs else None, "eps": min(eps) if eps else None})
    if dataset is not None:
        ctx.detail("dataset", {"class": type(dataset).__name__, "size": len(dataset)})
    ctx.detail("settings", training.settings_dict())
    ctx.progress(1.0, "done", force=True)

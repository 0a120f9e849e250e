"""Watching every op of one training step, to find where a non-finite value is *produced*.

`OpWatcher` is a TorchFunctionMode: it sees each torch function the user's code calls
(F.*, torch.*, tensor methods and operators, module internals such as F.linear), checks the
inputs and outputs for NaN/Inf, and records the first op that made an Inf from finite inputs,
the first that made an Inf from a constant the code wrote (masked_fill(-inf)), and the first
that made a NaN from NaN-free inputs. It also remembers, for every output with a grad_fn,
which op, module and source line created it, so a backward node can be traced to the code.

`ModuleTracker` keeps the stack of modules running (forward pre/post hooks, always removed),
and `BackwardWatcher` hooks every autograd node of the graph: the producer in backward is the
first node whose input gradients are non-finite while its output gradients are finite. Node
hooks see Inf as well as NaN, which autograd's anomaly mode does not.

Each check synchronizes with the device: this is for replaying one step, never for training.
"""

from __future__ import annotations

import linecache
import math
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils.weak import WeakIdKeyDictionary

from nanwiz.harness.tensors import absmax, float_tensors, iter_tensors, kind_of, nan_or_posinf

_INPLACE_DUNDERS = {"iadd": "add", "isub": "sub", "imul": "mul", "itruediv": "truediv", "idiv": "div",
                    "ipow": "pow", "ifloordiv": "floordiv"}
_SKIP = {"get", "set", "dim", "size", "numel", "len", "bool", "format", "repr", "item", "tolist", "hash",
         "index", "data_ptr", "stride", "element_size", "iter", "contains", "is_contiguous", "is_floating_point",
         "contiguous", "detach", "requires_grad", "clone", "cpu", "cuda", "view", "reshape", "flatten", "unsqueeze", "squeeze", "permute", "transpose", "t",
         "expand", "expand_as", "view_as", "reshape_as", "getitem", "chunk", "split", "unbind", "narrow",
         "select", "movedim"}
"""Ops that only reshape, move or read tensors: they cannot create a non-finite value, and
skipping their checks keeps replay fast. (Provenance still flows through them: see origin.)"""
_GATHER = {"stack", "cat", "concat", "concatenate", "hstack", "vstack", "index_select", "gather", "masked_select",
           "take", "repeat", "tile", "flip", "roll"}
"""Ops that assemble their output from their inputs' values (a collate's stack of 64 samples): where
nothing needs a gradient, a non-finite output can only carry an input's taint, so the inputs' taints
are looked up instead of checking every input for NaN/Inf."""
_DIVISOR_SECOND = {"div", "truediv", "floordiv", "remainder", "fmod", "floor_divide"}
_DIVISOR_FIRST = {"rdiv", "rtruediv", "rfloordiv", "reciprocal", "rsqrt"}
_DOMAIN_FIRST = {"log", "log2", "log10", "log1p", "sqrt", "rsqrt", "pow", "float_power", "acos", "asin",
                 "atanh", "acosh", "arccos", "arcsin", "arctanh", "arccosh", "xlogy", "special_xlogy", "special_entr",
                 "lgamma", "special_gammaln", "digamma", "special_digamma", "special_psi", "logit", "special_logit",
                 "erfinv", "special_erfinv"}
"""Functions of one input with a pole or an edge in their domain: that input decides whether they are finite."""
_VARIANCE = {"std", "var", "std_mean", "var_mean"}
_NORM = {"norm", "linalg_vector_norm", "linalg_norm", "frobenius_norm", "dist", "cdist", "pairwise_distance"}
_REDUCTION = {"sum", "mean", "amax", "max", "amin", "min", "count_nonzero", "nansum", "logsumexp", "cumsum"}
_SOFTMAX = {"softmax", "log_softmax", "softmin"}
_EXTREMES = {"max", "amax", "min", "amin"}


def op_name(func: Any) -> str:
    raw = getattr(func, "__name__", None) or type(func).__name__
    name = raw.strip("_")
    if raw.startswith("__") and name in _INPLACE_DUNDERS:
        return _INPLACE_DUNDERS[name]
    if name.endswith("_") and not name.startswith("_"):
        name = name.rstrip("_")
    return name


@dataclass
class Frame:
    file: str
    line: int
    function: str
    code: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "function": self.function, "code": self.code}


def library_dirs() -> tuple[str, ...]:
    """Where installed code lives: the standard library, site-packages, torch and nanwiz."""
    import site
    import sysconfig

    dirs = {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    try:
        dirs.update(site.getsitepackages())
        dirs.add(site.getusersitepackages())
    except AttributeError:  # some virtualenv builds lack them
        pass
    dirs.update({str(Path(torch.__file__).parent), str(Path(__file__).resolve().parents[1])})
    probes = sys.modules.get("nanwiz.probes")  # editable installs keep the probes beside the package
    if probes is not None and getattr(probes, "__file__", None):
        dirs.add(str(Path(probes.__file__).resolve().parent))
    return tuple(sorted(d.rstrip("/") + "/" for d in dirs if d))


class UserCode:
    """Which source files are the user's, to name the line that made a value.

    In contract mode that is the target script. Attached to a program, it is every file outside
    the Python installation, torch and nanwiz (the user's script and the modules it imports).
    During a replay of the user's own loop from a tape, the frames on the stack are nanwiz's:
    `hint` then holds the line the replayed call was recorded at."""

    def __init__(self, script: Path | None = None):
        self.script = str(script) if script is not None else None
        self.hint: Frame | None = None
        self.preparing = False
        """During a replay from a tape: the call running feeds the model (data preparation)."""
        self._library = library_dirs()

    def matches(self, filename: str) -> bool:
        if self.script is not None:
            return filename == self.script
        return not (filename.startswith("<") or filename.startswith(self._library))

    def frame(self, depth: int = 2) -> Frame | None:
        frame = sys._getframe(depth)
        while frame is not None:
            filename = frame.f_code.co_filename
            if self.matches(filename):
                code = linecache.getline(filename, frame.f_lineno).strip()
                return Frame(Path(filename).name, frame.f_lineno, frame.f_code.co_name, code)
            frame = frame.f_back
        return self.hint


def user_frame(script: Path | UserCode) -> Frame | None:
    """The innermost frame of the call stack that is in the user's code."""
    user = script if isinstance(script, UserCode) else UserCode(script)
    return user.frame(3)


class ModuleTracker:
    """The stack of modules currently running their forward, as (qualified name, class name)."""

    def __init__(self, model: nn.Module | list[nn.Module]):
        self.models = list(model) if isinstance(model, (list, tuple)) else [model]
        self.stack: list[tuple[str, str]] = []
        self.handles: list[Any] = []

    def __enter__(self) -> ModuleTracker:
        for root in self.models:
            prefix = f"{type(root).__name__}." if len(self.models) > 1 else ""
            for name, module in root.named_modules():
                self._track((prefix + name) if name else (prefix.rstrip(".") or "<model>"), module)
        return self

    def _track(self, name: str, module: nn.Module) -> None:
        label = (name, type(module).__name__)

        def pre(_m, _args):
            self.stack.append(label)

        def post(_m, _args, _out):
            if self.stack and self.stack[-1] == label:
                self.stack.pop()

        self.handles.append(module.register_forward_pre_hook(pre))
        self.handles.append(module.register_forward_hook(post, always_call=True))

    def __exit__(self, *exc: Any) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles.clear()
        self.stack.clear()

    @property
    def current(self) -> tuple[str, str] | None:
        return self.stack[-1] if self.stack else None


@dataclass
class OpEvent:
    """One op (forward function or autograd node) that produced a non-finite value, with what
    it was computed from."""

    index: int
    op: str
    kind: str
    """What it produced: 'nan', 'posinf' or 'neginf'."""
    module: str | None = None
    module_type: str | None = None
    frame: Frame | None = None
    from_constant: bool = False
    inputs_had_inf: bool = False
    operand_zero: bool = False
    operand_negative: bool = False
    operand_absmax: float | None = None
    operand_origin: str = "other"
    forward_op: str | None = None
    """For an autograd node: the forward function that created it."""
    prepares_input: bool = False
    """Made by the training loop's own code on the way into the model (data preparation), not after it."""
    traits: dict[str, bool] = field(default_factory=dict)
    """What the op and its operands tell apart, where it can be measured for this op: a reduction
    over nothing (empty_reduction), an unbiased var/std of one element (single_element_variance),
    a CTC target too long for its input (ctc_infeasible), a non-finite gradient where the incoming
    gradient was exactly 0 (upstream_grad_zero) and whether a where/mask consumed the output
    (masked_output: together, a branch the mask did not select), and an edge-of-domain input (acos/asin/atanh at +-1, a fractional power or xlogy at 0: domain_edge)."""
    consumer: str | None = None
    """For an autograd node: the node that fed it its gradient (the op that consumed its output)."""

    def to_dict(self) -> dict[str, Any]:
        out = {
            "op": self.op,
            "produced": self.kind,
            "module": self.module,
            "module_type": self.module_type,
            "operand_zero": self.operand_zero,
            "operand_negative": self.operand_negative,
            "operand_absmax": self.operand_absmax,
            "operand_origin": self.operand_origin,
            "from_constant": self.from_constant,
        }
        if self.forward_op is not None:
            out["forward_op"] = self.forward_op
        if self.traits:
            out["traits"] = dict(self.traits)
        if self.consumer is not None:
            out["consumer"] = self.consumer
        if self.frame is not None:
            out["source"] = self.frame.to_dict()
        return out


def _status(tensors: list[torch.Tensor]) -> tuple[bool, bool]:
    """(has NaN, has Inf) over float tensors, in one host transfer."""
    if not tensors:
        return False, False
    finite = [torch.isfinite(t.detach()).all() for t in tensors]
    if bool(finite[0] if len(finite) == 1 else torch.stack([f.to(finite[0].device) for f in finite]).all()):
        return False, False
    flags = []
    for t in tensors:
        t = t.detach()
        flags.append(torch.isnan(t).any())
        flags.append(torch.isinf(t).any())
    values = torch.stack([f.to(flags[0].device) for f in flags]).tolist()
    return any(values[0::2]), any(values[1::2])


def _lookup(table: WeakIdKeyDictionary, t: Any) -> Any:
    """t's entry in a weak table of tensors (None for a non-tensor, or a table still empty)."""
    if not isinstance(t, torch.Tensor) or not len(table):
        return None
    try:
        return table.get(t)
    except TypeError:
        return None


def _storage_key(t: torch.Tensor) -> Any:
    try:
        return t.device, t.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):  # a tensor without storage (a meta or functional tensor)
        return None


def _store(table: WeakIdKeyDictionary, tensors: Iterable[Any], value: Any) -> None:
    """Give each tensor the same entry (a tensor that cannot be weakly referenced is left out)."""
    for t in tensors:
        try:
            table[t] = value
        except TypeError:
            pass


def made_while_loading(watcher: OpWatcher, tensors: list[torch.Tensor]) -> list[OpEvent | None]:
    """Per tensor of a batch loaded under `watcher`: the op of the loading code that made its first
    non-finite value from finite ones (None: it is finite, its NaN/Inf was already in what the
    dataset read, or the code wrote it there as a constant)."""
    if not (watcher.first_nan or watcher.first_inf or watcher.first_const or watcher.inherited):
        return []
    made: list[OpEvent | None] = []
    for t in tensors:
        event = None
        if float_tensors(t) and not bool(torch.isfinite(t).all()):
            taint = watcher.taint_of(t)
            # a NaN or Inf the code wrote as a constant (x[i] = float("nan"): a missing value) is data
            if taint is not None and taint[0].op not in ("input", "parameter", "buffer") \
                    and not taint[0].from_constant:
                event = taint[0]
                event.prepares_input = True
        made.append(event)
    return made


class OpWatcher(TorchFunctionMode):
    """Finds the first producers of Inf and NaN among the torch functions of one step."""

    def __init__(self, script: Path | UserCode, tracker: ModuleTracker | None,
                 model: nn.Module | list[nn.Module] | None = None, batch: Any = None,
                 stop_detail_after: int = 100000, params: Iterable[torch.Tensor] = ()):
        super().__init__()
        self.script = script if isinstance(script, UserCode) else UserCode(script)
        self.tracker = tracker
        self.count = 0
        self.first_inf: OpEvent | None = None
        self.first_const: OpEvent | None = None
        self.first_nan: OpEvent | None = None
        self.raised: OpEvent | None = None
        """The op that raised (an index out of range, a shape error), if the step raised."""
        self.raised_on: list[torch.Tensor] = []
        """The non-finite tensors the op that raised was given (a crash on a NaN)."""
        self.provenance: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self.summed_losses: WeakIdKeyDictionary = WeakIdKeyDictionary()
        """loss -> (targets, ignore_index) of the losses summed over class targets."""
        self.grad_fn_info: dict[int, tuple[Any, str, str | None, str | None, Frame | None, Any]] = {}
        self._param_ids = set()
        for m in (model if isinstance(model, (list, tuple)) else [model] if model is not None else []):
            self._param_ids |= {id(t) for t in list(m.parameters()) + list(m.buffers())}
        self._param_ids |= {id(t) for t in params}  # bare tensors an optimizer trains: weights held by no module
        self._batch_ids = {id(t) for t in iter_tensors(batch)} if batch is not None else set()
        self.softmax_absmax = 0.0
        self.taint: WeakIdKeyDictionary = WeakIdKeyDictionary()
        """tensor -> (root event, event that made the first NaN on its chain or None)."""
        self.inherited = False
        """Whether it started from an earlier watcher's taint (`inherit`)."""
        self._earlier: OpWatcher | None = None
        """The watcher whose taint this one inherited (`inherit`)."""
        self._by_memory: tuple[int, dict[Any, tuple[OpEvent, OpEvent | None]]] | None = None
        self.hidden: WeakIdKeyDictionary = WeakIdKeyDictionary()
        """Finite tensor -> taint of the overflow it was computed from (x / Inf = 0): where a later op
        turns it non-finite again (log(0) = -inf), that overflow is the root, not the later op."""

    def seed_taint(self, t: torch.Tensor, event: OpEvent) -> None:
        """Mark a tensor that is non-finite before any op ran (a dirty batch, a NaN weight)."""
        _store(self.taint, [t], (event, event if event.kind == "nan" else None))

    def taint_of(self, t: Any) -> tuple[OpEvent, OpEvent | None] | None:
        taint = _lookup(self.taint, t)
        if taint is None and self._earlier is not None:
            taint = self._earlier.taint_of(t) or self._earlier.taint_by_memory(t)
        return taint

    def inherit(self, earlier: OpWatcher) -> None:
        """Start from the taint an earlier watcher left on tensors still alive (data a program's
        start made non-finite, read again by a fetch): looked up there, not copied, so a fetch costs
        nothing more where the start made nothing non-finite."""
        self._earlier = earlier if len(earlier.taint) else None
        self.inherited = self._earlier is not None

    def taint_by_memory(self, t: Any) -> tuple[OpEvent, OpEvent | None] | None:
        """The taint of a tensor that shares its memory with a tainted one: data that went through
        numpy and back (`torch.from_numpy(x.numpy())`) are the same data."""
        if not isinstance(t, torch.Tensor) or not len(self.taint):
            return None
        if self._by_memory is None or self._by_memory[0] != len(self.taint):  # rebuilt when the taint grew
            self._by_memory = (len(self.taint), {_storage_key(x): taint for x, taint in list(self.taint.items())})
        return self._by_memory[1].get(_storage_key(t))

    def _hide(self, inputs: list[torch.Tensor], outputs: list[torch.Tensor]) -> None:
        """Finite outputs of an op given an overflow (a sum of Inf divided into 0) keep its taint aside.
        Only an overflow made from finite values counts: not a constant -inf written on purpose (a
        mask) nor NaN/Inf that came with the data."""
        for t in inputs:
            taint = self.taint_of(t) or self._hidden_of(t)
            if taint is not None:
                root = taint[0]
                if root.from_constant or root.op in ("input", "parameter", "buffer") or root.kind == "nan":
                    return
                _store(self.hidden, outputs, taint)
                return

    def _carry_hidden(self, inputs: list[Any], outputs: list[Any]) -> None:
        hidden = next((h for h in map(self._hidden_of, inputs) if h is not None), None)
        if hidden is not None:
            _store(self.hidden, outputs, hidden)

    def _hidden_of(self, t: Any) -> tuple[OpEvent, OpEvent | None] | None:
        return _lookup(self.hidden, t)

    def _propagate(self, name: str, args: tuple, kwargs: dict, inputs: list[torch.Tensor],
                   outputs: list[torch.Tensor], in_nan: bool, in_inf: bool, out_nan: bool, out_inf: bool,
                   scalar_nonfinite: bool) -> None:
        """Give each non-finite output the taint of the chain it continues, or a new root."""
        parent = None
        if in_nan or in_inf:
            for t in inputs:
                parent = self.taint_of(t)
                if parent is not None:
                    break
        elif not scalar_nonfinite:  # finite inputs, one of them made from an overflow (log(x / Inf))
            parent = next((h for h in map(self._hidden_of, inputs) if h is not None), None)
        if parent is not None:
            root, nan_event = parent
            if nan_event is None and out_nan and not in_nan:
                nan_event = self._event(name, "nan", args, inputs, True, kwargs)
            taint = (root, nan_event)
        elif (in_nan or in_inf) and not scalar_nonfinite:
            return  # non-finite input of unknown origin: leave it to the first-event fallbacks
        else:
            kind = "nan" if out_nan else (_kind_of_any(outputs, skip_nan=True) or "posinf")
            root = self._event(name, kind, args, inputs, False, kwargs)
            root.from_constant = scalar_nonfinite or not inputs
            taint = (root, root if out_nan else None)
        _store(self.taint, outputs, taint)

    # ------------------------------------------------------------ the mode
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = op_name(func)
        if name in _SKIP or name.startswith("is_"):
            out = func(*args, **kwargs)
            if args and isinstance(args[0], torch.Tensor):
                taint = self.taint_of(args[0])
                for t in ([out] if isinstance(out, torch.Tensor) else
                          [o for o in out if isinstance(o, torch.Tensor)] if isinstance(out, (tuple, list)) else []):
                    try:
                        self.provenance[t] = (name, [args[0]])
                        if taint is not None:  # a view or copy carries the value, and its history, on
                            self.taint[t] = taint
                    except TypeError:
                        pass
                if len(self.hidden):
                    self._carry_hidden([args[0]], [out] if isinstance(out, torch.Tensor) else list(out)
                                       if isinstance(out, (tuple, list)) else [])
            return out
        inputs = float_tensors((args, kwargs))
        if name in _GATHER and not any(t.requires_grad for t in inputs):
            return self._gathered(func, name, args, kwargs, inputs)
        in_nan, in_inf = _status(inputs)
        scalar_nonfinite = any(isinstance(a, float) and not math.isfinite(a)
                               for a in list(args) + list(kwargs.values()))
        try:
            out = func(*args, **kwargs)
        except Exception:
            if self.raised is None:
                self.raised = self._event(name, "error", args, inputs, in_inf)
                self.raised_on = [t for t in inputs if nan_or_posinf(t)]
            raise
        self.count += 1
        outputs = float_tensors(out)
        if not outputs and isinstance(out, torch.Tensor) and args and isinstance(args[0], torch.Tensor):
            try:  # an integer count (mask.sum()) is a divisor's provenance too
                self.provenance[out] = (name, [args[0]])
            except TypeError:
                pass
        mutated = False
        if not outputs and args and isinstance(args[0], torch.Tensor) and (
                name.endswith("setitem") or getattr(func, "__name__", "").endswith("_")):
            outputs = [args[0]] if args[0].is_floating_point() else []
            mutated = True
        if not outputs:
            return out
        # `n - 1`: the divisor of an unbiased variance written by hand (0 for a group of one)
        minus_one = name == "sub" and len(args) > 1 and isinstance(args[0], torch.Tensor) \
            and isinstance(args[1], (int, float)) and not isinstance(args[1], bool) and args[1] == 1
        summed = _summed_loss_target(name, args, kwargs)
        for t in outputs:
            if summed is not None:  # its targets are read only if a 0/0 follows (no sync per step)
                self.summed_losses[t] = summed
            if not mutated:
                try:
                    self.provenance[t] = ("minus_one" if minus_one else name, [a for a in inputs])
                except TypeError:
                    pass
            try:
                fn = t.grad_fn
            except RuntimeError:  # a view made under no_grad and changed in place (nn.Embedding's padding row)
                fn = None
            if fn is not None and id(fn) not in self.grad_fn_info:
                current = self.tracker.current if self.tracker else None
                decisive = self._decisive(name, args, inputs)
                self.grad_fn_info[id(fn)] = (fn, name, current[0] if current else None,
                                             current[1] if current else None, self.script.frame(), decisive)
        if name in _SOFTMAX and inputs:
            finite = inputs[0].detach()
            finite = torch.where(torch.isfinite(finite), finite, torch.zeros((), device=finite.device))
            if finite.numel():
                self.softmax_absmax = max(self.softmax_absmax, float(finite.abs().amax()))
        out_nan, out_inf = _status(outputs)
        if (out_nan or out_inf) and not (in_nan or in_inf) and hasattr(func, "look_inside"):
            if self._adopt_inside(func, args, kwargs, outputs, out_nan):
                return out
        if out_nan or out_inf:
            self._propagate(name, args, kwargs, inputs, outputs, in_nan, in_inf, out_nan, out_inf, scalar_nonfinite)
        elif in_nan or in_inf:
            self._hide(inputs, outputs)
        elif len(self.hidden):
            self._carry_hidden(inputs, outputs)
        if out_nan and not in_nan and self.first_nan is None:
            self.first_nan = self._event(name, "nan", args, inputs, in_inf, kwargs)
        if out_inf and not in_inf and not in_nan:
            constant = scalar_nonfinite or not inputs
            if constant and self.first_const is None:
                self.first_const = self._event(name, _kind_of_any(outputs) or "posinf", args, inputs, False, kwargs)
                self.first_const.from_constant = True
            elif not constant and self.first_inf is None:
                self.first_inf = self._event(name, _kind_of_any(outputs, skip_nan=True) or "posinf", args,
                                             inputs, False, kwargs)
        return out

    def _gathered(self, func: Any, name: str, args: tuple, kwargs: dict, inputs: list[torch.Tensor]) -> Any:
        out = func(*args, **kwargs)
        self.count += 1
        taint = next((x for x in map(self.taint_of, inputs) if x is not None), None)
        outputs = float_tensors(out)
        for t in outputs:
            try:
                self.provenance[t] = (name, inputs)
                if taint is not None:
                    self.taint[t] = taint
            except TypeError:
                pass
        if len(self.hidden):
            self._carry_hidden(inputs, outputs)
        return out

    def _adopt_inside(self, func: Any, args: tuple, kwargs: dict, outputs: list[torch.Tensor],
                      out_nan: bool) -> bool:
        """An op that runs the user's own code (a custom autograd.Function replayed as one call) made
        a non-finite value from finite inputs: run it once more under a watcher of its own (a torch
        function mode is off while it handles a call, so the ops inside were not seen) and take the
        op inside that made it (exp overflowing in a hand-written softmax), with its line, as this
        op's event. False: nothing inside was found, and the call stays one op."""
        inner = watch_inside(self.script, self.tracker, lambda: func.look_inside(*args, **kwargs))
        if inner is None:
            return False
        found = [e for e in (inner.first_inf, inner.first_nan) if e is not None]
        root = min(found, key=lambda e: e.index)
        for e in found:
            e.index = self.count if e is root else self.count + 1
        nan_event = inner.first_nan if out_nan else None
        _store(self.taint, outputs, (root, nan_event))
        if nan_event is not None and self.first_nan is None:
            self.first_nan = nan_event
        if inner.first_inf is not None and self.first_inf is None:
            self.first_inf = inner.first_inf
        return True

    # ------------------------------------------------------------ operands
    def _decisive(self, name: str, args: tuple, inputs: list[torch.Tensor]) -> Any:
        """The operand that decides whether the op is finite (divisor, log/sqrt input...)."""
        if name in _DIVISOR_SECOND and len(args) > 1:
            return args[1]
        if name in _DIVISOR_FIRST or name in _DOMAIN_FIRST:
            return args[0] if args else None
        if not inputs:
            return None
        return max(inputs, key=lambda t: t.numel())

    def _made_from(self, t: Any, depth: int) -> Iterator[torch.Tensor]:
        """t, then the tensors the ops that made it were given, breadth first, up to depth ops back."""
        frontier = [t]
        for _ in range(depth + 1):
            nxt = []
            for x in frontier:
                if not isinstance(x, torch.Tensor):
                    continue
                yield x
                entry = self.provenance.get(x)
                if entry is not None:
                    nxt.extend(entry[1])
            frontier = nxt
            if not frontier:
                break

    def origin(self, t: Any, depth: int = 4) -> str:
        for x in self._made_from(t, depth):
            if id(x) in self._param_ids:
                return "parameter"
            if id(x) in self._batch_ids:
                return "data"
            entry = self.provenance.get(x)
            if entry is None:
                continue
            op, parents = entry
            if op in _VARIANCE:
                return "variance"
            if self._range(op, parents):
                return "range"
            if op in _NORM:
                return "norm"
            if op in _REDUCTION:
                return self._reduced(parents, mean=op in ("mean", "nanmean"))
        return "other"

    def _range(self, op: str, parents: list[Any]) -> bool:
        """max - min: a spread of the values (min-max scaling divides by it), not a count or a total."""
        if op != "sub" or len(parents) != 2:
            return False
        made = [self.provenance.get(p) if isinstance(p, torch.Tensor) else None for p in parents]
        return all(m is not None and m[0] in _EXTREMES for m in made)

    def _reduced(self, parents: list[Any], mean: bool = False) -> str:
        """What a sum or mean reduced: squared deviations from a mean (a variance written by hand),
        squares (a norm written by hand; their mean is a second moment, the variance of an RMSNorm
        written by hand), or anything else (a count, a masked total...)."""
        for p in parents:
            entry = self.provenance.get(p) if isinstance(p, torch.Tensor) else None
            if entry is None:
                continue
            op, inner = entry
            squared = op in ("pow", "square") or op == "mul" and len(inner) == 2 and inner[0] is inner[1]
            if squared and inner:
                base = self.provenance.get(inner[0])
                centred = base is not None and base[0] in ("sub", "rsub")
                return "variance" if centred or mean else "norm"
        return "reduction"

    def _event(self, name: str, kind: str, args: tuple, inputs: list[torch.Tensor], inputs_had_inf: bool,
               kwargs: dict | None = None) -> OpEvent:
        current = self.tracker.current if self.tracker else None
        event = OpEvent(index=self.count, op=name, kind=kind, module=current[0] if current else None,
                        module_type=current[1] if current else None, frame=self.script.frame(),
                        inputs_had_inf=inputs_had_inf, prepares_input=current is None and self.script.preparing)
        decisive = self._decisive(name, args, inputs)
        describe_operand(event, name, decisive, inputs)
        event.operand_origin = self.origin(decisive)
        event.traits.update(forward_traits(name, args, kwargs or {}, event.operand_origin))
        if name in _DIVISOR_SECOND and len(args) > 1:
            divisor = self.provenance.get(args[1]) if isinstance(args[1], torch.Tensor) else None
            if divisor is not None and divisor[0] == "minus_one" and bool((args[1] == 0).any()):
                # sum / (n - 1) over a group of one: n is 1, not 0 (not a reduction over nothing)
                event.traits.update(single_element_variance=True, empty_reduction=False)
            elif event.operand_zero and self._reduced_count(args[0]) == 1 and divisor is None:
                # a total over one element divided by a 0 made outside torch (len(x) - 1 in Python):
                # an unbiased statistic of a group of one
                event.traits.update(single_element_variance=True, empty_reduction=False)
            elif event.operand_zero and isinstance(args[1], torch.Tensor) and self._summed_over_nothing(args[0]):
                # a loss summed over no counted target, divided by the count (transformers' loss over
                # num_items_in_batch, a count made outside the step where no provenance was kept)
                event.traits["empty_reduction"] = True
        return event

    def _reduced_count(self, t: Any) -> int | None:
        """How many elements the sum or mean that made t reduced (None: t is not a reduction)."""
        entry = self.provenance.get(t) if isinstance(t, torch.Tensor) else None
        if entry is None or entry[0] not in ("sum", "mean", "nansum", "nanmean") or not entry[1]:
            return None
        parent = entry[1][0]
        return parent.numel() // max(t.numel(), 1) if isinstance(parent, torch.Tensor) else None

    def _summed_over_nothing(self, t: Any, depth: int = 3) -> bool:
        """Was t (through a few ops: a cast, a view, a scale) a loss summed over targets that are
        all ignore_index, i.e. 0 because nothing was counted?"""
        for x in self._made_from(t, depth):
            summed = self.summed_losses.get(x)
            if summed is not None:
                target, ignore = summed
                return bool(target.numel()) and bool((target == ignore).all())
        return False


def watch_inside(script: UserCode, tracker: ModuleTracker | None, run: Any) -> OpWatcher | None:
    """Run the user's own code that torch saw as one call (a custom Function's forward or backward)
    once more, without autograd, under a watcher of its own: the watcher, if an op inside made a
    non-finite value; None if none did, or the run raised (only a closer look: the call's own
    result decides)."""
    inner = OpWatcher(script, tracker)
    try:
        with torch.no_grad(), inner:
            run()
    except Exception:  # noqa: BLE001
        return None
    return inner if inner.first_inf is not None or inner.first_nan is not None else None


def _kind_of_any(tensors: list[torch.Tensor], skip_nan: bool = False) -> str | None:
    for t in tensors:
        k = kind_of(t)
        if k is not None and not (skip_nan and k == "nan"):
            return k
    if skip_nan:
        for t in tensors:
            if torch.isposinf(t).any():
                return "posinf"
            if torch.isneginf(t).any():
                return "neginf"
    return None


def describe_operand(event: Any, name: str, decisive: Any, inputs: list[torch.Tensor]) -> None:
    """Fill operand_zero / operand_negative / operand_absmax on an event (forward or backward)."""
    if isinstance(decisive, torch.Tensor):
        d = decisive.detach()
        if d.numel() == 0:
            event.operand_zero = True
        elif d.is_floating_point() or d.dtype in (torch.int32, torch.int64):
            event.operand_zero = bool((d == 0).any())
            event.operand_negative = bool((d < 0).any())
    elif isinstance(decisive, (int, float)) and name in _DIVISOR_SECOND | _DIVISOR_FIRST:
        event.operand_zero = decisive == 0
    if name in ("mean", "nanmean") and inputs and inputs[0].numel() == 0:
        event.operand_zero = True
    describe_absmax(event, inputs)


_LOSSES_WITH_IGNORE = {"cross_entropy", "nll_loss"}


def _summed_loss_target(name: str, args: tuple, kwargs: dict) -> tuple[torch.Tensor, int] | None:
    """(class targets, ignore_index) of a cross_entropy / nll_loss summed (reduction="sum")."""
    if name not in _LOSSES_WITH_IGNORE or len(args) < 2 or not isinstance(args[1], torch.Tensor):
        return None
    if args[1].is_floating_point() or _arg(args, kwargs, 6, "reduction", "mean") != "sum":
        return None
    return args[1].detach(), _arg(args, kwargs, 4, "ignore_index", -100)


def _arg(args: tuple, kwargs: dict, index: int, name: str, default: Any = None) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def forward_traits(name: str, args: tuple, kwargs: dict, origin: str) -> dict[str, bool]:
    """Traits of a forward op that made the first non-finite value (see OpEvent.traits)."""
    if name in ("mean", "nanmean") and args and isinstance(args[0], torch.Tensor):
        return {"empty_reduction": args[0].numel() == 0}
    if name in _LOSSES_WITH_IGNORE and len(args) > 1 and isinstance(args[1], torch.Tensor):
        target, ignore = args[1], _arg(args, kwargs, 4, "ignore_index", -100)
        if target.is_floating_point():  # class probabilities: nothing is ignored
            return {"empty_reduction": target.numel() == 0}
        return {"empty_reduction": _arg(args, kwargs, 6, "reduction", "mean") == "mean"
                and bool((target == ignore).all())}
    if name in _DIVISOR_SECOND and len(args) > 1 and isinstance(args[1], torch.Tensor):
        num, den = args[0], args[1]
        zero_den = (den == 0)
        if not bool(zero_den.any()) or not isinstance(num, (torch.Tensor, int, float)):
            return {"empty_reduction": False}
        num = torch.as_tensor(num, device=den.device)
        try:
            zero_over_zero = bool(((num == 0) & zero_den).any())
        except RuntimeError:  # shapes that only the op itself could broadcast
            return {}
        return {"empty_reduction": zero_over_zero and origin == "reduction"}
    if name in _VARIANCE and args and isinstance(args[0], torch.Tensor):
        return {"single_element_variance": _degrees_of_freedom(args, kwargs) <= 0}
    if name == "ctc_loss":
        parts = [_arg(args, kwargs, i, n) for i, n in ((1, "targets"), (2, "input_lengths"), (3, "target_lengths"))]
        return {"ctc_infeasible": _ctc_infeasible(*parts)} if all(p is not None for p in parts) else {}
    return {}


def _degrees_of_freedom(args: tuple, kwargs: dict) -> float:
    """Elements reduced minus the correction (1 unless unbiased=False or correction= says otherwise)."""
    x, dim, unbiased, correction = args[0], kwargs.get("dim"), kwargs.get("unbiased"), kwargs.get("correction")
    for a in args[1:]:  # var(unbiased), var(dim, unbiased, keepdim)
        if isinstance(a, bool):
            unbiased = a if unbiased is None else unbiased
        elif isinstance(a, (int, tuple, list)) and dim is None:
            dim = a
    dims = [] if dim is None else [dim] if isinstance(dim, int) else list(dim)
    count = x.numel() if not dims else math.prod(x.shape[d] for d in dims)
    if correction is None:
        correction = 0 if unbiased is False else 1
    return count - float(correction)


def _ctc_infeasible(targets: Any, input_lengths: Any, target_lengths: Any) -> bool:
    """Does some sample need more frames than its input has? A target of length L with r repeated
    neighbours needs L + r frames (a blank between repeats), so L + r > T leaves no alignment."""
    try:
        inputs = torch.as_tensor(input_lengths).flatten().tolist()
        lengths = torch.as_tensor(target_lengths).flatten().tolist()
        targets = torch.as_tensor(targets)
    except (TypeError, ValueError, RuntimeError):
        return False
    offset = 0
    for i, (t_len, l_len) in enumerate(zip(inputs, lengths)):
        if targets.dim() == 2:
            labels = targets[i, :l_len].tolist()
        else:
            labels = targets[offset:offset + l_len].tolist()
            offset += l_len
        repeats = sum(1 for a, b in zip(labels, labels[1:]) if a == b)
        if l_len + repeats > t_len:
            return True
    return False


def graph_nodes(root: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        for child, _ in getattr(node, "next_functions", ()):
            stack.append(child)
    return list(seen.values())


def _saved_tensors(node: Any) -> list[torch.Tensor]:
    out = []
    for attr in dir(node):
        if attr.startswith("_saved_"):
            try:
                value = getattr(node, attr)
            except Exception:  # noqa: BLE001 - some saved values cannot be read back
                continue
            if isinstance(value, torch.Tensor) and (value.is_floating_point()):
                out.append(value)
    return out


class BackwardWatcher:
    """Hooks every node of the autograd graph; finds the first to make a non-finite gradient."""

    def __init__(self, loss: torch.Tensor, watcher: OpWatcher | None, script: Path | UserCode):
        self.loss = loss
        self.watcher = watcher
        self.script = script if isinstance(script, UserCode) else UserCode(script)
        self.count = 0
        self.first: OpEvent | None = None
        self.first_nan: OpEvent | None = None
        self.handles: list[Any] = []
        self.consumers: dict[int, list[Any]] = {}
        """id(node) -> the nodes that feed it its gradient (in the forward: consumed its output)."""
        self.masks: set[int] = set()
        """ids of the products with a 0/1 mask in the graph."""
        self.flat: set[int] = set()
        """ids of the nodes whose own derivative is 0 at some of their inputs (x**2 at 0)."""
        self.inside: dict[int, OpEvent] = {}
        """id(custom Function node) -> the op inside its hand-written backward that made a non-finite value."""

    def __enter__(self) -> BackwardWatcher:
        for node in graph_nodes(self.loss.grad_fn):
            for child, _ in getattr(node, "next_functions", ()):
                if child is not None and node not in self.consumers.setdefault(id(child), []):
                    self.consumers[id(child)].append(node)
            if node.name() == "MulBackward0" and _zero_one_mask(node):  # saved tensors are freed once it runs
                self.masks.add(id(node))
            if _zero_derivative_at_zero(node):
                self.flat.add(id(node))
            try:
                self.handles.append(node.register_hook(self._hook(node)))
                if hasattr(node, "_forward_cls"):  # a custom autograd.Function: its backward is the user's code
                    self.handles.append(node.register_prehook(self._look_inside(node)))
            except (RuntimeError, AttributeError):
                continue
        return self

    def _look_inside(self, node: Any):
        """Before a custom Function's hand-written backward runs: run it once more under an op watcher
        (torch function modes do not reach into the autograd engine), so that the op inside it that
        makes a non-finite gradient (exp overflowing, a division by 0) is named, with its line."""
        def prehook(grad_outputs):
            if self.first is not None or any(nan_or_posinf(g) for g in grad_outputs if isinstance(g, torch.Tensor)):
                return None
            inner = watch_inside(self.script, None, lambda: node._forward_cls.backward(node, *grad_outputs))
            if inner is not None:
                self.inside[id(node)] = inner.first_inf or inner.first_nan
            return None

        return prehook

    def __exit__(self, *exc: Any) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles.clear()

    def _hook(self, node: Any):
        def hook(grad_inputs, grad_outputs):
            self.count += 1
            if self.first is not None and self.first_nan is not None:
                return None
            gi = [g for g in grad_inputs if isinstance(g, torch.Tensor) and g.is_floating_point()]
            go = [g for g in grad_outputs if isinstance(g, torch.Tensor) and g.is_floating_point()]
            in_nan, in_inf = _status(go)
            out_nan, out_inf = _status(gi)
            if (out_nan or out_inf) and not (in_nan or in_inf) and self.first is None:
                self.first = self._event(node, _kind_of_any(gi) or "nan", gi, go)
            if out_nan and not in_nan and self.first_nan is None:
                self.first_nan = self._event(node, "nan", gi, go)
            return None

        return hook

    def _event(self, node: Any, kind: str, grads: list[torch.Tensor], incoming: list[torch.Tensor]) -> OpEvent:
        inside = self.inside.get(id(node))
        if inside is not None:  # the op of the user's backward that made it, and its line
            inside.index, inside.forward_op = self.count, node.name()
            return inside
        event = OpEvent(index=self.count, op=node.name(), kind=kind)
        consumers = self.consumers.get(id(node)) or [None]
        event.consumer = consumers[0].name() if consumers[0] is not None else None
        zero = upstream_zero(grads, incoming)
        if zero is not None:
            event.traits["upstream_grad_zero"] = zero
            event.traits["masked_output"] = masked_downstream(node, self.consumers, self.masks,
                                                              flat=self.flat) is not None
        edge = domain_edge(node)
        if edge is not None:
            event.traits["domain_edge"] = edge
        saved = _saved_tensors(node)
        for t in saved:
            t = t.detach()
            if t.numel() and bool((t == 0).any()):
                event.operand_zero = True
            if t.numel() and bool((t < 0).any()):
                event.operand_negative = True
        describe_absmax(event, saved)
        info = self.watcher.grad_fn_info.get(id(node)) if self.watcher else None
        if info is not None:
            _fn, fwd, module, module_type, frame, decisive = info
            event.forward_op, event.module, event.module_type, event.frame = fwd, module, module_type, frame
            if self.watcher is not None:
                event.operand_origin = self.watcher.origin(decisive)
        else:
            event.frame = _anomaly_frame(node, self.script)
        return event


def upstream_zero(grads: list[torch.Tensor], incoming: list[torch.Tensor]) -> bool | None:
    """Was the gradient coming into a node exactly 0 wherever the gradient it made is non-finite?
    Then the NaN is 0 * Inf inside the node: its output was masked out (torch.where, masked_fill,
    a 0/1 mask) and still back-propagates its infinite local derivative. None: shapes differ."""
    bad = next((g for g in grads if not bool(torch.isfinite(g).all())), None)
    if bad is None or len(incoming) != 1:
        return None
    try:
        upstream = torch.broadcast_to(incoming[0].detach(), bad.shape)
    except RuntimeError:
        return None
    return bool((upstream[~torch.isfinite(bad)] == 0).all())


_SELECTIONS = {"WhereBackward0", "MaskedFillBackward0", "MaskedFillBackward1", "IndexBackward0",
               "MaskedSelectBackward0", "MaskedScatterBackward0", "IndexPutBackward0"}


def _zero_one_mask(node: Any) -> bool:
    """A product with a 0/1 mask (x * mask): one saved factor holds only 0s and 1s, some 0."""
    for attr in ("_saved_other", "_saved_self"):
        try:
            t = getattr(node, attr, None)
        except Exception:  # noqa: BLE001 - some saved values cannot be read back
            continue
        if isinstance(t, torch.Tensor) and t.numel() and bool(((t == 0) | (t == 1)).all()) and bool((t == 0).any()):
            return True
    return False


def masked_downstream(node: Any, consumers: dict[int, list[Any]], masks: set[int], hops: int = 4,
                      flat: frozenset[int] | set[int] = frozenset()) -> str | None:
    """The selection that consumed a node's output within a few ops (torch.where, masked_fill,
    indexing with a mask, a product with a 0/1 mask), i.e. what made its gradient 0; None when
    the zero came from elsewhere (a kink such as abs or relu at 0). An output used several times
    is masked only when every use reaches a selection: a value one use keeps (the distance a
    squared term reads while a hinge term masks it) was not a branch the program left out."""
    found: list[str] = []

    def walk(current: Any, left: int) -> bool:
        uses = consumers.get(id(current)) or []
        if not uses or left == 0:
            return False
        for use in uses:
            name = use.name()
            if name in _SELECTIONS or id(use) in masks:
                found.append(name)
                continue
            if id(use) in flat or not walk(use, left - 1):
                return False  # flat: the 0 came from this op's own derivative (x**2 at x = 0)
        return True

    return found[0] if walk(node, hops) and found else None


def _zero_derivative_at_zero(node: Any) -> bool:
    """A power x**p with p > 1 whose input holds exact zeros: its derivative p*x**(p-1) is 0 there, so
    the gradient it passes back is 0 whatever selection comes after it (a squared distance at 0)."""
    if node.name() != "PowBackward0":
        return False
    try:  # (saved tensors are freed once the node has run: read before the backward)
        p = getattr(node, "_saved_exponent", None)
        x = getattr(node, "_saved_self", None)
    except RuntimeError:
        return False
    if not isinstance(p, (int, float)) or isinstance(p, bool) or p <= 1 or not isinstance(x, torch.Tensor):
        return False
    return bool((x.detach() == 0).any())


_EDGE_OF_ONE = {"AcosBackward0", "AsinBackward0", "AtanhBackward0", "AcoshBackward0"}
_EDGE_OF_ZERO = {"XlogyBackward0", "SpecialEntrBackward0", "LogBackward0", "Log2Backward0", "Log10Backward0"}


def domain_edge(node: Any) -> bool | None:
    """For the backward of a function whose derivative is infinite at the edge of its domain
    (acos/asin/atanh at +-1, acosh at 1, x**p with 0 < p < 1 at 0, log/xlogy at 0): was its saved
    input exactly at that edge? None for any other node. As in the cause catalogue, a power of 0.5
    is such a power (torch.sqrt and norms have a cause of their own, num.sqrt_zero_grad)."""
    name = node.name()
    x = getattr(node, "_saved_self", None)
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        return None
    x = x.detach()
    if name in _EDGE_OF_ONE:
        return bool((x.abs() == 1).any())
    if name in _EDGE_OF_ZERO:
        return bool((x == 0).any())
    if name == "PowBackward0":
        p = getattr(node, "_saved_exponent", None)
        if isinstance(p, (int, float)) and not isinstance(p, bool) and 0 < p < 1:
            return bool((x == 0).any())
    if name == "PowBackward1":  # a tensor exponent (GeM pooling's learned p, its 1 / p)
        p = getattr(node, "_saved_exponent", None)
        if isinstance(p, torch.Tensor):
            try:  # d/dx = p * x**(p - 1) is infinite at x = 0 for 0 < p < 1 (autograd zeroes d/dp there)
                p = p.detach()
                return bool(((x == 0) & (p > 0) & (p < 1)).any())
            except RuntimeError:
                return None
    return None


def describe_absmax(event: Any, tensors: list[torch.Tensor]) -> None:
    """The largest |finite value| among the tensors (None if they are all empty)."""
    event.operand_absmax = max((float(absmax(t)) for t in tensors if t.numel()), default=None)


def _anomaly_frame(node: Any, user: UserCode) -> Frame | None:
    """The user's line that created a node, from anomaly mode's recorded forward traceback."""
    trace = getattr(node, "metadata", {}).get("traceback_") if hasattr(node, "metadata") else None
    if not trace:
        return None
    for entry in reversed(trace if isinstance(trace, list) else [trace]):
        for match in reversed(list(re.finditer(r'File "([^"]+)", line (\d+)', str(entry)))):
            filename, line = match.group(1), int(match.group(2))
            if user.matches(filename):
                return Frame(Path(filename).name, line, "", linecache.getline(filename, line).strip())
    return None


class SoftmaxWatcher(TorchFunctionMode):
    """Cheap watcher for stats steps: largest |finite logit| fed to a softmax."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[torch.Tensor] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if op_name(func) in _SOFTMAX and args and isinstance(args[0], torch.Tensor):
            x = args[0].detach()
            if x.numel():
                self.values.append(torch.where(torch.isfinite(x), x, torch.zeros((), dtype=x.dtype,
                                                                                  device=x.device)).abs().amax().float())
        return func(*args, **kwargs)

    def result(self) -> float | None:
        if not self.values:
            return None
        return float(torch.stack([v.to(self.values[0].device) for v in self.values]).amax())


class RangeWatcher(TorchFunctionMode):
    """For an fp32 run: largest |value| any op produced, and the smallest nonzero |input| fed to
    log, division, reciprocal or rsqrt (fp16 rounds magnitudes below ~6e-8 to 0)."""

    _SMALL_SENSITIVE = {"log", "log2", "log10", "div", "truediv", "rdiv", "rtruediv", "reciprocal", "rsqrt",
                        "xlogy", "binary_cross_entropy"}

    def __init__(self) -> None:
        super().__init__()
        self.max_abs = 0.0
        self.min_small = math.inf
        self._max: list[torch.Tensor] = []
        self._min: list[torch.Tensor] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = op_name(func)
        if name in _SKIP:
            return func(*args, **kwargs)
        if name in self._SMALL_SENSITIVE and args:
            decisive = args[1] if name in _DIVISOR_SECOND and len(args) > 1 else args[0]
            if isinstance(decisive, torch.Tensor) and decisive.is_floating_point() and decisive.numel():
                a = decisive.detach().float().abs()
                a = torch.where((a > 0) & torch.isfinite(a), a, torch.full((), math.inf, device=a.device))
                self._min.append(a.amin())
        out = func(*args, **kwargs)
        for t in float_tensors(out):
            if t.numel():
                a = t.detach().float().abs()
                self._max.append(torch.where(torch.isfinite(a), a, torch.zeros((), device=a.device)).amax())
        return out

    def result(self) -> tuple[float, float]:
        self.flush()
        return self.max_abs, self.min_small

    def flush(self) -> None:
        if self._max:
            self.max_abs = max(self.max_abs, float(torch.stack([x.to(self._max[0].device) for x in self._max]).amax()))
            self._max.clear()
        if self._min:
            self.min_small = min(self.min_small, float(torch.stack([x.to(self._min[0].device) for x in self._min]).amin()))
            self._min.clear()

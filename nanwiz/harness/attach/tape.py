"""The tape: the torch calls of the user's own loop, as a dataflow graph that can be re-run.

While the user's code runs at *depth 0* (no module forward, optimizer step, DataLoader or
other library code on the stack), a TorchFunctionMode records every torch call that returns a
tensor or changes one in place, and every root module call is recorded by the module hooks.
Each recorded argument is either the output of an earlier entry (a `Ref`) or a `Source`: a
tensor the tape did not make (a batch from a DataLoader, a parameter, a tensor built before
the step). Replaying an entry re-executes it on the current values of its sources and the
replayed outputs of its producers, so the step's forward, loss and backward can be run again
on a restored state, under any watcher, precision or subset of the batch.

The mode is popped while library code runs (module internals, the optimizer, DataLoader
workers' collation), so its cost is a few microseconds per call of the user's own loop.
A source that the loop later changes in place is copied first (copy-on-write), so a replay
sees the values the step saw.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch
from torch.overrides import TorchFunctionMode
from torch.utils import _pytree as pytree
from torch.utils.weak import WeakIdKeyDictionary

from nanwiz.harness.tensors import nan_or_posinf
from nanwiz.harness.watch import op_name

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_NANWIZ_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
_PROBES_DIR = os.path.join(os.path.dirname(_NANWIZ_DIR.rstrip(os.sep)), "probes") + os.sep
_LIBRARY_DIRS = (_TORCH_DIR, _NANWIZ_DIR, _PROBES_DIR)
"""torch, nanwiz, and nanwiz's probes (beside the package in an editable install)."""
_NOT_RECORDED = {"__get__", "__set__", "__delete__", "__format__", "__repr__", "__str__", "item", "tolist",
                 "numpy", "__len__", "__bool__", "__index__", "__hash__", "__iter__", "dim", "size", "numel",
                 "data_ptr", "untyped_storage", "storage", "element_size", "stride", "is_floating_point",
                 "is_contiguous", "__contains__"}
"""Calls that read a tensor without making one the step can depend on."""
_READS = {"item", "__float__", "isnan", "isinf", "isfinite"}
"""Where the program itself looks at a value (logs a loss, checks it for NaN): the watch is told
(`Tape.on_read`), since a loop that skips a non-finite loss never hands it to backward."""
_RANDOM = {"rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "randperm", "normal", "bernoulli",
           "multinomial", "poisson", "random", "uniform", "exponential", "geometric", "cauchy", "log_normal",
           "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "rrelu"}
"""Calls that draw random numbers. Their results are kept and given back as they were, since the
generator they drew from (often a torch.Generator of the program's own) has moved on since."""
_SUMS = {"add", "radd", "sub", "rsub"}
"""Ops that add up a loss from its terms (`rec + beta * kl`): their scalar operands are kept."""
_SCALES = {"mul", "rmul", "div", "truediv"}
"""Ops that scale a whole loss (`(rec + kl) / accumulation_steps`): its terms are read through them."""
_ASSIGNED = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:[-+*/]?=)(?!=)")
MAX_TERMS = 8
"""More operands than this is a sum over samples or steps, not a loss made of named terms."""


@dataclass(frozen=True)
class Where:
    """A line of the user's code."""

    file: str
    line: int
    function: str

    @property
    def code(self) -> str:
        return linecache.getline(self.file, self.line).strip()

    def to_dict(self) -> dict[str, Any]:
        return {"file": os.path.basename(self.file), "path": self.file, "line": self.line,
                "function": self.function, "code": self.code}


def is_library_file(filename: str) -> bool:
    return filename.startswith(_LIBRARY_DIRS) or filename.startswith("<")


def caller(depth: int = 2) -> Where | None:
    """The innermost frame of the call stack outside torch and nanwiz: the user's line."""
    frame = sys._getframe(depth)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not is_library_file(filename):
            return Where(filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


class Ref(NamedTuple):
    """Output `position` (among the tensors of its flattened output) of entry `entry`."""

    entry: int
    position: int


@dataclass
class Source:
    """A tensor the tape did not produce, held as it was when the step first used it."""

    tensor: torch.Tensor
    parameter: bool = False
    """Part of a model's state: restored with the model, never copied by the tape."""
    batch: Any = None
    """The batch rows it holds (`data.BatchRows`), when it came from a DataLoader or was sliced from a
    larger tensor."""
    copied: bool = False
    made: Any = None
    """The op that made it non-finite while the loader produced it (`watch.OpEvent`), if one did."""


@dataclass
class Entry:
    index: int
    kind: str
    """'op' (a torch call) or 'call' (a root module call)."""
    name: str
    target: Any
    """The torch function, or the module."""
    spec: Any
    leaves: list[Any]
    where: Where | None
    grad: bool
    autocast: tuple
    segment: int
    inplace: bool = False
    outputs: int = 0
    error: str | None = None
    frozen: list[torch.Tensor] | None = None
    """A random draw: its outputs as they were, given back by a replay instead of drawing again."""
    rows: tuple[torch.Tensor, list[int]] | None = None
    """Rows taken from a larger tensor along dim 0 (a batch sliced by hand): (that tensor, which rows)."""
    training: bool | None = None
    """For a root module call: whether the module was in train mode (replayed in the same mode)."""
    submodes: tuple[bool, ...] | None = None
    """For a root module call whose submodules were not all in its mode (BatchNorms frozen in eval
    inside a model in train mode): each one's mode, in `modules()` order."""
    scalars: list[torch.Tensor | None] | None = None
    """For a sum of scalars that needs a gradient (a loss adding up its terms): the values of its
    leaves (None where a leaf is not a scalar tensor), for the per-term trajectories."""
    nonfinite_inputs: bool = False
    """An op that raised: whether NaN/Inf was in what it was given (binary_cross_entropy's range
    check, multinomial on NaN probabilities), i.e. the crash is how the program met a NaN."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "kind": self.kind, "name": self.name}
        if self.where is not None:
            out["source"] = self.where.to_dict()
        if self.error:
            out["error"] = self.error
        return out


def autocast_state() -> tuple:
    """(device, enabled, dtype) for the autocast devices in use: what a replay must restore."""
    state = [("cpu", torch.is_autocast_enabled("cpu"), torch.get_autocast_dtype("cpu"))]
    if torch.cuda.is_available():
        state.append(("cuda", torch.is_autocast_enabled("cuda"), torch.get_autocast_dtype("cuda")))
    return tuple(state)


def row_slice(name: str, args: tuple, out: torch.Tensor) -> tuple[torch.Tensor, list[int]] | None:
    """Is this `data[index]` (or index_select on dim 0) picking rows of a larger tensor, as a loop
    that batches its tensors by hand does? Then (data, the row numbers)."""
    data = args[0]
    if not isinstance(data, torch.Tensor) or data.dim() == 0 or out.dim() == 0:
        return None
    n = data.shape[0]
    if name == "index_select":
        if len(args) < 3 or args[1] != 0 or not isinstance(args[2], torch.Tensor):
            return None
        index: Any = args[2]
    else:
        index = args[1] if len(args) > 1 else None
        if isinstance(index, tuple):
            if not index or any(not (isinstance(i, slice) and i == slice(None)) for i in index[1:]):
                return None
            index = index[0]
    if isinstance(index, slice):
        rows = list(range(*index.indices(n)))
    elif isinstance(index, torch.Tensor) and index.dim() == 1 and not index.is_floating_point():
        rows = index.nonzero().flatten().tolist() if index.dtype == torch.bool else index.tolist()
    elif isinstance(index, list) and index and all(isinstance(i, int) for i in index):
        rows = list(index)
    else:
        return None
    if len(rows) != out.shape[0] or len(rows) >= n or not rows:
        return None
    return data, [r % n for r in rows]


def _is_inplace(name: str, func: Any) -> bool:
    raw = getattr(func, "__name__", "")
    if raw in ("__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__", "__iand__",
               "__ior__", "__ixor__"):
        return True
    return raw.endswith("_") and not raw.startswith("_") and name not in ("requires_grad",)


class TapeMode(TorchFunctionMode):
    """Records the torch calls of the user's own loop into a Tape."""

    def __init__(self, tape: Tape):
        super().__init__()
        self.tape = tape

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        tape = self.tape
        if tape.blocked:
            return func(*args, **kwargs)
        name = op_name(func)
        if name in _READS and tape.on_read is not None and args and isinstance(args[0], torch.Tensor):
            out = func(*args, **kwargs)
            tape.on_read(name, args[0], out)
            return out
        if name in _NOT_RECORDED or name.startswith("is_"):
            return func(*args, **kwargs)
        inplace = _is_inplace(name, func)
        before = None
        if inplace and args and isinstance(args[0], torch.Tensor):
            tape.before_inplace(args[0])
            if name in _SUMS and args[0].dim() == 0 and args[0].is_floating_point() and args[0].requires_grad:
                before = args[0].detach().clone()  # `loss += beta * kl`: the loss before the term was added
            if tape.on_inplace is not None and tape.on_inplace(args[0]):
                return func(*args, **kwargs)  # a weight the loop updates by hand: not a value of the step
        try:
            out = func(*args, **kwargs)
        except Exception as exc:
            entry = tape.record("op", name, func, args, kwargs, None, inplace=inplace, error=exc)
            if entry is not None:
                entry.nonfinite_inputs = any(nan_or_posinf(t) for t in pytree.tree_leaves((args, kwargs))
                                             if isinstance(t, torch.Tensor))
            raise
        tape.record("op", name, func, args, kwargs, out, inplace=inplace, before=before)
        return out


@dataclass
class Tape:
    """The recorded entries of the last few steps (segments between optimizer steps)."""

    keep_segments: int = 3
    entries: list[Entry] = field(default_factory=list)
    segment: int = 0
    blocked: int = 0
    """While > 0 the mode lets calls through unrecorded (it could not be popped)."""
    first_index: int = 0
    pinned: int = -1
    pinned_from: int = 1 << 30
    keep_terms: bool = False
    """Keep the loss terms themselves (with their graph), not only their values, for the step."""

    def __post_init__(self) -> None:
        self.producer: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self.sources: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self.batches: WeakIdKeyDictionary = WeakIdKeyDictionary()
        """tensor -> BatchRows, registered by the data tracker when a DataLoader yields a batch."""
        self.parameters: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self.live: dict[Ref, torch.Tensor] = {}
        """Outputs of recorded calls that are trained parameters: a replay uses them as they are now."""
        self.live_terms: dict[int, list[torch.Tensor | None]] = {}
        """entry index -> the operands of a loss's sum (keep_terms), for the current segment only."""
        self._by_storage: dict[int, list[Source]] = {}
        self.mode = TapeMode(self)
        self.on_read: Callable[[str, torch.Tensor, Any], None] | None = None
        self.on_inplace: Callable[[torch.Tensor], bool] | None = None
        """Told of every in-place change the loop makes (a weight it updates by hand ends a step, and
        is not recorded when it answers True)."""

    # ------------------------------------------------------------ recording
    def _source(self, t: torch.Tensor) -> Source:
        source = self.sources.get(t)
        if source is None:
            rows = self.batches.get(t)
            # a loader batch keeps its sources: the same tensor must stay the same source
            source = next((s for s in (rows.sources if rows is not None else ()) if s.tensor is t), None)
            if source is not None:
                self.sources[t] = source
                return source
            parameter = isinstance(t, torch.nn.Parameter) or t in self.parameters
            source = Source(t, parameter=parameter, batch=rows)
            self.sources[t] = source
            if not parameter:
                try:
                    self._by_storage.setdefault(t.untyped_storage().data_ptr(), []).append(source)
                except (RuntimeError, NotImplementedError):
                    pass
        return source

    def mark_parameter(self, t: torch.Tensor) -> None:
        try:
            self.parameters[t] = True
        except TypeError:
            return
        made = self.producer.get(t)
        if made is not None:  # made by a recorded call (torch.zeros(3, requires_grad=True)): replay reads it live
            self.live[made] = t
        source = self.sources.get(t)
        if source is not None and not source.parameter:
            source.parameter = True
            if source.copied:  # recorded as data and copied when the optimizer changed it: the live one
                source.tensor, source.copied = t, False

    def leaf(self, value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            ref = self.producer.get(value)
            return ref if ref is not None else self._source(value)
        return value

    def before_inplace(self, target: torch.Tensor) -> None:
        """Copy-on-write: keep the value a source had before the loop changes it in place."""
        if target in self.producer:
            base = target._base if target._base is not None else target
            if base is target:
                return
            target = base
        try:
            ptr = target.untyped_storage().data_ptr()
        except (RuntimeError, NotImplementedError):
            return
        for source in self._by_storage.get(ptr, ()):
            if not source.copied and not source.parameter:
                source.tensor = source.tensor.detach().clone().requires_grad_(source.tensor.requires_grad)
                source.copied = True

    def record(self, kind: str, name: str, target: Any, args: tuple, kwargs: dict, out: Any, *,
               inplace: bool = False, error: BaseException | None = None,
               before: torch.Tensor | None = None) -> Entry | None:
        """`before`: for a scalar loss added to in place (`loss += term`), its value before the add."""
        out_leaves = [t for t in pytree.tree_leaves(out) if isinstance(t, torch.Tensor)] if out is not None else []
        if inplace and not out_leaves and args and isinstance(args[0], torch.Tensor):
            out_leaves = [args[0]]  # __setitem__ returns None: the changed tensor is the output
        if not out_leaves and error is None and kind == "op":
            return None
        leaves, spec = pytree.tree_flatten((args, kwargs))
        entry = Entry(index=self.first_index + len(self.entries), kind=kind, name=name, target=target, spec=spec,
                      leaves=[self.leaf(x) for x in leaves], where=caller(3), grad=torch.is_grad_enabled(),
                      autocast=autocast_state(), segment=self.segment, inplace=inplace, outputs=len(out_leaves),
                      error=f"{type(error).__name__}: {error}" if error is not None else None)
        if kind == "op" and error is None and (name in _RANDOM or self._carried(entry) and (
                name == "detach" or _plain_values(out_leaves))):
            # a value carried over from an earlier step outside autograd (a detached hidden state, running
            # statistics the loop keeps itself): kept as it was, as a random draw is
            entry.frozen = [t.detach().clone() for t in out_leaves]
        if kind == "op" and name in _SUMS and (not inplace or before is not None) and len(out_leaves) == 1 \
                and out_leaves[0].dim() == 0 and out_leaves[0].requires_grad and out_leaves[0].is_floating_point():
            scalars = [x if isinstance(x, torch.Tensor) and x.dim() == 0 and x.is_floating_point() else None
                       for x in leaves]
            entry.scalars = [x.detach() if x is not None else None for x in scalars]
            if before is not None:  # the first operand was changed in place: its value before, and no
                entry.scalars[0], scalars[0] = before, None  # graph of its own left to re-weight
            if self.keep_terms:  # a re-run that re-weights a term: its graph, until the segment ends
                self.live_terms[entry.index] = scalars
        if kind == "op" and name in ("getitem", "index_select") and out_leaves and args:
            entry.rows = row_slice(name, args, out_leaves[0])
        self.entries.append(entry)
        for position, t in enumerate(out_leaves):
            try:
                self.producer[t] = Ref(entry.index, position)
            except TypeError:
                pass
        return entry

    def _carried(self, entry: Entry) -> bool:
        """Does this op cut the graph of a value made in an earlier step (an RNN's hidden state carried
        over, `h.detach()`)? Its value is then kept as it was: a replay of this step starts there,
        instead of re-running every earlier step the value came through (and losing them off the tape)."""
        for leaf in entry.leaves:
            made = self.entry(leaf.entry) if isinstance(leaf, Ref) else None
            if made is not None and made.segment < self.segment:
                return True
        return False

    def pin(self, segment: int) -> None:
        """Keep this segment (and the ones it may draw on) for good: it holds a failure."""
        self.pinned = max(self.pinned, segment)
        self.pinned_from = min(self.pinned_from, segment - self.keep_segments + 1)

    def next_segment(self) -> None:
        """A step ended: start a new segment and forget the oldest ones (not pinned ones)."""
        self.segment += 1
        self.live_terms.clear()
        if self.pinned >= 0:
            return  # after a failure only a few more steps run: keep everything
        cutoff = self.segment - self.keep_segments + 1
        drop = 0
        while drop < len(self.entries) and self.entries[drop].segment < cutoff:
            drop += 1
        if not drop:
            return
        first_kept = self.entries[drop].index if drop < len(self.entries) else self.first_index + len(self.entries)
        # outputs of dropped entries that are still alive become sources for what comes later
        for t, ref in list(self.producer.items()):
            if ref.entry < first_kept:
                del self.producer[t]
                self._source(t)
        kept = self.entries[drop:]
        for entry in kept:
            for i, leaf in enumerate(entry.leaves):
                if isinstance(leaf, Ref) and leaf.entry < first_kept:
                    entry.leaves[i] = LOST  # its producer is gone: replays that need it cannot run
                    entry.error = entry.error or "an input was made before the kept steps"
        self.entries = kept
        self.first_index = first_kept
        live = {id(s) for e in kept for s in e.leaves if isinstance(s, Source)}
        for t, source in list(self.sources.items()):
            if id(source) not in live and not isinstance(t, torch.nn.Parameter):
                del self.sources[t]
        self._by_storage = {ptr: [s for s in sources if id(s) in live] for ptr, sources in self._by_storage.items()}
        self._by_storage = {ptr: sources for ptr, sources in self._by_storage.items() if sources}

    def constant_factor(self, loss: torch.Tensor) -> float | None:
        """The Python number the tensor handed to backward was multiplied (or divided) by last, as a
        loop scaling its loss by hand does (`(loss * 4096).backward()`); None when it was not. A
        GradScaler's scale is a tensor: not counted here."""
        ref = self.producer.get(loss) if isinstance(loss, torch.Tensor) else None
        top = self.entry(ref.entry) if ref is not None else None
        if top is None or top.name not in _SCALES:
            return None
        tensors = [x for x in top.leaves if isinstance(x, (Ref, Source))]
        numbers = [x for x in top.leaves if isinstance(x, (int, float)) and not isinstance(x, bool)]
        if len(tensors) != 1 or len(numbers) != 1 or not numbers[0]:
            return None
        if top.name in ("div", "truediv"):
            return 1.0 / numbers[0] if top.leaves[0] is tensors[0] else None
        return float(numbers[0])

    def loss_terms(self, loss: torch.Tensor, live: bool = False) -> dict[str, torch.Tensor]:
        """The terms a loss was added up from on one line of the loop (`rec + beta * kl`, through a
        division by the accumulation steps), by name, with their values; {} for a single term.
        A term is named by the variable its line assigns (`kl`), or by its op and line when it was
        made inline (`mul at line 45`). `live`: the terms themselves, with their graph (keep_terms)."""
        ref = self.producer.get(loss) if isinstance(loss, torch.Tensor) else None
        top = self.entry(ref.entry) if ref is not None else None
        for _ in range(2):  # through a scale of the whole loss on its line, or by a plain number anywhere
            if top is None or top.name not in _SCALES:  # (a framework's `loss / accumulate_grad_batches`)
                break
            refs = [x for x in top.leaves if isinstance(x, (Ref, Source))]
            inner = self.entry(refs[0].entry) if len(refs) == 1 and isinstance(refs[0], Ref) else None
            by_number = all(isinstance(x, (Ref, int, float)) and not isinstance(x, bool) for x in top.leaves)
            top = inner if inner is not None and (inner.where == top.where or by_number) else None
        if top is None or top.scalars is None:
            return {}
        found: list[tuple[Any, torch.Tensor | None]] = []
        pending = [top]
        while pending and len(found) <= MAX_TERMS:
            entry = pending.pop(0)
            values = self.live_terms.get(entry.index, []) if live else entry.scalars or []
            for i, (leaf, value) in enumerate(zip(entry.leaves, entry.scalars or [])):
                if value is None:
                    continue  # a constant added to the loss is not a term
                made = self.entry(leaf.entry) if isinstance(leaf, Ref) else None
                if made is not None and made.scalars is not None and (made.where == top.where or made.inplace):
                    pending.append(made)  # `a + b + c`, or `loss += a` then `loss += b`: one sum
                else:
                    found.append((made, values[i] if i < len(values) else None))
        if not 2 <= len(found) <= MAX_TERMS:
            return {}
        out: dict[str, torch.Tensor] = {}
        for made, value in found:
            label = _term_label(made, top, self)
            name, n = label, 2
            while name in out:
                name, n = f"{label} #{n}", n + 1
            if value is not None:  # (live: a term changed in place by a later `+=` has no graph of its own)
                out[name] = value
        return out

    def entry(self, index: int) -> Entry | None:
        i = index - self.first_index
        return self.entries[i] if 0 <= i < len(self.entries) else None

    def segment_entries(self, segment: int) -> list[Entry]:
        return [e for e in self.entries if e.segment == segment]

    def ancestors(self, targets: Iterable[int]) -> list[Entry]:
        """The entries that the targets need, in recorded order."""
        needed: set[int] = set()
        stack = list(targets)
        while stack:
            index = stack.pop()
            if index in needed:
                continue
            entry = self.entry(index)
            if entry is None:
                continue
            needed.add(index)
            if entry.frozen is not None:
                continue  # given back as it was: what it was made from is not needed
            for leaf in entry.leaves:
                if isinstance(leaf, Ref):
                    stack.append(leaf.entry)
        return [e for e in self.entries if e.index in needed]


class _Lost:
    """An input whose producer was dropped from the tape before the step that needs it."""

    def __repr__(self) -> str:
        return "<lost input>"


LOST = _Lost()


class ReplayError(RuntimeError):
    """The tape cannot re-run this step (an input was lost, or a call no longer fits)."""


class Replay:
    """Re-runs entries of a tape on the current state of the program's objects.

    `substitute` maps a Source to the tensor to use instead (a subset of the batch rows);
    `precision` overrides autocast ('fp32', 'fp16', 'bf16'); `before_entry` lets a watcher
    know which recorded line is running (for calls made by the loop itself)."""

    def __init__(self, tape: Tape, *, substitute: Callable[[Source], torch.Tensor | None] | None = None,
                 precision: str | None = None, before_entry: Callable[[Entry], None] | None = None,
                 unwrap: Callable[[Any], Any] | None = None, mode: bool | None = None,
                 override: Callable[[Entry], torch.Tensor | None] | None = None):
        self.tape = tape
        self.override = override
        """Gives an entry's output instead of running it (other rows of a batch sliced by hand)."""
        self.mode = mode
        """Run root module calls in train (True) or eval (False) mode; None: as recorded."""
        self.substitute = substitute
        self.precision = precision
        self.before_entry = before_entry
        self.unwrap = unwrap or (lambda module: module)
        self.env: dict[Ref, torch.Tensor] = {}

    def value(self, leaf: Any) -> Any:
        if isinstance(leaf, Ref):
            live = self.tape.live.get(leaf)
            if live is not None:
                return live
            if leaf not in self.env:
                raise ReplayError(f"entry {leaf.entry} was not replayed")
            return self.env[leaf]
        if isinstance(leaf, Source):
            if self.substitute is not None:
                replaced = self.substitute(leaf)
                if replaced is not None:
                    return replaced
            return leaf.tensor
        return leaf

    def _autocast(self, entry: Entry) -> list[Any]:
        contexts = []
        for device, enabled, dtype in entry.autocast:
            if self.precision == "fp32":
                enabled = False
            elif self.precision in ("fp16", "bf16"):
                enabled, dtype = True, torch.float16 if self.precision == "fp16" else torch.bfloat16
            contexts.append(torch.autocast(device, dtype=dtype, enabled=enabled))
        return contexts

    def run_entry(self, entry: Entry) -> Any:
        if self.override is not None:
            replaced = self.override(entry)
            if replaced is not None:
                self.env[Ref(entry.index, 0)] = replaced
                return replaced
        if entry.frozen is not None:
            for position, t in enumerate(entry.frozen):
                self.env[Ref(entry.index, position)] = t
            return entry.frozen[0] if len(entry.frozen) == 1 else entry.frozen
        if any(leaf is LOST for leaf in entry.leaves):
            raise ReplayError(f"the inputs of `{entry.name}` were made before the steps nanwiz keeps")
        args, kwargs = pytree.tree_unflatten([self.value(x) for x in entry.leaves], entry.spec)
        if self.before_entry is not None:
            self.before_entry(entry)
        contexts = self._autocast(entry)
        with torch.set_grad_enabled(entry.grad):
            for context in contexts:
                context.__enter__()
            try:
                if entry.kind == "call":
                    module = self.unwrap(entry.target)
                    mode = self.mode if self.mode is not None else entry.training
                    modes = [(m, m.training) for m in module.modules()] if mode is not None else []
                    if self.mode is None and entry.submodes is not None and len(entry.submodes) == len(modes):
                        for (m, _was), flag in zip(modes, entry.submodes):
                            m.training = flag
                    elif mode is not None:
                        module.train(mode)
                    try:
                        out = module(*args, **kwargs)
                    finally:
                        for m, was in modes:
                            m.training = was
                else:
                    out = entry.target(*args, **kwargs)
            finally:
                for context in reversed(contexts):
                    context.__exit__(None, None, None)
        leaves = [t for t in pytree.tree_leaves(out) if isinstance(t, torch.Tensor)] if out is not None else []
        if entry.inplace and not leaves and args:
            leaves = [args[0]]
        for position, t in enumerate(leaves):
            self.env[Ref(entry.index, position)] = t
        return out

    def run(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.run_entry(entry)

    def get(self, ref: Ref | Source) -> torch.Tensor:
        return self.value(ref)


def _plain_values(tensors: list[torch.Tensor]) -> bool:
    """Finite values outside autograd: kept as they are, they lose no gradient and hide no producer
    (an op that made a NaN from them stays replayable, to be found)."""
    return bool(tensors) and not any(t.requires_grad for t in tensors) and all(
        not t.is_floating_point() or not nan_or_posinf(t) for t in tensors)


def _term_label(made: Entry | None, total: Entry, tape: Tape) -> str:
    """`kl` (the variable its own line assigns), `weighted kl` (`beta * kl` inline in the sum), or
    the op and its line."""
    if made is None or made.where is None:
        return "term"
    if total.where is None or made.where.line != total.where.line:
        assigned = _ASSIGNED.match(made.where.code)
        if assigned:
            return assigned.group(1)
    elif made.name in _SCALES:
        named = [_term_label(tape.entry(x.entry), total, tape) for x in made.leaves if isinstance(x, Ref)]
        if len(named) == 1 and named[0] != "term" and " " not in named[0]:
            return f"weighted {named[0]}"
    name = made.target.__class__.__name__ if made.kind == "call" else made.name
    return f"{name} at line {made.where.line}"

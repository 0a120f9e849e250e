"""Which dataset samples each batch holds, for batches that come out of a DataLoader.

A DataLoader iterator asks its (batch) sampler for indices before it loads a batch: with
worker processes it asks ahead of time, but it hands batches back in the same order. So the
index lists are recorded in a queue as the sampler produces them, and each batch the iterator
yields takes the oldest one. Each tensor of the batch is registered with the tape, so a replay
knows which row of which tensor is which dataset sample (DistributedSampler indices are dataset
indices too).

The sampler can also be filtered, to re-run a program without some samples.

A batch that comes out of the loader already non-finite was made so by the loading itself (a
standardization by a window's own std in an IterableDataset, a log in `__getitem__`) or by the
data. Single-process loaders are therefore fetched under an op watcher, within a time budget (it
costs tens of microseconds per op): the op that first made a non-finite value from finite ones is
kept with the batch, for the replay to name instead of "the input".

Data are also often made non-finite before any batch is drawn: the program standardizes its
feature matrix at the top, then slices it or wraps it in a TensorDataset. The program's own code
is therefore watched from its start until the first batch is fetched or a model first runs (its
preparation), within the same free budget; the NaN-making op it finds is handed on to the fetches
(taint carried by indexing and stacking) and to the replay of a loop that slices the data by hand.
Most programs prepare their data with numpy, out of the watcher's sight; numpy's own warning
("invalid value encountered in divide") names the line, so the warnings it gives in the program's
start and in the fetches are kept, for a non-finite batch that no torch op made.
"""

from __future__ import annotations

import re
import time
import warnings
from collections import deque
from contextlib import nullcontext
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils import _pytree as pytree
from torch.utils.data import dataloader as _dataloader

from nanwiz.harness.watch import Frame, OpEvent, OpWatcher, UserCode, made_while_loading

FETCH_WATCH_FREE_S = 5.0
"""Seconds of watched fetching always allowed; past them, watching may take FETCH_WATCH_SHARE of the run."""
FETCH_WATCH_SHARE = 0.1
PREPARATION_WATCH_S = 5.0
"""Seconds of the program's start (before the first batch or model call) watched at most."""


_NUMPY_WARNING = re.compile(r"(invalid value|divide by zero|overflow) encountered in (\w+)")
NUMPY_WARNINGS_KEPT = 20


class PreparationWatcher(OpWatcher):
    """An op watcher over the program's start that stops watching once its time is spent (it
    cannot take itself off the mode stack in the middle of an op: it passes ops through)."""

    def __init__(self, user: UserCode, budget_s: float = PREPARATION_WATCH_S):
        super().__init__(user, None)
        self.deadline = time.perf_counter() + budget_s
        self.spent = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if self.spent:
            return func(*args, **(kwargs or {}))
        if self.count % 256 == 0 and time.perf_counter() > self.deadline:
            self.spent = True
        return super().__torch_function__(func, types, args, kwargs)


@dataclass
class BatchRows:
    """A batch tensor whose dim 0 holds one sample per row."""

    indices: list[int] | None
    """Dataset index of each row; None for an IterableDataset (rows are then positions only)."""
    dataset: Any = None
    """The map-style dataset the indices refer to (a weak proxy target is kept elsewhere)."""
    collate: Any = None
    origin: str = "dataloader"
    """'dataloader', or 'slice' for rows taken from a larger tensor by the loop itself."""
    made: list[OpEvent | None] = field(default_factory=list)
    """Per tensor of the batch (flattened order): the op that made it non-finite while it was loaded."""
    sources: list[Any] = field(default_factory=list)
    """The batch's tensors as tape sources, in the order of its flattened structure."""
    structure: Any = None
    """(pytree spec, which leaves are tensors, the leaves): to rebuild the batch as the loader gave it."""


class DataTracker:
    """Patches DataLoader iterators for the lifetime of an attachment."""

    def __init__(self, on_batch: Callable[[Any, BatchRows], None], suspend: Callable[[], None],
                 resume: Callable[[], None], exclude: set[int] | None = None):
        self.on_batch = on_batch
        self.suspend = suspend
        self.resume = resume
        self.exclude = set(exclude or ())
        self.excluded = 0
        """Indices left out of the samplers' output (0 with samples to exclude: they never came through one)."""
        self.datasets: list[Any] = []
        self._saved: dict[str, Any] = {}
        self.user = UserCode(None)
        self.watch_spent = 0.0
        """Seconds spent in watched fetches."""
        self._since = time.perf_counter()
        self.preparation: PreparationWatcher | None = None
        """The watcher of the program's start; kept after it ends for the taint of what it made."""
        self._preparing = False
        self._fetching = False
        self.numpy_warnings: list[OpEvent] = []
        """numpy's floating-point warnings from the user's code while it prepared or fetched data."""
        self._showwarning: Any = None

    # ------------------------------------------------------------ the program's start
    def begin_preparation(self) -> None:
        self.preparation = PreparationWatcher(self.user)
        torch._C._push_on_torch_function_stack(self.preparation)
        self._preparing = True

    def end_preparation(self) -> None:
        """Take the preparation's watcher off the mode stack (wherever it is in it: the program may
        have entered modes of its own since)."""
        if not self._preparing:
            return
        self._preparing = False
        modes = [torch._C._pop_torch_function_stack() for _ in range(torch._C._len_torch_function_stack())]
        for mode in reversed(modes):
            if mode is not self.preparation:
                torch._C._push_on_torch_function_stack(mode)

    def _heard(self, message: Any, category: Any, filename: str, lineno: int, *rest: Any, **kw: Any) -> None:
        """warnings.showwarning, in front of the program's own: numpy's warnings while data are made."""
        try:
            found = _NUMPY_WARNING.search(str(message)) if issubclass(category, RuntimeWarning) else None
            if found and (self._preparing or self._fetching) and len(self.numpy_warnings) < NUMPY_WARNINGS_KEPT \
                    and self.user.matches(filename):
                frame = self.user.frame(2)
                if frame is None or frame.line != lineno:
                    frame = Frame(filename.rsplit("/", 1)[-1], lineno, "", "")
                kind = "nan" if found.group(1) == "invalid value" else "posinf"
                self.numpy_warnings.append(OpEvent(index=len(self.numpy_warnings), op="input", kind=kind,
                                                   frame=frame, prepares_input=True, forward_op=f"numpy {found.group(2)}"))
        finally:
            self._showwarning(message, category, filename, lineno, *rest, **kw)

    def prepared_event(self, t: torch.Tensor) -> OpEvent | None:
        """The op of the program's preparation that made t non-finite from finite values, if one did;
        else where numpy warned of making such values while data were made (as op 'input')."""
        if self.preparation is not None:
            watcher = OpWatcher(self.user, None)
            watcher.inherit(self.preparation)
            made = made_while_loading(watcher, [t])
            if made and made[0] is not None:
                return made[0]
        if not self.numpy_warnings or not t.is_floating_point() or bool(torch.isfinite(t).all()):
            return None
        nan = bool(torch.isnan(t).any())
        # numpy warned where it made them: an invalid value (0/0, sqrt(-1)) for a NaN, else a division by 0
        return next((w for w in self.numpy_warnings if (w.kind == "nan") == nan), None)

    def install(self) -> None:
        self._showwarning = warnings.showwarning
        warnings.showwarning = self._heard
        base = _dataloader._BaseDataLoaderIter
        self._saved = {"_reset": base._reset, "_next_index": base._next_index, "__next__": base.__next__}
        tracker = self
        original_reset, original_index, original_next = base._reset, base._next_index, base.__next__

        def _reset(it, loader, first_iter=False):
            original_reset(it, loader, first_iter)
            it._nanwiz_queue = deque()

        def _next_index(it):
            queue = it.__dict__.setdefault("_nanwiz_queue", deque())
            while True:
                item = original_index(it)  # raises StopIteration at the end of the epoch
                if tracker.exclude:
                    if isinstance(item, list):
                        kept = [i for i in item if i not in tracker.exclude]
                        tracker.excluded += len(item) - len(kept)
                        item = kept
                        if not item:
                            continue
                    elif isinstance(item, int) and item in tracker.exclude:
                        tracker.excluded += 1
                        continue
                queue.append(item)
                return item

        def __next__(it):
            tracker.end_preparation()
            tracker.suspend()
            watcher = tracker.fetch_watcher(it)
            began = time.perf_counter()
            tracker._fetching = True
            try:
                with watcher or nullcontext():
                    batch = original_next(it)
            finally:
                tracker._fetching = False
                if watcher is not None:
                    tracker.watch_spent += time.perf_counter() - began
                tracker.resume()
            queue = it.__dict__.get("_nanwiz_queue")
            item = queue.popleft() if queue else None
            tracker.register(batch, item, it._dataset, getattr(it, "_collate_fn", None),
                             made=made_while_loading(watcher, batch_tensors(batch)) if watcher is not None else [])
            return batch

        base._reset = _reset
        base._next_index = _next_index
        base.__next__ = __next__

    def uninstall(self) -> None:
        base = _dataloader._BaseDataLoaderIter
        for name, value in self._saved.items():
            setattr(base, name, value)
        self._saved = {}
        self.end_preparation()
        if self._showwarning is not None and warnings.showwarning == self._heard:
            warnings.showwarning = self._showwarning

    def fetch_watcher(self, it: Any) -> OpWatcher | None:
        """A watcher for this fetch, if the loader runs its code here and the budget allows."""
        if getattr(it, "_num_workers", 0):
            return None  # the dataset's code runs in the workers
        allowed = max(FETCH_WATCH_FREE_S, FETCH_WATCH_SHARE * (time.perf_counter() - self._since))
        if self.watch_spent > allowed:
            return None
        watcher = OpWatcher(self.user, None)
        if self.preparation is not None:  # data the program's start made non-finite keep that op
            watcher.inherit(self.preparation)
        return watcher

    def register(self, batch: Any, item: Any, dataset: Any, collate: Any,
                 made: list[OpEvent | None] | None = None) -> None:
        if isinstance(item, list) and all(isinstance(i, int) for i in item):
            indices: list[int] | None = list(item)
        elif isinstance(item, int):
            indices = [item]
        else:
            indices = None
        iterable = isinstance(dataset, torch.utils.data.IterableDataset)
        rows = BatchRows(indices=None if iterable else indices, dataset=None if iterable else dataset,
                         collate=collate, made=made or [])
        if not any(d is dataset for d in self.datasets):
            self.datasets.append(dataset)
        self.on_batch(batch, rows)


def batch_tensors(batch: Any) -> list[torch.Tensor]:
    return [t for t in pytree.tree_leaves(batch) if isinstance(t, torch.Tensor)]

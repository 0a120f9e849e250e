"""A failing step of a program nanwiz does not own, re-run from its tape (a StepProgram).

The step's losses are the tensors its backward calls were given; replaying their ancestors on
the tape re-runs the loop's data preparation, the root module calls and the loss computation.
A subset of the batch is a substitution of the batch sources (rows of what the DataLoader gave)
and everything computed from them follows. The state before the step was captured at the
failure, the initial weights at the first optimizer step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.utils import _pytree as pytree

from nanwiz.harness.attach.attachment import Attachment, Failure, _unwrap
from nanwiz.harness.attach.tape import Entry, Ref, Replay, Source
from nanwiz.harness.step import fill
from nanwiz.harness.tensors import optimizer_params
from nanwiz.harness.watch import Frame, UserCode


class TapeStep:
    """The StepProgram of an attached run's failing (or any captured) step."""

    def __init__(self, attachment: Attachment, failure: Failure):
        self.attachment = attachment
        self.tape = attachment.tape
        self.failure_info = failure
        self.segment = failure.segment
        self.step = failure.step
        self.failure = failure.kind
        self.step_where = failure.step_where
        self.user = UserCode(None)
        self.models = list(attachment.models)
        self.optimizers = list(attachment.optimizers)
        seen: set[int] = set()
        self.params: list[torch.Tensor] = []
        for optimizer in self.optimizers:
            for p in optimizer_params(optimizer):
                if id(p) not in seen and p.requires_grad:
                    seen.add(id(p))
                    self.params.append(p)
        if not self.optimizers:  # no optimizer (yet): the weights updated by hand, or before a first step
            self.params = attachment.trained_params()
        enabled = [s for s in attachment.scalers if s.is_enabled()]
        self.scaler = enabled[0] if enabled else None
        clips = [c["max_norm"] for c in self.segment.clip_calls if c["max_norm"] != float("inf")]
        self.grad_clip = min(clips) if clips else None
        self.freeze = False
        self.batches = self._find_batches()
        self.sources: list[Source] = [s for rows in self.batches for s in rows.sources]
        self.sliced = None if self.batches else self._find_slices()
        self.clip_where = next((c["where"] for c in self.segment.clip_calls if c.get("where")), None)
        """The loop's clip_grad_norm_ call (file, line, code), when it clipped."""

    # ------------------------------------------------------------ state
    def restore(self, initial: bool = False) -> None:
        state = self.failure_info.state
        if initial:
            if self.attachment.initial is None:
                raise RuntimeError("the initial weights were not captured (no optimizer step was seen)")
            self.attachment.initial.restore(rng=False)
            if state is not None and state.rng is not None:
                state.rng.restore()
            return
        if state is None:
            raise RuntimeError("the state before this step was not captured")
        state.restore()

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None
        for model in self.models:
            model.zero_grad(set_to_none=True)

    # ------------------------------------------------------------ the batch
    def _find_batches(self) -> list[Any]:
        """The batches the replayed computation reads: the data loader's batches among the sources
        of the targets' ancestors (a loader that reads ahead gave them out during an earlier step)."""
        found: list[Any] = []
        targets = self._targets()
        entries = self.tape.ancestors([t.entry for t in targets if isinstance(t, Ref)])
        leaves = [leaf for e in entries for leaf in e.leaves] + [t for t in targets if isinstance(t, Source)]
        for leaf in leaves:
            if isinstance(leaf, Source) and leaf.batch is not None and leaf.batch.sources \
                    and not any(b is leaf.batch for b in found):
                found.append(leaf.batch)
        return found

    def _find_slices(self) -> SlicedRows | None:
        """Without a DataLoader: rows the loop took from larger tensors (X[idx], y[idx]) for this step."""
        targets = self._targets()
        entries = self.tape.ancestors([t.entry for t in targets if isinstance(t, Ref)])
        groups: dict[tuple[int, ...], SlicedRows] = {}
        # rows taken from a permutation (`perm[start:end]`) are the indices of the batch, not data
        indices = {leaf.entry for e in entries if e.rows is not None
                   for leaf in e.leaves[1:] if isinstance(leaf, Ref)}
        for entry in entries:
            if entry.rows is None or entry.index in indices:
                continue
            data, rows = entry.rows
            group = groups.setdefault(tuple(rows), SlicedRows(indices=list(rows)))
            if data.shape[0] == (group.tensors[0].shape[0] if group.tensors else data.shape[0]):
                group.entries.append(entry.index)
                group.tensors.append(data)
        return max(groups.values(), key=lambda g: len(g.entries)) if groups else None

    def batch_sources(self) -> list[Source]:
        return [s for s in self.sources if s.batch is not None]

    def batch_size(self) -> int | None:
        if self.sliced is not None:
            return len(self.sliced.indices)
        for source in self.batch_sources():
            if source.tensor.dim() >= 1:
                return int(source.tensor.shape[0])
        return None

    def sample_indices(self) -> list[int]:
        if self.sliced is not None:
            return list(self.sliced.indices)
        if self.batches and all(rows.indices is not None for rows in self.batches):
            return [i for rows in self.batches for i in rows.indices]
        size = self.batch_size()
        return list(range(size)) if size else []

    def batch_tensors(self) -> list[torch.Tensor]:
        if self.sliced is not None:
            return [t[self.sliced.indices] for t in self.sliced.tensors]
        return [s.tensor for s in self.sources]

    def data_tensors(self) -> list[torch.Tensor]:
        """The tensors a replay reads the step's data from: the batch's own, or for a batch the loop
        slices by hand, the tensors it slices (a NaN found there is where the step's NaN came from)."""
        if self.sliced is not None:
            return list(self.sliced.tensors)
        return self.batch_tensors()

    def loading_event(self, t: torch.Tensor) -> Any:
        made = next((s.made for s in self.sources if s.tensor is t), None)
        return made or self.attachment.data.prepared_event(t)

    def batch(self) -> Any:
        """The step's (first) batch with the structure the DataLoader gave it (tuple, dict...)."""
        if not self.batches or self.batches[0].structure is None:
            return self.batch_tensors()
        spec, is_tensor, leaves = self.batches[0].structure
        sources = iter(self.batches[0].sources)
        values = [next(sources).tensor if flag else leaf for flag, leaf in zip(is_tensor, leaves)]
        return pytree.tree_unflatten(values, spec)

    # ------------------------------------------------------------ replay
    def _calls(self) -> list[Any]:
        """The backward calls to replay: the one whose loss failed; for failing gradients, all of the
        step's (accumulated micro-batches), or the last one when a closure re-ran the step."""
        calls = self.segment.backwards
        failing = [c for c in calls if c.failing]
        if self.failure == "loss" and failing:
            return failing[:1]
        if self.segment.closure and calls:
            return failing[:1] or calls[-1:]
        return list(calls)

    def _raised(self) -> list[Entry]:
        """The loop's own ops that raised in this step (a failure of kind 'error')."""
        if self.failure != "error":
            return []
        # (a backward that raised is not an op that made a value: the replay watches it from the loss)
        return [e for e in self.tape.entries if e.segment == self.segment.index and e.error and e.name != "backward"]

    def _targets(self) -> list[Any]:
        if self.failure == "eval" and self.failure_info.entry is not None:
            return [Ref(self.failure_info.entry, 0)]
        raised = self._raised()
        if raised:
            return [Ref(raised[-1].index, 0)]
        # (a step that raised outside the loop's own ops, in backward under anomaly mode or in
        # clip_grad_norm_ with error_if_nonfinite: its losses, whose backward the replay then watches)
        return [call.loss for call in self._calls()]

    def _substitute(self, rows: list[int] | None, samples: list[int] | None):
        """Batch sources replaced by a batch of the same size made of some rows (repeated), or of
        other samples of the DataLoader's dataset, collated as the DataLoader does."""
        size = self.batch_size()
        if size is None or (rows is None and samples is None) or self.sliced is not None:
            return None
        replaced: dict[int, torch.Tensor] = {}
        if samples is not None:
            replaced = self._collated(fill(samples, size))
        index_cache: dict[str, torch.Tensor] = {}

        def substitute(source: Source) -> torch.Tensor | None:
            if samples is not None:
                return replaced.get(id(source))
            if source.batch is None or source.tensor.dim() == 0 or source.tensor.shape[0] != size:
                return None
            device = str(source.tensor.device)
            index = index_cache.get(device)
            if index is None:
                index = index_cache[device] = torch.tensor(fill(rows, size), dtype=torch.long,
                                                           device=source.tensor.device)
            return source.tensor.index_select(0, index)

        return substitute

    def _collated(self, indices: list[int]) -> dict[int, torch.Tensor]:
        """The DataLoader's batch structure, refilled with other samples: source id -> tensor."""
        if not self.batches:
            raise RuntimeError("this step's batch did not come from a DataLoader over a map-style dataset")
        rows = self.batches[0]
        first = rows.sources
        if rows.dataset is None:
            raise RuntimeError("this step's batch came from an IterableDataset: samples cannot be picked")
        collate = rows.collate or torch.utils.data.default_collate
        batch = collate([rows.dataset[i] for i in indices])
        tensors = [t for t in pytree.tree_leaves(batch) if isinstance(t, torch.Tensor)]
        if len(tensors) != len(first):
            raise RuntimeError("the collated samples do not have the step's batch structure")
        return {id(source): t.to(source.tensor.device) for source, t in zip(first, tensors)}

    def available(self) -> dict[str, Any]:
        """What this step can be re-run on: 'samples' needs a map-style DataLoader dataset; a group of
        samples is tested at the step's own batch size (see `fill`)."""
        return {"rows": self.batch_size() is not None,
                "samples": self.sliced is not None or (bool(self.batches) and self.batches[0].dataset is not None),
                "group": self.batch_size() or 1}

    def dataset(self) -> Any:
        """The map-style dataset the step's batch came from (the tensors a loop slices by hand, seen
        as one), if any."""
        if self.sliced is not None:
            return SlicedDataset(self.sliced.tensors)
        return self.batches[0].dataset if self.batches else None

    def _override(self, rows: list[int] | None, samples: list[int] | None):
        """For a batch sliced by hand: the slices taken with other rows instead."""
        sliced = self.sliced
        if sliced is None or (rows is None and samples is None):
            return None
        size = len(sliced.indices)
        chosen = fill(samples, size) if samples is not None else [sliced.indices[r] for r in fill(rows, size)]
        by_entry = dict(zip(sliced.entries, sliced.tensors))

        def override(entry: Entry) -> torch.Tensor | None:
            data = by_entry.get(entry.index)
            if data is None:
                return None
            return data.index_select(0, torch.tensor(chosen, dtype=torch.long, device=data.device))

        return override

    def forward_loss(self, *, rows: list[int] | None = None, samples: list[int] | None = None,
                     precision: str | None = None, train: bool | None = None
                     ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        targets = self._targets()
        if not targets:
            raise RuntimeError("no loss was recorded for this step")
        entries = self.tape.ancestors([t.entry for t in targets if isinstance(t, Ref)])
        user = self.user
        preparing = _preparing(entries)

        def before(entry: Entry) -> None:
            user.preparing = entry.index in preparing
            if entry.where is not None:
                user.hint = Frame(entry.where.file.rsplit("/", 1)[-1], entry.where.line, entry.where.function,
                                  entry.where.code)

        replay = Replay(self.tape, substitute=self._substitute(rows, samples), precision=precision,
                        before_entry=before, unwrap=_unwrap, mode=train, override=self._override(rows, samples))
        try:
            replay.run(entries)
        finally:
            user.hint = None
            user.preparing = False
        if self._raised():
            raise RuntimeError("the step raised when it was first run but not in the replay")
        terms: dict[str, torch.Tensor] = {}
        for i, target in enumerate(targets):
            value = replay.get(target)
            if value.numel() != 1:
                value = value.sum()
            label = "loss" if len(targets) == 1 else _label(i, self._calls()[i])
            terms[label] = value
        loss = None
        for value in terms.values():
            value = value.float().reshape(())
            loss = value if loss is None else loss + value
        assert loss is not None
        return terms, loss

    def backward(self, loss: torch.Tensor) -> None:
        scaled = self.scaler is not None and any(c.scaled for c in self._calls())
        if not scaled:
            loss.backward()
            return
        scale = float(self.scaler.get_scale())
        (loss * scale).backward()
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p.grad.div_(scale)

    def clip(self) -> bool:
        """clip_grad_norm_ as the loop called it, max_norm=inf included (a call that only measures
        the norm still scales by max_norm / norm, which is inf / inf once the norm overflows)."""
        calls = self.segment.clip_calls
        if not calls:
            return False
        grads = [p for p in self.params if p.grad is not None]
        for call in calls:
            torch.nn.utils.clip_grad_norm_(grads, call["max_norm"])
        return True

    def update(self) -> None:
        grads_ok = all(bool(torch.isfinite(p.grad).all()) for p in self.params if p.grad is not None)
        if self.scaler is not None and not grads_ok:
            return  # the GradScaler skips such a step
        for optimizer in self.optimizers:
            if self.segment.closure:  # step(closure) needs it: the replayed forward and backward
                optimizer.step(self._closure)
            else:
                optimizer.step()

    def _closure(self) -> torch.Tensor:
        self.zero_grad()
        _terms, loss = self.forward_loss()
        self.backward(loss)
        return loss

    def param_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for model in self.models:
            prefix = f"{type(model).__name__}." if len(self.models) > 1 else ""
            for name, p in model.named_parameters():
                names.setdefault(id(p), prefix + name)
        for k, optimizer in enumerate(self.optimizers):  # bare tensors an optimizer trains
            for j, p in enumerate(optimizer_params(optimizer)):
                names.setdefault(id(p), f"{type(optimizer).__name__}{'' if len(self.optimizers) == 1 else k} "
                                        f"param {j} {list(p.shape)}")
        for j, p in enumerate(self.params):  # weights a loop with no optimizer updates by hand
            names.setdefault(id(p), f"tensor {j} {list(p.shape)}")
        return names


@dataclass
class SlicedRows:
    """A batch the loop sliced by hand: the same rows of one or more larger tensors."""

    indices: list[int]
    entries: list[int] = field(default_factory=list)
    tensors: list[torch.Tensor] = field(default_factory=list)


class SlicedDataset(torch.utils.data.Dataset):
    """The tensors a loop slices its batches from, seen as a map-style dataset (row i of each)."""

    def __init__(self, tensors: list[torch.Tensor]):
        self.tensors = [t.detach() for t in tensors]

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, ...]:
        return tuple(t[index] for t in self.tensors)


def _preparing(entries: list[Entry]) -> set[int]:
    """The loop's own calls that feed a model call without depending on any model output: the
    data preparation (as opposed to the loss computation after the model)."""
    after: set[int] = set()
    for entry in entries:
        if entry.kind == "call" or any(isinstance(l, Ref) and l.entry in after for l in entry.leaves):
            after.add(entry.index)
    feeds: set[int] = set()
    for entry in reversed(entries):
        if entry.kind == "call" or entry.index in feeds:
            feeds.update(l.entry for l in entry.leaves if isinstance(l, Ref))
    return {e.index for e in entries if e.index in feeds and e.index not in after and e.kind == "op"}


def _label(i: int, call: Any) -> str:
    where = call.where
    at = f" at {where.file.rsplit('/', 1)[-1]}:{where.line}" if where is not None else ""
    return f"backward {i + 1}{at}"


def unwrap_models(models: list[nn.Module]) -> list[nn.Module]:
    return [_unwrap(m) for m in models]

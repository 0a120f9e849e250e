"""What a probe sees: the target, its settings and parameters, and ways to report.

A probe is a module in probes/ with `FACTS` (the fact ids it may produce, exactly as the
knowledge base declares them) and `run(ctx)`. It measures and reports facts and details;
it knows nothing of causes (the knowledge base says what facts mean).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from nanwiz.errors import ScriptError

SERIES_EVERY = 0.5
"""Seconds between two live `series` events (the curves a face draws while a run goes on)."""


class Probe(Protocol):
    NAME: str
    FACTS: tuple[str, ...]

    def run(self, ctx: ProbeContext) -> None: ...


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return 1e300 if value > 0 else -1e300
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


class ProbeContext:
    def __init__(self, probe: str, script: Path, facts: tuple[str, ...], emit: Callable[[dict], None], *,
                 overrides: dict[str, Any] | None = None, params: dict[str, Any] | None = None):
        self.probe = probe
        self.script = script
        self.allowed = set(facts)
        self.emit = emit
        self.overrides = overrides or {}
        self.params = params or {}
        self._target = None
        self._dataset = None
        self._last_progress = 0.0
        self._last_series = 0.0
        self._series_sent: tuple[list | None, int] = (None, 0)  # (the records list, how many were sent)
        self.facts: dict[str, Any] = {}

    # ------------------------------------------------------------ the target
    def target(self):
        if self._target is None:
            from nanwiz.harness.script import load_target

            self._target = load_target(self.script, self.overrides)
        return self._target

    def dataset(self):
        if self._dataset is None:
            target = self.target()
            from nanwiz.harness.run import seed_everything

            seed_everything(target.settings.seed)
            dataset = target.call("build_dataset")
            if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
                raise ScriptError(
                    f"build_dataset() in {self.script.name} must return a map-style dataset "
                    f"(with __len__ and __getitem__), got {type(dataset).__name__}")
            try:
                n = len(dataset)
            except Exception as exc:  # noqa: BLE001
                raise ScriptError(f"len() of the dataset from build_dataset() raised {type(exc).__name__}: {exc}") from None
            if n == 0:
                raise ScriptError(f"build_dataset() in {self.script.name} returned an empty dataset")
            self._dataset = dataset
        return self._dataset

    def training(self, variation=None, **kwargs):
        from nanwiz.harness.run import TrainingRun

        return TrainingRun(self.target(), self.dataset(), variation, **kwargs)

    # ------------------------------------------------------------ reporting
    def fact(self, fact_id: str, value: Any) -> None:
        if fact_id not in self.allowed:
            raise RuntimeError(f"probe {self.probe} reported fact {fact_id!r}, which it does not declare")
        if value is None:
            return
        if isinstance(value, float) and math.isnan(value):
            return
        value = _jsonable(value)
        self.facts[fact_id] = value
        self.emit({"event": "fact", "id": fact_id, "value": value})

    def detail(self, key: str, value: Any) -> None:
        self.emit({"event": "detail", "key": key, "value": _jsonable(value)})

    def progress(self, fraction: float, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_progress < 0.1 and fraction < 1:
            return
        self._last_progress = now
        self.emit({"event": "progress", "fraction": max(0.0, min(1.0, fraction)), "message": message})

    def series(self, records: list, force: bool = False) -> None:
        """Send the steps of a run recorded since the last call (a `series` event of step dicts,
        the trace format), at most every SERIES_EVERY seconds unless forced. `records` is the
        run's growing list of StepRecords; a new list starts over."""
        now = time.monotonic()
        source, sent = self._series_sent
        if source is not records:
            sent = 0
        if len(records) <= sent or (not force and now - self._last_series < SERIES_EVERY):
            return
        self._last_series = now
        self._series_sent = (records, len(records))
        points = [r.to_dict(r.act_modules) for r in records[sent:]]
        self.emit({"event": "series", "points": _jsonable(points)})

    def stage(self, index: int, count: int, label: str, live: list | None = None) -> Callable[[int, int], None]:
        """A progress callback for stage `index` of `count` (e.g. the 2nd of 3 runs); with `live`
        (the run's records), it also sends the run's new steps as `series` events."""

        def report(done: int, total: int) -> None:
            self.progress((index + done / max(total, 1)) / count, f"{label}: step {done}/{total}")
            if live is not None:
                self.series(live)

        return report


def write_event(fd: int) -> Callable[[dict], None]:
    import os

    def emit(event: dict) -> None:
        data = (json.dumps(event, allow_nan=False) + "\n").encode()
        os.write(fd, data)

    return emit

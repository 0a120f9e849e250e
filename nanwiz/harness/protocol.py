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
                 overrides: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
                 program: dict[str, Any] | None = None):
        self.probe = probe
        self.script = script
        self.allowed = set(facts)
        self._emit = emit
        self.overrides = overrides or {}
        self.params = params or {}
        self.program = None
        if program is not None:
            from nanwiz.harness.attach.launch import ProgramSpec

            self.program = ProgramSpec.model_validate(program)
        self._target = None
        self._dataset = None
        self._baseline = None
        self._last_progress = 0.0
        self._series: list[dict] = []
        self._last_series = 0.0
        self.facts: dict[str, Any] = {}

    def emit(self, event: dict) -> None:
        self._emit({**event, "probe": self.probe})

    def switch(self, probe: str, facts: tuple[str, ...]) -> None:
        """Report from now on as another probe (local probes run in the baseline's process)."""
        self.probe = probe
        self.allowed = set(facts)
        self.facts = {}
        self._last_progress = 0.0

    # ------------------------------------------------------------ the target
    def target(self):
        if self._target is None:
            from nanwiz.harness.script import load_target

            self._target = load_target(self.script, self.overrides)
        return self._target

    def dataset(self):
        """The map-style dataset: the contract script's, or the one the user's DataLoader read
        (None when the program used none)."""
        run = self.captured() if self.program is None else self._baseline
        if self.program is not None or hasattr(run, "seen_dataset"):
            return run.seen_dataset() if run is not None else None
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
        """A fresh run of the training under a Variation: nanwiz's own loop over a contract script,
        or the user's whole program (`nanwiz run`)."""
        if self.program is not None:
            from nanwiz.harness.attach.run import AttachedRun

            return AttachedRun(self.program, variation, exclude=kwargs.get("exclude", ()),
                               max_steps=self.params.get("max_steps") or self.overrides.get("steps"),
                               dominant_term=kwargs.get("dominant_term"))
        from nanwiz.harness.run import TrainingRun

        return TrainingRun(self.target(), self.dataset(), variation, **kwargs)

    def baseline(self):
        """The run with the user's settings; kept, so that probes run after it in this process can
        replay its failure."""
        if self._baseline is None:
            self._baseline = self.training()
        return self._baseline

    def captured(self):
        """The baseline run if it already ran in this process (its failure can be replayed), else None."""
        run = self._baseline
        return run if run is not None and getattr(run, "run_records", None) is not None else None

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

    def step_record(self, record: Any) -> None:
        """A training step just finished: stream it to faces that draw the run live (a `series` event
        of step dicts in the trace format, at most every SERIES_EVERY seconds, and at a failure)."""
        self._series.append(record.to_dict(record.act_modules))
        now = time.monotonic()
        if now - self._last_series >= SERIES_EVERY or record.failed:
            self.flush_series()
            self._last_series = now

    def flush_series(self) -> None:
        if self._series:
            self.emit({"event": "series", "points": _jsonable(self._series)})
            self._series = []

    def stage(self, index: int, count: int, label: str) -> Callable[[int, int], None]:
        """A progress callback for stage `index` of `count` (e.g. the 2nd of 3 runs)."""

        def report(done: int, total: int) -> None:
            self.progress((index + done / max(total, 1)) / count, f"{label}: step {done}/{total}")

        return report


def write_event(fd: int) -> Callable[[dict], None]:
    import os

    def emit(event: dict) -> None:
        data = (json.dumps(event, allow_nan=False) + "\n").encode()
        os.write(fd, data)

    return emit

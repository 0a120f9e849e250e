"""Which probes run, in what order, and which fixes get verified.

`source` and `inspect` run first: they find a broken script (syntax error, missing builder,
bad NANWIZ) in seconds, before anything long starts. The other probes are independent and run
side by side. Then the fixes of the top-ranked causes that are settings (knowledge base:
`verify:` on a fix) are re-run by the `fixes` probe, and the ranking is updated with the result.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanwiz.errors import ScriptError, UsageError
from nanwiz.kb.model import KnowledgeBase
from nanwiz.probing.runner import DEFAULT_TIMEOUT, ProbeOutcome, ProbeSpec, run_probe
from nanwiz.session import ProbeRecord, Session, now

FIRST = ("source", "inspect")
ORDER = ("source", "inspect", "baseline", "lr_zero", "bisect", "amp", "batchnorm", "lr_sweep", "repeat")
VERIFY_TOP = 3
VERIFY_MIN_PROBABILITY = 0.01
VERIFY_MAX = 5


@dataclass
class ProbeEvent:
    """What a face needs to show progress: which probe, what happened, how far it is."""

    probe: str
    kind: str  # "started" | "progress" | "series" | "finished"
    fraction: float = 0.0
    message: str = ""
    record: ProbeRecord | None = None
    points: list[dict[str, Any]] | None = None
    """For "series": the run's steps since the last such event (the trace format of details["trace"])."""


def check_script_path(path: Path | str) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give the training script (a .py file)")
    if path.suffix != ".py":
        raise UsageError(f"{path} is not a Python file (.py); nanwiz runs training scripts that follow the "
                         "target-script contract")
    try:
        path.read_bytes()[:1]
    except OSError as exc:
        raise UsageError(f"{path} cannot be read: {exc.strerror}") from None
    return path.resolve()


def default_probes(kb: KnowledgeBase) -> list[str]:
    chosen = [p for p in ORDER if p in kb.probes and kb.probes[p].default]
    chosen += sorted(p for p, d in kb.probes.items() if d.default and p not in chosen)
    return chosen


def parse_probe_list(kb: KnowledgeBase, text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in kb.probes]
    if unknown or not names:
        raise UsageError(f"unknown probe(s): {', '.join(unknown) or '(none given)'}; "
                         f"available: {', '.join(default_probes(kb) + ['fixes'])}")
    return names


def to_record(outcome: ProbeOutcome, params: dict[str, Any] | None = None) -> ProbeRecord:
    return ProbeRecord(probe=outcome.probe, status=outcome.status, reason=outcome.reason, title=outcome.title,
                       facts=outcome.facts, details=outcome.details, duration=round(outcome.duration, 3),
                       finished_at=now(), log_tail=outcome.log_tail[-2000:], params=params or {})


def failure_reproduced(facts: dict[str, Any]) -> bool:
    """Did any probe see the failure with the user's settings (a NaN/Inf, an exception, eval-only NaN,
    or GradScaler-skipped steps)?"""
    return bool(facts.get("baseline.nonfinite") or facts.get("baseline.error") not in (None, "none")
                or facts.get("bn.eval_nonfinite") or (facts.get("baseline.scaler_skips") or 0) > 0)


def verification_params(kb: KnowledgeBase, session: Session) -> dict[str, Any]:
    """The interventions worth re-running now, with what they need from earlier probes."""
    facts = session.facts(kb)
    if not (facts.get("baseline.nonfinite") or facts.get("baseline.error") not in (None, "none")):
        return {"interventions": []}
    bisection = session.probes.get("bisect")
    offending = list((bisection.details.get("bisection") or {}).get("offending", [])) if bisection else []
    size = ((session.probes.get("inspect") or ProbeRecord(probe="inspect")).details.get("dataset") or {}).get("size")
    summary = (session.probes.get("baseline") or ProbeRecord(probe="baseline")).details.get("summary") or {}
    dominant = summary.get("fastest_term") or summary.get("dominant_term")
    available = {
        "bad_samples": bool(offending) and (size is None or len(offending) <= size // 2),
        "dominant_term": bool(dominant) and (facts.get("loss.terms") or 1) >= 2,
        "optimizer_eps": facts.get("optimizer.eps") is not None,
        "activations": facts.get("model.unbounded_activation") is True,
    }
    chosen: list[dict[str, Any]] = []
    ranking = session.ranking(kb)
    for scored in ranking.causes[:VERIFY_TOP]:
        if scored.is_unknown or scored.probability < VERIFY_MIN_PROBABILITY:
            continue
        for fix in kb.causes[scored.cause_id].fixes:
            if fix.verify is None:
                continue
            intervention = kb.interventions[fix.verify]
            if intervention.fact in facts or any(c["id"] == intervention.id for c in chosen):
                continue
            if not all(available[need] for need in intervention.needs):
                continue
            if len(chosen) < VERIFY_MAX:
                chosen.append({"id": intervention.id, "title": intervention.title, "fact": intervention.fact,
                               "variation": intervention.variation.model_dump(exclude_defaults=True)})
    return {"interventions": chosen, "bad_samples": offending, "dominant_term": dominant}


class Diagnoser:
    """Runs the probes of a session on a script, recording each result as it arrives."""

    def __init__(self, kb: KnowledgeBase, session: Session, *, timeout: float = DEFAULT_TIMEOUT,
                 jobs: int | None = None, on_event: Callable[[ProbeEvent], None] | None = None,
                 on_record: Callable[[Session], None] | None = None, cancel: threading.Event | None = None):
        if session.script is None:
            raise UsageError("no training script to probe")
        self.kb = kb
        self.session = session
        self.script = check_script_path(session.script)
        self.timeout = timeout
        self.jobs = max(1, jobs if jobs is not None else min(2, os.cpu_count() or 1))
        self.on_event = on_event
        self.on_record = on_record
        self.cancel = cancel or threading.Event()
        self._lock = threading.Lock()

    def _emit(self, event: ProbeEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def run_one(self, probe: str, params: dict[str, Any] | None = None) -> ProbeRecord:
        self._emit(ProbeEvent(probe, "started"))
        with self._lock:
            self.session.record(ProbeRecord(probe=probe, status="running", params=params or {}))
            if self.on_record is not None:  # saved as running too: an interrupted session shows it
                self.on_record(self.session)

        def forward(event: dict) -> None:
            if event.get("event") == "progress":
                self._emit(ProbeEvent(probe, "progress", event.get("fraction", 0.0), event.get("message", "")))
            elif event.get("event") == "series":
                self._emit(ProbeEvent(probe, "series", points=event.get("points") or []))

        spec = ProbeSpec(probe=probe, script=self.script, overrides=dict(self.session.overrides),
                         params=params or {}, timeout=self.timeout, threads=1 if self.jobs > 1 else None)
        outcome = run_probe(spec, on_event=forward, cancel=self.cancel)
        record = to_record(outcome, params)
        with self._lock:
            self.session.record(record)
            if outcome.environment and not self.session.environment:
                self.session.environment = outcome.environment
            if self.on_record is not None:
                self.on_record(self.session)
        self._emit(ProbeEvent(probe, "finished", 1.0, record.reason or record.status, record))
        return record

    def run(self, probes: Iterable[str], verify: bool = True) -> Session:
        """Run the probes (first those that check the script), then verify fixes."""
        probes = [p for p in probes if p != "fixes"] + (["fixes"] if "fixes" in probes else [])
        first = [p for p in FIRST if p in probes]
        rest = [p for p in probes if p not in FIRST and p != "fixes"]
        for probe in first:
            record = self.run_one(probe)
            if record.status == "script_error":
                raise ScriptError(record.reason or "the script breaks the contract")
            if self.cancel.is_set():
                return self.session
        if rest:
            pool = ThreadPoolExecutor(max_workers=self.jobs)
            try:
                list(pool.map(self.run_one, rest))
            except BaseException:  # Ctrl-C: stop the running children before waiting for their threads
                self.cancel.set()
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        script_errors = [r for r in self.session.probes.values() if r.status == "script_error"]
        if script_errors and not first:
            raise ScriptError(script_errors[0].reason or "the script breaks the contract")
        if (verify or "fixes" in probes) and not self.cancel.is_set():
            self.verify()
        return self.session

    def verify(self, rounds: int = 2) -> None:
        """Re-run the training with the top causes' fixes applied, until nothing new is worth trying."""
        for _ in range(rounds):
            params = verification_params(self.kb, self.session)
            if not params["interventions"] or self.cancel.is_set():
                return
            previous = self.session.probes.get("fixes")
            record = self.run_one("fixes", params)
            if previous is not None and previous.status == "done":
                merged = {**previous.facts, **record.facts}
                record.facts = merged
                for key in ("results", "traces"):  # both keyed by intervention id
                    record.details[key] = {**(previous.details.get(key) or {}), **(record.details.get(key) or {})}
                self.session.record(record)

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


PROGRAM_LOCAL = ("inspect", "bisect", "lr_zero", "amp", "batchnorm")
"""Probes that run in the baseline's own process, on the failure it captured (`nanwiz run`)."""
LOCAL = (*PROGRAM_LOCAL, "repeat")
"""The same for a contract script, which can also replay the steps before the failure (repeat)."""
WHOLE_RUNS = ("lr_sweep",)
"""Probes that must train again from step 0 (a lower learning rate delays a failure)."""


@dataclass
class RerunBudget:
    """How many whole-program re-runs `nanwiz run` may still make, and whether one is affordable:
    a re-run is bounded to twice the failing step plus a margin, and costs the program's start-up
    plus that many steps at the measured step time."""

    left: int
    seconds: float
    failure_step: int
    max_steps: int
    estimate: float | None
    skipped: list[str]

    @classmethod
    def measure(cls, baseline: ProbeRecord, reruns: int, rerun_seconds: float, timeout: float) -> RerunBudget:
        details = baseline.details
        step = int(baseline.facts.get("baseline.first_step") or 0)
        max_steps = 2 * step + 10
        startup = details.get("program_time_to_first_step")
        step_time = details.get("program_step_time")
        estimate = None
        if isinstance(startup, (int, float)):
            estimate = startup + (step_time if isinstance(step_time, (int, float)) else 0.0) * max_steps
        return cls(left=reruns, seconds=min(rerun_seconds, timeout), failure_step=step, max_steps=max_steps,
                   estimate=estimate, skipped=[])

    def take(self, wanted: int, what: str) -> int:
        """How many of `wanted` re-runs may go ahead (recording what is skipped and why)."""
        if self.estimate is not None and self.estimate > self.seconds:
            self.skipped.append(f"{what}: one re-run would take about {self.estimate:.0f} s (the limit is "
                                f"{self.seconds:.0f} s; raise --timeout or use a smaller --max-steps)")
            return 0
        allowed = max(0, min(wanted, self.left))
        if allowed < wanted:
            self.skipped.append(f"{what}: {wanted - allowed} of {wanted} re-run(s) beyond --reruns")
        self.left -= allowed
        return allowed

    def allows(self, wanted: int, what: str) -> bool:
        allowed = self.take(wanted, what)
        self.left += allowed  # reserved by spend() once the runs are made
        return allowed > 0

    def spend(self, count: int) -> None:
        self.left = max(0, self.left - count)

    def describe(self) -> dict[str, Any]:
        return {"left": self.left, "estimate_s": self.estimate, "max_steps": self.max_steps,
                "skipped": list(self.skipped)}


@dataclass
class ProbeEvent:
    """What a face needs to show progress: which probe, what happened, how far it is."""

    probe: str
    kind: str  # "started" | "progress" | "series" | "output" | "finished"
    fraction: float = 0.0
    message: str = ""
    """For "progress" what is being done; for "output" a line the user's program printed."""
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


def _has_optimizer(session: Session) -> bool:
    """Did the training use a torch.optim optimizer (which re-runs can set the learning rate of)? An
    attached program tells (a loop that updates its weights by hand has none); nanwiz's own loop has one."""
    baseline = session.probes.get("baseline")
    seen = baseline.details.get("program_optimizers") if baseline is not None else None
    return seen is None or bool(seen)


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
        "optimizer": _has_optimizer(session),
        "bad_samples": bool(offending) and (size is None or len(offending) <= size // 2),
        "dominant_term": bool(dominant) and (facts.get("loss.terms") or 1) >= 2,
        "optimizer_eps": facts.get("optimizer.eps") is not None,
        "activations": facts.get("model.unbounded_activation") is True,
        "layers": (facts.get("model.depth") or 0) > 0,
        "float_inputs": facts.get("data.input_scale") is not None,
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
                 on_record: Callable[[Session], None] | None = None, cancel: threading.Event | None = None,
                 on_output: bool = False):
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
        self.on_output = on_event if on_output else None
        self.skipped: list[str] = []
        """Probes the plan did not run, and why (the report lists them)."""
        self._lock = threading.Lock()

    def _emit(self, event: ProbeEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def run_one(self, probe: str, params: dict[str, Any] | None = None, then: tuple[str, ...] = ()) -> ProbeRecord:
        self._emit(ProbeEvent(probe, "started"))
        with self._lock:
            self.session.record(ProbeRecord(probe=probe, status="running", params=params or {}))
            for other in then:
                self.session.record(ProbeRecord(probe=other, status="pending"))
            if self.on_record is not None:  # saved as running too: an interrupted session shows it
                self.on_record(self.session)
        started: set[str] = {probe}

        def forward(event: dict) -> None:
            name = event.get("probe") or probe
            kind = event.get("event")
            if name not in started and kind in ("start", "progress"):
                started.add(name)
                self._emit(ProbeEvent(name, "started"))
            if kind == "progress":
                self._emit(ProbeEvent(name, "progress", event.get("fraction", 0.0), event.get("message", "")))
            elif kind == "series":
                self._emit(ProbeEvent(name, "series", points=event.get("points") or []))

        program = self.session.program
        output = None
        if program is not None and self.on_output is not None:
            def output(line: str) -> None:
                self._emit(ProbeEvent(probe, "output", message=line))
        # probes that run side by side get one thread each; the user's own program runs as it would alone
        alone = program is not None and probe == "baseline"
        spec = ProbeSpec(probe=probe, script=self.script, overrides=dict(self.session.overrides),
                         params=params or {}, timeout=self.timeout,
                         threads=1 if self.jobs > 1 and not alone else None,
                         program=program, then=tuple(then), cwd=program["cwd"] if program else None,
                         output=output if probe == "baseline" else None)
        try:
            outcome = run_probe(spec, on_event=forward, cancel=self.cancel)
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM: the probe process is stopped; say so in the session
            with self._lock:
                for name in (probe, *then):
                    if name in self.session.probes and not self.session.probes[name].finished:
                        self.session.record(ProbeRecord(probe=name, status="cancelled", params=params or {},
                                                        reason="interrupted: nanwiz was stopped while it ran"))
                if self.on_record is not None:
                    self.on_record(self.session)
            raise
        record = to_record(outcome, params)
        others = [to_record(o) for o in outcome.others.values()]
        with self._lock:
            self.session.record(record)
            for other in others:
                self.session.record(other)
            for name in then:
                if name not in outcome.others and self.session.probes.get(name) and \
                        self.session.probes[name].status == "pending":
                    del self.session.probes[name]  # never started (the main probe stopped before it)
            if outcome.environment and not self.session.environment:
                self.session.environment = outcome.environment
            if self.on_record is not None:
                self.on_record(self.session)
        self._emit(ProbeEvent(probe, "finished", 1.0, record.reason or record.status, record))
        for other in others:
            self._emit(ProbeEvent(other.probe, "finished", 1.0, other.reason or other.status, other))
        return record

    def run(self, probes: Iterable[str], verify: bool = True, thorough: bool = False) -> Session:
        """The probes on a contract script: the baseline, then the probes that answer their question
        on its captured failure in the same process, then the whole re-runs worth making (best value
        of information first, until the top cause is settled), then the fixes verified, re-runs
        stopped once they pass twice the failing step. `thorough` runs every probe as a whole run of
        its own instead (the exhaustive plan). A session of `nanwiz run` runs that program's plan."""
        if self.session.program is not None:
            return self.run_program(verify=verify)
        probes = list(probes)
        if thorough:
            return self.run_thorough(probes, verify)
        if "source" in probes:
            self.run_one("source")
        if self.cancel.is_set():
            return self.session
        if "baseline" not in probes:
            return self.run_thorough([p for p in probes if p != "source"], verify)
        record = self.run_one("baseline", then=tuple(p for p in LOCAL if p in probes))
        if record.status == "script_error":
            raise ScriptError(record.reason or "the script breaks the contract", title=record.title)
        facts = self.session.facts(self.kb)
        failed = bool(facts.get("baseline.nonfinite") or facts.get("baseline.error") not in (None, "none"))
        step = int(facts.get("baseline.first_step") or 0)
        params = {"reference_step": step, "max_steps": 2 * step + 10}
        whole = [p for p in WHOLE_RUNS if p in probes and failed]
        while whole and not self.cancel.is_set():
            if self._settled():
                for name in whole:
                    self.skipped.append(f"{name}: the top cause was already settled")
                break
            actions = self.session.next_actions(self.kb, probes_available=set(whole))
            best = next((a.id for a in actions if a.kind == "probe" and a.id in whole), None)
            if best is None:
                break
            whole.remove(best)
            self.run_one(best, params)
        if verify and failed and not self.cancel.is_set():
            self.verify(max_steps=params["max_steps"])
        if self.skipped and "baseline" in self.session.probes:
            self.session.probes["baseline"].details["plan_skipped"] = list(self.skipped)
        return self.session

    def _settled(self) -> bool:
        from nanwiz.engine.voi import settled

        facts = self.session.facts(self.kb)
        return settled(self.kb, facts, []) is not None

    def run_thorough(self, probes: list[str], verify: bool = True) -> Session:
        """Every probe as a whole run of its own, side by side (the exhaustive plan)."""
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

    def run_program(self, verify: bool = True, reruns: int = 6, rerun_seconds: float = 120.0) -> Session:
        """`nanwiz run`: the static scan, the user's program under the watch (its local probes run on
        the captured failure in the same process), then whole-program re-runs while they are
        affordable: lower learning rates, then the top causes' fixes."""
        record = self.run_one("source")
        if self.cancel.is_set():
            return self.session
        record = self.run_one("baseline", then=PROGRAM_LOCAL)
        if record.status == "script_error":
            raise ScriptError(record.reason or "the program could not be run", title=record.title)
        facts = self.session.facts(self.kb)
        if record.status != "done" or not (facts.get("baseline.nonfinite")
                                           or facts.get("baseline.error") not in (None, "none")):
            return self.session
        budget = RerunBudget.measure(record, reruns, rerun_seconds, self.timeout)
        if (self.session.program.get("nproc") or 1) > 1:
            budget.left = 0
            budget.skipped.append("whole-program re-runs: not made for a job of several processes yet "
                                  "(the diagnosis rests on what every rank captured)")
        self.session.probes["baseline"].details["reruns"] = budget.describe()
        if not _has_optimizer(self.session):
            budget.skipped.append("lower learning rates and the fixes that set the optimizer: your program "
                                  "updates its weights by hand (no torch.optim optimizer to set)")
        elif budget.allows(2, "lower learning rates (lr x0.1, x0.01)"):
            self.run_one("lr_sweep", {"reference_step": budget.failure_step, "max_steps": budget.max_steps})
            budget.spend(len([k for k in self.session.probes["lr_sweep"].details if k.startswith("run_")]) or 2)
        if verify and not self.cancel.is_set():
            self.verify(budget=budget)
        self.session.probes["baseline"].details["reruns"] = budget.describe()
        if self.on_record is not None:
            self.on_record(self.session)
        return self.session

    def verify(self, rounds: int = 2, budget: RerunBudget | None = None, max_steps: int | None = None) -> None:
        """Re-run the training with the top causes' fixes applied, until nothing new is worth trying."""
        for _ in range(rounds):
            params = verification_params(self.kb, self.session)
            if max_steps is not None:
                params["max_steps"] = max_steps
            if budget is not None and params["interventions"]:
                allowed = budget.take(len(params["interventions"]),
                                      "verify fixes: " + ", ".join(i["title"] for i in params["interventions"]))
                params["interventions"] = params["interventions"][:allowed]
                params["max_steps"] = budget.max_steps
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

"""The session as the TUI sees it: evidence goes in, what to show comes out, and every change is saved.

Widgets never decide anything about the diagnosis. Which question comes next, what "back" undoes,
which report file an export writes and when the session is written to disk are all decided here,
in plain Python without Textual, so that the rules can be read (and tested) in one place.
Probe results are recorded by `Diagnoser` from worker threads; `lock` serializes them with the
UI thread's own changes and saves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanwiz.engine import Action, Ranking, Settled, settled
from nanwiz.errors import NanwizError
from nanwiz.kb.model import KnowledgeBase
from nanwiz.kb.schema import Question
from nanwiz.report.markdown import Written, write_markdown
from nanwiz.report.model import build_diagnosis, cause_detail, run_series
from nanwiz.session import DONT_KNOW, ProbeRecord, Session

UNFINISHED = ("pending", "running")
LIVE_POINTS = 2000
"""A running probe's steps kept for the live curves (halved, every other step, beyond that)."""


@dataclass(frozen=True)
class Prompt:
    """The question the interview shows now, and why it is that one."""

    question: Question
    previous: Any = None
    """The answer given before (when the user went back or chose to change it), else None."""
    changing: bool = False
    """True when the question is asked again on purpose (back, or changed from the answer list)."""


class SessionStore:
    """Owns the session for the TUI: answers, the current question, autosave, export."""

    def __init__(self, kb: KnowledgeBase, session: Session, save_path: Path, plots: bool = True):
        self.kb = kb
        self.session = session
        self.save_path = Path(save_path)
        self.plots = plots
        """Export draws the run's curves beside the report (off with --no-plots)."""
        self.lock = threading.RLock()
        self.save_error: str | None = None
        self._current: str | None = None
        self._pinned: str | None = None
        self._previous: dict[str, Any] = {}
        self.live: dict[str, list[dict[str, Any]]] = {}
        """A running probe's steps so far (its `series` events), until its record holds the trace."""

    # ------------------------------------------------------------ reading
    def view(self) -> Session:
        """The session to read from on the UI thread.

        `Diagnoser` adds probe records from worker threads while the UI reads; a shallow copy
        with its own `probes` dict (copied in one step) cannot change size under a loop.
        """
        return self.session.model_copy(update={"probes": dict(self.session.probes)})

    def ranking(self) -> Ranking:
        return self.view().ranking(self.kb)

    def actions(self) -> list[Action]:
        return self.view().next_actions(self.kb)

    def prompt(self, actions: list[Action] | None = None) -> Prompt | None:
        """The question to ask now.

        A question being answered stays put while probe results arrive, unless the evidence made
        it moot (its fact was measured, or it no longer tells anything): the screen must not
        change under a user who is reading it.
        """
        if self._pinned is not None:
            return Prompt(self.kb.questions[self._pinned], self._previous.get(self._pinned), changing=True)
        actions = actions if actions is not None else self.actions()
        if self.settled(actions) is not None:
            self._current = None
            return None
        questions = [a.id for a in actions if a.kind == "question"]
        if self._current not in questions:
            self._current = questions[0] if questions else None
        return Prompt(self.kb.questions[self._current]) if self._current else None

    def settled(self, actions: list[Action] | None = None) -> Settled | None:
        """The diagnosis is settled: the interview stops asking (see `nanwiz.engine.settled`)."""
        view = self.view()
        return settled(self.kb, view.facts(self.kb), actions if actions is not None else self.actions())

    def best_probe(self, actions: list[Action]) -> Action | None:
        """The probe worth more than the best question, if there is one (a hint to run the probes)."""
        return actions[0] if actions and actions[0].kind == "probe" else None

    def answered(self) -> list[tuple[Question, str]]:
        """(question, answer label) in the order they were answered."""
        out = []
        for qid in self.session.answer_order:
            question = self.kb.questions.get(qid)
            if question is not None:
                out.append((question, self.answer_label(question, self.session.answers[qid])))
        return out

    @staticmethod
    def answer_label(question: Question, value: Any) -> str:
        if value == DONT_KNOW:
            return "don't know"
        return next((o.label for o in question.options if o.value == value), str(value))

    def cause(self, cause_id: str) -> dict[str, Any]:
        """One cause as the report describes it (mechanism, evidence with ratios, fixes, sources)."""
        return cause_detail(self.kb, self.view(), cause_id)

    def diagnosis(self) -> dict[str, Any]:
        return build_diagnosis(self.kb, self.view())

    def curves(self) -> tuple[list[dict[str, Any]], bool]:
        """The runs' curves as the diagnosis has them, the baseline's taken from its live steps
        while it runs; and whether they are live."""
        view = self.view()
        record = view.probes.get("baseline")
        live = bool(self.live.get("baseline")) and (record is None or not record.finished)
        if live:
            view.probes["baseline"] = ProbeRecord(probe="baseline", status="running",
                                                  details={"trace": self.live["baseline"]})
        return run_series(self.kb, view, view.facts(self.kb)), live

    def add_points(self, probe: str, points: list[dict[str, Any]]) -> None:
        """Steps a running probe measured (a `series` event)."""
        kept = self.live.setdefault(probe, [])
        kept.extend(points)
        if len(kept) > LIVE_POINTS:
            self.live[probe] = kept[::2] + ([kept[-1]] if len(kept) % 2 == 0 else [])  # keep the latest step

    def probe_started(self, probe: str) -> None:
        self.live.pop(probe, None)  # a new run of it: the curves start over

    # ------------------------------------------------------------ changing
    def answer(self, question_id: str, value: Any) -> None:
        with self.lock:
            self.session.answer(self.kb, question_id, value)
            self._previous.pop(question_id, None)
            if self._pinned == question_id:
                self._pinned = None
            self._current = None
            self.save()

    def back(self) -> Question | None:
        """Undo the last answer and ask that question again, its old answer marked. None: nothing to undo."""
        with self.lock:
            if not self.session.answer_order:
                return None
            qid = self.session.answer_order[-1]
            self._previous[qid] = self.session.answers[qid]
            self.session.forget(qid)
            self._pinned = qid
            self.save()
            return self.kb.questions.get(qid)

    def change(self, question_id: str) -> None:
        """Ask an answered question again; its answer holds until the user gives another."""
        self._previous[question_id] = self.session.answers.get(question_id)
        self._pinned = question_id

    def keep(self) -> None:
        """Stop re-asking and keep the answer given before (an undone answer is given back)."""
        with self.lock:
            qid, self._pinned = self._pinned, None
            if qid is None:
                return
            previous = self._previous.pop(qid, None)
            if qid not in self.session.answers and previous is not None:
                self.session.answer(self.kb, qid, previous)
                self.save()

    def forget(self, question_id: str) -> None:
        with self.lock:
            self.session.forget(question_id)
            if self._pinned == question_id:
                self._pinned = None
            self.save()

    def start_probes(self, script: Path, steps: int | None) -> None:
        with self.lock:
            self.session.script = str(script)
            if steps is None:
                self.session.overrides.pop("steps", None)
            else:
                self.session.overrides["steps"] = steps
            self.save()

    def mark_interrupted(self) -> list[str]:
        """Probes a saved session left running (nanwiz was closed meanwhile) did not finish: say so."""
        with self.lock:
            names = [n for n, r in self.session.probes.items() if r.status in UNFINISHED]
            for name in names:
                record = self.session.probes[name]
                record.status = "cancelled"
                record.reason = "interrupted: nanwiz was closed while it ran"
            if names:
                self.save()
            return names

    # ------------------------------------------------------------ files
    def save(self) -> Path | None:
        """Write the session atomically; a failure is remembered (and shown), never raised at the UI."""
        with self.lock:
            try:
                path = self.session.save(self.save_path)
            except OSError as exc:
                self.save_error = f"cannot save the session to {self.save_path}: {exc.strerror or exc}"
                return None
            self.save_error = None
            return path

    def report_path(self) -> Path:
        """Beside the session file: nanwiz-session.json -> nanwiz-report.md, x.json -> x-report.md."""
        stem = self.save_path.stem
        stem = stem[: -len("-session")] + "-report" if stem.endswith("-session") else stem + "-report"
        return self.save_path.with_name(stem + ".md")

    def export(self, path: Path | None = None) -> Written:
        """Write the Markdown report and its curves (the same as `nanwiz report`); raises ReportError."""
        return write_markdown(self.diagnosis(), path or self.report_path(), plots=self.plots)


def error_text(error: BaseException) -> tuple[str, str]:
    """(title, message) for any error a worker or action met, for the error dialog."""
    if isinstance(error, NanwizError):
        return error.title, error.msg
    return "Unexpected error", f"{type(error).__name__}: {error}"

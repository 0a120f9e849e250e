"""A troubleshooting session: the user's answers and the probes' results, as versioned JSON.

The same session drives the TUI, `nanwiz probe` and the report. It holds evidence, not
conclusions: the ranking is recomputed from it by the engine, so a session saved with one
knowledge base can be re-read with another.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from nanwiz.engine import Action, Ranking, next_actions, rank
from nanwiz.errors import SessionError
from nanwiz.kb.model import KnowledgeBase

SESSION_VERSION = 1
DONT_KNOW = "?"
Value = Union[StrictBool, StrictInt, StrictFloat, StrictStr]
ProbeStatus = Literal["pending", "running", "done", "failed", "script_error", "timeout", "crashed", "cancelled"]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ProbeRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    probe: str
    status: ProbeStatus = "pending"
    reason: str | None = None
    title: str | None = None
    facts: dict[str, Value] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)
    duration: float | None = None
    finished_at: str | None = None
    log_tail: str = ""
    params: dict[str, Any] = Field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status not in ("pending", "running")


class Session(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = SESSION_VERSION
    created_at: str = Field(default_factory=now)
    updated_at: str = Field(default_factory=now)
    script: str | None = None
    """The file diagnosed: the contract script, or the program's own source (`nanwiz run`)."""
    program: dict[str, Any] | None = None
    """`nanwiz run`: the program as run (script or module, arguments, working directory)."""
    overrides: dict[str, Value] = Field(default_factory=dict)
    answers: dict[str, Value] = Field(default_factory=dict)
    """Question id -> the option's value, or '?' for don't know."""
    answer_order: list[str] = Field(default_factory=list)
    probes: dict[str, ProbeRecord] = Field(default_factory=dict)
    environment: dict[str, Any] = Field(default_factory=dict)
    knowledge_dirs: list[str] = Field(default_factory=list)

    # ------------------------------------------------------------ evidence
    def facts(self, kb: KnowledgeBase) -> dict[str, Any]:
        """Answers, then probe measurements (a measurement outranks an answer about the same fact)."""
        facts: dict[str, Any] = {}
        for qid in self.answer_order:
            value = self.answers.get(qid)
            question = kb.questions.get(qid)
            if question is None or value is None or value == DONT_KNOW:
                continue
            facts[question.fact] = value
        for name in sorted(self.probes, key=lambda p: (p == "fixes", p)):
            record = self.probes[name]
            for fact_id, value in record.facts.items():
                if fact_id in kb.facts:
                    facts[fact_id] = value
        return facts

    def conflicts(self, kb: KnowledgeBase) -> list[tuple[str, Any, Any]]:
        """Facts where the user's answer and a probe's measurement disagree: (fact, answer, measured)."""
        answered = {}
        for qid in self.answer_order:
            question = kb.questions.get(qid)
            value = self.answers.get(qid)
            if question is not None and value not in (None, DONT_KNOW):
                answered[question.fact] = value
        out = []
        for record in self.probes.values():
            for fact_id, value in record.facts.items():
                if fact_id in answered and answered[fact_id] != value:
                    out.append((fact_id, answered[fact_id], value))
        return out

    def ranking(self, kb: KnowledgeBase) -> Ranking:
        return rank(kb, self.facts(kb))

    def next_actions(self, kb: KnowledgeBase, probes_available: set[str] | None = None,
                     limit: int | None = None) -> list[Action]:
        done = {p for p, r in self.probes.items() if r.status in ("done", "running", "pending")}
        return next_actions(kb, self.facts(kb), asked=set(self.answers), probes_done=done,
                            probes_available=probes_available, limit=limit)

    # ------------------------------------------------------------ changes
    def answer(self, kb: KnowledgeBase, question_id: str, value: Any) -> None:
        question = kb.questions.get(question_id)
        if question is None:
            raise SessionError(f"there is no question {question_id!r} in the knowledge base")
        if value != DONT_KNOW and value not in [o.value for o in question.options]:
            allowed = ", ".join(repr(o.value) for o in question.options)
            raise SessionError(f"{value!r} is not an answer to {question_id!r} (answers: {allowed}, or '?')")
        self.answers[question_id] = value
        if question_id in self.answer_order:
            self.answer_order.remove(question_id)
        self.answer_order.append(question_id)
        self.touch()

    def forget(self, question_id: str) -> None:
        self.answers.pop(question_id, None)
        if question_id in self.answer_order:
            self.answer_order.remove(question_id)
        self.touch()

    def record(self, record: ProbeRecord) -> None:
        self.probes[record.probe] = record
        self.touch()

    def touch(self) -> None:
        self.updated_at = now()

    # ------------------------------------------------------------ files
    def save(self, path: Path | str) -> Path:
        """Write atomically (temp file + rename): a crash never leaves half a session."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.model_dump_json(indent=2)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return path

    @classmethod
    def load(cls, path: Path | str) -> Session:
        path = Path(path)
        if not path.exists():
            raise SessionError(f"{path}: no such session file")
        if path.is_dir():
            raise SessionError(f"{path} is a directory, not a session file")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise SessionError(f"{path} is not a nanwiz session: not a text file") from None
        except json.JSONDecodeError as exc:
            raise SessionError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                               "the file is corrupt or not a nanwiz session") from None
        if not isinstance(data, dict) or "version" not in data:
            raise SessionError(f"{path} is not a nanwiz session (no 'version' field)")
        if data.get("version") != SESSION_VERSION:
            raise SessionError(f"{path} is a session of version {data.get('version')!r}; this nanwiz reads "
                               f"version {SESSION_VERSION}. Re-run the diagnosis to create a new session.")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SessionError(f"{path} is not a valid nanwiz session: {where}: {first['msg']} "
                               f"({len(exc.errors())} problem(s))") from None

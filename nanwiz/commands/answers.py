"""Reading --answers files: question id -> answer, validated with messages that list the options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from nanwiz.errors import UsageError
from nanwiz.kb.model import KnowledgeBase
from nanwiz.session import DONT_KNOW, Session


def load_answers(kb: KnowledgeBase, path: Path | str, session: Session) -> None:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such answers file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise UsageError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return
    if not isinstance(data, dict):
        raise UsageError(f"{path}: an answers file is a mapping 'question_id: answer' (see 'nanwiz kb questions')")
    problems = []
    for qid, raw in data.items():
        question = kb.questions.get(str(qid))
        if question is None:
            problems.append(f"unknown question {qid!r} (see 'nanwiz kb questions')")
            continue
        value = _match(question, raw)
        if value is None:
            allowed = ", ".join(f"{o.value!r}" for o in question.options)
            problems.append(f"{qid}: {raw!r} is not an answer (answers: {allowed}, or '?')")
            continue
        session.answer(kb, question.id, value)
    if problems:
        raise UsageError(f"{path}:\n" + "\n".join(f"  - {p}" for p in problems))


def _match(question, raw: Any) -> Any:
    if raw in (DONT_KNOW, None):
        return DONT_KNOW
    for option in question.options:
        if option.value == raw and type(option.value) is type(raw):
            return option.value
    text = str(raw).strip().lower()
    for option in question.options:
        if text in (option.key, str(option.value).lower()):
            return option.value
    if text in ("yes", "true") and any(o.value is True for o in question.options):
        return True
    if text in ("no", "false") and any(o.value is False for o in question.options):
        return False
    return None

"""The WHAT-NEXT of the ranking, as plain data for every face to render (the WHY, the
observations that raised or lowered a cause, is on each `Scored` of the ranking itself).

`settle` lists, for a cause, the rules that have not fired yet because a fact is unknown:
learning those facts would confirm it (ratio > 1) or rule it out (ratio < 1), and each comes
with the questions and probes that could tell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nanwiz.engine.conditions import complete, evaluate
from nanwiz.kb.model import KnowledgeBase, condition_facts


@dataclass(frozen=True)
class Pending:
    rule_id: str
    text: str
    ratio: float
    unknown_facts: tuple[str, ...]
    questions: tuple[str, ...]
    probes: tuple[str, ...]


@dataclass(frozen=True)
class Settle:
    cause_id: str
    confirm: tuple[Pending, ...]
    rule_out: tuple[Pending, ...]


def _sources(kb: KnowledgeBase, fact_id: str, evidence: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The questions still worth asking and the probes that could tell a fact."""
    fact = kb.facts[fact_id]
    if fact.derive is not None:
        return _sources(kb, fact.derive.from_, evidence)
    questions = [q.id for q in kb.questions_by_fact.get(fact_id, [])
                 if q.when is None or evaluate(q.when, evidence) is not False]
    return questions, list(fact.probes)


def settle(kb: KnowledgeBase, facts: Mapping[str, Any], cause_id: str, limit: int = 5) -> Settle:
    evidence = complete(kb, facts)
    confirm: list[Pending] = []
    rule_out: list[Pending] = []
    for rule in sorted(kb.rules_by_cause.get(cause_id, []), key=lambda r: r.id):
        if evaluate(rule.when, evidence) is not None:
            continue
        unknown = sorted({t.fact for t in condition_facts(rule.when) if t.fact not in evidence})
        questions: list[str] = []
        probes: list[str] = []
        for fact_id in unknown:
            q, p = _sources(kb, fact_id, evidence)
            questions += [x for x in q if x not in questions]
            probes += [x for x in p if x not in probes]
        if not questions and not probes:
            continue  # nothing can tell it any more (e.g. a question a probe already answered)
        pending = Pending(rule.id, rule.text, rule.effects[cause_id], tuple(unknown), tuple(questions),
                          tuple(probes))
        (confirm if pending.ratio > 1 else rule_out).append(pending)
    key = lambda p: (-abs(math.log(p.ratio)), p.rule_id)  # noqa: E731
    return Settle(cause_id, tuple(sorted(confirm, key=key)[:limit]), tuple(sorted(rule_out, key=key)[:limit]))

"""Choosing the next action by value of information: expected information gain / cost.

For a fact f, each distinguishable outcome o (one representative per pattern of rule tests it
would satisfy) has, under hypothesis h, weight L(o|h) = product of the likelihood ratios of
the rules o would newly fire. Normalizing over outcomes gives P(o|h), and the gain is the
mutual information I(H; O) between the cause and the outcome under the current posterior:
never negative, zero for a fact no unfired rule depends on. A probe measures several facts;
its gain is approximated by the sum of their gains, capped at the current entropy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nanwiz.engine.conditions import complete, evaluate, test_fact
from nanwiz.engine.infer import entropy, log_ratio, rank
from nanwiz.kb.model import KnowledgeBase, condition_facts
from nanwiz.kb.schema import FactTest

_OTHER = "\u0000other"


@dataclass(frozen=True)
class Action:
    kind: str  # "question" | "probe"
    id: str
    title: str
    cost: float
    gain: float
    """Expected information gain in bits."""

    @property
    def score(self) -> float:
        return self.gain / self.cost


def _tests_on(kb: KnowledgeBase, fact_id: str) -> list[FactTest]:
    return [t for r in kb.rules_by_fact.get(fact_id, []) for t in condition_facts(r.when) if t.fact == fact_id]


def outcomes(kb: KnowledgeBase, fact_id: str) -> list[Any]:
    """One representative value per distinguishable outcome of a fact."""
    fact = kb.facts[fact_id]
    derived = [d for d in kb.derived if d.derive is not None and d.derive.from_ == fact_id]
    if fact.type == "bool":
        return [True, False]
    if fact.type == "enum":
        return list(fact.enum_values())
    tests = _tests_on(kb, fact_id)
    candidates: list[Any] = []
    if fact.type == "number":
        for t in tests:
            for name, ref in t.comparators().items():
                if name in ("gt", "ge", "lt", "le", "eq", "ne") and not isinstance(ref, (bool, str)):
                    delta = max(abs(ref) * 0.01, 1e-9)
                    candidates += [ref - delta, ref, ref + delta]
        if not candidates:
            return []
    else:  # text: the values the rules name, one per derived family, and something else
        for t in tests:
            for name, ref in t.comparators().items():
                if name in ("eq", "ne"):
                    candidates.append(ref)
                elif name in ("in", "not_in"):
                    candidates += list(ref)
        for d in derived:
            assert d.derive is not None
            candidates += [members[0] for members in d.derive.map.values() if members]
        candidates.append(_OTHER)
    derived_tests = [t for d in derived for t in _tests_on(kb, d.id)]
    seen: dict[tuple, Any] = {}
    for value in candidates:
        evidence = complete(kb, {fact_id: value})
        signature = tuple(test_fact(t, evidence) for t in tests + derived_tests)
        seen.setdefault(signature, value)
    return list(seen.values())


def fact_gain(kb: KnowledgeBase, facts: Mapping[str, Any], fact_id: str,
              posterior: Mapping[str, float] | None = None) -> float:
    if facts.get(fact_id) is not None:
        return 0.0
    evidence = complete(kb, facts)
    if fact_id in evidence:
        return 0.0
    if posterior is None:
        posterior = {s.cause_id: s.probability for s in rank(kb, facts).causes}
    related_rules = {r.id: r for r in kb.rules_by_fact.get(fact_id, [])}
    for d in kb.derived:
        if d.derive is not None and d.derive.from_ == fact_id:
            related_rules.update({r.id: r for r in kb.rules_by_fact.get(d.id, [])})
    pending = [r for r in related_rules.values() if evaluate(r.when, evidence) is None]
    if not pending:
        return 0.0
    hypotheses = list(posterior)
    weights: list[dict[str, float]] = []
    for value in outcomes(kb, fact_id):
        after = complete(kb, {**facts, fact_id: value})
        logs = dict.fromkeys(hypotheses, 0.0)
        for rule in pending:
            if evaluate(rule.when, after) is True:
                for cause_id, ratio in rule.effects.items():
                    if cause_id in logs:
                        logs[cause_id] += log_ratio(kb, ratio)
        weights.append({h: math.exp(v) for h, v in logs.items()})
    if len(weights) < 2:
        return 0.0
    # P(o|h) = L(o|h) / sum_o' L(o'|h); I(H;O) = H(O) - H(O|H)
    per_h = {h: sum(w[h] for w in weights) for h in hypotheses}
    p_o_given_h = [{h: w[h] / per_h[h] for h in hypotheses} for w in weights]
    p_o = [sum(posterior[h] * p[h] for h in hypotheses) for p in p_o_given_h]
    h_o = entropy(p_o)
    h_o_given_h = sum(posterior[h] * entropy([p[h] for p in p_o_given_h]) for h in hypotheses)
    return max(0.0, h_o - h_o_given_h)


def next_actions(
    kb: KnowledgeBase,
    facts: Mapping[str, Any],
    *,
    asked: Iterable[str] = (),
    probes_done: Iterable[str] = (),
    probes_available: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[Action]:
    """Questions and probes worth doing now, best value of information first."""
    ranking = rank(kb, facts)
    posterior = {s.cause_id: s.probability for s in ranking.causes}
    current = entropy(posterior.values())
    evidence = ranking.evidence
    asked = set(asked)
    done = set(probes_done)
    available = set(kb.probes) if probes_available is None else set(probes_available)
    actions: list[Action] = []
    for q in sorted(kb.questions.values(), key=lambda q: q.id):
        if q.id in asked or q.fact in evidence:
            continue
        if q.when is not None and evaluate(q.when, evidence) is not True:
            continue
        gain = fact_gain(kb, facts, q.fact, posterior)
        if gain > 1e-9:
            actions.append(Action("question", q.id, q.text, q.cost, gain))
    for probe in sorted(kb.probes.values(), key=lambda p: p.id):
        if probe.id in done or probe.id not in available:
            continue
        gain = sum(fact_gain(kb, facts, f, posterior) for f in kb.facts_by_probe.get(probe.id, []))
        gain = min(gain, current)
        if gain > 1e-9:
            actions.append(Action("probe", probe.id, probe.title, probe.cost, gain))
    actions.sort(key=lambda a: (-a.score, a.kind, a.id))
    return actions[:limit] if limit is not None else actions


@dataclass(frozen=True)
class Settled:
    """The interview can stop: the top cause is likely enough and no open question could dethrone it."""

    cause_id: str
    probability: float
    open_questions: int
    """Questions still open (each was checked: no answer to it puts another cause on top)."""

    def reason(self, title: str) -> str:
        asked = (f"none of the {self.open_questions} questions left could put another cause on top, whatever "
                 "the answer" if self.open_questions else "no question is left that would tell more")
        stated = ">99.9%" if self.probability >= 0.999 else f"{self.probability:.0%}"
        return f"{title} is at {stated}, and {asked}."


def settled(kb: KnowledgeBase, facts: Mapping[str, Any], actions: Iterable[Action]) -> Settled | None:
    """Settled when the top cause has at least `settled_probability` and every answer to every
    question still worth asking (`actions`) leaves it on top."""
    top = rank(kb, facts).top
    if top.is_unknown or top.probability < kb.settings.settled_probability:
        return None
    questions = [kb.questions[a.id] for a in actions if a.kind == "question"]
    for q in questions:
        for option in q.options:
            if rank(kb, {**facts, q.fact: option.value}).top.cause_id != top.cause_id:
                return None
    return Settled(top.cause_id, top.probability, len(questions))

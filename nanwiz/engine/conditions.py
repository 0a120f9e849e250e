"""Three-valued evaluation of rule conditions (Kleene logic).

A test on a fact that is not known is *unknown*, not false: a rule fires only when its
condition is definitely true. Learning a fact can turn unknown into true or false but never
true into false, which is what makes the ranking independent of the order evidence arrives in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nanwiz.kb.model import KnowledgeBase
from nanwiz.kb.schema import AllOf, AnyOf, Condition, FactTest, NotOf

Truth = bool | None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _same(value: Any, ref: Any) -> bool:
    """Equality that keeps true apart from 1 (Python's True == 1 would not)."""
    if isinstance(value, bool) or isinstance(ref, bool):
        return value is ref
    return value == ref


def test_fact(test: FactTest, evidence: Mapping[str, Any]) -> Truth:
    present = test.fact in evidence and evidence[test.fact] is not None
    comparators = test.comparators()
    if "known" in comparators:
        if present != comparators.pop("known"):
            return False
        if not comparators:
            return True
    if not present:
        return None
    value = evidence[test.fact]
    for name, ref in comparators.items():
        if name == "eq":
            ok = _same(value, ref)
        elif name == "ne":
            ok = not _same(value, ref)
        elif name == "in":
            ok = any(_same(value, r) for r in ref)
        elif name == "not_in":
            ok = not any(_same(value, r) for r in ref)
        else:
            number = _number(value)
            if number is None or math.isnan(number):
                return False
            ok = {
                "gt": number > ref,
                "ge": number >= ref,
                "lt": number < ref,
                "le": number <= ref,
            }[name]
        if not ok:
            return False
    return True


def evaluate(cond: Condition, evidence: Mapping[str, Any]) -> Truth:
    if isinstance(cond, FactTest):
        return test_fact(cond, evidence)
    if isinstance(cond, AllOf):
        results = [evaluate(c, evidence) for c in cond.all]
        if any(r is False for r in results):
            return False
        return True if all(r is True for r in results) else None
    if isinstance(cond, AnyOf):
        results = [evaluate(c, evidence) for c in cond.any]
        if any(r is True for r in results):
            return True
        return False if all(r is False for r in results) else None
    if isinstance(cond, NotOf):
        inner = evaluate(cond.not_, evidence)
        return None if inner is None else not inner
    raise TypeError(f"not a condition: {cond!r}")


def complete(kb: KnowledgeBase, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence with derived facts added (e.g. an op name mapped onto its op family)."""
    evidence = {k: v for k, v in facts.items() if v is not None}
    for fact in kb.derived:
        assert fact.derive is not None
        raw = evidence.get(fact.derive.from_)
        if raw is None:
            continue
        family = fact.derive.default
        for name, members in fact.derive.map.items():
            if raw in members:
                family = name
                break
        evidence[fact.id] = family
    return evidence

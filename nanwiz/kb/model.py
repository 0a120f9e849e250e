"""The validated knowledge base, indexed for the engine. Built only by `nanwiz.kb.load`."""

from __future__ import annotations

from dataclasses import dataclass, field

from nanwiz.kb.schema import (
    AllOf,
    AnyOf,
    Cause,
    Condition,
    Fact,
    FactTest,
    Intervention,
    NotOf,
    ProbeDecl,
    Question,
    Rule,
    Settings,
)


@dataclass(frozen=True)
class Origin:
    """Where an item was defined, for error messages that point at a line."""

    file: str
    path: str
    line: int | None


def condition_facts(cond: Condition) -> list[FactTest]:
    """Every fact test inside a condition, depth first."""
    if isinstance(cond, FactTest):
        return [cond]
    if isinstance(cond, AllOf):
        return [t for c in cond.all for t in condition_facts(c)]
    if isinstance(cond, AnyOf):
        return [t for c in cond.any for t in condition_facts(c)]
    if isinstance(cond, NotOf):
        return condition_facts(cond.not_)
    raise TypeError(f"not a condition: {cond!r}")


@dataclass
class KnowledgeBase:
    causes: dict[str, Cause]
    facts: dict[str, Fact]
    questions: dict[str, Question]
    rules: dict[str, Rule]
    probes: dict[str, ProbeDecl]
    interventions: dict[str, Intervention]
    settings: Settings
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    """(section, id) -> where it was defined."""
    files: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rules_by_fact: dict[str, list[Rule]] = {}
        self.rules_by_cause: dict[str, list[Rule]] = {}
        for rule in self.rules.values():
            for test in condition_facts(rule.when):
                bucket = self.rules_by_fact.setdefault(test.fact, [])
                if rule not in bucket:
                    bucket.append(rule)
            for cause_id in rule.effects:
                self.rules_by_cause.setdefault(cause_id, []).append(rule)
        self.facts_by_probe: dict[str, list[str]] = {p: [] for p in self.probes}
        for fact in self.facts.values():
            for probe in fact.probes:
                self.facts_by_probe.setdefault(probe, []).append(fact.id)
        self.derived: list[Fact] = [f for f in self.facts.values() if f.derive is not None]
        self.questions_by_fact: dict[str, list[Question]] = {}
        for q in self.questions.values():
            self.questions_by_fact.setdefault(q.fact, []).append(q)

    def cause_title(self, cause_id: str) -> str:
        if cause_id in self.causes:
            return self.causes[cause_id].title
        return self.settings.unknown_title

"""Ranking causes: priors times likelihood ratios, one fault at a time, plus 'unknown'.

Each hypothesis h is "cause h alone explains the failure" (single-fault assumption, as in
decision-theoretic troubleshooting). A rule that fires multiplies the odds of each cause it
names by its likelihood ratio; causes it does not name keep ratio 1. The extra hypothesis
'unknown' keeps ratio 1 unless a rule names it, so evidence that speaks against every known
cause raises 'unknown' instead of being forced onto the least-bad known cause.

Rules are treated as independent given the cause (naive Bayes); rules in the knowledge base
are written so that one observation is counted by one rule, not several overlapping ones. What
overlap remains is tempered twice, by settings fitted on labelled runs (benchmarks/calibration.py)
so that a stated probability matches how often the top cause is right: every log likelihood
ratio is divided by `evidence_temperature`, and the rules that speak for (or against) one cause
count with diminishing weight, strongest first (`evidence_overlap` ** k for the k-th), because
several symptoms of one mechanism ("the loss rises", "the gradient norm rises", "a lower learning
rate helps") are one observation seen several ways, not independent witnesses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nanwiz.engine.conditions import complete, evaluate
from nanwiz.kb.model import KnowledgeBase
from nanwiz.kb.schema import UNKNOWN_CAUSE


@dataclass(frozen=True)
class Contribution:
    rule_id: str
    text: str
    ratio: float
    """The likelihood ratio as the rule states it."""
    applied: float = 0.0
    """The ratio the ranking applied: `ratio` after the calibration temperature."""


@dataclass(frozen=True)
class Scored:
    cause_id: str
    title: str
    probability: float
    prior: float
    contributions: tuple[Contribution, ...] = ()

    @property
    def is_unknown(self) -> bool:
        return self.cause_id == UNKNOWN_CAUSE

    @property
    def support(self) -> tuple[Contribution, ...]:
        return tuple(c for c in self.contributions if c.ratio > 1)

    @property
    def against(self) -> tuple[Contribution, ...]:
        return tuple(c for c in self.contributions if c.ratio < 1)


@dataclass(frozen=True)
class Ranking:
    causes: tuple[Scored, ...]
    fired: tuple[str, ...]
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def top(self) -> Scored:
        return self.causes[0]

    @property
    def entropy(self) -> float:
        return entropy([c.probability for c in self.causes])

    def get(self, cause_id: str) -> Scored:
        for scored in self.causes:
            if scored.cause_id == cause_id:
                return scored
        raise KeyError(cause_id)

    def position(self, cause_id: str) -> int:
        """1-based rank of a cause."""
        return [c.cause_id for c in self.causes].index(cause_id) + 1


def entropy(probabilities) -> float:
    return -sum(p * math.log2(p) for p in probabilities if p > 0)


def priors(kb: KnowledgeBase) -> dict[str, float]:
    total = sum(c.prior for c in kb.causes.values())
    known = 1.0 - kb.settings.unknown_prior
    out = {cid: known * c.prior / total for cid, c in sorted(kb.causes.items())}
    out[UNKNOWN_CAUSE] = kb.settings.unknown_prior
    return out


def log_ratio(kb: KnowledgeBase, ratio: float) -> float:
    """The log likelihood ratio a rule's effect applies, after the calibration temperature."""
    return math.log(ratio) / kb.settings.evidence_temperature


def combined(logs: list[float], temperature: float, overlap: float) -> list[float]:
    """The log ratios one hypothesis's rules apply, in the order given: each divided by the
    temperature, and the k-th strongest of those pointing the same way (0-based) weighted by
    overlap ** k."""
    applied = [0.0] * len(logs)
    for sign in (1, -1):
        same = sorted((i for i, v in enumerate(logs) if v * sign > 0), key=lambda i: -abs(logs[i]))
        for k, i in enumerate(same):
            applied[i] = logs[i] / temperature * overlap ** k
    return applied


def fired_rules(kb: KnowledgeBase, evidence: Mapping[str, Any]) -> list[str]:
    return [rid for rid in sorted(kb.rules) if evaluate(kb.rules[rid].when, evidence) is True]


def posterior_from(prior: Mapping[str, float], log_ratios: Mapping[str, float]) -> dict[str, float]:
    logs = {h: math.log(p) + log_ratios.get(h, 0.0) for h, p in prior.items()}
    top = max(logs.values())
    weights = {h: math.exp(v - top) for h, v in logs.items()}
    total = sum(weights.values())
    return {h: w / total for h, w in weights.items()}


def rank(kb: KnowledgeBase, facts: Mapping[str, Any]) -> Ranking:
    """Posterior over causes (and 'unknown') given the facts; deterministic for equal input."""
    evidence = complete(kb, facts)
    prior = priors(kb)
    fired = fired_rules(kb, evidence)
    effects: dict[str, list[tuple[str, float]]] = {h: [] for h in prior}
    for rid in fired:
        for cause_id, ratio in sorted(kb.rules[rid].effects.items()):
            effects.setdefault(cause_id, []).append((rid, ratio))
    log_ratios: dict[str, float] = {}
    contributions: dict[str, list[Contribution]] = {}
    settings = kb.settings
    for cause_id, pairs in effects.items():
        applied = combined([math.log(r) for _, r in pairs], settings.evidence_temperature, settings.evidence_overlap)
        log_ratios[cause_id] = sum(applied)
        contributions[cause_id] = [Contribution(rid, kb.rules[rid].text, ratio, math.exp(a))
                                   for (rid, ratio), a in zip(pairs, applied)]
    post = posterior_from(prior, log_ratios)
    scored = [
        Scored(
            cause_id=h,
            title=kb.cause_title(h),
            probability=post[h],
            prior=prior[h],
            contributions=tuple(sorted(contributions[h], key=lambda c: (-abs(math.log(c.ratio)), c.rule_id))),
        )
        for h in prior
    ]
    scored.sort(key=lambda s: (-round(s.probability, 12), s.cause_id))
    return Ranking(causes=tuple(scored), fired=tuple(fired), evidence=evidence)

"""The shape of a knowledge file, validated with pydantic (unknown keys are errors).

A knowledge file is a YAML mapping with any of the sections causes, facts, questions, rules,
probes, interventions (lists of the items below) and settings; the knowledge base is the
union of all files. Cross-references between sections (a rule naming a fact, a question
setting a fact...) are checked after all files are read, in `nanwiz.kb.load`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    model_validator,
)

from nanwiz.variation import Variation

ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
FactValue = Union[StrictBool, StrictInt, StrictFloat, StrictStr]
UNKNOWN_CAUSE = "unknown"
"""The explicit 'none of the known causes' hypothesis; rules may give it a likelihood ratio."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(Strict):
    """Where a piece of knowledge comes from: a seed article section, or a public URL."""

    seed: Annotated[str, Field(pattern=r"^\d{3}$")] | None = None
    """Seed article number prefix, e.g. '001' for ../shared/seeds/001_*.txt."""
    section: str | None = None
    """Section of the seed, e.g. '§3.5' (required with `seed`)."""
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    """PyTorch documentation page or public issue."""
    title: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        if (self.seed is None) == (self.url is None):
            raise ValueError("a source names exactly one of 'seed' (with 'section') or 'url'")
        if self.seed is not None and not self.section:
            raise ValueError("a seed source needs a 'section', e.g. section: '§3.5'")
        return self

    def label(self) -> str:
        if self.seed is not None:
            return f"seed {self.seed} {self.section}"
        return self.title or self.url or ""


# ---------------------------------------------------------------- conditions


class FactTest(Strict):
    """A test on one fact. Several comparators in one test must all hold."""

    fact: Id
    eq: FactValue | None = None
    ne: FactValue | None = None
    in_: list[FactValue] | None = Field(default=None, alias="in", min_length=1)
    not_in: list[FactValue] | None = Field(default=None, min_length=1)
    gt: StrictInt | StrictFloat | None = None
    ge: StrictInt | StrictFloat | None = None
    lt: StrictInt | StrictFloat | None = None
    le: StrictInt | StrictFloat | None = None
    known: StrictBool | None = None
    """`known: true` holds when the fact has a value; `known: false` when it has none."""

    @model_validator(mode="after")
    def _has_comparator(self) -> FactTest:
        if not self.comparators():
            raise ValueError(
                "a fact test needs a comparator: one of eq, ne, in, not_in, gt, ge, lt, le, known"
            )
        return self

    def comparators(self) -> dict[str, Any]:
        names = ("eq", "ne", "in_", "not_in", "gt", "ge", "lt", "le", "known")
        return {n.rstrip("_"): getattr(self, n) for n in names if getattr(self, n) is not None}


class AllOf(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(Strict):
    not_: Condition = Field(alias="not")


CONDITION_TAGS = {"all": "<all>", "any": "<any>", "not": "<not>", "fact": "<fact>"}
"""Union tags as pydantic puts them in error locations; never valid YAML keys, so the loader
can strip them when it maps an error back to a line."""


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not", "fact"):
            if key in value:
                return CONDITION_TAGS[key]
        return None
    for key, cls in (("all", AllOf), ("any", AnyOf), ("not", NotOf), ("fact", FactTest)):
        if isinstance(value, cls):
            return CONDITION_TAGS[key]
    return None


Condition = Annotated[
    Union[
        Annotated[AllOf, Tag("<all>")],
        Annotated[AnyOf, Tag("<any>")],
        Annotated[NotOf, Tag("<not>")],
        Annotated[FactTest, Tag("<fact>")],
    ],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message="a condition is a mapping with one of the keys all, any, not or fact",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


# ---------------------------------------------------------------- facts, probes, questions


class Derivation(Strict):
    """A fact computed from another by mapping its raw values onto families (e.g. op names)."""

    from_: Id = Field(alias="from")
    map: dict[str, list[StrictStr]] = Field(min_length=1)
    default: str = "other"


class Fact(Strict):
    """A piece of evidence: answered by the user, measured by a probe, or derived."""

    id: Id
    type: Literal["bool", "enum", "number", "text"]
    description: str = Field(min_length=3)
    values: list[str] | None = None
    """The closed vocabulary of an enum fact."""
    unit: str | None = None
    probes: list[Id] = Field(default_factory=list)
    """The probes that measure this fact."""
    derive: Derivation | None = None

    @model_validator(mode="after")
    def _shape(self) -> Fact:
        if self.type == "enum" and not self.values and self.derive is None:
            raise ValueError("an enum fact needs 'values'")
        if self.type != "enum" and self.values:
            raise ValueError(f"'values' only makes sense for an enum fact, not {self.type}")
        if self.derive is not None:
            if self.type != "enum":
                raise ValueError("a derived fact is an enum (its values are the map's keys)")
            if self.probes:
                raise ValueError("a derived fact is computed, not measured: drop 'probes'")
        return self

    def enum_values(self) -> list[str]:
        if self.derive is not None:
            return [*self.derive.map.keys(), self.derive.default]
        return list(self.values or [])


class ProbeDecl(Strict):
    """An automatic experiment, as the engine sees it: what it costs and what it tells."""

    id: Id
    title: str
    description: str
    cost: float = Field(gt=0)
    """Relative cost; a typical question costs 1."""
    default: bool = True
    """Runs in `nanwiz probe` when no --probes are given."""


class Option(Strict):
    key: Annotated[str, Field(pattern=r"^[a-z1-9]$")]
    """The key that picks it in the TUI: y/n for yes-no questions, 1-9 otherwise ('?' is don't know)."""
    label: str
    value: FactValue


class Question(Strict):
    id: Id
    text: str
    help: str | None = None
    fact: Id
    options: list[Option] = Field(min_length=2, max_length=9)
    when: Condition | None = None
    """Ask only when this holds."""
    cost: float = Field(default=1.0, gt=0)


class Rule(Strict):
    """Evidence -> belief: when the condition holds, multiply each cause's odds by its ratio."""

    id: Id
    text: str = Field(min_length=3)
    """What was observed, as a sentence for explanations ("NaN persists with learning rate 0")."""
    when: Condition
    effects: dict[str, Annotated[float, Field(gt=0, le=1000)]] = Field(min_length=1)
    """Cause id (or 'unknown') -> likelihood ratio; >1 supports, <1 speaks against."""
    sources: list[Source] = Field(default_factory=list)
    rationale: str | None = None
    risk: bool = False
    """A latent risk: worth reporting even when the run stays finite (a static finding, a
    configuration that fails elsewhere, values close to a precision's range)."""

    @model_validator(mode="after")
    def _justified(self) -> Rule:
        if not self.sources and not self.rationale:
            raise ValueError("a rule needs 'sources' or a 'rationale' saying why the ratios hold")
        return self


class Intervention(Strict):
    """A fix that is a setting, so nanwiz can re-run the training with it and verify it."""

    id: Id
    title: str
    variation: Variation
    fact: Id
    """The bool fact that records the outcome: true = the run stays finite for every step."""
    needs: list[Literal["optimizer", "bad_samples", "dominant_term", "optimizer_eps", "activations",
                        "layers", "float_inputs"]] = Field(
        default_factory=list
    )
    """What must be known before it can run (bad sample indices, a dominant loss term...)."""


# ---------------------------------------------------------------- causes


class Code(Strict):
    before: str | None = None
    after: str


class Fix(Strict):
    id: Id
    title: str
    steps: list[str] = Field(min_length=1)
    code: Code
    verify: Id | None = None
    """An intervention that applies this fix as a setting, so it can be verified by a re-run."""
    sources: list[Source] = Field(default_factory=list)


class Cause(Strict):
    id: Id
    title: str
    category: Literal[
        "data",
        "optimization",
        "initialization",
        "numerics",
        "architecture",
        "mixed_precision",
        "environment",
    ]
    prior: float = Field(gt=0, le=1)
    """Relative frequency among training NaNs (normalized over all causes)."""
    benign: bool = False
    """Not a bug: the tool says so instead of urging a fix."""
    own_loop: bool = False
    """Lives only in the user's own training loop, which nanwiz's loop replaces: a run that stays
    finite under nanwiz does not speak for it, and the static scan of that loop can name it."""
    summary: str = Field(min_length=10)
    mechanism: str = Field(min_length=40)
    symptoms: list[str] = Field(min_length=1)
    fixes: list[Fix] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    related: list[Id] = Field(default_factory=list)


class Settings(Strict):
    unknown_prior: float = Field(default=0.03, gt=0, lt=1)
    """Prior of the 'unknown cause' hypothesis, beside the normalized cause priors."""
    unknown_title: str = "Unknown cause (none of the known causes fits the evidence)"
    evidence_temperature: float = Field(default=1.0, gt=0, le=10)
    """Calibration: every rule's log likelihood ratio is divided by this before it is applied.
    The rules' ratios are judged one by one and overlap (naive Bayes counts correlated evidence
    twice); a temperature above 1 tempers them so that the stated probabilities match how often
    the top cause is right. Fitted on labelled diagnosed runs by benchmarks/calibration.py."""
    evidence_overlap: float = Field(default=1.0, gt=0, le=1)
    """Calibration: the k-th strongest rule (0-based) speaking for, or against, one cause counts
    with its log ratio times this ** k; 1 is naive Bayes (every rule an independent witness).
    Several symptoms of one mechanism are one observation seen several ways; fitted with the
    temperature by benchmarks/calibration.py."""
    settled_probability: float = Field(default=0.9, gt=0.5, lt=1)
    """The interview stops asking once the top cause is at least this probable and no open
    question could change which cause is on top."""

"""Reading knowledge files: safe YAML, schema validation, cross-references, located errors.

Every problem is collected as (file, YAML path, line, message) rather than stopping at the
first, so `nanwiz kb check` can list them all; `load_knowledge` raises KnowledgeError with
the whole list. YAML is read with the safe loader only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from nanwiz.errors import KnowledgeError, Problems
from nanwiz.kb.model import KnowledgeBase, Origin, condition_facts
from nanwiz.kb.schema import (
    CONDITION_TAGS,
    UNKNOWN_CAUSE,
    Cause,
    Condition,
    Fact,
    FactTest,
    Intervention,
    ProbeDecl,
    Question,
    Rule,
    Settings,
)
from nanwiz.paths import shipped_knowledge_dir

_TAGS = set(CONDITION_TAGS.values())
_SECTIONS = ("causes", "facts", "questions", "rules", "probes", "interventions")
_ITEM_TYPES = {"causes": Cause, "facts": Fact, "questions": Question, "rules": Rule, "probes": ProbeDecl,
               "interventions": Intervention}

LinePath = tuple[Any, ...]


def _dotted(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _index_lines(node: yaml.Node, path: LinePath, lines: dict[LinePath, int], problems: Problems,
                 file: str) -> None:
    """Record the line of every mapping key and list item; report duplicate keys."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.add(file, _dotted((*path, key)),
                             f"duplicate key '{key}' (first given on line {seen[key]}); "
                             "YAML would silently keep only the last one", line)
            seen[key] = line
            lines[(*path, key)] = line
            _index_lines(value_node, (*path, key), lines, problems, file)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines, problems, file)


def _line_for(lines: dict[LinePath, int], path: Sequence[Any]) -> int | None:
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _friendly(error: dict[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return f"unknown key '{last}'"
    if kind == "missing":
        return f"missing required key '{last}'"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    given = error.get("input")
    if kind not in ("condition",) and not isinstance(given, (dict, list)):
        msg += f" (got {given!r})"
    return msg


@dataclass
class ParsedFile:
    """The valid items of one file, and the ids of items that failed validation."""

    items: dict[str, list[Any]] = field(default_factory=lambda: {s: [] for s in _SECTIONS})
    positions: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in _SECTIONS})
    broken: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in _SECTIONS})
    settings: Settings | None = None


def _report(problems: Problems, file: str, lines: dict[LinePath, int], prefix: tuple, exc: ValidationError) -> None:
    for err in exc.errors():
        path_ = [*prefix, *(p for p in err["loc"] if p not in _TAGS)]
        problems.add(file, _dotted(path_), _friendly(err), _line_for(lines, path_))


def _read_file(path: Path, problems: Problems) -> tuple[ParsedFile | None, dict[LinePath, int]]:
    file = str(path)
    lines: dict[LinePath, int] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(file, "", f"cannot read the file: {exc}")
        return None, lines
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return ParsedFile(), lines
            _index_lines(node, (), lines, problems, file)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        problems.add(file, "", f"not valid YAML: {reason}", line)
        return None, lines
    if not isinstance(data, dict):
        problems.add(file, "", "a knowledge file is a mapping with sections such as "
                     f"causes:, facts:, rules: (got a {type(data).__name__})", lines.get(()))
        return None, lines
    parsed = ParsedFile()
    # Items are validated one by one: a bad item is reported and left out, the rest of the
    # file still loads (and its id stays known, so references to it do not cascade).
    for key, value in data.items():
        if key == "settings":
            try:
                parsed.settings = Settings.model_validate(value)
            except ValidationError as exc:
                _report(problems, file, lines, ("settings",), exc)
            continue
        if key not in _SECTIONS:
            known = ", ".join((*_SECTIONS, "settings"))
            problems.add(file, str(key), f"unknown section '{key}' (sections: {known})", _line_for(lines, (key,)))
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            problems.add(file, str(key), f"'{key}' must be a list of items, got {type(value).__name__}",
                         _line_for(lines, (key,)))
            continue
        model = _ITEM_TYPES[key]
        for i, item in enumerate(value):
            try:
                parsed.items[key].append(model.model_validate(item))
                parsed.positions[key].append(i)
            except ValidationError as exc:
                _report(problems, file, lines, (key, i), exc)
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    parsed.broken[key].add(item["id"])
    return parsed, lines


def knowledge_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def read_knowledge(dirs: Iterable[Path], problems: Problems) -> KnowledgeBase | None:
    """Read and cross-check every file of `dirs`; problems are collected, not raised."""
    merged: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}
    broken: dict[str, set[str]] = {s: set() for s in _SECTIONS}
    origins: dict[tuple[str, str], Origin] = {}
    settings: Settings | None = None
    settings_origin: Origin | None = None
    files: list[str] = []
    for directory in dirs:
        if not directory.is_dir():
            problems.add(str(directory), "", "not a directory of knowledge files")
            continue
        found = knowledge_files(directory)
        if not found:
            problems.add(str(directory), "", "no .yaml knowledge files in this directory")
        for path in found:
            files.append(str(path))
            parsed, lines = _read_file(path, problems)
            if parsed is None:
                continue
            for section in _SECTIONS:
                broken[section] |= parsed.broken[section]
                for i, item in zip(parsed.positions[section], parsed.items[section]):
                    origin = Origin(str(path), f"{section}[{i}]", _line_for(lines, (section, i)))
                    if item.id in merged[section]:
                        first = origins[(section, item.id)]
                        problems.add(origin.file, origin.path,
                                     f"duplicate {section[:-1]} id '{item.id}' (first defined in "
                                     f"{first.file}:{first.line})", origin.line)
                        continue
                    merged[section][item.id] = item
                    origins[(section, item.id)] = origin
            if parsed.settings is not None:
                origin = Origin(str(path), "settings", _line_for(lines, ("settings",)))
                if settings is not None and settings_origin is not None:
                    problems.add(origin.file, "settings", "settings are given twice (first in "
                                 f"{settings_origin.file}:{settings_origin.line})", origin.line)
                else:
                    settings, settings_origin = parsed.settings, origin
    kb = KnowledgeBase(
        causes=merged["causes"], facts=merged["facts"], questions=merged["questions"],
        rules=merged["rules"], probes=merged["probes"], interventions=merged["interventions"],
        settings=settings or Settings(), origins=origins, files=files,
    )
    _cross_check(kb, problems, broken)
    return kb


def _value_ok(kb: KnowledgeBase, fact_id: str, value: Any) -> str | None:
    fact = kb.facts[fact_id]
    if fact.type == "bool" and not isinstance(value, bool):
        return f"fact '{fact_id}' is a bool: use true or false, not {value!r}"
    if fact.type == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"fact '{fact_id}' is a number, not {value!r}"
    if fact.type == "enum" and value not in fact.enum_values():
        return (f"'{value}' is not a value of enum fact '{fact_id}' "
                f"(allowed: {', '.join(fact.enum_values())})")
    if fact.type == "text" and not isinstance(value, str):
        return f"fact '{fact_id}' is text, not {value!r}"
    return None


def _check_condition(kb: KnowledgeBase, cond: Condition, report, broken_facts: set[str]) -> None:
    for test in condition_facts(cond):
        if test.fact not in kb.facts:
            if test.fact not in broken_facts:
                report(f"unknown fact '{test.fact}'")
            continue
        _check_test(kb, test, report)


def _check_test(kb: KnowledgeBase, test: FactTest, report) -> None:
    fact = kb.facts[test.fact]
    for name, value in test.comparators().items():
        if name == "known":
            continue
        if name in ("gt", "ge", "lt", "le"):
            if fact.type != "number":
                report(f"'{name}' compares numbers but fact '{fact.id}' is {fact.type}")
            continue
        for v in value if name in ("in", "not_in") else [value]:
            message = _value_ok(kb, fact.id, v)
            if message:
                report(message)


def _cross_check(kb: KnowledgeBase, problems: Problems, broken: dict[str, set[str]]) -> None:
    """References between items; ids of items that failed validation count as known."""
    def reporter(section: str, item_id: str, suffix: str = ""):
        origin = kb.origins[(section, item_id)]

        def report(message: str) -> None:
            problems.add(origin.file, origin.path + suffix, message, origin.line)

        return report

    for fact in kb.facts.values():
        report = reporter("facts", fact.id)
        for probe in fact.probes:
            if probe not in kb.probes and probe not in broken["probes"]:
                report(f"unknown probe '{probe}' (declared probes: {', '.join(sorted(kb.probes)) or 'none'})")
        if fact.derive is not None:
            source = kb.facts.get(fact.derive.from_)
            if source is None:
                if fact.derive.from_ not in broken["facts"]:
                    report(f"derived from unknown fact '{fact.derive.from_}'")
            elif source.type not in ("text", "enum"):
                report(f"can only derive from a text or enum fact, '{source.id}' is {source.type}")
        produced = fact.probes or fact.derive is not None or fact.id in kb.questions_by_fact
        if not produced:
            report(f"fact '{fact.id}' cannot be produced: no question sets it, no probe measures "
                   "it and it is not derived")
    for probe in kb.probes.values():
        if not kb.facts_by_probe.get(probe.id):
            reporter("probes", probe.id)(f"probe '{probe.id}' measures no fact (list it under a fact's probes)")
    for question in kb.questions.values():
        report = reporter("questions", question.id)
        if question.fact not in kb.facts:
            if question.fact not in broken["facts"]:
                report(f"unknown fact '{question.fact}'")
        else:
            for option in question.options:
                message = _value_ok(kb, question.fact, option.value)
                if message:
                    report(f"option '{option.key}': {message}")
        keys = [o.key for o in question.options]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            report(f"option key '{key}' is used twice")
        if question.when is not None:
            _check_condition(kb, question.when, reporter("questions", question.id, ".when"), broken["facts"])
    valid_effects = set(kb.causes) | {UNKNOWN_CAUSE}
    for rule in kb.rules.values():
        _check_condition(kb, rule.when, reporter("rules", rule.id, ".when"), broken["facts"])
        for cause_id in rule.effects:
            if cause_id not in valid_effects and cause_id not in broken["causes"]:
                reporter("rules", rule.id, ".effects")(f"unknown cause '{cause_id}'")
    for intervention in kb.interventions.values():
        report = reporter("interventions", intervention.id)
        fact = kb.facts.get(intervention.fact)
        if fact is None:
            if intervention.fact not in broken["facts"]:
                report(f"unknown fact '{intervention.fact}'")
        elif fact.type != "bool":
            report(f"the outcome fact '{fact.id}' must be a bool (true = stays finite)")
    for cause in kb.causes.values():
        report = reporter("causes", cause.id)
        if not kb.rules_by_cause.get(cause.id):
            report(f"no rule can move cause '{cause.id}': give it at least one rule effect")
        fix_ids = [f.id for f in cause.fixes]
        for fix_id in sorted({f for f in fix_ids if fix_ids.count(f) > 1}):
            report(f"fix id '{fix_id}' is used twice in this cause")
        for fix in cause.fixes:
            if fix.verify is not None and fix.verify not in kb.interventions | dict.fromkeys(broken["interventions"]):
                report(f"fix '{fix.id}' verifies with unknown intervention '{fix.verify}'")
        for related in cause.related:
            if related not in kb.causes and related not in broken["causes"]:
                report(f"related cause '{related}' is unknown")


def load_knowledge(extra_dirs: Iterable[Path | str] = (), include_shipped: bool = True) -> KnowledgeBase:
    """The shipped knowledge base plus every --knowledge folder, or KnowledgeError."""
    dirs = [shipped_knowledge_dir()] if include_shipped else []
    dirs += [Path(d) for d in extra_dirs]
    problems = Problems()
    kb = read_knowledge(dirs, problems)
    if problems or kb is None:
        raise KnowledgeError(problems.items)
    return kb

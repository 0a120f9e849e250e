"""The shipped knowledge base is complete and valid; broken knowledge files give located errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nanwiz.errors import KnowledgeError, Problems
from nanwiz.kb.load import load_knowledge, read_knowledge
from nanwiz.paths import shipped_knowledge_dir
from tests.conftest import catalogue_ids


def test_shipped_knowledge_is_clean():
    problems = Problems()
    kb = read_knowledge([shipped_knowledge_dir()], problems)
    assert not problems, "\n".join(p.render() for p in problems.items)
    assert kb is not None and len(kb.rules) >= 100


def test_every_catalogue_cause_is_encoded_completely(kb):
    ids = catalogue_ids()
    assert len(ids) == 31
    for cause_id in ids:
        cause = kb.causes[cause_id]
        assert len(cause.mechanism.split()) >= 40, cause_id
        assert cause.symptoms and cause.fixes and cause.sources, cause_id
        for fix in cause.fixes:
            assert fix.steps and fix.code.after.strip(), (cause_id, fix.id)
        assert kb.rules_by_cause.get(cause_id), cause_id


def test_every_cause_cites_a_seed_or_the_docs(kb):
    for cause in kb.causes.values():
        assert any(s.seed or (s.url and "pytorch" in s.url) for s in cause.sources), cause.id


def test_the_seeds_say_lr_and_explosion_are_common(kb):
    prior = {c: kb.causes[c].prior for c in kb.causes}
    assert prior["optim.lr_too_high"] >= sorted(prior.values())[-5]
    assert prior["arch.pooling_stride_gt_kernel"] == min(prior.values())


# ----------------------------------------------------------------------------- broken knowledge


@pytest.fixture
def kbdir(tmp_path):
    """A private copy of the shipped knowledge base to break."""
    target = tmp_path / "kb"
    shutil.copytree(shipped_knowledge_dir(), target)
    return target


def _problems(directory: Path) -> list[str]:
    problems = Problems()
    read_knowledge([directory], problems)
    return [p.render() for p in problems.items]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


RULE_HEAD = "rules:\n  - id: zz.r\n    text: something\n"  # a rule's first lines; each mutation adds the rest

MUTATIONS = {
    "unknown key": (lambda d: _edit(d / "probes.yaml", "    cost: 0.3\n", "    cost: 0.3\n    costs: 2\n"),
                    "probes.yaml:", "unknown key 'costs'"),
    "missing key": (lambda d: _edit(d / "probes.yaml", "    title: Lower learning rates\n", ""),
                    "probes.yaml:", "missing required key 'title'"),
    "yaml syntax": (lambda d: _append(d, "zz_bad.yaml", "rules:\n  - id: x\n    text: [unclosed\n"),
                    "zz_bad.yaml:", "not valid YAML"),
    "duplicate id": (lambda d: _append(d, "zz_dup.yaml", "probes:\n  - id: lr_zero\n    title: t\n"
                                                         "    description: d\n    cost: 1\n"),
                     "zz_dup.yaml:2", "duplicate probe id 'lr_zero'"),
    "rule on unknown fact": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                                   "    when: {fact: no.such_fact, eq: true}\n"
                                                                   "    effects: {num.log_zero: 2}\n"
                                                                   "    rationale: r\n"),
                             "zz_rule.yaml:2 at rules[0].when", "unknown fact 'no.such_fact'"),
    "rule on unknown cause": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                                    "    when: {fact: lr_zero.nonfinite, eq: true}\n"
                                                                    "    effects: {num.no_such_cause: 2}\n"
                                                                    "    rationale: r\n"),
                              "zz_rule.yaml:2 at rules[0].effects", "unknown cause 'num.no_such_cause'"),
    "question on unknown fact": (lambda d: _append(d, "zz_q.yaml", "questions:\n  - id: zz\n    text: t?\n"
                                                                     "    fact: no.fact\n    options:\n"
                                                                     "      - {key: y, label: 'Yes', value: true}\n"
                                                                     "      - {key: n, label: 'No', value: false}\n"),
                                 "zz_q.yaml:2 at questions[0]", "unknown fact 'no.fact'"),
    "orphan fact": (lambda d: _append(d, "zz_f.yaml", "facts:\n  - id: zz.orphan\n    type: bool\n"
                                                       "    description: nobody produces it\n"),
                    "zz_f.yaml:2 at facts[0]", "cannot be produced"),
    "cause no rule moves": (lambda d: _append(d, "zz_c.yaml", (
        "causes:\n  - id: zz.unmoved\n    title: t\n    category: data\n    prior: 0.1\n"
        "    summary: a cause nobody can move\n"
        "    mechanism: " + "word " * 12 + "\n    symptoms: [s]\n"
        "    fixes:\n      - id: f\n        title: t\n        steps: [s]\n        code: {after: 'pass'}\n"
        "    sources:\n      - {seed: '001', section: '§1'}\n")),
                            "zz_c.yaml:2 at causes[0]", "no rule can move cause 'zz.unmoved'"),
    "enum value not allowed": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                                     "    when: {fact: config.amp, eq: fp8}\n"
                                                                     "    effects: {num.log_zero: 2}\n"
                                                                     "    rationale: r\n"),
                               "zz_rule.yaml:2 at rules[0].when", "'fp8' is not a value of enum fact 'config.amp'"),
    "comparing a bool with gt": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                                       "    when: {fact: lr_zero.nonfinite, gt: 1}\n"
                                                                       "    effects: {num.log_zero: 2}\n"
                                                                       "    rationale: r\n"),
                                 "zz_rule.yaml:2 at rules[0].when", "'gt' compares numbers but fact 'lr_zero.nonfinite' is bool"),
    "duplicate yaml key": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                                 "    text: again\n"
                                                                 "    when: {fact: lr_zero.nonfinite, eq: true}\n"
                                                                 "    effects: {num.log_zero: 2}\n"
                                                                 "    rationale: r\n"),
                           "zz_rule.yaml:4 at rules[0].text", "duplicate key 'text'"),
    "wrong type": (lambda d: _edit(d / "probes.yaml", "    cost: 0.3\n", "    cost: cheap\n"),
                   "probes.yaml:", "Input should be a valid number"),
    "unjustified rule": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                               "    when: {fact: lr_zero.nonfinite, eq: true}\n"
                                                               "    effects: {num.log_zero: 2}\n"),
                         "zz_rule.yaml:2 at rules[0]", "needs 'sources' or a 'rationale'"),
    "seed without section": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                                   "    when: {fact: lr_zero.nonfinite, eq: true}\n"
                                                                   "    effects: {num.log_zero: 2}\n"
                                                                   "    sources: [{seed: '001'}]\n"),
                             "zz_rule.yaml:6 at rules[0].sources[0]", "needs a 'section'"),
    "bad condition": (lambda d: _append(d, "zz_rule.yaml", RULE_HEAD +
                                                            "    when: {facts: lr_zero.nonfinite}\n"
                                                            "    effects: {num.log_zero: 2}\n"
                                                            "    rationale: r\n"),
                      "zz_rule.yaml:4 at rules[0].when", "a condition is a mapping with one of the keys"),
    "not a mapping": (lambda d: _append(d, "zz_list.yaml", "- just\n- a list\n"),
                      "zz_list.yaml:1", "a knowledge file is a mapping"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_broken_knowledge_is_located(kbdir, name):
    mutate, where, message = MUTATIONS[name]
    mutate(kbdir)
    rendered = _problems(kbdir)
    assert any(where in r and message in r for r in rendered), "\n".join(rendered)


def test_load_raises_one_error_listing_every_problem(kbdir):
    for name in ("unknown key", "orphan fact", "rule on unknown cause"):
        MUTATIONS[name][0](kbdir)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge([kbdir], include_shipped=False)
    assert "3 problems" in info.value.msg


def test_kb_check_cli_reports_problems_without_traceback(tmp_path):
    extra = tmp_path / "team"
    extra.mkdir()
    (extra / "rules.yaml").write_text("rules:\n  - id: team.r\n    text: team rule\n    when: {fact: nope, eq: true}\n"
                                      "    effects: {num.log_zero: 2}\n    rationale: r\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "nanwiz", "kb", "check", str(extra)], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "rules.yaml:2 at rules[0].when: unknown fact 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_team_knowledge_extends_the_base(tmp_path):
    extra = tmp_path / "team"
    extra.mkdir()
    text = yaml.safe_dump({"rules": [{"id": "team.custom_loss", "text": "The team's custom loss is in use",
                                      "when": {"fact": "user.custom_math", "eq": "log"},
                                      "effects": {"num.log_zero": 3.0}, "rationale": "our losses use log"}]})
    (extra / "team.yaml").write_text(text, encoding="utf-8")
    kb = load_knowledge([extra])
    assert "team.custom_loss" in kb.rules
    proc = subprocess.run([sys.executable, "-m", "nanwiz", "--knowledge", str(extra), "kb", "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "knowledge base OK" in proc.stdout


def test_every_op_the_watch_reads_as_a_division_or_a_statistic_has_its_family(kb):
    """The watch names ops by their Python names (`1.0 / x` is `rdiv`); the knowledge base maps them
    to families. An op the watch treats as a division, a variance or a norm must land in that family,
    or every rule about it stays silent (`1.0 / torch.sqrt(deg)` read as family 'other')."""
    from nanwiz.harness import watch

    families = next(f for f in kb.facts.values() if f.id == "first_nonfinite.op_family").derive.map
    family_of = {op: family for family, ops in families.items() for op in ops}
    for op in (watch._DIVISOR_SECOND | watch._DIVISOR_FIRST) - {"rsqrt"}:
        assert family_of.get(op) == "div", op
    for op in watch._VARIANCE:
        assert family_of.get(op) == "normalization", op
    for op in watch._NORM:
        assert family_of.get(op) == "sqrt", op
    for op in watch._DOMAIN_FIRST:  # a function with a domain edge: every one has a family the rules read
        assert family_of.get(op, "other") != "other", op
    for node in watch._EDGE_OF_ONE | watch._EDGE_OF_ZERO:
        assert family_of.get(node, "other") != "other", node

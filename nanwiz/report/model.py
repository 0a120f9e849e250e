"""The diagnosis as plain data: what the report, the JSON export and the TUI all show.

Built from a session and the knowledge base only; the JSON schema ('nanwiz.diagnosis/1')
uses the catalogue's cause ids and is stable.
"""

from __future__ import annotations

import shlex
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nanwiz import __version__
from nanwiz.engine import settle
from nanwiz.kb.model import KnowledgeBase, condition_facts
from nanwiz.kb.schema import Cause
from nanwiz.report.series import collect
from nanwiz.session import DONT_KNOW, Session

SCHEMA = "nanwiz.diagnosis/1"
LISTED_CAUSES = 8


def reproduced(facts: dict[str, Any]) -> bool:
    return bool(facts.get("baseline.nonfinite") or facts.get("baseline.error") not in (None, "none")
                or facts.get("bn.eval_nonfinite") or (facts.get("baseline.scaler_skips") or 0) > 0)


def _sources(items) -> list[dict[str, Any]]:
    return [{"label": s.label(), "url": s.url, "seed": s.seed, "section": s.section, "note": s.note} for s in items]


def _verification(kb: KnowledgeBase, session: Session, facts: dict[str, Any], verify: str | None,
                  steps: int | None) -> tuple[bool | None, str | None]:
    if verify is None:
        return None, None
    intervention = kb.interventions[verify]
    value = facts.get(intervention.fact)
    detail = None
    results = (session.probes.get("fixes").details.get("results") or {}) if session.probes.get("fixes") else {}
    result = results.get(intervention.id)
    if value is None:
        skipped = (result or {}).get("skipped")
        return None, f"not tested: {skipped}" if skipped else "not tested"
    if value:
        total = (result or {}).get("steps_run") or steps
        return True, f"{intervention.title}: the run stays finite for all {total} steps" if total else \
            f"{intervention.title}: the run stays finite"
    if result and result.get("failure"):
        detail = f"{intervention.title}: still fails at step {result['failure'].get('step')}"
    return False, detail or f"{intervention.title}: the run still fails"


def cause_entry(kb: KnowledgeBase, session: Session, facts: dict[str, Any], cause: Cause | None, scored,
                steps: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": scored.cause_id,
        "title": scored.title,
        "probability": round(scored.probability, 6),
        "prior": round(scored.prior, 6),
        "evidence_for": [{"rule": c.rule_id, "text": c.text, "ratio": c.ratio, "applied": round(c.applied, 6)}
                         for c in scored.support],
        "evidence_against": [{"rule": c.rule_id, "text": c.text, "ratio": c.ratio, "applied": round(c.applied, 6)}
                             for c in scored.against],
    }
    if cause is None:
        entry.update(category="unknown", benign=False, summary="None of the known causes fits the evidence.")
        return entry
    fixes = []
    for fix in cause.fixes:
        verified, note = _verification(kb, session, facts, fix.verify, steps)
        fixes.append({"id": fix.id, "title": fix.title, "steps": list(fix.steps),
                      "code": {"before": fix.code.before, "after": fix.code.after},
                      "verify": fix.verify, "verified": verified, "verification": note,
                      "sources": _sources(fix.sources)})
    entry.update(category=cause.category, benign=cause.benign, summary=cause.summary,
                 mechanism=cause.mechanism.strip(), symptoms=list(cause.symptoms), fixes=fixes,
                 sources=_sources(cause.sources), related=list(cause.related))
    return entry


def first_nonfinite(session: Session) -> dict[str, Any] | None:
    baseline = session.probes.get("baseline")
    if baseline is None:
        return None
    loc = baseline.details.get("first_nonfinite")
    failure = baseline.details.get("failure")
    where = baseline.details.get("error_location")  # a step that raised: which call, which line
    if loc is None and where:
        loc = {k: where[k] for k in ("step", "op", "module", "module_type", "root", "batch_indices", "bad_in_batch")
               if where.get(k) is not None}
    if loc is None and failure is None:
        return None
    out: dict[str, Any] = {}
    ranks = baseline.details.get("ranks")
    if ranks:  # a job of several processes: the rank that produced it (not those that received it)
        out["rank"] = ranks.get("producer")
        out["world_size"] = ranks.get("world_size")
    if failure:
        out["step"] = failure.get("step")
        out["failure"] = failure.get("failure")
        if failure.get("error"):
            out["error"] = failure["error"]
    if loc:
        for key in ("step", "phase", "kind", "op", "module", "module_type", "operand_zero", "operand_negative",
                    "operand_origin", "from_constant", "first_nan_op", "batch_indices", "bad_in_batch",
                    "params_nonfinite_grad", "params_nonfinite_after_step", "nonfinite_terms", "reproduced",
                    "optimizer", "optimizer_eps", "raised_op", "raised_source"):
            if loc.get(key) is not None:
                out[key] = loc[key]
        root = loc.get("root") or {}
        if root.get("source"):
            out["source"] = root["source"]
        if root.get("forward_op"):
            out["forward_op"] = root["forward_op"]
        if loc.get("first_nan"):
            out["first_nan"] = loc["first_nan"]
    return out


def notes(session: Session, facts: dict[str, Any]) -> list[str]:
    """What the user's own tools showed, when it hid or changed the failure (frameworks, ranks)."""
    baseline = session.probes.get("baseline")
    if baseline is None:
        return []
    out = []
    hf = (baseline.details.get("program_frameworks") or {}).get("transformers")
    failed = facts.get("baseline.nonfinite") or facts.get("baseline.error") not in (None, "none")
    if hf and failed and hf.get("logging_nan_inf_filter") and hf.get("logged_losses_finite"):
        shown = ", ".join(f"{x:.4g}" for x in (hf.get("logged_losses") or [])[-4:]) or "none yet"
        out.append("The transformers Trainer's logged loss hid this failure: with `logging_nan_inf_filter=True` "
                   "(the default) it leaves non-finite losses out of the loss it logs, so the logs show finite "
                   f"values ({shown}) while the training went non-finite. Set `logging_nan_inf_filter=False` "
                   "to see it in the logs.")
    ranks = baseline.details.get("ranks")
    if ranks and (ranks.get("world_size") or 1) > 1:
        per_rank = ranks.get("per_rank") or {}
        failed_ranks = sorted(int(r) for r, s in per_rank.items() if s.get("failed"))
        out.append(f"{ranks['world_size']} ranks were watched; the first non-finite value was produced on rank "
                   f"{ranks.get('producer')}" + (f" (ranks {failed_ranks} failed, the others only through the "
                                                  "all-reduce of its gradients or by stopping with it)"
                                                  if len(failed_ranks) > 1 else "") + ".")
    reruns = baseline.details.get("reruns") or {}
    for skipped in (reruns.get("skipped") or []) + (baseline.details.get("plan_skipped") or []):
        out.append(f"Skipped: {skipped}.")
    return out


def bad_samples(session: Session) -> dict[str, Any] | None:
    record = session.probes.get("bisect")
    if record is None or record.status != "done":
        return None
    bisection = record.details.get("bisection") or {}
    scan = record.details.get("scan") or {}
    offending = bisection.get("offending") or []
    out = {
        "indices": offending,
        "count": len(offending),
        "bisection_bad": bisection.get("bad", []),
        "reasons": bisection.get("reasons", {}),
        "passes": bisection.get("passes"),
        "linear_scan_passes": bisection.get("linear_scan_passes"),
        "exhaustive": bisection.get("exhaustive"),
        "nonfinite_samples": scan.get("nonfinite_samples", []),
        "affected_positions": scan.get("affected_positions", {}),
        "label_out_of_range": scan.get("label_out_of_range", {}),
        "missing": scan.get("missing", []),
        "parts": scan.get("parts", {}),
        "failing_batch": bisection.get("failing_batch"),
        "label_range": record.details.get("label_range"),
    }
    return out


def source_findings(session: Session) -> list[dict[str, Any]]:
    """The static scan's risky lines (file, line, code, why), as the source probe found them."""
    record = session.probes.get("source")
    if record is None or record.status != "done":
        return []
    script = Path(session.script).name if session.script else ""
    return [{**f, "file": f.get("file") or script} for f in record.details.get("findings") or []]


def run_series(kb: KnowledgeBase, session: Session, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The measured curves of the baseline and of every variation run, fixes titled and marked
    verified (true: the run with the fix stays finite)."""
    titles = {i.id: f"with the fix: {i.title}" for i in kb.interventions.values()}
    runs = collect({name: record.details for name, record in session.probes.items()}, titles)
    for run in runs:
        intervention = kb.interventions.get(run.get("run", "")) if run["role"] == "fix" else None
        if intervention is not None:
            run["verified"] = facts.get(intervention.fact)
    return runs


def reproduce_command(session: Session) -> str:
    program = session.program
    if program is not None:
        parts = ["nanwiz", "run"]
        if session.overrides.get("steps"):
            parts += ["--max-steps", str(session.overrides["steps"])]
        script = program.get("script") or "train.py"
        if program.get("cwd") and script.startswith(program["cwd"].rstrip("/") + "/"):
            script = script[len(program["cwd"].rstrip("/")) + 1:]  # as the user typed it, from their folder
        parts += ["-m", program["module"]] if program.get("module") else [script]
        command = " ".join(shlex.quote(p) for p in parts + list(program.get("args") or []))
        return f"cd {shlex.quote(program['cwd'])} && {command}" if program.get("cwd") else command
    parts = ["nanwiz", "probe", "--model", session.script or "script.py"]
    if session.overrides.get("steps"):
        parts += ["--steps", str(session.overrides["steps"])]
    return " ".join(shlex.quote(p) for p in parts)


def run_settings(session: Session) -> dict[str, Any]:
    """The run's settings as the inspect probe read them (else the command-line overrides)."""
    inspect = session.probes.get("inspect")
    settings = (inspect.details.get("settings") if inspect else None) or dict(session.overrides)
    return settings if isinstance(settings, dict) else {}


def cause_detail(kb: KnowledgeBase, session: Session, cause_id: str) -> dict[str, Any]:
    """One cause as the report describes it, with what would confirm or rule it out."""
    facts = session.facts(kb)
    scored = session.ranking(kb).get(cause_id)
    entry = cause_entry(kb, session, facts, kb.causes.get(cause_id), scored, run_settings(session).get("steps"))
    entry["settle"] = settle(kb, facts, cause_id) if cause_id in kb.causes else None
    return entry


def build_diagnosis(kb: KnowledgeBase, session: Session) -> dict[str, Any]:
    facts = session.facts(kb)
    ranking = session.ranking(kb)
    settings = run_settings(session)
    steps = settings.get("steps")
    causes = []
    for scored in ranking.causes[:LISTED_CAUSES]:
        causes.append(cause_entry(kb, session, facts, kb.causes.get(scored.cause_id), scored, steps))
    top = ranking.top
    was_reproduced = reproduced(facts)
    unrun = _could_not_run(session)
    status = _status(kb, session, facts, top, was_reproduced, unrun)
    named = status in ("diagnosed", "benign") or status == "not_reproduced" and _own_loop(kb, top)
    found = risks(kb, session, facts, ranking.fired)
    verdict = _verdict(status, top, facts, steps, named, len(found), unrun)
    next_steps = None
    if named and not top.is_unknown:
        s = settle(kb, facts, top.cause_id)
        next_steps = {
            "confirm": [{"text": p.text, "ratio": p.ratio, "questions": list(p.questions), "probes": list(p.probes)}
                        for p in s.confirm],
            "rule_out": [{"text": p.text, "ratio": p.ratio, "questions": list(p.questions), "probes": list(p.probes)}
                         for p in s.rule_out],
        }
    probes = []
    for name, record in session.probes.items():
        decl = kb.probes.get(name)
        probes.append({"id": name, "title": decl.title if decl else name, "status": record.status,
                       "duration": record.duration, "reason": record.reason, "facts": dict(record.facts)})
    answers = {}
    for qid in session.answer_order:
        question = kb.questions.get(qid)
        if question is None:
            continue
        value = session.answers[qid]
        label = "don't know" if value == DONT_KNOW else next(
            (o.label for o in question.options if o.value == value), str(value))
        answers[qid] = {"question": question.text, "value": value, "answer": label}
    return {
        "schema": SCHEMA,
        "nanwiz_version": __version__,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "script": session.script,
        "settings": settings,
        "status": status,
        "reproduced": was_reproduced,
        "verdict": verdict,
        "top_cause": top.cause_id if named and not top.is_unknown else None,
        "causes": causes,
        "risks": found,
        "unknown_probability": round(ranking.get("unknown").probability, 6),
        "first_nonfinite": first_nonfinite(session),
        "notes": notes(session, facts),
        "bad_samples": bad_samples(session),
        "source_findings": source_findings(session),
        "series": run_series(kb, session, facts),
        "probes": probes,
        "evidence": facts,
        "answers": answers,
        "conflicts": [{"fact": f, "answer": a, "measured": m} for f, a, m in session.conflicts(kb)],
        "next_steps": next_steps,
        "environment": session.environment,
        "reproduce": reproduce_command(session) if session.script else None,
    }


def _own_loop(kb: KnowledgeBase, top) -> bool:
    """The top cause lives only in the user's own loop and the evidence for it is settled."""
    return not top.is_unknown and kb.causes[top.cause_id].own_loop and top.probability >= 0.5


def _status(kb: KnowledgeBase, session: Session, facts: dict[str, Any], top, was_reproduced: bool,
            unrun: str | None = None) -> str:
    """diagnosed / benign / unknown when the failure was seen (or only described by the user);
    healthy when nanwiz ran the training and it stayed finite; not_reproduced when it stayed finite
    but the user reports a failure, or the cause lives in a loop of the user's own; no_evidence
    when nothing is known, or the program never ran (`unrun`) and the user says nothing."""
    reported = any(v != DONT_KNOW for v in session.answers.values())
    if not facts or unrun and not was_reproduced and not reported:
        return "no_evidence"  # (a static scan alone names no cause: the training never ran)
    ran = session.probes.get("baseline") is not None and session.probes["baseline"].status == "done"
    if was_reproduced or not ran:
        if top.is_unknown:
            return "unknown"
        if kb.causes[top.cause_id].benign and top.probability >= 0.5:
            return "benign"
        return "diagnosed"
    return "not_reproduced" if reported or _own_loop(kb, top) else "healthy"


def risks(kb: KnowledgeBase, session: Session, facts: dict[str, Any], fired) -> list[dict[str, Any]]:
    """Latent risks (rules marked `risk`) that hold, with the measurements and source lines behind them."""
    findings = source_findings(session)
    out = []
    for rule_id in fired:
        rule = kb.rules[rule_id]
        if not rule.risk:
            continue
        tested = list(dict.fromkeys(t.fact for t in condition_facts(rule.when)))
        evidence = [{"fact": f, "value": facts[f]} for f in tested if f in facts]
        out.append({
            "rule": rule.id, "text": rule.text,
            "causes": sorted((c for c, r in rule.effects.items() if r > 1), key=lambda c: -rule.effects[c]),
            "evidence": evidence,
            "source_lines": [f for f in findings if f.get("fact") in tested],
        })
    return out


def percent(p: float, digits: int = 0) -> str:
    """A probability as a percentage that never rounds a near-certainty up to 100% (or a
    possibility down to 0%): 99.96% reads '>99.9%', 0.02% reads '<0.1%'."""
    if 0.999 <= p < 1:
        return ">99.9%"
    if 0 < p < 0.001:
        return "<0.1%"
    return f"{p:.1%}" if digits or 0.995 <= p < 1 or 0 < p < 0.005 else f"{p:.0%}"


def _could_not_run(session: Session) -> str | None:
    """Why the baseline could not run the user's training (its script failed before training), if so."""
    record = session.probes.get("baseline")
    if record is None or record.status != "script_error":
        return None
    lines = [line.strip() for line in (record.reason or "the script failed").splitlines() if line.strip()]
    return lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"


def _verdict(status: str, top, facts: dict[str, Any], steps: int | None, named: bool, risky: int = 0,
             reason: str | None = None) -> str:
    pct = percent(top.probability)
    ran = f" in {steps} steps" if steps else ""
    if status == "no_evidence" and reason:
        return f"nanwiz could not run your training, so it has no evidence: {reason}"
    if status == "no_evidence":
        return "No evidence yet: answer questions or run the probes on your training script."
    if status == "unknown":
        return (f"None of the known causes fits the evidence well (unknown cause: {pct}); "
                "see the evidence and the probe results below.")
    if status == "benign":
        title = top.title.removeprefix("Not a bug:").strip()
        return f"Not a bug: {title[:1].upper()}{title[1:]} ({pct})."
    if status == "healthy":
        listed = (f" {risky} latent risk{'s' if risky > 1 else ''} (not failures) listed below." if risky
                  else "")
        return f"No NaN/Inf appeared{ran} with your settings: the training looks healthy.{listed}"
    if status == "not_reproduced" and named:
        return (f"No NaN/Inf appeared{ran} in nanwiz's training loop, but your own loop differs: "
                f"{top.title} ({pct}).")
    if status == "not_reproduced":
        return (f"No NaN/Inf appeared{ran} with your settings, though you report one: nanwiz names no "
                "cause it could not reproduce. Try more --steps, or the settings of the failing run.")
    return f"Most likely cause: {top.title} ({pct})."

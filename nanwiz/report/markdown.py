"""The diagnosis as Markdown, for a person to read or paste into an issue (renders on GitHub)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanwiz.errors import ReportError
from nanwiz.report.series import baseline, shown
from nanwiz.report.sparkline import headline, text_block
from nanwiz.report.model import percent

PHASES = {
    "input": "in the input data (the batch already held it)",
    "forward": "in the forward pass",
    "loss": "in the loss computation",
    "backward": "in the backward pass",
    "clip": "in gradient clipping (finite gradients whose norm overflows)",
    "optimizer": "in the optimizer update",
}


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _pct(p: float) -> str:
    return percent(p, digits=1)


def _ratio(r: float) -> str:
    return f"×{r:.3g}"


def _fence(code: str, lang: str = "python") -> list[str]:
    fence = "```"
    while fence in code:
        fence += "`"
    return [f"{fence}{lang}", code.rstrip("\n"), fence]


def _mark(verified: bool | None) -> str:
    return {True: "✅ verified", False: "❌ did not help", None: ""}[verified]


def where_sentence(loc: dict[str, Any]) -> str:
    if loc.get("error") and not loc.get("raised_op"):
        err = loc["error"]
        text = f"step {loc.get('step')}: the training step raised `{err.get('type')}: {err.get('message')}`"
        source = loc.get("source")
        if loc.get("op"):
            text += f" in `{loc['op']}`"
        if source:
            text += f" at `{source['file']}:{source['line']}`"
        return text
    parts = [f"step {loc.get('step')}"]
    if loc.get("rank") is not None and (loc.get("world_size") or 1) > 1:
        parts[0] += f" on rank {loc['rank']} of {loc['world_size']}"
    phase = loc.get("phase")
    op = loc.get("op")
    if phase == "input" and op and op != "input":  # made by the loop's own data preparation
        parts.append("in the data preparation, before the model")
    elif phase:
        parts.append(PHASES.get(phase, phase))
    if op and op != "input":
        kind = {"nan": "NaN", "posinf": "+Inf", "neginf": "-Inf"}.get(loc.get("kind"), "a non-finite value")
        text = f"`{op}` produced {kind}"
        if loc.get("forward_op"):
            text += f" (backward of `{loc['forward_op']}`)"
        parts.append(text)
    if op == "input" and loc.get("forward_op"):  # numpy made it (its warning said where)
        parts.append(f"made by `{loc['forward_op']}`")
    if loc.get("module_type") and loc.get("module"):
        parts.append(f"in module `{loc['module']}` ({loc['module_type']})")
    source = loc.get("source")
    if source:
        parts.append(f"at `{source['file']}:{source['line']}`")
    if loc.get("first_nan_op") and loc.get("first_nan_op") != op:
        parts.append(f"then `{loc['first_nan_op']}` turned it into NaN")
    text = ", ".join(parts)
    if loc.get("error") and loc.get("raised_op"):  # the program crashed on that value
        err, raised = loc["error"], loc.get("raised_source")
        text += f"; then `{loc['raised_op']}` raised `{err.get('type')}: {err.get('message')}` on it"
        if raised:
            text += f" at `{raised['file']}:{raised['line']}`"
    return text


def render(d: dict[str, Any], picture: str | None = None, picture_note: str | None = None) -> str:
    """The report; `picture`: the curves' SVG to link (a path relative to the report), or
    `picture_note`: why it was not drawn."""
    out: list[str] = []
    name = Path(d.get("script") or "session").name
    out += [f"# nanwiz diagnosis: `{name}`", "", f"> **{d['verdict']}**", ""]
    named = d.get("top_cause") is not None or d["status"] in ("unknown", "no_evidence")
    top = d["causes"][0] if d["causes"] and named else None
    loc = d.get("first_nonfinite")
    samples = d.get("bad_samples")
    rows = []
    if top:
        rows.append(("Most likely cause", f"**{top['title']}** (`{top['id']}`), {_pct(top['probability'])}"))
    elif d["causes"]:
        rows.append(("Cause", "none named: nothing failed that a cause would explain"))
    rows.append(("Failure reproduced", "yes" if d.get("reproduced") else "no"))
    if loc:
        rows.append(("First non-finite value", where_sentence(loc)))
    if samples and samples.get("count"):
        shown = ", ".join(str(i) for i in samples["indices"][:10])
        more = f" (+{samples['count'] - 10} more)" if samples["count"] > 10 else ""
        rows.append(("Offending samples", f"{samples['count']}: {shown}{more}"))
    verified = [f for c in d["causes"][:3] for f in c.get("fixes", []) if f.get("verified")]
    if verified:
        rows.append(("Verified fix", "✅ " + verified[0]["verification"]))
    out += ["| | |", "|---|---|"] + [f"| {_cell(a)} | {_cell(b)} |" for a, b in rows] + [""]
    out += [f"> {note}" for note in d.get("notes") or []] + ([""] if d.get("notes") else [])
    out += _run_section(d, picture, picture_note)
    if not named:  # a run that stayed finite: its latent risks instead of a ranking
        out += _risk_section(d.get("risks") or []) + _findings(d) + _probe_section(d["probes"])
        return "\n".join(out)

    out += ["## Ranked causes", "", "| # | Cause | Probability | Strongest evidence |", "|---|---|---|---|"]
    for i, cause in enumerate(d["causes"], 1):
        if cause["probability"] < 0.001 and i > 3:
            break
        evidence = cause["evidence_for"][0]["text"] if cause["evidence_for"] else "(prior only)"
        out.append(f"| {i} | {_cell(cause['title'])} `{cause['id']}` | {_pct(cause['probability'])} | "
                   f"{_cell(evidence)} |")
    out.append("")

    if top and top["id"] != "unknown":
        out += _cause_section(top, d.get("next_steps"), primary=True)
    out += _findings(d)
    for cause in d["causes"][1:3]:
        if cause["probability"] >= 0.05 and cause["id"] != "unknown":
            out += _cause_section(cause, None, primary=False)
    if d.get("conflicts"):
        out += ["## Answers that disagree with measurements", ""]
        for c in d["conflicts"]:
            out.append(f"- `{c['fact']}`: you answered `{c['answer']}`, the probes measured `{c['measured']}` "
                       "(the measurement is used)")
        out.append("")
    out += _probe_section(d["probes"])
    if d.get("answers"):
        out += ["## Your answers", ""]
        out += [f"- {a['question']} **{a['answer']}**" for a in d["answers"].values()] + [""]
    out += ["## Environment", ""]
    env = d.get("environment") or {}
    out += [f"- {k}: `{v}`" for k, v in env.items()] or ["- (no probe ran)"]
    out += [f"- nanwiz: `{d['nanwiz_version']}`", f"- settings: `{d.get('settings')}`", ""]
    if d.get("reproduce"):
        out += ["## Reproduce", "", *_fence(d["reproduce"], "sh"), ""]
    return "\n".join(out)


def _run_section(d: dict[str, Any], picture: str | None, note: str | None) -> list[str]:
    """The run's curves: the picture when there is one, and always the same curves as text."""
    runs = shown(d.get("series") or [])
    base = baseline(runs)
    if base is None:
        return []
    out = ["## The run", ""]
    if picture:
        out += [f"![Loss and gradient norm per step]({picture.replace(' ', '%20')})", ""]
    elif note:
        out += [f"_{note}_", ""]
    others = "; ".join(r["label"] for r in runs if r is not base)
    out += [headline(base) + "." + (f" Overlaid: {others}." if others and picture else ""), ""]
    lines = text_block(base)
    if lines:
        out += _fence("\n".join(lines), "text") + [""]
    return out


def _risk_section(risks: list[dict[str, Any]]) -> list[str]:
    if not risks:
        return []
    out = ["## Latent risks", "", "Not what failed (if anything did): patterns that fail in other runs or settings.", ""]
    for r in risks:
        evidence = ", ".join(f"`{e['fact']}={_short(e['value'])}`" for e in r["evidence"])
        causes = ", ".join(f"`{c}`" for c in r["causes"][:3])
        lines = ", ".join(f"`{f.get('file')}:{f['line']}`" for f in r.get("source_lines", [])[:3])
        out.append(f"- {r['text']}" + (f" ({evidence})" if evidence else "") + (f" at {lines}" if lines else "")
                   + (f"; can lead to {causes}" if causes else ""))
    return out + [""]


def _findings(d: dict[str, Any]) -> list[str]:
    out: list[str] = []
    loc = d.get("first_nonfinite")
    samples = d.get("bad_samples")
    if loc:
        out += _location_section(loc)
    if samples and (samples.get("count") or samples.get("failing_batch")):
        out += _samples_section(samples)
    if d.get("source_findings"):
        out += _source_section(d["source_findings"])
    return out


def _source_section(findings: list[dict[str, Any]]) -> list[str]:
    out = ["## Risky lines in the source", "",
           "The static scan found these patterns (present in the code, not necessarily what failed):", ""]
    for f in findings[:20]:
        out.append(f"- `{f['file']}:{f['line']}` `{_cell(f['code'])[:100]}` — {f['why']}")
    if len(findings) > 20:
        out.append(f"- … and {len(findings) - 20} more")
    return out + [""]


def render_findings(d: dict[str, Any]) -> str:
    """The report's 'Where it happened' and 'Offending samples' sections alone ('' if none)."""
    return "\n".join(_findings(d))


def _cause_section(cause: dict[str, Any], next_steps: dict | None, primary: bool) -> list[str]:
    head = "##" if primary else "###"
    title = f"Why: {cause['title']}" if primary else f"Also possible: {cause['title']} ({_pct(cause['probability'])})"
    out = [f"{head} {title}", ""]
    if cause.get("benign"):
        out += ["**This is expected behaviour, not a bug.**", ""]
    out += [cause.get("mechanism", cause.get("summary", "")), ""]
    if cause["evidence_for"]:
        out += ["**Evidence for**", ""] + [f"- {e['text']} ({_ratio(e['ratio'])})" for e in cause["evidence_for"][:8]]
        out.append("")
    if cause["evidence_against"]:
        out += ["**Evidence against**", ""] + [f"- {e['text']} ({_ratio(e['ratio'])})"
                                               for e in cause["evidence_against"][:5]]
        out.append("")
    if next_steps and (next_steps["confirm"] or next_steps["rule_out"]):
        out += ["**Not yet known — would confirm or rule it out**", ""]
        for p in next_steps["confirm"][:3]:
            out.append(f"- confirms ({_ratio(p['ratio'])}): {p['text']}")
        for p in next_steps["rule_out"][:3]:
            out.append(f"- rules out ({_ratio(p['ratio'])}): {p['text']}")
        out.append("")
    fixes = cause.get("fixes", [])
    if fixes:
        out += [f"{head}# How to fix it" if primary else "**Fixes**", ""]
        for i, fix in enumerate(fixes if primary else fixes[:1], 1):
            mark = _mark(fix.get("verified"))
            out += [f"**{i}. {fix['title']}**" + (f" — {mark}" if mark else ""), ""]
            if fix.get("verification") and fix.get("verified") is not None:
                out += [f"_{fix['verification']}._", ""]
            out += [f"- {s}" for s in fix["steps"]] + [""]
            code = fix.get("code") or {}
            if primary and code.get("before"):
                out += ["Before:", "", *_fence(code["before"]), "", "After:", ""]
            if code.get("after"):
                out += [*_fence(code["after"]), ""]
    if primary and cause.get("sources"):
        out += ["**Sources:** " + "; ".join(
            f"[{s['label']}]({s['url']})" if s.get("url") else s["label"] for s in cause["sources"]), ""]
    return out


def _location_section(loc: dict[str, Any]) -> list[str]:
    out = ["## Where it happened", "", where_sentence(loc) + ".", ""]
    source = loc.get("source")
    if source and source.get("code"):
        out += [f"`{source['file']}`, line {source['line']}" + (f", in `{source['function']}`"
                                                                 if source.get("function") else "") + ":", ""]
        out += _fence(source["code"]) + [""]
    facts = []
    if loc.get("operand_zero"):
        facts.append("the decisive operand (divisor / input of log, sqrt...) held exact zeros")
    if loc.get("operand_negative"):
        facts.append("the input held negative values")
    if loc.get("operand_origin") and loc["operand_origin"] != "other":
        facts.append(f"that operand was computed from a {loc['operand_origin']}")
    if loc.get("from_constant"):
        facts.append("the infinity came from a constant the code wrote (e.g. masked_fill with -inf)")
    if loc.get("nonfinite_terms"):
        facts.append("non-finite loss terms: " + ", ".join(f"`{t}`" for t in loc["nonfinite_terms"]))
    if loc.get("params_nonfinite_grad"):
        facts.append(f"parameters with non-finite gradients: {_names(loc['params_nonfinite_grad'])}")
    if loc.get("params_nonfinite_after_step"):
        facts.append(f"parameters non-finite after the update: {_names(loc['params_nonfinite_after_step'])}")
    if loc.get("batch_indices"):
        facts.append(f"batch sample indices: {_names(loc['batch_indices'], 16)}")
    if loc.get("bad_in_batch"):
        facts.append(f"samples of that batch holding NaN/Inf: {_names(loc['bad_in_batch'])}")
    if loc.get("error") and loc["error"].get("traceback"):
        out += *_fence(loc["error"]["traceback"], "text"), ""
    out += [f"- {f}" for f in facts] + [""]
    return out


def _names(items: list, limit: int = 8) -> str:
    shown = ", ".join(f"`{x}`" for x in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def _samples_section(s: dict[str, Any]) -> list[str]:
    out = ["## Offending samples", ""]
    if s.get("count"):
        out.append(f"{s['count']} sample(s): {_names(s['indices'], 20)}.")
        out.append("")
    if s.get("nonfinite_samples"):
        out.append(f"- holding NaN/Inf as the dataset returns them: {_names(s['nonfinite_samples'], 12)}")
    for part, positions in (s.get("affected_positions") or {}).items():
        out.append(f"- part `{part}`: non-finite at flattened feature positions {_names(positions, 12)}")
    if s.get("label_out_of_range"):
        rng = s.get("label_range") or {}
        classes = f" (the model has {rng.get('classes')} outputs)" if rng.get("classes") else ""
        out.append(f"- labels out of range{classes}: samples {_names(list(s['label_out_of_range']), 12)}")
    if s.get("missing"):
        out.append(f"- missing parts or failed loads: {_names(s['missing'], 12)}")
    for index, reason in list((s.get("reasons") or {}).items())[:8]:
        out.append(f"- sample `{index}` fails on its own: {reason}")
    if s.get("passes") is not None:
        out.append(f"- bisection used {s['passes']} forward passes where a batch-size-1 scan needs "
                   f"{s['linear_scan_passes']}")
    batch = s.get("failing_batch")
    if batch:
        bad = batch.get("bad") or []
        out.append(f"- in the failing batch (step {batch['step']}), samples failing on their own at the "
                   f"snapshot: {_names(bad, 12) if bad else 'none (the failure needs the whole state)'}")
    out.append("")
    return out


def _probe_section(probes: list[dict[str, Any]]) -> list[str]:
    out = ["## Probe results", "", "| Probe | Status | Time | Measured |", "|---|---|---|---|"]
    for p in probes:
        status = p["status"] if p["status"] == "done" else f"**{p['status']}**: {p.get('reason') or ''}"
        facts = ", ".join(f"`{k}={_short(v)}`" for k, v in list(p["facts"].items())[:6])
        more = f" (+{len(p['facts']) - 6})" if len(p["facts"]) > 6 else ""
        duration = f"{p['duration']:.1f} s" if p.get("duration") is not None else ""
        out.append(f"| {_cell(p['title'])} | {_cell(status)} | {duration} | {_cell(facts + more)} |")
    return out + [""]


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Written:
    """What writing the report produced."""

    path: Path
    picture: Path | None = None
    """The curves' SVG beside the report, when drawn."""
    note: str | None = None
    """Why no picture was drawn (matplotlib missing, a drawing error), as the report says it."""

    def describe(self) -> str:
        """'report.md (curves in report.svg)', for the message that says where it went."""
        if self.picture is not None:
            return f"{self.path} (curves in {self.picture.name})"
        return f"{self.path} ({self.note})" if self.note else str(self.path)


def write_markdown(d: dict[str, Any], path: Path | str, plots: bool = True) -> Written:
    """Write the report, and (with `plots`) its curves as an SVG beside it (report.md -> report.svg),
    linked from it. A picture that cannot be drawn becomes a line of the report, never an error."""
    from nanwiz.report.plot import try_draw

    path = Path(path)
    picture = note = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if plots and baseline(d.get("series")) is not None:
            picture, note = try_draw(d, path.with_suffix(".svg"))
        path.write_text(render(d, picture.name if picture else None, note), encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write the report to {path}: {exc.strerror or exc}") from None
    return Written(path, picture, note)

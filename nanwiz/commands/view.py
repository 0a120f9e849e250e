"""The diagnosis in the terminal (rich): ranking, evidence, where, samples, fixes."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from nanwiz.report.markdown import where_sentence
from nanwiz.report.series import baseline
from nanwiz.report.sparkline import curve_lines, headline
from nanwiz.report.model import percent

STATUS_STYLE = {"diagnosed": "green", "benign": "green", "healthy": "green", "not_reproduced": "yellow",
                "unknown": "yellow", "no_evidence": "yellow"}


def _mark(verified: bool | None) -> tuple[str, str]:
    return {True: ("  ✓ verified", "green"), False: ("  ✗ did not help", "red"), None: ("", "")}[verified]


def bar(p: float, width: int = 20) -> Text:
    filled = round(p * width)
    return Text("█" * filled + "·" * (width - filled), style="cyan")


def show_curves(d: dict[str, Any], out: Console) -> None:
    """The run's loss and gradient norm as sparklines, before anything is explained."""
    run = baseline(d.get("series"))
    lines = curve_lines(run) if run is not None else []
    if not lines:
        return
    out.print(Text(headline(run), style="bold"))
    for name, spark, span in lines:
        out.print(Text.assemble(f"  {name}  ", (spark, "red" if "✗" in spark else "cyan"), ("  " + span, "dim")))


def show_diagnosis(d: dict[str, Any], out: Console) -> None:
    style = STATUS_STYLE.get(d["status"], "white")
    out.print(Panel(Text(d["verdict"], style=f"bold {style}"), title="nanwiz", title_align="left",
                    border_style=style))
    show_curves(d, out)
    for note in d.get("notes") or []:
        out.print(Text(note, style="yellow"))
    if d.get("top_cause") is None and d["status"] not in ("unknown", "no_evidence"):
        show_risks(d.get("risks") or [], out)  # a run that stayed finite: its risks, no ranking
        show_failed_probes(d, out)
        return
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
    table.add_column("#", justify="right")
    table.add_column("cause")
    table.add_column("probability", justify="right")
    table.add_column("")
    shown = 0
    for i, cause in enumerate(d["causes"], 1):
        if shown >= 6 or (cause["probability"] < 0.005 and shown >= 3):
            break
        shown += 1
        table.add_row(str(i), Text.assemble((cause["title"], "bold" if i == 1 else ""), "\n",
                                            (cause["id"], "dim")), percent(cause["probability"], digits=1),
                      bar(cause["probability"]))
    out.print(table)
    top = d["causes"][0] if d["causes"] else None
    if top is not None and top["id"] != "unknown":
        lines = Text()
        for e in top["evidence_for"][:6]:
            lines.append(f"  + {e['text']}", style="green")
            lines.append(f"  ×{e['ratio']:.3g}\n", style="dim")
        for e in top["evidence_against"][:3]:
            lines.append(f"  − {e['text']}", style="red")
            lines.append(f"  ×{e['ratio']:.3g}\n", style="dim")
        if lines:
            out.print(Text(f"Why {top['id']}:", style="bold"))
            out.print(lines, end="")
    loc = d.get("first_nonfinite")
    if loc:
        out.print(Text.assemble(("Where: ", "bold"), where_sentence(loc)))
        source = loc.get("source")
        if source and source.get("code"):
            out.print(Syntax(source["code"], "python", line_numbers=True, start_line=source["line"],
                             theme="ansi_dark", padding=(0, 2)))
    samples = d.get("bad_samples")
    if samples and samples.get("count"):
        shown_idx = ", ".join(str(i) for i in samples["indices"][:12])
        more = f" (+{samples['count'] - 12} more)" if samples["count"] > 12 else ""
        out.print(Text.assemble(("Offending samples: ", "bold"), f"{shown_idx}{more}"))
    if top is not None and top.get("fixes"):
        # the first fix in full (a verified one first); the others by title
        fixes = sorted(top["fixes"], key=lambda f: f["verified"] is not True)
        fix = fixes[0]
        parts = [Text.assemble((f"Fix: {fix['title']}", "bold green"), _mark(fix["verified"]))]
        if fix.get("verification") and fix["verified"] is not None:
            parts.append(Text(fix["verification"], style="dim"))
        parts += [Text(f"• {s}") for s in fix["steps"][:4]]
        if fix["code"].get("after"):
            parts.append(Syntax(fix["code"]["after"].rstrip(), "python", theme="ansi_dark"))
        out.print(Panel(Group(*parts), border_style="green"))
        for other in fixes[1:]:
            out.print(Text.assemble(("Also: ", "bold"), other["title"], _mark(other["verified"])))
        out.print(Text(f"All fixes with code: nanwiz kb show {top['id']}, or --report FILE.md", style="dim"))
    show_failed_probes(d, out)


def show_risks(risks: list[dict[str, Any]], out: Console) -> None:
    if not risks:
        return
    out.print(Text("Latent risks (not what failed):", style="bold"))
    for r in risks:
        evidence = ", ".join(f"{e['fact']}={e['value']}" for e in r["evidence"])
        out.print(Text.assemble("  ! ", r["text"], (f"  ({evidence})" if evidence else "", "dim")))
        for line in r.get("source_lines", [])[:2]:
            out.print(Text(f"      {line.get('file')}:{line['line']}  {line['code'][:90]}", style="dim"))


def show_failed_probes(d: dict[str, Any], out: Console) -> None:
    for p in [p for p in d["probes"] if p["status"] != "done"]:
        out.print(Text(f"Probe {p['id']} {p['status']}: {p.get('reason') or ''}", style="yellow"))

"""`nanwiz kb check|list|show|questions|facts`: check and browse the knowledge base."""

from __future__ import annotations

import math
from pathlib import Path

from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from nanwiz.commands.common import console, knowledge
from nanwiz.errors import Problems, UsageError
from nanwiz.kb.load import read_knowledge
from nanwiz.paths import shipped_knowledge_dir


def run_kb_command(args) -> int:
    action = args.kb_command
    if action == "check":
        return check(args)
    kb = knowledge(args)
    out = console()
    if action == "list":
        table = Table(title=f"{len(kb.causes)} causes", show_lines=False)
        table.add_column("id", style="cyan", no_wrap=True)
        table.add_column("title")
        table.add_column("category", style="magenta")
        table.add_column("prior", justify="right")
        table.add_column("fixes", justify="right")
        total = sum(c.prior for c in kb.causes.values())
        for cause in sorted(kb.causes.values(), key=lambda c: (c.category, c.id)):
            table.add_row(cause.id, cause.title, cause.category, f"{cause.prior / total:.1%}", str(len(cause.fixes)))
        out.print(table)
        return 0
    if action == "show":
        return show(kb, args.cause, out)
    if action == "questions":
        for q in sorted(kb.questions.values(), key=lambda q: q.id):
            options = ", ".join(f"{o.value!r} ({o.label})" for o in q.options)
            out.print(Text.assemble((q.id, "bold cyan"), ": ", q.text))
            out.print(Text(f"    answers: {options}, or '?'", style="dim"))
        return 0
    if action == "facts":
        table = Table(title=f"{len(kb.facts)} facts")
        table.add_column("id", style="cyan", no_wrap=True)
        table.add_column("type")
        table.add_column("from")
        table.add_column("description")
        for fact in sorted(kb.facts.values(), key=lambda f: f.id):
            origin = [f"probe {p}" for p in fact.probes] + [f"question {q.id}" for q in kb.questions_by_fact.get(fact.id, [])]
            if fact.derive is not None:
                origin.append(f"derived from {fact.derive.from_}")
            kind = fact.type + (f" [{', '.join(fact.enum_values())}]" if fact.type == "enum" else "")
            table.add_row(fact.id, kind, ", ".join(origin), fact.description)
        out.print(table)
        return 0
    raise UsageError(f"unknown kb action {action!r}")


def check(args) -> int:
    out = console()
    dirs = [shipped_knowledge_dir()] + [Path(d) for d in args.knowledge or []]
    if args.dir:
        extra = Path(args.dir)
        if not extra.exists():
            raise UsageError(f"{extra}: no such directory")
        if extra.resolve() != shipped_knowledge_dir().resolve():
            dirs.append(extra)
    problems = Problems()
    kb = read_knowledge(dirs, problems)
    if problems:
        err = console(stderr=True)
        err.print(Text(f"✗ {len(problems)} problem{'s' if len(problems) != 1 else ''} in the knowledge base:",
                       style="bold red"))
        for p in problems.items:
            err.print(Text("  " + p.render()), soft_wrap=True)  # one problem per line, never split
        return 1
    assert kb is not None
    out.print(Text(f"✓ knowledge base OK: {len(kb.causes)} causes, {len(kb.facts)} facts, {len(kb.questions)} "
                   f"questions, {len(kb.rules)} rules, {len(kb.probes)} probes, {len(kb.interventions)} "
                   f"verifiable fixes ({len(kb.files)} files)", style="green"))
    return 0


def show(kb, cause_id: str, out) -> int:
    cause = kb.causes.get(cause_id)
    if cause is None:
        import difflib

        close = difflib.get_close_matches(cause_id, list(kb.causes), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else " See 'nanwiz kb list'."
        raise UsageError(f"no cause {cause_id!r} in the knowledge base.{hint}")
    total = sum(c.prior for c in kb.causes.values())
    head = Text.assemble((cause.title, "bold"), "\n", (f"{cause.id} · {cause.category} · prior "
                                                        f"{cause.prior / total:.1%}", "dim"))
    if cause.benign:
        head.append("\nNot a bug: expected behaviour.", style="green")
    out.print(Panel(head, border_style="cyan"))
    out.print(Markdown("**Mechanism**\n\n" + cause.mechanism.strip()))
    out.print(Markdown("**Symptoms**\n\n" + "\n".join(f"- {s}" for s in cause.symptoms)))
    for i, fix in enumerate(cause.fixes, 1):
        verify = f"  (verifiable: {kb.interventions[fix.verify].title})" if fix.verify else ""
        out.print(Text(f"\nFix {i}: {fix.title}{verify}", style="bold green"))
        for step in fix.steps:
            out.print(Text(f"  • {step}"))
        if fix.code.before:
            out.print(Text("  before:", style="dim"))
            out.print(Syntax(fix.code.before.rstrip(), "python", theme="ansi_dark", padding=(0, 2)))
            out.print(Text("  after:", style="dim"))
        out.print(Syntax(fix.code.after.rstrip(), "python", theme="ansi_dark", padding=(0, 2)))
    out.print(Text("\nSources", style="bold"))
    for source in cause.sources:
        out.print(Text(f"  • {source.label()}" + (f" — {source.url}" if source.url else "")))
    rules = kb.rules_by_cause.get(cause.id, [])
    table = Table(title=f"Evidence that moves it ({len(rules)} rules)", show_lines=False)
    table.add_column("ratio", justify="right")
    table.add_column("when")
    for rule in sorted(rules, key=lambda r: -abs(math.log(r.effects[cause.id]))):
        ratio = rule.effects[cause.id]
        table.add_row(Text(f"×{ratio:g}", style="green" if ratio > 1 else "red"), rule.text)
    out.print(table)
    return 0

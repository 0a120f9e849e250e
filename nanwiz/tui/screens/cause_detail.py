"""One cause in full: why it ranks where it does, what would settle it, and how to fix it.

Everything shown comes from the report's description of the cause (`report.model.cause_entry`)
and the engine's `settle`, so this screen and the exported Markdown say the same thing.
Evidence carries its likelihood ratio (×12: this observation makes the cause 12 times likelier).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from nanwiz.tui.colors import color
from nanwiz.tui.widgets.bar import pct
from nanwiz.tui.widgets.fix_view import FixView, source_label

if TYPE_CHECKING:
    from nanwiz.tui.app import NanwizApp


def ratio(r: float) -> str:
    return f"×{r:.3g}"


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of a YAML block into paragraphs that wrap to the screen."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in text.strip().split("\n\n")]
    return "\n\n".join(paragraphs)


def hanging(head: Text, body: Text, width: int) -> Table:
    """`head` in a column of its own, so that `body` wraps under itself, not under `head`."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(head, body)
    return grid


def bullets(lines: list[str]) -> ComposeResult:
    for line in lines:
        yield Static(hanging(Text("•"), Text(line), 1), classes="item")


class CauseDetailScreen(Screen):
    """Mechanism, symptoms, evidence for and against, what would confirm or rule out, fixes, sources."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f", "fixes", "Fixes"),
        Binding("c", "copy", "Copy fix code"),
        Binding("tab", "focus_next", "Next fix", show=False),
    ]

    def __init__(self, cause_id: str) -> None:
        super().__init__()
        self.cause_id = cause_id

    @property
    def nanwiz(self) -> NanwizApp:
        return cast("NanwizApp", self.app)

    def compose(self) -> ComposeResult:
        store = self.nanwiz.store
        entry = store.cause(self.cause_id)
        ranking = store.ranking()
        position = ranking.position(self.cause_id)
        self.title = entry["title"]
        self.sub_title = f"#{position} of {len(ranking.causes)} · {pct(entry['probability'])}"
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(entry["title"], id="detail-title", markup=False)
            yield Static(self._headline(entry, position), id="detail-headline")
            if entry.get("benign"):
                yield Static("This is expected behaviour, not a bug.", classes="benign")
            yield Static(entry.get("summary", ""), id="detail-summary", markup=False)
            yield Static("Why it ranks here", classes="section-title")
            yield from self._why(entry)
            settle = entry.get("settle")
            if settle is not None and (settle.confirm or settle.rule_out):
                yield Static("Not known yet: what would confirm or rule it out", classes="section-title")
                yield from self._settle(settle)
            if entry.get("mechanism"):
                yield Static("Mechanism", classes="section-title")
                yield Static(reflow(entry["mechanism"]), classes="section-body", markup=False)
            if entry.get("symptoms"):
                yield Static("Symptoms", classes="section-title")
                yield from bullets(entry["symptoms"])
            fixes = entry.get("fixes") or []
            if fixes:
                yield Static("How to fix it", classes="section-title", id="fixes-title")
                dark = self.app.current_theme.dark
                for i, fix in enumerate(fixes, 1):
                    yield FixView(i, fix, dark=dark, id=f"fix-{i}")
            if entry.get("sources"):
                yield Static("Sources", classes="section-title")
                yield from bullets([source_label(s) for s in entry["sources"]])
            related = [store.kb.cause_title(c) for c in entry.get("related", []) if c in store.kb.causes]
            if related:
                yield Static("Related causes", classes="section-title")
                yield from bullets(related)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        fixes = self.query(FixView)
        if fixes:
            fixes.first().focus(scroll_visible=False)

    @staticmethod
    def _headline(entry: dict[str, Any], position: int) -> Text:
        text = Text()
        text.append(f"{pct(entry['probability'])}", style="bold")
        text.append(f"  ranked #{position}  ·  ", style="dim")
        text.append(entry["id"], style="bold")
        if entry.get("category"):
            text.append(f"  ·  {entry['category']}", style="dim")
        return text

    def _why(self, entry: dict[str, Any]) -> ComposeResult:
        yield Static(f"Prior {pct(entry['prior'])} (how often this cause is behind a training NaN), "
                     f"now {pct(entry['probability'])}.", classes="section-body dim")
        if not entry["evidence_for"] and not entry["evidence_against"]:
            yield Static("No evidence about this cause yet: answer questions or run the probes.",
                         classes="section-body")
        for label, items, hue in (("For", entry["evidence_for"], "success"),
                                  ("Against", entry["evidence_against"], "error")):
            if items:
                yield Static(label, classes="section-body bold")
            for e in items:
                yield Static(hanging(Text(f"{ratio(e['ratio']):>6}", style=f"bold {color(self, hue)}"),
                                     Text(e["text"]), 6), classes="item")

    def _settle(self, settle) -> ComposeResult:
        kb = self.nanwiz.store.kb
        for verb, items in (("confirms", settle.confirm), ("rules out", settle.rule_out)):
            for p in items[:4]:
                line = Text.assemble((f"{verb} ({ratio(p.ratio)}): ", "bold"), p.text)
                yield Static(hanging(Text("•"), line, 1), classes="item")
                ways = [f"the question “{kb.questions[q].text}”" for q in p.questions[:1] if q in kb.questions]
                ways += [f"the probe {pr}" for pr in p.probes[:3]]
                if ways:
                    yield Static("learn it from " + "; ".join(ways), classes="item-sub", markup=False)

    def action_fixes(self) -> None:
        """Jump to 'How to fix it' (the part most users came for)."""
        fixes = self.query(FixView)
        if fixes:
            fixes.first().focus(scroll_visible=False)
            self.query_one("#fixes-title").scroll_visible(top=True, animate=False)

    def action_copy(self) -> None:
        node = self.focused
        while node is not None and not isinstance(node, FixView):
            node = node.parent
        fix = node if isinstance(node, FixView) else next(iter(self.query(FixView)), None)
        if fix is not None:
            self.copy_fix(fix)

    def on_fix_view_copy(self, message: FixView.Copy) -> None:
        self.copy_fix(message.fix_view)

    def copy_fix(self, fix: FixView) -> None:
        if not fix.code:
            self.notify("This fix has no code to copy.")
            return
        self.app.copy_to_clipboard(fix.code)
        lines = fix.code.count("\n") + 1
        self.notify(f"Copied the code of fix {fix.number} ({lines} lines) to the clipboard.", title="Copied")

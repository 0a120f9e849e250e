"""What the probes pinned down, in plain words: where the first NaN/Inf appeared, which samples are bad.

Hidden until a probe found something. The sentences are the report's own (`where_sentence`),
so the screen and the exported Markdown never disagree; `f` opens the full account.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.widgets import Static

from nanwiz.report.markdown import where_sentence


def code_spans(sentence: str, style: str = "bold") -> Text:
    """The report's `code` spans, drawn in a style instead of backticks."""
    text = Text()
    for i, part in enumerate(re.split(r"`([^`]*)`", sentence)):
        text.append(part, style=style if i % 2 else "")
    return text


def findings(diagnosis: dict[str, Any]) -> list[Text]:
    """A few lines: a run that stayed finite and its latent risks, or where the first non-finite
    value appeared and which samples are bad."""
    out = []
    if diagnosis.get("top_cause") is None and diagnosis.get("status") in ("healthy", "not_reproduced"):
        out.append(Text(diagnosis["verdict"], style="bold"))
        risks = diagnosis.get("risks") or []
        if risks:
            out.append(Text.assemble((f"Latent risks ({len(risks)}): ", "bold"), "; ".join(r["text"] for r in risks[:2])
                                     + (" …" if len(risks) > 2 else "")))
    loc = diagnosis.get("first_nonfinite")
    if loc:
        line = Text.assemble(("First failure: " if loc.get("error") else "First NaN/Inf: ", "bold"))
        line.append_text(code_spans(where_sentence(loc)))
        out.append(line)
    samples = diagnosis.get("bad_samples") or {}
    if samples.get("count"):
        out.append(Text.assemble((f"Bad samples ({samples['count']}): ", "bold"), listing(samples["indices"])))
    elif loc and loc.get("bad_in_batch"):
        out.append(Text.assemble(("Samples with NaN/Inf in that batch: ", "bold"), listing(loc["bad_in_batch"])))
    return out


def listing(items: list, limit: int = 8) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


class FindingsPanel(Static):
    """A short box of findings above the ranking; not shown while there are none."""

    def on_mount(self) -> None:
        self.border_title = "Findings"
        self.border_subtitle = "f: details"
        self.display = False

    def show(self, diagnosis: dict[str, Any]) -> None:
        lines = findings(diagnosis)
        self.display = bool(lines)
        if lines:
            self.update(Text("\n").join(lines))

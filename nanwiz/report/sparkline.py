"""The run's curves as one line of text each (▁▂▃▅▇█), for the terminal and the Markdown report.

A sparkline is drawn on a log scale when every value is positive (a loss that creeps up and a
gradient norm that jumps a thousandfold both show), and ends with ✗ when the run failed.
"""

from __future__ import annotations

import math
from typing import Any

from nanwiz.report.series import outcome, points

BLOCKS = "▁▂▃▄▅▆▇█"
WIDTH = 40
CURVES = (("loss", "loss"), ("grad_norm", "grad norm"), ("scale", "loss scale"))


def sparkline(values: list[float | None], width: int = WIDTH) -> str:
    """Values (None: a gap) squeezed into at most `width` characters, each the largest of its share."""
    finite = [v for v in values if v is not None]
    if not finite:
        return ""
    log = min(finite) > 0
    scaled = [None if v is None else (math.log10(v) if log else v) for v in values]
    buckets = _buckets(scaled, width)
    present = [b for b in buckets if b is not None]
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    return "".join(" " if b is None else BLOCKS[min(len(BLOCKS) - 1, int((b - low) / span * len(BLOCKS)))]
                   for b in buckets)


def _buckets(values: list[float | None], width: int) -> list[float | None]:
    if len(values) <= width:
        return values
    out: list[float | None] = []
    for i in range(width):
        chunk = [v for v in values[i * len(values) // width:(i + 1) * len(values) // width] if v is not None]
        out.append(max(chunk) if chunk else None)
    return out


def fmt(value: float) -> str:
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 or value == 0 else f"{value:.2e}"


def curve_lines(run: dict[str, Any], width: int = WIDTH) -> list[tuple[str, str, str]]:
    """(name, sparkline, 'first → last') for the loss, the gradient norm and the GradScaler
    scale, names and sparklines padded to line up."""
    out = []
    for key, name in CURVES:
        _, values = points(run, run.get(key))
        if len(values) >= 2:
            out.append((name, sparkline(run.get(key) or [], width).rstrip(), f"{fmt(values[0])} → {fmt(values[-1])}"))
    pad = max((len(name) for name, _, _ in out), default=0)
    spark = max((len(s) for _, s, _ in out), default=0)
    failed = "" if run.get("failure") is None else " ✗"
    return [(f"{name:<{pad}}", f"{line:<{spark}}{failed}", span) for name, line, span in out]


def headline(run: dict[str, Any]) -> str:
    """'Your run: 200 steps, finite throughout' or 'Your run: 38 steps, first NaN/Inf at step 37'."""
    return f"{run['label'][:1].upper()}{run['label'][1:]}: {outcome(run)}"


def text_block(run: dict[str, Any], width: int = WIDTH) -> list[str]:
    """The curves as aligned plain-text lines (empty when there is nothing to draw)."""
    return [f"{name}  {line}  {span}" for name, line, span in curve_lines(run, width)]

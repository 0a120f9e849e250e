"""Horizontal bars that fill whatever width the panel gives them (probabilities, probe progress).

A Rich renderable rather than a widget: rows of an OptionList hold it, and it measures the
width at render time, so the same row reads well at 80 columns and at 200.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from nanwiz.report.model import percent

EIGHTHS = " ▏▎▍▌▋▊▉"


def pct(p: float) -> str:
    """A probability as the report writes it (one decimal; '<0.1%' rather than a misleading 0.0%,
    '>99.9%' rather than 100.0%)."""
    return percent(p, digits=1)


class Bar:
    """`fraction` of the available width in full blocks (with an eighth-block edge), the rest as track."""

    def __init__(self, fraction: float, style: str = "", track: str = "", width: int | None = None):
        self.fraction = min(1.0, max(0.0, fraction))
        self.style = style
        self.track = track
        self.width = width

    def cells(self, width: int) -> tuple[str, str]:
        eighths = round(self.fraction * width * 8)
        full, part = divmod(eighths, 8)
        filled = "█" * full + (EIGHTHS[part] if part and full < width else "")
        return filled, " " * (width - len(filled))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.width or options.max_width
        filled, rest = self.cells(width)
        yield Segment(filled, console.get_style(self.style) if self.style else Style())
        yield Segment(rest, console.get_style(self.track) if self.track else Style())

    def __rich_measure__(self, console: Console, options: ConsoleOptions):
        from rich.measure import Measurement

        return Measurement(self.width or 1, self.width or options.max_width)

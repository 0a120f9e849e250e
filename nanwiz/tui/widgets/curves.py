"""The run's curves (loss, gradient norm, activations) as a terminal plot, the failure marked.

The same lines as the report's picture (`nanwiz.report.series.lines`), drawn with plotext:
your run and the variation runs that matter, on a log scale when every value is positive.
`cycle()` moves to the next view. Redrawn as a running probe sends its steps, so a user
watches the loss climb before the diagnosis is in; whoever places the panel decides when it
is shown (`has_data`).
"""

from __future__ import annotations

import math
from typing import Any

from textual.reactive import reactive
from textual_plotext import PlotextPlot

from nanwiz.report.plot import COLORS, OTHER, tick
from nanwiz.report.series import VIEWS, baseline, lines, shown, x_range

CYCLE = ("loss", "grad_norm", "activations")
FAILURE = (192, 57, 43)


def rgb(hex_color: str) -> tuple[int, int, int]:
    return int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16)


def log_ticks(values: list[float], count: int = 5) -> list[float]:
    """Powers of ten spanning positive values, at most about `count` of them."""
    low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    every = max(1, math.ceil((high - low) / (count - 1)))
    return [10.0 ** e for e in range(low, high + 1, every)]


def step_ticks(end: float, count: int = 5) -> list[int]:
    """Round step numbers from 0 to `end`."""
    raw = max(1.0, end / (count - 1))
    unit = 10 ** math.floor(math.log10(raw))
    every = next(m * unit for m in (1, 2, 5, 10) if m * unit >= raw)
    return list(range(0, int(end) + 1, int(every)))


class CurvesPanel(PlotextPlot):
    """A plot of one view of the runs' curves; `cycle()` moves to the next view."""

    view: reactive[str] = reactive("loss")

    def __init__(self, hint: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.runs: list[dict[str, Any]] = []
        self.live = False
        self.hint = hint
        """Said after the view key in the bottom border (e.g. how to close the screen it is on)."""

    LEGEND_ROWS = 10
    """Below this height the legend would cover the curves: it is left out."""

    def on_resize(self) -> None:
        self.replot()

    @property
    def has_data(self) -> bool:
        return baseline(self.runs) is not None

    def show(self, series: list[dict[str, Any]], live: bool = False) -> None:
        """Draw these runs (the diagnosis' `series`); `live`: the baseline is still running."""
        self.runs, self.live = shown(series), live
        self.replot()

    def cycle(self) -> None:
        self.view = CYCLE[(CYCLE.index(self.view) + 1) % len(CYCLE)]

    def watch_view(self) -> None:
        self.replot()

    def replot(self) -> None:
        base = baseline(self.runs)
        plt = self.plt
        plt.clear_figure()
        next_view = CYCLE[(CYCLE.index(self.view) + 1) % len(CYCLE)]
        self.border_subtitle = " · ".join(p for p in (f"g: {VIEWS[next_view]}", self.hint) if p)
        if base is None:
            self.border_title = "Curves"
            return
        drawn = lines(self.runs, self.view)
        failure = base.get("failure")
        parts = ["Curves", VIEWS[self.view]]
        if failure is not None:
            parts.append(f"✗ step {failure['step']}")
        if self.live:
            parts.append("live")
        self.border_title = " · ".join(parts)
        for line in drawn:
            color = rgb(COLORS.get(line.style, OTHER)[0])
            legend = len(drawn) > 1 and self.size.height >= self.LEGEND_ROWS
            plt.plot(line.steps, line.values, label=line.label if legend else None, color=color, marker="braille")
        values = [v for line in drawn for v in line.values]
        if not values:
            plt.title(f"no {VIEWS[self.view]} measured yet")
        elif min(values) > 0:
            plt.yscale("log")
            ticks = log_ticks(values)
            plt.yticks(ticks, [tick(t) for t in ticks])
        if failure is not None:
            plt.vline(failure["step"], FAILURE)
        end = x_range(self.runs, base)[1] if not self.live else max(max(line.steps) for line in drawn) if drawn else 1
        plt.xlim(0, max(end, 1))
        plt.xticks(step_ticks(end))
        self.refresh()

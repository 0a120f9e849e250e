"""The run's curves as an SVG picture (matplotlib), linked from the Markdown report.

Stacked panels over the steps: the loss and the global gradient norm on log scales, the
GradScaler's scale when there is one, and the largest activations when they were measured.
The runs of `series.shown` are overlaid (your run against, say, the run with the fix), and
the first non-finite step is marked. matplotlib is imported here, inside `draw_svg`, so that
nothing else pays for it; the SVG keeps its text as text and names its pieces with ids
(`loss-baseline`, `failure-loss`...), so tests and tools can find the series in it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from nanwiz.report.series import VIEWS, Line, baseline, lines, outcome, shown, x_range

COLORS = {  # by Line.style: colour, line style, width
    "baseline": ("#c0392b", "-", 1.8),
    "fix": ("#27ae60", "-", 1.5),
    "lr 0": ("#7f8c8d", ":", 1.5),
    "lr x0.1": ("#2980b9", "--", 1.3),
    "lr x0.01": ("#8e44ad", "--", 1.3),
    "fp32": ("#d35400", "-.", 1.3),
    "module-0": ("#e67e22", "-", 0.9),
    "module-1": ("#16a085", "-", 0.9),
    "module-2": ("#8e44ad", "-", 0.9),
    "module-3": ("#2c3e50", "-", 0.9),
}
OTHER = ("#34495e", "--", 1.2)


def panels(runs: list[dict[str, Any]]) -> list[str]:
    """The views worth a panel for these runs: loss and gradient norm always, the GradScaler's
    scale and the activations when they were measured."""
    out = ["loss", "grad_norm"]
    if any(r.get("scale") for r in runs):
        out.append("scale")
    base = baseline(runs)
    if base is not None and (base.get("act_absmax") or base.get("activations")):
        out.append("activations")
    return out


def tick(value: float, _position: Any = None) -> str:
    """A tick label as plain text ('1e5', '0.01'): matplotlib's default $10^{5}$ goes through
    its math-text parser, which took most of the drawing time."""
    return f"{value:g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _scale(ax, view: str, values: list[float]) -> None:
    """Log when every value is positive and they span two decades or more (powers of two for the
    GradScaler's scale, which halves and doubles); symmetric log when the curve crosses zero
    (a loss can); linear for a narrow range."""
    from matplotlib.ticker import FuncFormatter, NullFormatter, SymmetricalLogLocator

    if values and min(values) > 0 and view == "scale":
        ax.set_yscale("log", base=2)
    elif values and min(values) > 0:
        if max(values) >= 100 * min(values):
            ax.set_yscale("log")
    elif values:
        small = max(min((abs(v) for v in values if v), default=1.0), 1e-12)
        ax.set_yscale("symlog", linthresh=small)
        decades = math.log10(max(max(abs(v) for v in values), small) / small) * (2 if max(values) > 0 else 1)
        step = max(1, math.ceil(decades / 6))  # at most about six labelled decades
        ax.yaxis.set_major_locator(SymmetricalLogLocator(linthresh=small, base=10.0 ** step))
    ax.yaxis.set_major_formatter(FuncFormatter(tick))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _draw(ax, line: Line, view: str) -> None:
    color, dash, width = COLORS.get(line.style, OTHER)
    dots = len(line.steps) == 1 or (view == "activations" and line.style == "baseline")  # one step: no line to see
    ax.plot(line.steps, line.values, color=color, linestyle=dash, linewidth=width, label=line.label, gid=line.id,
            drawstyle="steps-post" if view == "scale" else "default", marker="." if dots else None,
            markersize=6 if len(line.steps) == 1 else 3)
    if line.failure is not None:  # where a variation failed: a cross at its last finite value
        ax.plot([line.failure], [line.values[-1]], marker="x", color=color, markersize=7, linestyle="none",
                gid=f"failure-{line.id}")


def _mark_failure(ax, run: dict[str, Any], key: str, top: bool, end: float) -> None:
    failure = run.get("failure")
    if failure is None:
        return
    step = failure["step"]
    ax.axvline(step, color="#c0392b", linestyle="--", linewidth=1.0, alpha=0.8, gid=f"failure-{key}")
    if top:
        what = "error" if failure["kind"] == "error" else "first NaN/Inf"
        right = step > 0.6 * end  # near the right edge the label goes on the line's left
        ax.annotate(f"{what}, step {step}", xy=(step, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(-4 if right else 4, -2), textcoords="offset points", ha="right" if right else "left",
                    va="top", color="#c0392b", fontsize=8, gid="failure-label")


def _no_curve(ax, run: dict[str, Any]) -> None:
    """A run that failed at its first step has nothing to draw before the failure: say so."""
    failure = run.get("failure") or {}
    what = "raised an error" if failure.get("kind") == "error" else "was not finite"
    ax.text(0.4, 0.5, f"Step {failure.get('step', 0)} {what}: no curve before the failure", transform=ax.transAxes,
            ha="left", va="center", color="#7f8c8d", gid="failure-note")


def preload() -> None:
    """Import matplotlib in the background (while the probes run), so that writing the report
    later pays only for the drawing. A failed import is left for `try_draw` to report."""
    import threading

    def load() -> None:
        try:
            import matplotlib.backends.backend_svg  # noqa: F401
            import matplotlib.figure  # noqa: F401
        except Exception:  # noqa: BLE001 - try_draw says why there is no picture
            pass

    threading.Thread(target=load, name="nanwiz-preload-matplotlib", daemon=True).start()


def try_draw(d: dict[str, Any], path: Path) -> tuple[Path | None, str | None]:
    """(the SVG written, None), or (None, 'plot not drawn: why'): a missing matplotlib or a
    drawing error must never cost the user the report."""
    try:
        return draw_svg(d, path), None
    except ImportError as exc:
        return None, f"plot not drawn: {exc.name or 'matplotlib'} is not installed (pip install matplotlib)"
    except Exception as exc:  # noqa: BLE001 - any drawing failure becomes a line of the report
        return None, f"plot not drawn: {type(exc).__name__}: {exc}"


def draw_svg(d: dict[str, Any], path: Path | str) -> Path:
    """Draw the diagnosis' curves to `path` (SVG). Raises whatever matplotlib raises; the
    caller turns that into a line of the report."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    runs = shown(d.get("series") or [])
    base = baseline(runs)
    if base is None:
        raise ValueError("no measured run to draw")
    rows = panels(runs)
    path = Path(path)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "nanwiz", "font.size": 9,
                                "axes.spines.top": False, "axes.spines.right": False}):
        legend = 0.2 * math.ceil(len(runs) / 2) if len(runs) > 1 else 0.0
        height = 0.7 + legend + 1.9 * len(rows)
        fig = Figure(figsize=(8, height))  # fixed margins: a layout engine would draw everything twice
        fig.subplots_adjust(left=0.1, right=0.98, top=1 - (0.45 + legend) / height, bottom=0.45 / height,
                            hspace=0.12)
        axes = fig.subplots(len(rows), 1, sharex=True, squeeze=False)[:, 0]
        start, end = x_range(runs, base)
        for i, (ax, view) in enumerate(zip(axes, rows)):
            ax.set_gid(f"panel-{view}")
            drawn = lines(runs, view)
            for line in drawn:
                _draw(ax, line, view)
            for step in base.get("skipped", []) if view == "scale" else []:  # the steps the scaler skipped
                ax.axvline(step, color="#f39c12", linewidth=0.6, alpha=0.5)
            _scale(ax, view, [v for line in drawn for v in line.values])
            _mark_failure(ax, base, view, top=i == 0, end=end)
            if i == 0 and len(next((line.steps for line in drawn if line.style == "baseline"), [])) < 2:
                _no_curve(ax, base)
            ax.set_ylabel(VIEWS[view])
            ax.grid(True, which="major", alpha=0.25)
            if len(drawn) > 1 and view == "activations":
                ax.legend(loc="best", fontsize=7, frameon=False)
        if len(runs) > 1:  # which run is which, once for the panels, under the title (never over a curve)
            handles, labels = axes[0].get_legend_handles_labels()
            fig.legend(handles, labels, loc="upper center", ncol=2, fontsize=8, frameon=False,
                       bbox_to_anchor=(0.5, 1 - 0.32 / height))
        axes[-1].set_xlim(start, end)
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[-1].set_xlabel("step")
        fig.suptitle(f"{Path(d.get('script') or 'your run').name}: {outcome(base)}", fontsize=10)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="svg", metadata={"Date": None})
    return path

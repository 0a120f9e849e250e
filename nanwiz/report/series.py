"""The run's measured curves as plain data: what the report's picture, the JSON diagnosis, the
terminal sparklines and the TUI's plot panel all draw.

Read from the probe records' details, whoever wrote them (the contract-mode probes or an
attached run): the `baseline` record's `trace` (the run with the user's settings) and any
record's `traces` ({run label: trace}: learning rate 0, lower learning rates, fp32, each
verified fix). A trace is a list of per-step dicts (`step`, `loss`, `grad_norm`, `scale`,
`terms`, `weight_norm`, `act_absmax`, `act` per module, `skipped`, `failed`, `failure`); a
non-finite value is written as its name ("nan", "inf").

Each run becomes columns aligned on `step`; a value is None where it was not measured at that
step or was not finite, and `failure` says where the first non-finite value appeared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

BASELINE = "baseline"
COLUMNS = ("loss", "grad_norm", "scale", "weight_norm", "out_absmax", "act_absmax")
"""Per-step values, in the trace's own keys; a run keeps those it measured at least once."""
VARIATION_ORDER = ("lr_zero", "lr_sweep", "amp", "fixes")
"""Where the variation runs come from, in the order the report lists them (others follow)."""
LABELS = {"lr 0": "learning rate 0", "lr x0.1": "learning rate ×0.1", "lr x0.01": "learning rate ×0.01",
          "fp32": "fp32", "fp16": "fp16 + GradScaler", "bf16": "bf16"}


def number(value: Any) -> float | None:
    """A trace value as a finite float, or None (not measured, or 'nan'/'inf', or JSON's ±1e300)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) and abs(value) < 1e300 else None


def slug(text: str) -> str:
    """An id usable in file formats (SVG element ids): 'lr x0.1' -> 'lr-x0.1'."""
    return re.sub(r"[^A-Za-z0-9_.]+", "-", text).strip("-") or "run"


def run_series(points: Iterable[Mapping[str, Any]], *, probe: str, run: str, label: str,
               role: str) -> dict[str, Any]:
    """One run's trace as aligned columns, plus where it failed."""
    points = sorted((p for p in points if isinstance(p.get("step"), int)), key=lambda p: p["step"])
    run_id = probe if run == probe else slug(f"{probe}-{run}")
    out: dict[str, Any] = {"id": run_id, "probe": probe, "run": run, "label": label, "role": role,
                           "steps_run": points[-1]["step"] + 1 if points else 0, "failure": None,
                           "step": [p["step"] for p in points]}
    for key in COLUMNS:
        values = [number(p.get(key)) for p in points]
        if any(v is not None for v in values):
            out[key] = values
    for key, name in (("terms", "terms"), ("act", "activations")):
        names = list(dict.fromkeys(n for p in points for n in (p.get(key) or {})))
        if names:
            out[name] = {n: [number((p.get(key) or {}).get(n)) for p in points] for n in names}
    skipped = [p["step"] for p in points if p.get("skipped")]
    if skipped:
        out["skipped"] = skipped
    failed = next((p for p in points if p.get("failed")), None)
    if failed is not None:
        out["failure"] = {"step": failed["step"], "kind": failed.get("failure") or "loss"}
    return out


def collect(details: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every run the probes traced: the baseline first, then the variations.

    `details`: probe name -> that record's details. `labels`: display labels by run label (the
    fixes probe labels its runs by intervention id; the caller knows their titles)."""
    labels = {**LABELS, **(labels or {})}
    runs = []
    base = details.get(BASELINE) or {}
    if base.get("trace"):
        runs.append(run_series(base["trace"], probe=BASELINE, run=BASELINE, label="your run", role=BASELINE))
    order = [p for p in VARIATION_ORDER if p in details] + sorted(p for p in details if p not in VARIATION_ORDER)
    for probe in order:
        for name, points in (details[probe].get("traces") or {}).items():
            if not points:
                continue
            role = "fix" if probe == "fixes" else "variation"
            runs.append(run_series(points, probe=probe, run=name, label=labels.get(name, name), role=role))
    return runs


def baseline(series: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    return next((r for r in series or [] if r["role"] == BASELINE), None)


def activations(run: Mapping[str, Any], count: int = 4) -> dict[str, list[float | None]]:
    """The few modules with the largest activations, largest first."""
    modules = run.get("activations") or {}

    def peak(name: str) -> float:
        return max((v for v in modules[name] if v is not None), default=0.0)

    return {n: modules[n] for n in sorted(modules, key=peak, reverse=True)[:count]}


def points(run: Mapping[str, Any], values: list[float | None] | None) -> tuple[list[int], list[float]]:
    """(steps, values) of one of the run's columns where it was measured and finite."""
    pairs = [(s, v) for s, v in zip(run["step"], values or []) if v is not None]
    return [s for s, _ in pairs], [v for _, v in pairs]


@dataclass(frozen=True)
class Line:
    """One curve of a view, ready to draw."""

    id: str
    """'loss-baseline', 'grad_norm-lr_sweep-lr-x0.1', 'activations-module-fc1 (Linear)'..."""
    label: str
    style: str
    """Whose colour: 'baseline', 'fix', a variation's run label ('lr 0'), or 'module-N'."""
    steps: list[int]
    values: list[float]
    failure: int | None = None
    """The step where a variation run failed (the baseline's failure is marked on its own)."""


VIEWS = {"loss": "loss", "grad_norm": "gradient norm", "scale": "GradScaler scale",
         "activations": "largest |activation|"}


def lines(runs: list[dict[str, Any]], view: str) -> list[Line]:
    """The curves of one view (a column of every run, or the baseline's activations)."""
    if view == "activations":
        base = baseline(runs)
        if base is None:
            return []
        out = [Line(f"activations-{base['id']}", "largest, any module", BASELINE, *points(base, base.get("act_absmax")))]
        out += [Line(f"activations-module-{slug(name)}", name, f"module-{i}", *points(base, column))
                for i, (name, column) in enumerate(activations(base).items())]
        return [line for line in out if line.values]
    out = []
    for run in runs:
        steps, values = points(run, run.get(view))
        if values:
            failure = run["failure"]["step"] if run.get("failure") and run["role"] != BASELINE else None
            style = run["role"] if run["role"] in (BASELINE, "fix") else run.get("run", "")
            out.append(Line(f"{view}-{run['id']}", run["label"], style, steps, values, failure))
    return out


def shown(series: list[dict[str, Any]], limit: int = 4) -> list[dict[str, Any]]:
    """The runs a picture overlays: the baseline, a verified fix, learning rate 0, a lower
    learning rate, fp32 (in that order, `limit` at most)."""
    def rank(run: Mapping[str, Any]) -> int:
        if run["role"] == BASELINE:
            return 0
        if run["role"] == "fix":
            return 1 if run.get("verified") else 99
        return {"lr 0": 2, "lr x0.1": 3, "fp32": 4, "lr x0.01": 5, "bf16": 6}.get(run.get("run", ""), 50)

    out: list[dict[str, Any]] = []
    for run in sorted(series, key=rank):
        if rank(run) < 99 and not (run["role"] == "fix" and any(r["role"] == "fix" for r in out)):
            out.append(run)  # one fix is enough to compare against
    return out[:limit]


def outcome(run: Mapping[str, Any]) -> str:
    """'200 steps, finite throughout' or '38 steps, first NaN/Inf at step 37'."""
    failure = run.get("failure")
    if failure is None:
        return f"{run['steps_run']} steps, finite throughout"
    what = "an error" if failure["kind"] == "error" else "first NaN/Inf"
    return f"{failure['step'] + 1} steps, {what} at step {failure['step']}"


def x_range(runs: list[dict[str, Any]], base: dict[str, Any]) -> tuple[float, float]:
    """All steps when the run stayed finite; else up to about twice the failing step (and every
    variation's failure), so that the steps before the failure are not squeezed into a corner
    by variation runs that went on to the end. The failure (step 0 too) never sits on an edge."""
    last = max(r["steps_run"] for r in runs) - 1
    if base.get("failure") is None:
        end = max(last, 1)
    else:
        step = base["failure"]["step"]
        ends = [r["failure"]["step"] for r in runs if r.get("failure")]
        end = max(min(last, max(2 * step + 2, step + 20, *(s + 5 for s in ends))), step + max(1, step // 20))
    return -max(0.5, end / 100), end

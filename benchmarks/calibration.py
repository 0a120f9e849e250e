"""Do nanwiz's probabilities mean what they say? Brier score, reliability table, and the fit of
the knowledge base's calibration, on folders of scripts whose cause is known.

Each labelled script (its `Cause:` line, or a manifest.yaml `[{file, cause}]` beside the scripts,
as in benchmarks/accuracy.py) is diagnosed once with `nanwiz probe --save`; the saved session is
cached (keyed by the script and by the code that measures, not by the knowledge base), so the
ranking can then be recomputed from its facts under any calibration in milliseconds.

Besides each full session, every script also contributes the evidence the live ranking shows
while the probes arrive one after another (static scan and model first, then the baseline run,
lr 0, the data scan...): a probability is meant to hold at every stage, and the early stages are
where the top cause is wrong often enough to calibrate against (`--views full` uses full sessions
only).

    python benchmarks/calibration.py                      # examples/: figures under the shipped calibration
    python benchmarks/calibration.py DIR1 DIR2 --fit      # + the best calibration, in-sample and cross-validated
    python benchmarks/calibration.py DIR1 DIR2 --fit --write   # + store it in knowledge/settings.yaml

The calibration is two settings of the knowledge base (nanwiz/engine/infer.py): the temperature
that divides every log likelihood ratio, and the overlap that weights the k-th strongest rule for
one cause by overlap ** k (1 = every rule an independent witness).

A manifest entry that gives `args` (or a `module`) is an unmodified program: it is diagnosed by
`nanwiz run --save` from its folder instead (as in benchmarks/programs.py), and calibrated alike.

Scripts whose cause is `none` (healthy runs) are not scored for probability; the benchmark says
whether their diagnosis named no cause.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accuracy import expected_causes  # benchmarks/ is on sys.path when this file runs

from nanwiz.engine.conditions import complete
from nanwiz.engine.infer import combined, fired_rules, posterior_from, priors
from nanwiz.kb.load import load_knowledge
from nanwiz.kb.model import KnowledgeBase
from nanwiz.report.model import build_diagnosis
from nanwiz.session import Session

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".sessions"
SETTINGS_FILE = ROOT / "knowledge" / "settings.yaml"
MEASURING_CODE = ("nanwiz/harness", "nanwiz/probing", "probes")
STAGES = ("source", "inspect", "baseline", "lr_zero", "bisect", "amp", "batchnorm", "lr_sweep", "repeat", "fixes")
"""The order probes report in (nanwiz/probing/plan.py ORDER, then the fixes): each prefix is a view."""
TEMPERATURES = [round(0.2 + 0.05 * i, 2) for i in range(97)]  # 0.2 .. 5.0
OVERLAPS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2)
BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0000001)


@dataclass(frozen=True)
class Case:
    script: str
    folder: str
    expected: str
    view: str
    facts: dict[str, Any]


# ------------------------------------------------------------------ sessions
def _code_hash() -> str:
    digest = hashlib.sha256()
    for part in MEASURING_CODE:
        for path in sorted((ROOT / part).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _script_hash(script: Path) -> str:
    return hashlib.sha256(script.read_bytes()).hexdigest()[:16]


def program_entries(folder: Path) -> dict[Path, dict[str, Any]]:
    """Manifest entries that are programs for `nanwiz run` (they give `args` or a `module`), by path."""
    manifest = folder / "manifest.yaml"
    if not manifest.exists():
        return {}
    import yaml

    entries = yaml.safe_load(manifest.read_text(encoding="utf-8")) or []
    return {folder / e["file"]: e for e in entries if "args" in e or e.get("module")}


def session_for(script: Path, cache: Path, code: str, refresh: bool, timeout: float, extra: Sequence[str],
                program: dict[str, Any] | None = None) -> Path | None:
    """The cached session of a script, diagnosing it first when the cache is missing or stale; a
    program (a manifest entry with `args`) is diagnosed by `nanwiz run` from its folder."""
    args = [str(a) for a in (program or {}).get("args") or []]
    key = f"{script.stem}-{_script_hash(script)}-{code}" + (f"-{hashlib.sha256(' '.join(args).encode()).hexdigest()[:8]}"
                                                           if program is not None else "")
    folder = cache / script.parent.name
    path = folder / f"{key}.json"
    if path.exists() and not refresh:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{script.stem}-*.json"):
        old.unlink()
    began = time.perf_counter()
    if program is not None:
        target = ["-m", program["module"]] if program.get("module") else [script.name]
        nproc = int(program.get("nproc") or 1)
        command = [sys.executable, "-m", "nanwiz", "run", "--save", str(path), "--quiet", "--no-plots",
                   *(["--nproc-per-node", str(nproc)] if nproc > 1 else []), *target, *args]
        proc = subprocess.run(command, capture_output=True, text=True, cwd=script.parent, timeout=timeout * 3)
    else:
        proc = subprocess.run([sys.executable, "-m", "nanwiz", "probe", "--model", str(script), "--save", str(path),
                               "--quiet", "--timeout", str(timeout), *extra], capture_output=True, text=True)
    print(f"  probed {script.name} in {time.perf_counter() - began:.0f}s (exit {proc.returncode})", file=sys.stderr)
    if not path.exists():
        print(f"  no session for {script.name}: {proc.stderr[-400:]}", file=sys.stderr)
        return None
    return path


def views(kb: KnowledgeBase, session: Session, mode: str) -> list[tuple[str, dict[str, Any]]]:
    """(view name, facts): the full session, and with `stages` each prefix of the probes' arrival."""
    full = session.facts(kb)
    if mode == "full":
        return [("full", full)]
    out = []
    done = [p for p in STAGES if p in session.probes]
    for i in range(1, len(done)):
        partial = session.model_copy(update={"probes": {p: session.probes[p] for p in done[:i]}})
        facts = partial.facts(kb)
        if facts and (not out or facts != out[-1][1]):
            out.append((f"after {done[i - 1]}", facts))
    out.append(("full", full))
    return out


def collect(folders: Iterable[Path], cache: Path, refresh: bool, timeout: float, extra: Sequence[str],
            mode: str, kb: KnowledgeBase) -> tuple[list[Case], list[dict[str, Any]]]:
    code = _code_hash()
    cases: list[Case] = []
    healthy: list[dict[str, Any]] = []
    for folder in folders:
        programs = program_entries(folder)
        for script, expected in expected_causes(folder).items():
            path = session_for(script, cache, code, refresh, timeout, extra, programs.get(script))
            if path is None:
                continue
            session = Session.load(path)
            if expected == "none":
                d = build_diagnosis(kb, session)
                healthy.append({"script": script.name, "status": d["status"], "top_cause": d["top_cause"]})
                continue
            for name, facts in views(kb, session, mode):
                cases.append(Case(script.name, folder.name, expected, name, facts))
    return cases, healthy


# ------------------------------------------------------------------ scoring
@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    overlap: float = 1.0

    def __str__(self) -> str:
        return f"temperature {self.temperature}, overlap {self.overlap}"


@dataclass(frozen=True)
class Evidence:
    """A case reduced to what calibration needs: log prior and the fired rules' (untempered) log
    likelihood ratios per hypothesis. Re-ranking under any calibration is then arithmetic."""

    case: Case
    log_prior: dict[str, float]
    log_ratios: dict[str, list[float]]


def evidence_of(kb: KnowledgeBase, case: Case) -> Evidence:
    facts = complete(kb, case.facts)
    log_ratios: dict[str, list[float]] = {}
    for rule_id in fired_rules(kb, facts):
        for cause_id, ratio in kb.rules[rule_id].effects.items():
            log_ratios.setdefault(cause_id, []).append(math.log(ratio))
    return Evidence(case, {h: math.log(p) for h, p in priors(kb).items()}, log_ratios)


@dataclass(frozen=True)
class Scored:
    case: Case
    p_true: float
    top: str
    p_top: float
    rank: int | None


def score(evidence: Iterable[Evidence], calibration: Calibration) -> list[Scored]:
    """The engine's ranking (nanwiz/engine/infer.py rank, ties by id) of every case."""
    out = []
    for e in evidence:
        post = posterior_from({h: math.exp(v) for h, v in e.log_prior.items()},
                              {h: sum(combined(v, calibration.temperature, calibration.overlap))
                               for h, v in e.log_ratios.items()})
        ranked = sorted(post, key=lambda h: (-round(post[h], 12), h))
        expected = e.case.expected
        out.append(Scored(e.case, post.get(expected, 0.0), ranked[0], post[ranked[0]],
                          ranked.index(expected) + 1 if expected in post else None))
    return out


def brier(scored: Sequence[Scored]) -> float:
    """Mean (1 - P(true cause))^2: 0 is perfect, 1 is certain and wrong."""
    return sum((1 - s.p_true) ** 2 for s in scored) / max(len(scored), 1)


def log_loss(scored: Sequence[Scored]) -> float:
    return -sum(math.log(max(s.p_true, 1e-12)) for s in scored) / max(len(scored), 1)


def reliability(scored: Sequence[Scored]) -> list[dict[str, Any]]:
    """Bins of stated top-1 confidence: how often that top cause was the true one."""
    rows = []
    for lo, hi in zip(BINS, BINS[1:]):
        inside = [s for s in scored if lo <= s.p_top < hi]
        if not inside:
            continue
        stated = sum(s.p_top for s in inside) / len(inside)
        observed = sum(1 for s in inside if s.top == s.case.expected) / len(inside)
        rows.append({"bin": f"{lo:.0%}-{min(hi, 1):.0%}", "n": len(inside), "stated": stated, "observed": observed,
                     "gap": observed - stated})
    return rows


def summary(scored: Sequence[Scored]) -> dict[str, Any]:
    n = max(len(scored), 1)
    return {"n": len(scored), "brier": brier(scored), "log_loss": log_loss(scored),
            "top1": sum(1 for s in scored if s.rank == 1) / n,
            "top3": sum(1 for s in scored if s.rank is not None and s.rank <= 3) / n,
            "reliability": reliability(scored)}


OBJECTIVES = {"logloss": log_loss, "brier": brier}
PER_CASE = {"logloss": lambda p: -np.log(np.maximum(p, 1e-12)), "brier": lambda p: (1 - p) ** 2}


def losses(evidence: Sequence[Evidence], grid: Sequence[Calibration], objective: str) -> np.ndarray:
    """Each case's loss under each calibration of the grid (grid x cases). The overlap's weights
    do not depend on the temperature, so each overlap is one matrix of summed log ratios and each
    temperature a softmax of it."""
    hypotheses = sorted({h for e in evidence for h in e.log_prior})
    index = {h: i for i, h in enumerate(hypotheses)}
    prior = np.full((len(evidence), len(hypotheses)), -np.inf)
    truth = np.zeros(len(evidence), dtype=int)
    for n, e in enumerate(evidence):
        for h, v in e.log_prior.items():
            prior[n, index[h]] = v
        truth[n] = index.get(e.case.expected, 0)
    known = np.array([e.case.expected in index for e in evidence])
    out = np.zeros((len(grid), len(evidence)))
    sums: dict[float, np.ndarray] = {}
    for g, c in enumerate(grid):
        if c.overlap not in sums:
            sums[c.overlap] = np.zeros_like(prior)
            for n, e in enumerate(evidence):
                for h, v in e.log_ratios.items():
                    sums[c.overlap][n, index[h]] = sum(combined(v, 1.0, c.overlap))
        logits = prior + sums[c.overlap] / c.temperature
        logits -= logits.max(axis=1, keepdims=True)
        post = np.exp(logits)
        post /= post.sum(axis=1, keepdims=True)
        p_true = np.where(known, post[np.arange(len(evidence)), truth], 0.0)
        out[g] = PER_CASE[objective](p_true)
    return out


def grid_of(lowest: float, overlaps: Sequence[float]) -> list[Calibration]:
    return [Calibration(t, o) for t in TEMPERATURES if t >= lowest for o in overlaps]


def best_of(grid: Sequence[Calibration], table: np.ndarray, columns: np.ndarray | slice = slice(None)) -> Calibration:
    """The calibration with the lowest mean loss over the chosen cases; ties to the one nearest
    to none (temperature and overlap 1)."""
    means = np.round(table[:, columns].mean(axis=1), 6)
    return grid[min(range(len(grid)), key=lambda g: (means[g], abs(grid[g].temperature - 1) + 1 - grid[g].overlap))]


def fit(evidence: Sequence[Evidence], lowest: float, objective: str = "logloss",
        overlaps: Sequence[float] = OVERLAPS) -> Calibration:
    """The calibration with the lowest log loss (a proper score that punishes confident misses
    hardest; or the Brier score)."""
    grid = grid_of(lowest, overlaps)
    return best_of(grid, losses(evidence, grid, objective))


def cross_validated(evidence: Sequence[Evidence], lowest: float, objective: str = "logloss",
                    overlaps: Sequence[float] = OVERLAPS) -> tuple[list[Scored], list[Calibration]]:
    """Leave one script out: fit on every other script's cases, score the one left out."""
    grid = grid_of(lowest, overlaps)
    table = losses(evidence, grid, objective)
    keys = np.array([f"{e.case.folder}/{e.case.script}" for e in evidence])
    out: list[Scored] = []
    fitted = []
    for key in sorted(set(keys)):
        c = best_of(grid, table, keys != key)
        fitted.append(c)
        out += score([e for e, k in zip(evidence, keys) if k == key], c)
    return out, fitted


# ------------------------------------------------------------------ printing
def show(title: str, s: dict[str, Any]) -> None:
    print(f"\n{title}: {s['n']} cases   Brier {s['brier']:.4f}   log loss {s['log_loss']:.3f}   "
          f"top-1 {s['top1']:.1%}   top-3 {s['top3']:.1%}")
    print(f"  {'stated top-1 confidence':24} {'n':>4} {'stated':>7} {'observed':>9} {'gap':>7}")
    for row in s["reliability"]:
        flag = "" if abs(row["gap"]) <= 0.10 else "  <- more than 10 points off"
        print(f"  {row['bin']:24} {row['n']:4d} {row['stated']:7.1%} {row['observed']:9.1%} {row['gap']:+7.1%}{flag}")


def write_settings(calibration: Calibration, note: str) -> None:
    text = SETTINGS_FILE.read_text(encoding="utf-8") if SETTINGS_FILE.exists() else "settings:\n"
    for key, value, comment in (("evidence_temperature", calibration.temperature, note),
                                ("evidence_overlap", calibration.overlap, "fitted with the temperature")):
        line = f"  {key}: {value}  # {comment}\n"
        if re.search(rf"^  {key}:.*$", text, re.M):
            text = re.sub(rf"^  {key}:.*\n", line, text, flags=re.M)
        else:
            text = text.rstrip("\n") + "\n" + line
    SETTINGS_FILE.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", default=[str(ROOT / "examples")],
                        help="folders of labelled scripts (default: examples/)")
    parser.add_argument("--cache", default=str(CACHE), help="where diagnosed sessions are kept (default: %(default)s)")
    parser.add_argument("--refresh", action="store_true", help="diagnose every script again")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--probe-args", default="", help="extra arguments for nanwiz probe")
    parser.add_argument("--views", choices=("stages", "full"), default="stages",
                        help="fit on the evidence of every probe stage (default) or on full sessions only")
    parser.add_argument("--fit", action="store_true",
                        help="fit the temperature and the overlap; print in-sample and cross-validated figures")
    parser.add_argument("--lowest", type=float, default=0.25,
                        help="smallest temperature the fit may choose (default %(default)s; 1 = temper, never sharpen)")
    parser.add_argument("--overlaps", default=",".join(map(str, OVERLAPS)),
                        help="overlaps the fit may choose, comma-separated (default %(default)s; 1 = naive Bayes)")
    parser.add_argument("--objective", choices=sorted(OBJECTIVES), default="logloss",
                        help="what the fit minimizes over the cases (default %(default)s)")
    parser.add_argument("--write", action="store_true", help="with --fit: store the fitted calibration in knowledge/settings.yaml")
    parser.add_argument("--json", help="write every figure as JSON here")
    args = parser.parse_args()
    kb = load_knowledge()
    folders = [Path(f) for f in args.folders]
    overlaps = [float(o) for o in args.overlaps.split(",")]
    cases, healthy = collect(folders, Path(args.cache), args.refresh, args.timeout, args.probe_args.split(), args.views, kb)
    evidence = [evidence_of(kb, c) for c in cases]
    full = [e for e in evidence if e.case.view == "full"]
    shipped = Calibration(kb.settings.evidence_temperature, kb.settings.evidence_overlap)
    report: dict[str, Any] = {"folders": [str(f) for f in folders], "views": args.views, "shipped": str(shipped)}
    print(f"{len(full)} labelled scripts with a cause, {len(evidence)} cases ({args.views}); shipped {shipped}")
    for name, c in (("uncalibrated", Calibration()), ("shipped", shipped)):
        if name == "shipped" and shipped == Calibration():
            continue
        report[name] = {"full": summary(score(full, c)), "all": summary(score(evidence, c))}
        label = "Uncalibrated (the rules' ratios as written, naive Bayes)" if c == Calibration() else f"Shipped ({c})"
        show(f"{label}, full sessions", report[name]["full"])
        if args.views == "stages":
            show(f"{label}, every probe stage", report[name]["all"])
    if args.fit:
        best = fit(evidence, args.lowest, args.objective, overlaps)
        cv, fitted = cross_validated(evidence, args.lowest, args.objective, overlaps)
        spread = sorted({str(c) for c in fitted})
        report["fitted_calibration"] = str(best)
        report["fitted"] = {"full": summary(score(full, best)), "all": summary(score(evidence, best))}
        report["cross_validated"] = {"full": summary([s for s in cv if s.case.view == "full"]), "all": summary(cv),
                                     "calibrations": spread}
        show(f"Fitted ({best}), in-sample, full sessions", report["fitted"]["full"])
        if args.views == "stages":
            show(f"Fitted ({best}), in-sample, every probe stage", report["fitted"]["all"])
        show(f"Leave one script out ({len(spread)} distinct fits: {'; '.join(spread[:3])}{' ...' if len(spread) > 3 else ''}), "
             "full sessions", report["cross_validated"]["full"])
        if args.views == "stages":
            show("Leave one script out, every probe stage", report["cross_validated"]["all"])
        if args.write:
            names = ", ".join(f.name for f in folders)
            write_settings(best, f"fitted ({args.objective}) by benchmarks/calibration.py --fit on {names}: "
                                 f"{len(full)} scripts, {len(evidence)} cases ({args.views})")
            print(f"\nWrote {best} to {SETTINGS_FILE}")
    if healthy:
        named = [h for h in healthy if h["top_cause"] is not None]
        print(f"\nHealthy scripts: {len(healthy)}, named a cause: {len(named)}")
        for h in healthy:
            print(f"  {h['script']}: status {h['status']}, top cause {h['top_cause']}")
    report["healthy"] = healthy
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Accuracy of `nanwiz run` on unmodified training programs whose cause is known.

Reads a `manifest.yaml` beside the programs: a list of entries with `file` (or `module`), `args`,
`cause` (a catalogue id, or `healthy`/`none` for a run that must stay finite and name no cause),
and optionally `bad_samples`, `failing_step`, `failing_rank`, `producer: {line}`, `nproc`. Runs
`nanwiz run --json` on each from the manifest's folder (the diagnosis never reads the manifest)
and prints where the expected cause was ranked, whether the failing step, the producer's line,
the bad samples and the rank agree, and the wall time.

    python benchmarks/programs.py DIR [--only a,b] [--reruns N] [--markdown] [--save F.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from table import print_markdown  # benchmarks/ is on sys.path when this file runs

HEALTHY = ("healthy", "none")


def run(folder: Path, entry: dict, reruns: int, timeout: float) -> tuple[dict | None, int, float, str]:
    target = ["-m", entry["module"]] if entry.get("module") else [entry["file"]]
    nproc = int(entry.get("nproc") or 1)
    options = ["--reruns", str(reruns)] + (["--nproc-per-node", str(nproc)] if nproc > 1 else [])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "d.json"
        began = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "nanwiz", "run", "--quiet", "--no-plots", "--json", str(out),
                                   *options, *target, *[str(a) for a in entry.get("args") or []]],
                                  capture_output=True, text=True, cwd=folder, timeout=timeout)
            code, err = proc.returncode, proc.stderr
        except subprocess.TimeoutExpired:
            code, err = -1, f"timed out after {timeout:.0f} s"
        seconds = time.perf_counter() - began
        data = json.loads(out.read_text()) if out.exists() else None
        return data, code, seconds, err[-400:]


def score(entry: dict, data: dict | None, code: int) -> dict:
    cause = entry["cause"]
    row: dict = {"case": entry.get("file") or entry.get("module"), "expected": cause}
    if data is None:
        return {**row, "rank": None, "top3": [], "status": "error"}
    ranked = [c["id"] for c in data["causes"]]
    if cause in HEALTHY:
        rank = 1 if data["top_cause"] is None and data["status"] in ("healthy", "not_reproduced") else None
    else:
        rank = ranked.index(cause) + 1 if cause in ranked else None
    first = data.get("first_nonfinite") or {}
    source = first.get("source") or {}
    producer = entry.get("producer") or {}
    found = sorted((data.get("bad_samples") or {}).get("indices") or [])
    expected_samples = sorted(entry.get("bad_samples") or [])
    checks = {
        "step": None if entry.get("failing_step") is None else first.get("step") == entry["failing_step"],
        "line": None if not producer.get("line") or not isinstance(producer.get("line"), int)
        else source.get("line") == producer["line"],
        "samples": None if not expected_samples else bool(found) and set(found) <= set(expected_samples),
        "failing_rank": None if entry.get("failing_rank") is None else first.get("rank") in (
            entry["failing_rank"] if isinstance(entry["failing_rank"], list) else [entry["failing_rank"]]),
    }
    return {**row, "rank": rank, "top3": ranked[:3], "status": data["status"], "exit": code,
            "top_probability": data["causes"][0]["probability"] if data["causes"] else None, **checks}


def mark(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--only", help="comma-separated substrings of the cases to run")
    parser.add_argument("--reruns", type=int, default=4, help="nanwiz run --reruns (default 4)")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--save", help="write the per-case results as JSON here")
    args = parser.parse_args()
    folder = Path(args.folder).resolve()
    entries = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    if args.only:
        keys = args.only.split(",")
        entries = [e for e in entries if any(k in (e.get("file") or e.get("module") or "") for k in keys)]
    rows = []
    for entry in entries:
        data, code, seconds, err = run(folder, entry, args.reruns, args.timeout)
        row = {**score(entry, data, code), "seconds": round(seconds, 1)}
        if data is None:
            row["error"] = err.strip()
        rows.append(row)
        print(f"{row['case']:40s} {row['expected']:34s} rank={row['rank']} {row['top3']} step={mark(row.get('step'))} "
              f"line={mark(row.get('line'))} samples={mark(row.get('samples'))} {seconds:.0f}s", file=sys.stderr,
              flush=True)
    n = len(rows)
    top1 = sum(r["rank"] == 1 for r in rows)
    top3 = sum(r["rank"] is not None and r["rank"] <= 3 for r in rows)

    def agreed(key: str) -> str:
        checked = [r[key] for r in rows if r.get(key) is not None]
        return f"{sum(checked)}/{len(checked)}"

    summary = (f"top-1 {top1}/{n}, top-3 {top3}/{n}; failing step {agreed('step')}, producer line {agreed('line')}, "
               f"bad samples {agreed('samples')}, failing rank {agreed('failing_rank')}; median "
               f"{statistics.median([r['seconds'] for r in rows]) if rows else 0:.0f} s per program")
    if args.markdown:
        print_markdown(("program", "expected", "top-3 found", "rank", "step", "line", "samples", "seconds"),
                       [(f"`{r['case']}`", f"`{r['expected']}`",
                         ", ".join(f"`{c}`" for c in r["top3"]) if r["expected"] not in HEALTHY else f"status `{r['status']}`",
                         r["rank"] or "-", mark(r.get("step")), mark(r.get("line")), mark(r.get("samples")),
                         f"{r['seconds']:.0f}") for r in rows], summary)
    else:
        print(summary)
    if args.save:
        Path(args.save).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

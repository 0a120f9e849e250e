"""What a diagnosis costs next to the failing run itself, for every example.

For each script, side by side in one run (the two measured back to back, so both see the same
machine load):

- **plain**: a fresh Python process that loads the script and trains it with nanwiz's own loop
  and nothing else (no probes, no replay, no per-module statistics) until the first non-finite
  loss or the last step: what the user waits for when they simply run their training;
- **probe**: `nanwiz probe --model SCRIPT` from its start to its printed diagnosis, with its
  default plan (the failure answered on the captured state, whole re-runs only where they are
  worth it, fixes verified up to twice the failing step).

Prints both, their ratio, and the median and worst ratios (targets: median at most 3, worst at
most 6 on a 2-core CPU). `--thorough` measures the exhaustive plan instead, for comparison.

    python benchmarks/diagnosis_time.py [DIR] [--only a,b] [--markdown] [--thorough] [--save F.json]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import expected_causes  # noqa: E402
from table import print_markdown  # noqa: E402

PLAIN = """
import sys
from nanwiz.harness.script import load_target
from nanwiz.harness.run import TrainingRun, first_failure
target = load_target(__import__("pathlib").Path(sys.argv[1]))
records = TrainingRun(target, target.call("build_dataset")).run(stop_at_failure=True)
failure = first_failure(records)
print(failure.step if failure is not None else -1, len(records))
"""


def plain_run(script: Path, timeout: float) -> tuple[float, int | None, int]:
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PLAIN, str(script)], capture_output=True, text=True,
                          timeout=timeout, cwd=script.parent)
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"plain run of {script.name} failed: {proc.stderr[-400:]}")
    step, steps = (int(x) for x in proc.stdout.split()[-2:])
    return seconds, (None if step < 0 else step), steps


def probe_run(script: Path, timeout: float, extra: list[str]) -> tuple[float, dict | None, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "d.json"
        began = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nanwiz", "probe", "--model", str(script), "--json", str(out),
                               "--quiet", *extra], capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - began
        data = json.loads(out.read_text()) if out.exists() else None
        return seconds, data, proc.returncode


def rank_of(data: dict | None, expected: str, code: int) -> int | None:
    if data is None:
        return None
    if expected in ("none", "healthy"):
        return 1 if data["top_cause"] is None and data["status"] in ("healthy", "not_reproduced") else None
    ranked = [c["id"] for c in data["causes"]]
    return ranked.index(expected) + 1 if expected in ranked else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(ROOT / "examples"))
    parser.add_argument("--only", help="comma-separated substrings of script names to run")
    parser.add_argument("--thorough", action="store_true", help="measure nanwiz probe --thorough")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--save", help="write the per-script figures as JSON here")
    args = parser.parse_args()
    cases = expected_causes(Path(args.folder))
    if args.only:
        keys = args.only.split(",")
        cases = {k: v for k, v in cases.items() if any(s in k.name for s in keys)}
    extra = ["--thorough"] if args.thorough else []
    rows = []
    for script, expected in cases.items():
        plain, step, steps = plain_run(script, args.timeout)
        probe, data, code = probe_run(script, args.timeout, extra)
        rows.append({"script": script.name, "expected": expected, "plain_s": round(plain, 2),
                     "failing_step": step, "steps": steps, "probe_s": round(probe, 2),
                     "ratio": round(probe / plain, 2), "rank": rank_of(data, expected, code)})
        print(f"{script.name:44s} plain {plain:6.1f}s (step {step})  probe {probe:6.1f}s  "
              f"x{probe / plain:4.1f}  rank {rows[-1]['rank']}", file=sys.stderr, flush=True)
    ratios = [r["ratio"] for r in rows]
    top1 = sum(r["rank"] == 1 for r in rows)
    top3 = sum(r["rank"] is not None and r["rank"] <= 3 for r in rows)
    summary = (f"median ratio {statistics.median(ratios):.2f}, worst {max(ratios):.2f} "
               f"({max(rows, key=lambda r: r['ratio'])['script']}); total plain "
               f"{sum(r['plain_s'] for r in rows):.0f} s, probe {sum(r['probe_s'] for r in rows):.0f} s; "
               f"top-1 {top1}/{len(rows)}, top-3 {top3}/{len(rows)}")
    if args.markdown:
        print_markdown(("script", "failing step", "plain run (s)", "nanwiz probe (s)", "ratio", "rank"),
                       [(f"`{r['script']}`", "healthy" if r["failing_step"] is None else r["failing_step"],
                         f"{r['plain_s']:.1f}", f"{r['probe_s']:.1f}", f"{r['ratio']:.1f}", r["rank"] or "-")
                        for r in rows], summary, align="lrrrrr")
    else:
        print(summary)
    if args.save:
        Path(args.save).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

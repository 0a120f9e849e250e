"""Accuracy of `nanwiz probe` on example scripts whose cause is known.

Runs `nanwiz probe --model X --json ...` on every script and compares the ranking with the
expected cause (read from the script's `Cause:` docstring line, or from a manifest.yaml
`[{file, cause}]` beside the scripts). The diagnosis itself never sees either: this file is
the only reader. Prints a table and the top-1 / top-3 accuracy.

    python benchmarks/accuracy.py                 # examples/
    python benchmarks/accuracy.py DIR --markdown  # another folder, table as Markdown
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from table import print_markdown  # benchmarks/ is on sys.path when this file runs

ROOT = Path(__file__).resolve().parent.parent
CAUSE_LINE = re.compile(r"^\s*Cause:\s*([a-z0-9_.]+)\s*$", re.M)


def expected_causes(folder: Path) -> dict[Path, str]:
    manifest = folder / "manifest.yaml"
    if manifest.exists():
        entries = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        # `healthy` and `none` both mean a run that must stay finite and name no cause
        return {folder / e["file"]: ("none" if e["cause"] == "healthy" else e["cause"]) for e in entries}
    out = {}
    for script in sorted(folder.glob("*.py")):
        match = CAUSE_LINE.search(script.read_text(encoding="utf-8"))
        if match:
            out[script] = match.group(1)
    return out


def diagnose(script: Path, timeout: float, extra: list[str]) -> tuple[dict | None, int, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "d.json"
        began = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nanwiz", "probe", "--model", str(script), "--json", str(out),
                               "--quiet", "--timeout", str(timeout), *extra], capture_output=True, text=True)
        seconds = time.perf_counter() - began
        data = json.loads(out.read_text()) if out.exists() else None
        return data, proc.returncode, seconds, proc.stderr[-500:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(ROOT / "examples"))
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", help="comma-separated substrings of script names to run")
    parser.add_argument("--save", help="write the per-script results as JSON here")
    parser.add_argument("--probe-args", default="", help="extra arguments for nanwiz probe, e.g. '--steps 100'")
    args = parser.parse_args()
    extra = shlex.split(args.probe_args)
    cases = expected_causes(Path(args.folder))
    if args.only:
        keys = args.only.split(",")
        cases = {k: v for k, v in cases.items() if any(s in k.name for s in keys)}
    rows = []
    for script, expected in cases.items():
        data, code, seconds, err = diagnose(script, args.timeout, extra)
        if data is None:
            rows.append({"script": script.name, "expected": expected, "top3": [], "rank": None,
                         "seconds": seconds, "exit": code, "status": "error", "error": err.strip()})
            continue
        ranked = [c["id"] for c in data["causes"]]
        if expected == "none":
            # a healthy run is right when it names no cause (and says nothing was reproduced)
            rank = 1 if data["status"] in ("healthy", "not_reproduced") and data["top_cause"] is None \
                and code == 1 else None
        else:
            rank = ranked.index(expected) + 1 if expected in ranked else None
        rows.append({"script": script.name, "expected": expected, "top3": ranked[:3],
                     "probabilities": [round(c["probability"], 3) for c in data["causes"][:3]], "rank": rank,
                     "seconds": seconds, "exit": code, "status": data["status"]})
        print(f"{script.name:42s} {expected:30s} rank={rank} {ranked[:3]} {seconds:.1f}s", file=sys.stderr)
    scored = [r for r in rows]
    top1 = sum(1 for r in scored if r["rank"] == 1)
    top3 = sum(1 for r in scored if r["rank"] is not None and r["rank"] <= 3)
    n = len(scored)
    if args.markdown:
        print_markdown(("script", "expected cause", "top-3 found", "rank", "seconds"),
                       [(f"`{r['script']}`", f"`{r['expected']}`",
                         ", ".join(f"`{c}`" for c in r["top3"]) if r["expected"] != "none"
                         else f"status `{r['status']}`, exit {r['exit']}", r["rank"] or "-", f"{r['seconds']:.1f}")
                        for r in rows], f"Top-1: {top1}/{n} ({top1 / max(n, 1):.0%}), top-3: {top3}/{n} ({top3 / max(n, 1):.0%})")
    else:
        width = max((len(r["script"]) for r in rows), default=10)
        print(f"{'script':{width}}  {'expected':30}  {'rank':>4}  {'sec':>5}  top-3")
        for r in rows:
            print(f"{r['script']:{width}}  {r['expected']:30}  {str(r['rank'] or '-'):>4}  {r['seconds']:5.1f}  "
                  f"{', '.join(r['top3'])}")
        print(f"\ntop-1 {top1}/{n} = {top1 / max(n, 1):.0%}   top-3 {top3}/{n} = {top3 / max(n, 1):.0%}")
    if args.save:
        Path(args.save).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

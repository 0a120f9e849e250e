"""Every example's report links a picture of its run: the SVG parses, holds the series the run
measured (by their element ids) and marks the first non-finite step when there was one.

Each case runs the baseline probe only (`--probes source,inspect,baseline --no-verify`). All 28
examples take about four minutes on a busy 2-core machine, so the default run checks a
representative three, cut to the steps that show what they are there for (a loss that climbs
until it overflows at step 17, a GradScaler that halves its scale three times in the first
ten steps and settles, a training step that raises at step 0); `pytest --all-examples` checks
every one with its own number of steps.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nanwiz.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
REPRESENTATIVE = {"mlp_sgd_lr_too_high.py": 30, "gru_fp16_scaler_warmup_benign.py": 15, "text_labels_one_based.py": 5}
"""Script -> steps to run in the default selection."""
SVG = "{http://www.w3.org/2000/svg}"


def measured(run: dict, column: str) -> bool:
    return any(v is not None for v in run.get(column) or [])


def check_picture(svg: Path, d: dict) -> None:
    tree = ET.parse(svg)  # parses: a well-formed SVG
    assert tree.getroot().tag == f"{SVG}svg"
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    words = " ".join(e.text or "" for e in tree.iter(f"{SVG}text"))
    base = d["series"][0]
    assert base["id"] == "baseline"
    for column in ("loss", "grad_norm", "scale"):
        assert (f"{column}-baseline" in ids) == measured(base, column), column
    assert ("activations-baseline" in ids) == measured(base, "act_absmax")
    failure = base["failure"]
    if failure is None:
        assert not any(i.startswith("failure") for i in ids)
        assert "steps, finite throughout" in words
    else:
        assert {"failure-loss", "failure-grad_norm", "failure-label"} <= ids
        assert f"step {failure['step']}" in words
        assert failure["step"] == (d["first_nonfinite"] or {}).get("step", failure["step"])


@pytest.mark.slow
@pytest.mark.parametrize("script", [pytest.param(s, id=s.stem, marks=[] if s.name in REPRESENTATIVE
                                                 else [pytest.mark.all_examples]) for s in EXAMPLES])
def test_the_report_links_a_picture_of_the_run(script, tmp_path, capsys, request):
    report, data = tmp_path / "report.md", tmp_path / "d.json"
    steps = [] if request.config.getoption("--all-examples") else ["--steps", str(REPRESENTATIVE[script.name])]
    code = main(["probe", "--quiet", "--no-verify", "--model", str(script), "--probes", "source,inspect,baseline",
                 "--report", str(report), "--json", str(data), *steps])
    capsys.readouterr()
    assert code in (0, 1)
    assert "![Loss and gradient norm per step](report.svg)" in report.read_text(encoding="utf-8")
    check_picture(tmp_path / "report.svg", json.loads(data.read_text()))

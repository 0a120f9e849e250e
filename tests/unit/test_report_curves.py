"""The run's curves: kept in the diagnosis as data, drawn as an SVG beside the report (or a line
saying why not), as sparklines in the report and the terminal."""

from __future__ import annotations

import io
import json
import sys
import xml.etree.ElementTree as ET

from rich.console import Console

from nanwiz.commands.view import show_diagnosis
from nanwiz.report.jsonout import dumps
from nanwiz.report.markdown import render, write_markdown
from nanwiz.report.model import build_diagnosis
from nanwiz.report.sparkline import sparkline
from nanwiz.session import Session
from tests.fixtures.runs import FAIL_AT, traced_session

SVG = "{http://www.w3.org/2000/svg}"


def svg_ids(path) -> set[str]:
    return {e.get("id") for e in ET.parse(path).iter() if e.get("id")}


def svg_text(path) -> str:
    return " ".join(e.text or "" for e in ET.parse(path).iter(f"{SVG}text"))


def test_the_diagnosis_keeps_every_traced_run_as_columns(kb):
    d = build_diagnosis(kb, traced_session())
    runs = {r["id"]: r for r in d["series"]}
    assert list(runs) == ["baseline", "lr_zero-lr-0", "lr_sweep-lr-x0.1", "fixes-lower_lr"]
    base = runs["baseline"]
    assert base["failure"] == {"step": FAIL_AT, "kind": "loss"} and base["steps_run"] == FAIL_AT + 1
    assert len(base["loss"]) == len(base["step"]) == FAIL_AT + 1 and base["loss"][-1] is None  # 'inf' is no number
    assert base["weight_norm"][0] == 10.0 and base["weight_norm"][1] is None  # only on stats steps
    assert set(base["activations"]) == {"fc1 (Linear)", "act (ReLU)", "fc2 (Linear)"}
    fix = runs["fixes-lower_lr"]
    assert fix["role"] == "fix" and fix["verified"] is True and fix["label"] == "with the fix: Learning rate x0.1"
    assert runs["lr_zero-lr-0"]["label"] == "learning rate 0" and runs["lr_zero-lr-0"]["failure"] is None
    json.loads(dumps(d))  # plain JSON: no NaN or Infinity anywhere


def test_the_report_links_a_picture_of_your_run_against_the_fix(kb, tmp_path):
    d = build_diagnosis(kb, traced_session())
    written = write_markdown(d, tmp_path / "report.md")
    assert written.picture == tmp_path / "report.svg" and written.note is None
    text = written.path.read_text(encoding="utf-8")
    assert "![Loss and gradient norm per step](report.svg)" in text
    assert text.index("## The run") < text.index("## Ranked causes")
    ids = svg_ids(written.picture)
    for series in ("loss", "grad_norm"):
        assert {f"{series}-baseline", f"{series}-fixes-lower_lr", f"{series}-lr_zero-lr-0", f"failure-{series}"} <= ids
    assert "activations-baseline" in ids and "activations-module-fc1-Linear" in ids
    assert "scale-baseline" not in ids  # no GradScaler, no scale panel
    words = svg_text(written.picture)
    assert f"first NaN/Inf, step {FAIL_AT}" in words and "with the fix: Learning rate x0.1" in words


def test_the_scale_of_a_grad_scaler_gets_its_panel(kb, tmp_path):
    written = write_markdown(build_diagnosis(kb, traced_session(scaler=True)), tmp_path / "r.md")
    assert {"scale-baseline", "failure-scale"} <= svg_ids(written.picture)
    assert "loss scale" in written.path.read_text(encoding="utf-8")  # and its sparkline


def test_without_plots_the_report_still_shows_the_curves_as_text(kb, tmp_path):
    written = write_markdown(build_diagnosis(kb, traced_session()), tmp_path / "r.md", plots=False)
    text = written.path.read_text(encoding="utf-8")
    assert written.picture is None and not (tmp_path / "r.svg").exists() and "![" not in text
    assert f"Your run: {FAIL_AT + 1} steps, first NaN/Inf at step {FAIL_AT}." in text
    assert "loss       ▁" in text and " ✗  0.7 → " in text


def test_a_missing_matplotlib_is_a_line_of_the_report(kb, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    written = write_markdown(build_diagnosis(kb, traced_session()), tmp_path / "r.md")
    assert written.picture is None and not (tmp_path / "r.svg").exists()
    assert "_plot not drawn: matplotlib is not installed (pip install matplotlib)_" in written.path.read_text()
    assert "plot not drawn" in written.describe()


def test_a_drawing_error_is_a_line_of_the_report(kb, tmp_path, monkeypatch):
    import nanwiz.report.plot as plot

    def broken(d, path):
        raise ValueError("Image size of 1000000x400 pixels is too large")

    monkeypatch.setattr(plot, "draw_svg", broken)
    written = write_markdown(build_diagnosis(kb, traced_session()), tmp_path / "r.md")
    assert "_plot not drawn: ValueError: Image size of 1000000x400 pixels is too large_" in written.path.read_text()


def test_no_measured_run_no_curves(kb, tmp_path):
    d = build_diagnosis(kb, Session(script="train.py"))
    assert d["series"] == []
    written = write_markdown(d, tmp_path / "r.md")
    assert written.picture is None and written.note is None and "## The run" not in written.path.read_text()


def test_sparklines():
    assert sparkline([1, 10, 100, 1000]) == "▁▃▆█"  # a log scale when every value is positive
    assert sparkline([-1.0, 0.0, 1.0]) == "▁▅█"
    assert sparkline([1.0, None, 2.0]) == "▁ █"
    assert sparkline(list(range(1, 101)), width=10)[-1] == "█" and len(sparkline(list(range(1, 101)), 10)) == 10
    assert sparkline([None, None]) == ""


def test_the_terminal_summary_shows_the_run(kb):
    out = io.StringIO()
    show_diagnosis(build_diagnosis(kb, traced_session()), Console(file=out, width=100, color_system=None))
    lines = out.getvalue().splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(f"Your run: {FAIL_AT + 1} steps"))
    assert lines[head + 1].lstrip().startswith("loss ") and "✗" in lines[head + 1]
    assert lines[head + 2].lstrip().startswith("grad norm ") and lines[head + 2].rstrip().endswith("1.2 → 2.38e+06")


def test_stdout_report_has_the_curves_as_text_only(kb):
    text = render(build_diagnosis(kb, traced_session()))
    assert "## The run" in text and "![" not in text and "```text\nloss" in text

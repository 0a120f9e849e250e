"""The wheel carries the knowledge base and the probes: installed into a fresh virtual
environment and used from another directory, `nanwiz kb check` works, and `nanwiz report`
without matplotlib writes the report with a line saying why it has no picture."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_installs_and_finds_its_knowledge(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("nanwiz-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "nanwiz/knowledge/facts.yaml" in names
    assert any(n.startswith("nanwiz/knowledge/causes/") for n in names)
    assert "nanwiz/probes/baseline.py" in names
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # the CLI's kb commands need only these; torch and textual are deliberately not installed
    subprocess.run(pip + ["--no-deps", str(wheel)], check=True, capture_output=True)
    subprocess.run(pip + ["pydantic>=2.5", "pyyaml", "rich"], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([str(env / "bin" / "nanwiz"), "kb", "check"], cwd=elsewhere, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "knowledge base OK" in proc.stdout
    located = subprocess.run([str(python), "-c", "import nanwiz.paths as p; print(p.shipped_knowledge_dir())"],
                             cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert str(env) in located
    from tests.fixtures.runs import traced_session

    traced_session().save(elsewhere / "s.json")
    proc = subprocess.run([str(env / "bin" / "nanwiz"), "report", "s.json", "-o", "r.md"], cwd=elsewhere,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (elsewhere / "r.md").read_text(encoding="utf-8")
    assert "_plot not drawn: matplotlib is not installed (pip install matplotlib)_" in text and "loss  " in text
    assert not (elsewhere / "r.svg").exists()

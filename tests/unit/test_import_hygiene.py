"""The core runs headless: the knowledge base, engine, session, report and probe runner import
neither Textual nor torch, and the CLI starts without matplotlib (imported only when a picture
is drawn); each import is checked in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = ["nanwiz.kb.load", "nanwiz.engine", "nanwiz.session", "nanwiz.report.model", "nanwiz.report.markdown",
        "nanwiz.report.plot", "nanwiz.probing.plan", "nanwiz.probing.runner", "nanwiz.cli", "nanwiz.commands.kb",
        "nanwiz.commands.probe"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_loads_no_ui_and_no_torch(module):
    code = (f"import sys, {module}; bad = [m for m in ('textual', 'torch', 'matplotlib') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{module} imports {out}"


def test_import_linter_contracts():
    # Through the interpreter, not the `lint-imports` script: in an environment that inherits
    # system packages the script lies outside this interpreter's bin/.
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    proc = subprocess.run([sys.executable, "-c", code, "--no-cache"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

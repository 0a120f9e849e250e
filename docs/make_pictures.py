"""Draw the README's picture from a real diagnosis: `python docs/make_pictures.py`.

Runs `nanwiz probe` (every probe, fixes verified) on one bundled example and keeps the SVG its
report links as docs/run-curves.svg. Nothing is drawn by hand: a change to the picture's code
shows in the README after running this again. Takes about a minute on a small CPU machine.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from nanwiz.cli import main

DOCS = Path(__file__).resolve().parent
EXAMPLE = DOCS.parent / "examples" / "gru_multitask_loss_weight.py"
"""A loss that creeps up, then explodes with the gradient norm and one module's activations;
learning rate 0, x0.1 and the verified fix (down-weighting the dominant loss term) stay finite."""
PICTURE = DOCS / "run-curves.svg"


def make(example: Path = EXAMPLE, picture: Path = PICTURE) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.md"
        code = main(["probe", "--quiet", "--model", str(example), "--report", str(report)])
        svg = report.with_suffix(".svg")
        if code != 0 or not svg.exists():
            raise SystemExit(f"nanwiz probe exited {code} without a picture; see its output above")
        shutil.copyfile(svg, picture)
    return picture


if __name__ == "__main__":
    print(f"wrote {make(*[Path(a) for a in sys.argv[1:3]])}")

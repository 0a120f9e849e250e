"""The diagnosis as JSON (schema 'nanwiz.diagnosis/1')."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nanwiz.errors import ReportError


def dumps(d: dict[str, Any]) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False, allow_nan=False, default=str)


def write_json(d: dict[str, Any], path: Path | str) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(d) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write the JSON report to {path}: {exc.strerror or exc}") from None
    return path

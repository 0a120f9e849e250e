"""Where the shipped knowledge base lives, in a source checkout and in an installed wheel.

The repository keeps `knowledge/` at its top (the layout the project fixed); the wheel
installs the same files as `nanwiz/knowledge/`. Both are looked up here so that no other
module has to know which one it is running from.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_knowledge_dir() -> Path:
    for candidate in (_PACKAGE / "knowledge", _PACKAGE.parent / "knowledge"):
        if candidate.is_dir() and any(candidate.rglob("*.yaml")):
            return candidate
    raise FileNotFoundError(
        "the shipped knowledge base was not found next to the nanwiz package "
        f"(looked in {_PACKAGE / 'knowledge'} and {_PACKAGE.parent / 'knowledge'}); "
        "reinstall nanwiz"
    )

"""Shared fixtures: the shipped knowledge base, paths to examples and the shared design docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nanwiz.kb.load import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CATALOGUE = ROOT.parent / "shared" / "design" / "cause-catalogue.md"
CATALOGUE_IDS_FALLBACK = ROOT / "tests" / "fixtures" / "catalogue_ids.txt"


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


def catalogue_ids() -> list[str]:
    """The stable cause ids of the catalogue (from ../shared when present, else a copy)."""
    if CATALOGUE.exists():
        return re.findall(r"^\| `([a-z_]+\.[a-z0-9_]+)` \|", CATALOGUE.read_text(encoding="utf-8"), re.M)
    return CATALOGUE_IDS_FALLBACK.read_text(encoding="utf-8").split()

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


def pytest_addoption(parser):
    parser.addoption("--all-examples", action="store_true",
                     help="also run the checks marked all_examples (every example script; minutes)")


def pytest_collection_modifyitems(config, items):
    """Cases marked all_examples run only with --all-examples (deselected, not skipped, otherwise)."""
    if config.getoption("--all-examples"):
        return
    left_out = [item for item in items if item.get_closest_marker("all_examples")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("all_examples")]


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


def catalogue_ids() -> list[str]:
    """The stable cause ids of the catalogue (from ../shared when present, else a copy)."""
    if CATALOGUE.exists():
        return re.findall(r"^\| `([a-z_]+\.[a-z0-9_]+)` \|", CATALOGUE.read_text(encoding="utf-8"), re.M)
    return CATALOGUE_IDS_FALLBACK.read_text(encoding="utf-8").split()

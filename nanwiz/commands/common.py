"""What every command needs: the knowledge base with --knowledge folders, and a console."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from nanwiz.kb.load import load_knowledge
from nanwiz.kb.model import KnowledgeBase


def knowledge(args) -> KnowledgeBase:
    return load_knowledge([Path(d) for d in getattr(args, "knowledge", []) or []])


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)

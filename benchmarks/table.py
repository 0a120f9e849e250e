"""What the benchmarks print at the end: a Markdown table for the README, or the summary line."""

from __future__ import annotations

from collections.abc import Sequence


def print_markdown(headers: Sequence[str], rows: Sequence[Sequence[object]], summary: str,
                   align: Sequence[str] | None = None) -> None:
    """A Markdown table (`align`: one of "l" / "r" per column, left by default) and the summary in bold."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---:" if a == "r" else "---" for a in (align or "l" * len(headers))) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print(f"\n**{summary}**")

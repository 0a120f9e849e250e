"""Several ranks' results into one diagnosis: which rank produced the first non-finite value.

Each rank of a job started through torch.distributed.run is watched in its own process and
writes its probes' events to `rank<N>.jsonl`. After an all-reduce every rank holds the NaN
gradients, so the ranks that only received them are told apart from the one that made them:
that rank's own replay of its step (on its own model, without the collective) reproduces the
failure, and it failed first. Its events become the diagnosis; the others are summarised.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def rank_file(folder: Path, rank: int) -> Path:
    return folder / f"rank{rank}.jsonl"


def launcher_command(program: dict[str, Any], nproc: int, events: Path, max_steps: int | None = None) -> list[str]:
    """torch.distributed.run (what `torchrun` is), one watched process per rank on this node."""
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(nproc), "--standalone",
               "-m", "nanwiz.attach", "--events", str(events)]
    if max_steps:
        command += ["--max-steps", str(max_steps)]
    command += ["-m", program["module"]] if program.get("module") else [program["script"]]
    return command + list(program.get("args") or [])


def read_rank(path: Path) -> list[dict[str, Any]]:
    events = []
    if not path.exists():
        return events
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def summary(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What one rank saw: its first failure, whether its own replay reproduced it, its bad samples."""
    facts = {e["id"]: e["value"] for e in events if e.get("event") == "fact" and e.get("probe") == "baseline"}
    details = {e["key"]: e["value"] for e in events if e.get("event") == "detail" and e.get("probe") == "baseline"}
    failure = details.get("failure") or {}
    error = (failure.get("error") or {}).get("message", "")
    out = {"failed": bool(failure), "step": failure.get("step"), "failure": failure.get("failure"),
           "reproduced": facts.get("replay.reproduced"), "error": error or None,
           "stopped_by": details.get("program_stopped_by"), "done": any(e.get("event") == "done" for e in events)}
    bisect = [e["value"] for e in events if e.get("event") == "detail" and e.get("probe") == "bisect"
              and e.get("key") == "bisection"]
    if bisect:
        out["bad_samples"] = (bisect[-1].get("failing_batch") or {}).get("bad") or bisect[-1].get("offending") or []
    return out


PEER_ERRORS = ("Connection closed by peer", "Connection reset by peer", "Gloo", "gloo", "ProcessGroup",
               "NCCL", "Broken pipe", "timed out", "Socket")


def peer_failure(message: str) -> bool:
    """Did a collective fail because another rank stopped (not this rank's own failure)?"""
    return any(marker in message for marker in PEER_ERRORS)


def producer(ranks: dict[int, dict[str, Any]]) -> int:
    """The rank that made the first non-finite value: the earliest failure that its own replay
    reproduced and that is not a collective broken by another rank's stop; else the earliest."""
    def key(item):
        rank, s = item
        own = not (s.get("failure") == "error" and peer_failure(s.get("error") or ""))
        return (not s["failed"], not own, s["step"] if s["step"] is not None else 1 << 30,
                s.get("reproduced") is not True, rank)

    return min(ranks.items(), key=key)[0] if ranks else 0


def merge(folder: Path, size: int) -> tuple[int, list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """(the producing rank, its events, every rank's summary)."""
    events = {rank: read_rank(rank_file(folder, rank)) for rank in range(size)}
    ranks = {rank: summary(ev) for rank, ev in events.items() if ev}
    chosen = producer(ranks)
    return chosen, events.get(chosen, []), ranks

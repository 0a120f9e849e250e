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


def stack_file(folder: Path, rank: int) -> Path:
    return folder / f"rank{rank}.stack"


COLLECTIVE_FRAMES = ("/torch/distributed/", "/torch/nn/parallel/distributed.py", "/torch/autograd/")
"""Frames of a rank that waits in a collective (DDP's all-reduce runs in the backward pass)."""


def read_stacks(folder: Path, size: int, wait: float = 2.0) -> dict[int, list[tuple[str, int, str]]]:
    """Each rank's Python stack, innermost first, as (file, line, function): SIGUSR1 makes a watched rank
    dump it (nanwiz.attach registers faulthandler)."""
    import os
    import re
    import signal
    import time

    for rank in range(size):
        try:
            os.kill(int((folder / f"rank{rank}.pid").read_text()), signal.SIGUSR1)
        except (OSError, ValueError):
            continue
    time.sleep(wait)
    frame = re.compile(r'File "(.+)", line (\d+) in (\S+)')
    stacks = {}
    for rank in range(size):
        path = stack_file(folder, rank)
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        stacks[rank] = [(m.group(1), int(m.group(2)), m.group(3)) for m in frame.finditer(text)]
    return stacks


def hang_report(stacks: dict[int, list[tuple[str, int, str]]]) -> str:
    """Where each rank was when the job passed its deadline: in a collective (waiting for another
    rank), or in its own code (the one the others wait for)."""
    import linecache

    from nanwiz.harness.attach.tape import is_library_file

    lines = []
    for rank, frames in sorted(stacks.items()):
        if not frames:
            lines.append(f"rank {rank}: no stack (it had ended, or did not answer)")
            continue
        user = next(((f, n, fn) for f, n, fn in frames if not is_library_file(f) and "/runpy.py" not in f
                     and "/nanwiz/" not in f), None)
        waiting = any(any(part in f for part in COLLECTIVE_FRAMES) for f, _, _ in frames)
        where = f"{Path(user[0]).name}:{user[1]} `{linecache.getline(user[0], user[1]).strip()}`" if user else "?"
        state = "waiting in a collective (for the other ranks)" if waiting else "in its own code, not in a collective"
        lines.append(f"rank {rank}: {state}, at {where}")
    return "\n".join(lines)


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
    crashed = [e for e in events if e.get("event") == "error" and e.get("kind") == "script"
               and e.get("probe") in (None, "baseline")]
    if crashed:  # the program itself failed on this rank (raised, exited), not with a NaN/Inf
        out["crashed"] = crashed[-1].get("message") or "the program failed"
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


def own_failure(s: dict[str, Any]) -> bool:
    """A rank's first failure that is its own (a NaN/Inf, or an error not caused by a peer's stop)."""
    return bool(s.get("failed")) and not (s.get("failure") == "error" and peer_failure(s.get("error") or ""))


def crashed_rank(ranks: dict[int, dict[str, Any]]) -> int | None:
    """The rank whose program crashed (raised or exited) when no rank failed with a NaN/Inf of its own:
    the others only stopped because it did."""
    if any(own_failure(s) for s in ranks.values()):
        return None
    return next((rank for rank, s in sorted(ranks.items()) if s.get("crashed")), None)


def producer(ranks: dict[int, dict[str, Any]]) -> int:
    """The rank that made the first non-finite value: the earliest failure that its own replay
    reproduced and that is not a collective broken by another rank's stop; else the earliest."""
    def key(item):
        rank, s = item
        return (not s["failed"], not own_failure(s), s["step"] if s["step"] is not None else 1 << 30,
                s.get("reproduced") is not True, rank)

    return min(ranks.items(), key=key)[0] if ranks else 0


def merge(folder: Path, size: int) -> tuple[int, list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """(the producing rank, its events, every rank's summary)."""
    events = {rank: read_rank(rank_file(folder, rank)) for rank in range(size)}
    ranks = {rank: summary(ev) for rank, ev in events.items() if ev}
    chosen = producer(ranks)
    return chosen, events.get(chosen, []), ranks

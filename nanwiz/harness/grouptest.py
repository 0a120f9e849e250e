"""Finding the bad samples by adaptive group testing instead of a linear batch-size-1 scan.

Seed 001 §3.1 finds dirty samples with batch_size=1, shuffle=False: N forward passes. Here a
group of samples is tested in one pass (a NaN in any sample makes the group's loss or
gradient non-finite), and only groups that fail are split in halves, so k bad samples among
N cost about 1 + 2k·log2(N/k) passes. Groups larger than `max_group` are tested in chunks (a
pass each) to bound memory. When most groups fail, a sample of singles decides whether the
failure is in every sample (then the model, not the data, is at fault) before enumerating.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class GroupTestResult:
    bad: list[int] = field(default_factory=list)
    passes: int = 0
    exhaustive: bool = True
    """False when the search stopped early (too many bad samples, or every sample fails)."""
    estimated_bad_fraction: float | None = None
    reasons: dict[int, str] = field(default_factory=dict)


def find_bad(indices: Sequence[int], test: Callable[[list[int]], str | None], *, max_group: int = 1024,
             max_bad: int = 32, max_passes: int = 2000, budget_s: float | None = None,
             seed: int = 0) -> GroupTestResult:
    """`test(group)` returns None when the group is fine, or a short reason when it fails.

    Stops early (exhaustive=False, with an estimate from random singles) after `max_bad` bad
    samples, `max_passes` passes or `budget_s` seconds."""
    result = GroupTestResult()
    began = time.monotonic()
    indices = list(indices)
    if not indices:
        return result

    def check(group: list[int]) -> str | None:
        result.passes += 1
        return test(group)

    chunks = [indices[i:i + max_group] for i in range(0, len(indices), max_group)]
    failing: list[tuple[list[int], str]] = []
    for chunk in chunks:
        reason = check(chunk)
        if reason is not None:
            failing.append((chunk, reason))
    if not failing:
        return result
    rng = random.Random(seed)

    def estimate(size: int) -> int:
        """Test `size` random single samples; record the bad ones; return how many were bad."""
        probe = [i for i in rng.sample(indices, min(size, len(indices))) if i not in result.reasons]
        hits = 0
        for i in probe:
            reason = check([i])
            if reason is not None:
                hits += 1
                result.bad.append(i)
                result.reasons[i] = reason
        result.estimated_bad_fraction = hits / max(len(probe), 1)
        return hits

    bad_share = sum(len(c) for c, _ in failing) / len(indices)
    if bad_share > 0.25 and len(indices) > 32:
        # many groups fail: bad samples are common (or every sample fails); an estimate says
        # more than enumerating them would
        if estimate(16) >= 4:
            result.exhaustive = False
            result.bad = sorted(set(result.bad))
            return result
        result.bad.clear()
        result.reasons.clear()
    stack = [(c, r) for c, r in reversed(failing)]
    while stack:
        group, reason = stack.pop()
        out_of_time = budget_s is not None and time.monotonic() - began > budget_s
        if len(result.bad) >= max_bad or result.passes >= max_passes or out_of_time:
            result.exhaustive = False
            break
        if len(group) == 1:
            result.bad.append(group[0])
            result.reasons[group[0]] = reason
            continue
        mid = len(group) // 2
        left, right = group[:mid], group[mid:]
        left_reason = check(left)
        if left_reason is None:
            # the group failed and its left half is clean: the right half must hold the culprit,
            # unless failure needs samples from both halves together (then test it to be sure)
            right_reason = check(right)
            if right_reason is not None:
                stack.append((right, right_reason))
            continue
        right_reason = check(right)
        if right_reason is not None:
            stack.append((right, right_reason))
        stack.append((left, left_reason))
    if result.exhaustive:
        result.estimated_bad_fraction = len(result.bad) / len(indices)
    else:  # stopped early: many bad samples; estimate how many from random singles
        found = set(result.bad)
        estimate(32)
        result.estimated_bad_fraction = max(result.estimated_bad_fraction or 0.0, len(found) / len(indices))
    result.bad = sorted(set(result.bad))
    return result

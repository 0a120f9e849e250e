"""Several ranks of one data-parallel job, each watched in its own process.

A rank that fails cannot simply stop: the others would wait forever in the next collective. So
the first rank to fail writes, in the job's own c10d store, the step at which every rank stops
(its failure step plus the steps it runs on, plus a margin); each rank reads that key at every
POLL_EVERY-th step boundary (when all collectives of the step are done: a read is a round trip to
the store, too dear for every step), the stop step is always placed after a boundary where every
rank reads, and each stops at that step boundary, before the next forward starts a collective. A rank whose program raised stops at
once; the others then see their collective fail and stop too, which the merge recognises as
a peer's failure, not their own.
"""

from __future__ import annotations

import os
from typing import Any

KEY = "nanwiz/stop_at"
POLL_EVERY = 4


def world() -> tuple[int, int]:
    """(rank, world size) from the launcher's environment (torchrun sets RANK and WORLD_SIZE)."""
    return int(os.environ.get("RANK", "0") or 0), int(os.environ.get("WORLD_SIZE", "1") or 1)


class Coordinator:
    """The stop step shared through the job's store (a no-op for a single process)."""

    def __init__(self) -> None:
        self.rank, self.size = world()
        self._store: Any = None

    @property
    def active(self) -> bool:
        return self.size > 1

    def store(self) -> Any:
        if self._store is None and self.active:
            try:
                import torch.distributed as dist
                from torch.distributed import distributed_c10d

                if dist.is_available() and dist.is_initialized():
                    self._store = distributed_c10d._get_default_store()
            except Exception:  # noqa: BLE001 - without a store each rank stops on its own
                self._store = None
        return self._store

    def publish(self, step: int) -> int:
        """Ask every rank to stop once it has finished `step - 1` (the earliest request wins); returns
        the step agreed."""
        store = self.store()
        if store is None:
            return step
        try:
            current = store.get(KEY).decode() if store.check([KEY]) else ""
            if current and int(current) <= step:
                return int(current)
            store.set(KEY, str(step))
        except Exception:  # noqa: BLE001
            pass
        return step

    def poll(self) -> int | None:
        store = self.store()
        if store is None:
            return None
        try:
            return int(store.get(KEY).decode()) if store.check([KEY]) else None
        except Exception:  # noqa: BLE001
            return None

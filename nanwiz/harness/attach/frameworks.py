"""What a training framework the program used did with the failure (read after the run).

The transformers Trainer, by default (`logging_nan_inf_filter=True`), leaves a non-finite loss out
of the loss it logs: a run can print a clean loss curve while its gradients are NaN. Lightning
wraps the step in closures, clips gradients itself and may run anomaly detection. nanwiz sees
through both (its hooks are PyTorch's); these notes say what the user's own logs showed.
"""

from __future__ import annotations

import gc
import math
import sys
from typing import Any


def _instances(cls: type) -> list[Any]:
    return [obj for obj in gc.get_objects() if isinstance(obj, cls)]


class Seen:
    """The frameworks' objects found while the program runs (at its first failure), read at the end:
    a Trainer's log history keeps growing after the failure, and is gone once the program ends."""

    def __init__(self) -> None:
        self.hf: tuple[str, Any, Any] | None = None
        self.lightning: dict[str, Any] | None = None

    def look(self) -> None:
        if self.hf is None:
            transformers = sys.modules.get("transformers")
            trainer_cls = getattr(transformers, "Trainer", None) if transformers is not None else None
            if isinstance(trainer_cls, type):
                for trainer in _instances(trainer_cls)[:1]:
                    self.hf = (type(trainer).__name__, getattr(trainer, "args", None), getattr(trainer, "state", None))
        if self.lightning is None:
            for name in ("lightning.pytorch", "pytorch_lightning"):
                module = sys.modules.get(name)
                trainer_cls = getattr(module, "Trainer", None) if module is not None else None
                if isinstance(trainer_cls, type):
                    for trainer in _instances(trainer_cls)[:1]:
                        self.lightning = {"gradient_clip_val": getattr(trainer, "gradient_clip_val", None)}
                    break

    def report(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.hf is not None:
            name, args, state = self.hf
            history = getattr(state, "log_history", None) or []
            logged = [h["loss"] for h in history if isinstance(h, dict) and isinstance(h.get("loss"), (int, float))]
            out["transformers"] = {
                "trainer": name,
                "logging_nan_inf_filter": bool(getattr(args, "logging_nan_inf_filter", False)),
                "max_grad_norm": getattr(args, "max_grad_norm", None),
                "logged_losses": logged[-20:],
                "logged_losses_finite": all(math.isfinite(x) for x in logged),
            }
        if self.lightning is not None:
            out["lightning"] = dict(self.lightning)
        return out

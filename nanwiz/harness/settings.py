"""The NANWIZ settings dict of a target script, validated (unknown keys and bad values are
errors that name the key). Torch-free, so the parent process can validate overrides too."""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from nanwiz.errors import ScriptError


class RunSettings(BaseModel):
    """The run's settings (contract.md, 'NANWIZ settings'); defaults match the contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lr: float = Field(default=1e-3, gt=0)
    batch_size: StrictInt = Field(default=32, ge=1)
    steps: StrictInt = Field(default=200, ge=1)
    amp: Literal["fp16", "bf16"] | None = None
    grad_clip: float | None = Field(default=None, gt=0)
    seed: StrictInt = 0
    shuffle: StrictBool = True
    device: Literal["auto", "cpu", "cuda"] = "auto"


KNOWN_KEYS = tuple(RunSettings.model_fields)
SYNONYMS = {
    "learning_rate": "lr", "learningrate": "lr", "lr_rate": "lr", "bs": "batch_size", "batchsize": "batch_size",
    "num_steps": "steps", "max_steps": "steps", "iterations": "steps", "iters": "steps", "epochs": "steps",
    "precision": "amp", "mixed_precision": "amp", "dtype": "amp", "autocast": "amp", "fp16": "amp",
    "clip": "grad_clip", "clip_grad": "grad_clip", "max_grad_norm": "grad_clip", "clip_grad_norm": "grad_clip",
    "random_seed": "seed", "manual_seed": "seed", "shuffle_data": "shuffle",
}


def _describe(field: str) -> str:
    return {
        "lr": "a number > 0",
        "batch_size": "an integer >= 1",
        "steps": "an integer >= 1",
        "amp": 'None, "fp16" or "bf16"',
        "grad_clip": "a number > 0 or None",
        "seed": "an integer",
        "shuffle": "True or False",
        "device": '"auto", "cpu" or "cuda"',
    }.get(field, "a valid value")


def parse_settings(raw: Any, where: str = "NANWIZ", overrides: dict[str, Any] | None = None) -> RunSettings:
    """Validate a NANWIZ dict (plus command-line overrides) with messages that name the key."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ScriptError(f"{where} must be a dict of settings, got {type(raw).__name__}")
    problems = []
    for key in raw:
        if key not in KNOWN_KEYS:
            close = [SYNONYMS[str(key).lower()]] if str(key).lower() in SYNONYMS else \
                difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.append(f"{where} has an unknown key {key!r} (known keys: {', '.join(KNOWN_KEYS)}).{hint}")
    if problems:
        raise ScriptError("\n".join(problems))
    merged = {**raw, **(overrides or {})}
    try:
        return RunSettings.model_validate(merged)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else "?"
            lines.append(f"{where}[{key!r}] must be {_describe(key)}, got {err.get('input')!r}")
        raise ScriptError("\n".join(lines)) from None

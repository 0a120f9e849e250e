"""The controlled variations a run of the user's training can be put under.

Shared vocabulary between the knowledge base (an intervention names a variation to try as a
fix) and the run harness (which applies it). Pure pydantic: importing it loads no torch.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Variation(BaseModel):
    """Overrides applied to the user's settings for one run. Unset fields keep the user's value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lr_scale: float | None = Field(default=None, gt=0)
    """Multiply the learning rate by this factor (0.1 = ten times lower)."""
    freeze_weights: bool = False
    """Never apply the optimizer step: the learning-rate-0 experiment, immune to optimizers that ignore lr."""
    grad_clip: float | None = Field(default=None, gt=0)
    """Clip the global gradient norm to this value (after unscaling under fp16)."""
    amp: Literal["none", "fp16", "bf16"] | None = None
    """Autocast precision for forward and loss; 'none' is plain fp32."""
    optimizer_eps: float | None = Field(default=None, gt=0)
    """Set `eps` of every optimizer parameter group that has one."""
    exclude_bad_samples: bool = False
    """Leave out the sample indices that bisection found (filled in from the session)."""
    bounded_activations: bool = False
    """Replace ReLU-family activations by bounded ones (ReLU6, clamped outputs)."""
    dominant_term_scale: float | None = Field(default=None, gt=0)
    """Multiply the loss term that dominated before the failure by this factor."""
    default_init: bool = False
    """Re-initialize every layer with PyTorch's own initialization (its reset_parameters) before the
    first step: the user's initialization taken out, everything else kept."""
    standardize_inputs: bool = False
    """Shift and scale each floating-point input of the model to zero mean and unit std per feature,
    with the first batch's statistics: the inputs' scale taken out, everything else kept."""
    batch_size: int | None = Field(default=None, ge=1)
    shuffle: bool | None = None
    steps: int | None = Field(default=None, ge=1)

    def key(self) -> str:
        """A stable text key, so identical variations share one cached result."""
        return self.model_dump_json(exclude_defaults=True)

"""Static scan of the script's source for numerically fragile code (the script never runs).

Reads the file with `ast` only: torch is never imported. Every fact is a bool; the lines behind
the True ones go to the detail "findings". The scan lives in this package's modules:
`vocabulary` (the ops it knows), `dataflow` (what a name holds), `rules` (the patterns) and
`files` (the script and its local modules).
"""

from __future__ import annotations

from nanwiz.harness.protocol import ProbeContext
from .files import scan, scan_with_locals

NAME = "source"
FACTS = (
    "source.log_unguarded", "source.log_of_softmax", "source.sqrt_unguarded", "source.div_unguarded",
    "source.exp_unguarded", "source.manual_softmax", "source.masked_fill_inf", "source.torch_empty_param",
    "source.tiny_optimizer_eps", "source.loop_without_zero_grad", "source.unscaled_attention",
    "source.large_loss_weight", "source.half_model", "source.unseeded_randomness", "source.clip_before_unscale",
    "source.manual_loss_scale", "source.accumulation_undivided", "source.ctc_loss",
)

__all__ = ["FACTS", "NAME", "run", "scan", "scan_with_locals"]


def run(ctx: ProbeContext) -> None:
    ctx.progress(0.0, "reading the source", force=True)
    findings, errors = scan_with_locals(ctx.script)
    found = {f["fact"] for f in findings}
    for fact in FACTS:
        ctx.fact(fact, fact in found)
    ctx.detail("findings", findings)
    if errors:
        ctx.detail("scan_errors", errors)
    ctx.progress(1.0, "done", force=True)

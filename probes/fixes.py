"""Re-runs the training with fixes applied as settings, to verify them.

The session passes the interventions to try (from the fixes of the top-ranked causes in the
knowledge base), with what they need (offending sample indices, the dominant loss term).
Each is run for every step; the fact records whether the run then stays finite. A fix that
cannot be applied to this model records no fact: a run without it would say nothing about it."""

from __future__ import annotations

from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.run import first_failure
from nanwiz.harness.summary import trace
from nanwiz.variation import Variation

NAME = "fixes"
FACTS = ("fix.lower_lr.clean", "fix.lower_lr_100.clean", "amp.fp32_clean", "amp.bf16_clean", "fix.grad_clip.clean",
         "fix.larger_eps.clean", "fix.exclude_samples.clean", "fix.bounded_activations.clean",
         "fix.downweight_term.clean", "fix.default_init.clean", "fix.standardize_inputs.clean")


def run(ctx: ProbeContext) -> None:
    todo = ctx.params.get("interventions", [])
    bad_samples = tuple(int(i) for i in ctx.params.get("bad_samples", []))
    dominant = ctx.params.get("dominant_term")
    results = {}
    traces = {}  # by intervention id
    for index, item in enumerate(todo):
        variation = Variation.model_validate(item["variation"])
        training = ctx.training(variation, exclude=bad_samples, dominant_term=dominant)
        unsupported = getattr(training, "unsupported", None)
        if getattr(training, "bounded", None) == 0:  # F.relu in forward: cannot be applied from outside
            unsupported = "no activation module to bound (activations are called as functions)"
        if getattr(training, "reset", None) == 0:
            unsupported = "no layer of the model has a default initialization (reset_parameters) to go back to"
        if unsupported:  # a fix that cannot be applied tells nothing: no fact
            results[item["id"]] = {"clean": None, "steps_run": 0, "failure": None, "skipped": unsupported}
            continue
        records = training.run(progress=ctx.stage(index, max(len(todo), 1), item.get("title", item["id"])),
                               steps=ctx.params.get("max_steps"))
        failure = first_failure(records)
        skipped = _not_applied(variation, getattr(training, "info", None) or {})
        if skipped:  # the run went ahead without the fix: it tells nothing either
            results[item["id"]] = {"clean": None, "steps_run": len(records), "failure": None, "skipped": skipped}
            continue
        ctx.fact(item["fact"], failure is None)
        results[item["id"]] = {"clean": failure is None, "steps_run": len(records),
                               "failure": failure.to_dict() if failure else None}
        traces[item["id"]] = trace(records)
    ctx.detail("results", results)
    ctx.detail("traces", traces)
    ctx.progress(1.0, "done", force=True)


def _not_applied(variation: Variation, info: dict) -> str | None:
    """Why a program nanwiz re-ran (`nanwiz run`) went ahead without the fix, if it did."""
    if variation.exclude_bad_samples and info.get("excluded") == 0:
        # the program's data never came through a sampler the samples could be left out of
        return ("the offending samples could not be left out from outside: the program does not read "
                "them through a DataLoader's sampler")
    if variation.dominant_term_scale and (info.get("counts") or {}).get("reweighted") == 0:
        return "the loss term to re-weight was not found when the program re-ran"
    if variation.default_init and (info.get("counts") or {}).get("reset_layers") == 0:
        return "no layer of the program's models has a default initialization (reset_parameters) to go back to"
    if variation.standardize_inputs and (info.get("counts") or {}).get("standardized_inputs") == 0:
        return "the model takes no floating-point input to standardize (token ids, or inputs it builds itself)"
    return None

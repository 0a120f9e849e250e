"""fp32 against fp16 (with a GradScaler) and bf16 autocast, when the training uses half precision.

The fp32 run is watched op by op for values fp16 cannot represent: magnitudes above 65504
(overflow) and nonzero magnitudes below ~6e-8 fed to log, division or reciprocal (fp16
rounds them to 0). A failing fp16 run is replayed to name the op that failed first."""

from __future__ import annotations

import torch

from nanwiz.harness.protocol import ProbeContext
from nanwiz.harness.local import step_fails
from nanwiz.harness.replay import localize, localize_step
from nanwiz.harness.run import first_failure
from nanwiz.harness.summary import trace
from nanwiz.harness.watch import RangeWatcher
from nanwiz.variation import Variation

NAME = "amp"
FACTS = ("amp.fp32_clean", "amp.fp16_clean", "amp.bf16_clean", "amp.fp32_exceeds_fp16", "amp.fp32_underflows_fp16",
         "amp.fp16_op")
FP16_MAX = 65504.0
FP16_SMALLEST = 6e-8


def _unsupported(failure, fp32_failure, ctx: ProbeContext, precision: str) -> bool:
    """An exception only under autocast (e.g. oneDNN refuses nn.LSTM in fp16 on some CPUs) says
    nothing about NaN: report it as a detail, not as a failing precision."""
    if failure is None or failure.failure != "error":
        return False
    if fp32_failure is not None and fp32_failure.failure == "error":
        return False  # the same kind of error in fp32: it is the training's own failure
    ctx.detail(f"{precision}_unsupported", (failure.error or {}).get("message", "error"))
    return True


def run_local(ctx: ProbeContext, program, amp: str | None) -> None:
    """On the failing step itself: replay it in fp32 (watching for values fp16 cannot hold), and, when
    the training uses half precision, in bf16 and fp16 (naming the op that fails first in fp16)."""
    watcher = RangeWatcher()
    with watcher:
        reason32 = step_fails(program, precision="fp32")
    ctx.fact("amp.fp32_clean", reason32 is None)
    max_abs, min_small = watcher.result()
    ctx.fact("amp.fp32_exceeds_fp16", max_abs > FP16_MAX)
    ctx.fact("amp.fp32_underflows_fp16", min_small < FP16_SMALLEST)
    ctx.detail("fp32_range", {"max_abs": max_abs, "min_nonzero_into_log_or_div": min_small})
    detail = {"step": program.step, "fp32": reason32}
    if amp is None:
        ctx.detail("local", {**detail, "half_precision_runs": "skipped: the training runs in fp32"})
        return
    for precision in ("bf16", "fp16"):
        ctx.progress(0.4 if precision == "bf16" else 0.7, f"step {program.step} in {precision}", force=True)
        reason = step_fails(program, precision=precision)
        detail[precision] = reason
        if reason is not None and reason32 is None and not reason.startswith("non-finite"):
            ctx.detail(f"{precision}_unsupported", reason)  # an error only autocast raises says nothing of NaN
            continue
        ctx.fact(f"amp.{precision}_clean", reason is None)
    if detail.get("fp16") and detail["fp16"].startswith("non-finite"):
        loc = localize_step(program, precision="fp16")
        detail["first_nonfinite"] = loc
        if loc.get("op"):
            ctx.fact("amp.fp16_op", loc["op"])
    ctx.detail("local", detail)


def run(ctx: ProbeContext) -> None:
    captured = ctx.captured()
    program = captured.failing_step() if captured is not None else None
    if captured is not None and program is None and captured.step_program(0) is None:
        ctx.detail("note", "the run stayed finite: no failing step to replay in other precisions")
        ctx.progress(1.0, "done", force=True)
        return
    if program is not None and program.failure != "param":
        amp = captured.config()["amp"]
        half = any(p.dtype == torch.float16 for m in captured.models for p in m.parameters())
        run_local(ctx, program, None if amp == "none" and not half else amp)
        ctx.progress(1.0, "done", force=True)
        return
    fp32 = ctx.training(Variation(amp="none"))
    watch_every = max(1, (fp32.steps or 500) // 50)  # an attached program's length is not known
    records = fp32.run(stats_every=watch_every, watch=RangeWatcher, progress=ctx.stage(0, 3, "fp32"))
    failure = first_failure(records)
    ctx.fact("amp.fp32_clean", failure is None)
    watched = [r.watched for r in records if isinstance(r.watched, tuple) and not r.failed]
    if watched:
        max_abs = max(w[0] for w in watched)
        min_small = min(w[1] for w in watched)
        ctx.fact("amp.fp32_exceeds_fp16", max_abs > FP16_MAX)
        ctx.fact("amp.fp32_underflows_fp16", min_small < FP16_SMALLEST)
        ctx.detail("fp32_range", {"max_abs": max_abs, "min_nonzero_into_log_or_div": min_small})
    ctx.detail("fp32", {"steps_run": len(records), "failure": failure.to_dict() if failure else None})
    models = captured.models if captured is not None else [fp32.model]
    half_params = any(p.dtype == torch.float16 for m in models for p in m.parameters())
    amp = captured.config()["amp"] if captured is not None else ctx.target().settings.amp or "none"
    if amp == "none" and not half_params:
        # The training is fp32: fp16 causes do not apply, and on a CPU half-precision runs take
        # 25-60x longer. The range check above still says whether fp16 would hold the values.
        ctx.detail("half_precision_runs", "skipped: the training runs in fp32")
        ctx.progress(1.0, "done (fp32 training: fp16/bf16 runs skipped)", force=True)
        return

    traces = {"fp32": trace(records)}  # a variation only when the training uses half precision
    fp16 = ctx.training(Variation(amp="fp16"))
    records16 = fp16.run(progress=ctx.stage(1, 3, "fp16 + GradScaler"))
    failure16 = first_failure(records16)
    if not _unsupported(failure16, failure, ctx, "fp16"):
        ctx.fact("amp.fp16_clean", failure16 is None)
    skips = sum(1 for r in records16 if r.skipped)
    detail = {"steps_run": len(records16), "scaler_skips": skips,
              "failure": failure16.to_dict() if failure16 else None}
    if failure16 is not None and failure16.failure != "error":
        loc = localize(fp16)
        detail["first_nonfinite"] = loc
        if loc.get("op"):
            ctx.fact("amp.fp16_op", loc["op"])
    ctx.detail("fp16", detail)
    traces["fp16"] = trace(records16)

    bf16 = ctx.training(Variation(amp="bf16"))
    records_bf = bf16.run(progress=ctx.stage(2, 3, "bf16"))
    failure_bf = first_failure(records_bf)
    if not _unsupported(failure_bf, failure, ctx, "bf16"):
        ctx.fact("amp.bf16_clean", failure_bf is None)
    ctx.detail("bf16", {"steps_run": len(records_bf), "failure": failure_bf.to_dict() if failure_bf else None})
    traces["bf16"] = trace(records_bf)
    ctx.detail("traces", traces)
    ctx.progress(1.0, "done", force=True)

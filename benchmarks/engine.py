"""How long the engine takes: ranking, and choosing the next action by value of information,
over the whole shipped knowledge base, with no evidence, with an interview's answers, and with
a full probe session's facts.

    python benchmarks/engine.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

from nanwiz.engine import next_actions, rank
from nanwiz.kb.load import load_knowledge

ANSWERS = {"config.amp": "fp16", "user.when": "later", "user.loss_before": "falling_then_nan",
           "user.custom_math": "log"}
PROBED = {
    "baseline.nonfinite": True, "baseline.error": "none", "baseline.first_step": 37, "baseline.recurrence": 0.1,
    "baseline.loss_trend": "falling", "baseline.loss_runaway": "none", "baseline.grad_norm_growth": 3.0,
    "replay.reproduced": True, "first_nonfinite.phase": "loss", "first_nonfinite.kind": "neginf",
    "first_nonfinite.op": "log", "first_nonfinite.module_type": "none", "first_nonfinite.operand_zero": True,
    "lr_zero.nonfinite": False, "fix.lower_lr.clean": False, "lr_sweep.effect": "delayed",
    "data.nonfinite_samples": 0, "data.label_out_of_range": 0, "data.missing_values": 0, "data.input_scale": 1.0,
    "bisect.bad_samples": 0, "amp.fp32_clean": True, "amp.fp16_clean": False, "amp.bf16_clean": True,
    "config.amp": "fp16", "model.has_batchnorm": False, "repeat.consistent": True, "source.log_unguarded": True,
}


def timed(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    began = time.perf_counter()
    kb = load_knowledge()
    loaded = (time.perf_counter() - began) * 1000
    print(f"Knowledge base: {len(kb.causes)} causes, {len(kb.facts)} facts, {len(kb.questions)} questions, "
          f"{len(kb.rules)} rules, {len(kb.probes)} probes (loaded and checked in {loaded:.0f} ms)")
    print(f"{'evidence':28} {'rank':>9} {'next action':>13}  (median of {args.repeat})")
    for name, facts in (("none", {}), ("4 interview answers", ANSWERS), (f"{len(PROBED)} probe facts", PROBED)):
        r = timed(lambda: rank(kb, facts), args.repeat)
        a = timed(lambda: next_actions(kb, facts), max(5, args.repeat // 5))
        print(f"{name:28} {r:7.2f} ms {a:10.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

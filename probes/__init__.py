"""The probes: experiments on the user's training that turn measurements into facts.

One module per probe, each with NAME, FACTS (exactly the facts the knowledge base says it
measures) and run(ctx). The registry is explicit: adding a probe is adding a line here and
declaring it in knowledge/probes.yaml.
"""

from nanwiz.probes import (
    amp,
    baseline,
    batchnorm,
    bisect,
    fixes,
    inspect,
    lr_sweep,
    lr_zero,
    repeat,
    source,
)

PROBES = {
    module.NAME: module
    for module in (source, inspect, baseline, lr_zero, lr_sweep, bisect, amp, batchnorm, repeat, fixes)
}

__all__ = ["PROBES"]

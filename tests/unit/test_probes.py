"""Every probe on small scripts, run in-process with a recording context (fast), and the
contract between probes and the knowledge base: each probe produces exactly its facts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nanwiz.harness.protocol import ProbeContext
from nanwiz.probes import PROBES

SCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "scripts"


def run_probe(name: str, script: str, params: dict | None = None) -> tuple[dict, dict]:
    return run_probe_at(SCRIPTS / script, name, params)


def run_probe_at(script: Path, name: str, params: dict | None = None) -> tuple[dict, dict]:
    details: dict = {}

    def emit(event: dict) -> None:
        if event["event"] == "detail":
            details[event["key"]] = event["value"]

    probe = PROBES[name]
    ctx = ProbeContext(name, script, probe.FACTS, emit, params=params)
    probe.run(ctx)
    return ctx.facts, details


def test_probes_declare_exactly_the_facts_the_knowledge_base_gives_them(kb):
    assert set(PROBES) == set(kb.probes)
    for name, probe in PROBES.items():
        assert set(probe.FACTS) == set(kb.facts_by_probe[name]), name


def test_source_reads_without_running():
    facts, details = run_probe("source", "sqrt_grad.py")
    assert facts["source.sqrt_unguarded"] is True
    assert facts["source.log_unguarded"] is False
    assert any(f["fact"] == "source.sqrt_unguarded" for f in details["findings"])


def test_inspect_describes_model_optimizer_and_init():
    facts, details = run_probe("inspect", "sgd_diverge.py")
    assert facts["optimizer.kind"] == "sgd" and facts["config.lr"] == 0.5
    assert facts["model.depth"] == 2 and facts["model.recurrent"] is False
    assert facts["model.unbounded_activation"] is True and facts["model.has_norm"] is False
    assert 0.3 < facts["init.weight_scale"] < 1.0
    assert facts["loss.terms"] == 1 and facts["init.loss_nonfinite"] is False
    assert details["model"]["parameters"] == 5 * 16 + 16 + 16 + 1


def test_baseline_localizes_dirty_input():
    facts, details = run_probe("baseline", "dirty_mlp.py")
    assert facts["baseline.nonfinite"] is True
    assert facts["first_nonfinite.phase"] == "input"
    loc = details["first_nonfinite"]
    assert set(loc["bad_in_batch"]) <= {7, 41} and loc["bad_in_batch"]
    assert facts["baseline.recurrence"] < 0.5  # only the batches holding 7 or 41 fail


def test_baseline_names_the_producer_in_backward():
    facts, details = run_probe("baseline", "sqrt_grad.py")
    assert facts["first_nonfinite.phase"] == "backward"
    assert facts["first_nonfinite.op"] == "SqrtBackward0"
    assert facts["first_nonfinite.operand_zero"] is True
    source = details["first_nonfinite"]["root"]["source"]
    assert source["file"] == "sqrt_grad.py" and "torch.sqrt" in source["code"]


def test_baseline_sees_divergence():
    facts, details = run_probe("baseline", "sgd_diverge.py")
    assert facts["baseline.loss_runaway"] == "up"
    assert facts["baseline.grad_norm_growth"] > 1000
    trace = details["trace"]  # the curves: every step up to the failure, activations per module on stats steps
    assert [p["step"] for p in trace] == list(range(len(trace))) and trace[-1]["failed"] is True
    stats = [p for p in trace if "act" in p]
    assert stats and set(stats[0]["act"]) == {"0 (Linear)", "1 (ReLU)", "2 (Linear)"}
    assert all(p["act_absmax"] == max(p["act"].values()) for p in stats)


def test_baseline_sends_its_steps_while_it_runs(monkeypatch):
    import nanwiz.harness.protocol as protocol

    monkeypatch.setattr(protocol, "SERIES_EVERY", 0.0)
    events: list[dict] = []
    probe = PROBES["baseline"]
    ctx = ProbeContext("baseline", SCRIPTS / "healthy.py", probe.FACTS, events.append)
    probe.run(ctx)
    batches = [e["points"] for e in events if e["event"] == "series"]
    steps = [p["step"] for batch in batches for p in batch]
    assert len(batches) > 1 and steps == list(range(10))  # each step once, in order
    trace = next(e["value"] for e in events if e["event"] == "detail" and e["key"] == "trace")
    assert [p["loss"] for batch in batches for p in batch] == [p["loss"] for p in trace]


def test_the_trace_keeps_statistics_steps_and_the_failure_when_thinned():
    from nanwiz.harness.run import StepRecord
    from nanwiz.harness.summary import trace

    records = [StepRecord(step=t, indices=[], loss=1.0, act_modules={"fc (Linear)": float(t)} if t % 7 == 0 else {})
               for t in range(1000)]
    records[-1].failed, records[-1].failure = True, "loss"
    thinned = trace(records, limit=100)
    kept = {p["step"] for p in thinned}
    assert len(thinned) < 260 and 999 in kept and thinned[-1]["failure"] == "loss"
    assert all(t in kept for t in range(0, 1000, 7)) and all(t in kept for t in range(0, 1000, 10))


def test_baseline_on_a_healthy_script_with_loss_terms():
    facts, details = run_probe("baseline", "healthy.py")
    assert facts["baseline.nonfinite"] is False and facts["baseline.error"] == "none"
    assert "first_nonfinite.phase" not in facts
    assert len(details["trace"]) == 10 and "terms" in details["trace"][0]


def test_lr_zero_separates_data_from_optimization():
    assert run_probe("lr_zero", "dirty_mlp.py")[0]["lr_zero.nonfinite"] is True
    facts, details = run_probe("lr_zero", "sgd_diverge.py")
    assert facts["lr_zero.nonfinite"] is False
    assert len(details["traces"]["lr 0"]) == 60  # its curves, to set beside the baseline's


def test_lr_sweep_removes_divergence():
    facts, details = run_probe("lr_sweep", "sgd_diverge.py")
    assert facts["fix.lower_lr.clean"] is True and facts["lr_sweep.effect"] == "removed"
    assert list(details["traces"]) == ["lr x0.1"]  # the x1 run is the baseline's: not repeated
    assert not any(p.get("failed") for p in details["traces"]["lr x0.1"])


def test_bisect_finds_the_bad_samples():
    facts, details = run_probe("bisect", "dirty_mlp.py")
    assert facts["data.nonfinite_samples"] == 2 and facts["data.nonfinite_where"] == "input"
    assert facts["bisect.bad_samples"] == 2
    bisection = details["bisection"]
    assert bisection["bad"] == [7, 41] and bisection["offending"] == [7, 41]
    assert bisection["passes"] < bisection["linear_scan_passes"]
    assert details["scan"]["affected_positions"]["0"] == [0, 2]


def test_amp_compares_precisions():
    facts, details = run_probe("amp", "fp16_log.py")
    assert facts["amp.fp32_clean"] is True and facts["amp.fp16_clean"] is False
    assert facts["amp.fp32_underflows_fp16"] is True
    assert facts["amp.fp16_op"] == "log"
    assert set(details["traces"]) == {"fp32", "fp16", "bf16"}
    assert any(p.get("failed") for p in details["traces"]["fp16"])


def test_batchnorm_eval_against_train():
    facts, details = run_probe("batchnorm", "bn_eval.py")
    assert facts["bn.present"] is True and facts["bn.train_nonfinite"] is False
    assert facts["bn.eval_nonfinite"] is True and facts["bn.running_var_min"] == 0.0
    assert facts["bn.eval_batch_stats_clean"] is True
    assert facts["bn.bs1_fails"] is True


def test_repeat_is_consistent_with_a_seed():
    assert run_probe("repeat", "dirty_mlp.py")[0]["repeat.consistent"] is True


def test_fixes_verify_a_setting():
    params = {"interventions": [
        {"id": "lower_lr", "title": "lr x0.1", "fact": "fix.lower_lr.clean", "variation": {"lr_scale": 0.1}},
        {"id": "exclude_bad_samples", "title": "exclude", "fact": "fix.exclude_samples.clean",
         "variation": {"exclude_bad_samples": True}}],
        "bad_samples": [7, 41]}
    facts, details = run_probe("fixes", "dirty_mlp.py", params)
    assert facts == {"fix.lower_lr.clean": False, "fix.exclude_samples.clean": True}
    assert details["results"]["lower_lr"]["failure"]["step"] >= 0
    assert set(details["traces"]) == {"lower_lr", "exclude_bad_samples"}  # by intervention id


def test_a_probe_cannot_report_an_undeclared_fact():
    ctx = ProbeContext("lr_zero", SCRIPTS / "healthy.py", ("lr_zero.nonfinite",), lambda e: None)
    with pytest.raises(RuntimeError, match="does not declare"):
        ctx.fact("baseline.nonfinite", True)


def test_a_learning_rate_schedule_is_followed_and_replayed():
    """build_scheduler (an extension of the contract): the warm-up delays the failure, the
    replay restores the schedule with the weights, and lr x0.1 scales the schedule too."""
    facts, details = run_probe("baseline", "warmup_diverge.py")
    assert facts["baseline.nonfinite"] is True and facts["baseline.first_step"] >= 5
    assert facts["replay.reproduced"] is True
    assert run_probe("lr_sweep", "warmup_diverge.py")[0]["fix.lower_lr.clean"] is True


RECURRENT = '''
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(3, 8, batch_first=True, nonlinearity="{nonlinearity}")
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.rnn(x)[0][:, -1]))


def build_model():
    return Net()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 5, 3, generator=g)
    return torch.utils.data.TensorDataset(x, x.sum((1, 2)).unsqueeze(1))


def compute_loss(model, batch):
    x, y = batch
    return ((model(x) - y) ** 2).mean()


NANWIZ = {{"batch_size": 8, "steps": 2}}
'''


@pytest.mark.parametrize("nonlinearity, unbounded", [("relu", True), ("tanh", False)])
def test_inspect_sees_the_relu_inside_a_recurrent_layer(tmp_path, nonlinearity, unbounded):
    script = tmp_path / "train.py"
    script.write_text(RECURRENT.format(nonlinearity=nonlinearity), encoding="utf-8")
    probe = PROBES["inspect"]
    ctx = ProbeContext("inspect", script, probe.FACTS, lambda event: None)
    probe.run(ctx)
    assert ctx.facts["model.recurrent"] is True
    assert ctx.facts["model.unbounded_activation"] is unbounded


BOUNDED = {"id": "bounded_activations", "title": "bounded", "fact": "fix.bounded_activations.clean",
           "variation": {"bounded_activations": True}}


def test_bounding_reaches_activation_modules_and_the_relu_of_a_recurrent_layer():
    from torch import nn

    from nanwiz.harness.run import bound_activations

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.GELU()), nn.RNN(4, 4, nonlinearity="relu"))
    assert bound_activations(model) == 3
    assert model[3].mode == "RNN_TANH" and model[3].nonlinearity == "tanh"
    assert bound_activations(nn.Sequential(nn.Linear(3, 4), nn.Tanh())) == 0


def test_default_initialization_resets_the_layers_that_have_one_and_keeps_bare_parameters():
    import torch
    from torch import nn

    from nanwiz.harness.run import reset_to_default_init

    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.gain = nn.Parameter(torch.full((4,), 7.0))
            self.body = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.LayerNorm(64))

    model = Scaled()
    nn.init.normal_(model.body[0].weight, std=5.0)
    weight = model.body[0].weight
    assert reset_to_default_init(model) == 2  # the Linear and the LayerNorm
    assert model.body[0].weight is weight and float(weight.std()) < 0.2  # in place: optimizers keep it
    assert torch.equal(model.gain, torch.full((4,), 7.0))
    assert reset_to_default_init(nn.Sequential(nn.ReLU())) == 0


def test_standardizing_rescales_the_floating_point_inputs_with_the_first_batch_s_statistics():
    import torch
    from torch import nn

    from nanwiz.harness.run import InputStandardizer

    seen, seen_mask = [], []

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4)

        def forward(self, ids, features, scale=None, mask=None):
            seen.append((ids, features, scale))
            seen_mask.append(mask)
            return self.emb(ids).sum(1) + features[:, :4]

    model = Tagger()
    standardizer = InputStandardizer()
    standardizer.attach(model)
    standardizer.attach(model)  # once per model
    ids = torch.randint(0, 10, (16, 3))
    features = torch.stack([torch.arange(16.0) * 100, torch.full((16,), 5.0), torch.randn(16), torch.ones(16)], 1)
    mask = torch.ones(16, 3)
    model(ids, features, scale=torch.full((16, 2), 300.0), mask=mask)
    got_ids, got_features, got_scale = seen[-1]
    assert got_ids is ids  # token ids are left alone
    assert seen_mask[-1] is mask  # and so is a 0/1 mask
    assert torch.allclose(got_features.mean(0), torch.zeros(4), atol=1e-5)
    assert torch.allclose(got_features[:, 0].std(unbiased=False), torch.tensor(1.0))
    assert torch.equal(got_features[:, 1], torch.zeros(16))  # a constant column is centred, not divided by 0
    assert torch.equal(got_scale, torch.zeros(16, 2))  # keyword inputs too
    assert standardizer.changed == 2
    model(ids[:4], features[:4] + 1000.0)  # later batches keep the first batch's statistics
    first = features[:, 0]
    assert torch.allclose(seen[-1][1][:, 0], (first[:4] + 1000.0 - first.mean()) / first.std(unbiased=False))


def test_standardized_inputs_are_verified_on_a_contract_script_and_need_a_floating_point_input(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(RECURRENT.format(nonlinearity="tanh"), encoding="utf-8")
    standardize = {"id": "standardize_inputs", "title": "standardized", "fact": "fix.standardize_inputs.clean",
                   "variation": {"standardize_inputs": True}}
    facts, details = run_probe_at(script, "fixes", {"interventions": [standardize]})
    assert facts == {"fix.standardize_inputs.clean": True}
    assert details["results"]["standardize_inputs"]["steps_run"] == 2
    ids = RECURRENT.format(nonlinearity="tanh").replace(
        "self.rnn = nn.RNN(3, 8", "self.emb = nn.Embedding(4, 3)\n        self.rnn = nn.RNN(3, 8").replace(
        "self.rnn(x)", "self.rnn(self.emb(x))").replace(
        "x = torch.randn(32, 5, 3, generator=g)", "x = torch.randint(0, 4, (32, 5, 3), generator=g)[..., 0]").replace(
        "x.sum((1, 2)).unsqueeze(1)", "x.float().sum(1, keepdim=True)")
    script.write_text(ids, encoding="utf-8")
    facts, details = run_probe_at(script, "fixes", {"interventions": [standardize]})
    assert facts == {}
    assert "no floating-point input" in details["results"]["standardize_inputs"]["skipped"]


def test_a_fix_that_cannot_be_applied_reports_no_fact(tmp_path):
    """F.relu inside forward cannot be swapped from outside: a run 'with bounded activations'
    would be the plain run again, and its failure must not count against the fix."""
    script = tmp_path / "train.py"
    script.write_text(RECURRENT.format(nonlinearity="tanh").replace("torch.tanh(self.rnn", "torch.relu(self.rnn"),
                      encoding="utf-8")
    facts, details = run_probe_at(script, "fixes", {"interventions": [BOUNDED]})
    assert facts == {}
    assert "no activation module" in details["results"]["bounded_activations"]["skipped"]


def test_a_relu_recurrent_layer_is_bounded_by_tanh(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(RECURRENT.format(nonlinearity="relu"), encoding="utf-8")
    facts, details = run_probe_at(script, "fixes", {"interventions": [BOUNDED]})
    assert facts == {"fix.bounded_activations.clean": True}
    assert details["results"]["bounded_activations"]["steps_run"] == 2


def test_the_report_says_why_a_fix_was_not_tested(kb):
    from nanwiz.report.model import cause_detail
    from nanwiz.session import ProbeRecord, Session

    session = Session(script="train.py")
    session.record(ProbeRecord(probe="fixes", status="done", details={"results": {"bounded_activations": {
        "clean": None, "steps_run": 0, "failure": None, "skipped": "no activation module to bound"}}}))
    fixes = cause_detail(kb, session, "arch.unbounded_activation")["fixes"]
    bounded = next(f for f in fixes if f["verify"] == "bounded_activations")
    assert bounded["verified"] is None
    assert bounded["verification"] == "not tested: no activation module to bound"


# ----------------------------------------------------------------------------- what tells close causes apart
TRAIT_SCRIPT = '''
import torch
from torch import nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return self.lin(x)


def build_model():
    return Net()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, 4, generator=g)
    y = torch.arange(16) % 4
{dataset}
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    out = model(x)
{loss}


NANWIZ = {{"batch_size": 8, "steps": 2, "shuffle": False}}
'''

TRAITS = {
    "where-unselected-branch": ("", "    d = out.pow(2).sum(1) * (y != 0)\n"
                                    "    return torch.where(d > 0, torch.sqrt(d), torch.zeros_like(d)).mean()",
                                "SqrtBackward0", {"upstream_grad_zero": True, "masked_output": True}),
    "unmasked-sqrt": ("", "    return torch.sqrt(out.pow(2).sum(1) * (y != 0)).sum()",
                      "SqrtBackward0", {"upstream_grad_zero": False, "masked_output": False}),
    "sqrt-under-a-kink": ("", "    return torch.abs(torch.sqrt(out.pow(2).sum(1) * (y != 0))).mean()",
                          "SqrtBackward0", {"upstream_grad_zero": True, "masked_output": False}),
    "sqrt-squared-then-masked": ("", "    dist = torch.sqrt((out[:, None] - out[None]).pow(2).sum(-1))\n"
                                                 "    same = (y[:, None] == y[None]).float()\n"
                                                 "    return (same * dist.pow(2)).mean()",
                                 "SqrtBackward0", {"upstream_grad_zero": True, "masked_output": False}),
    "contrastive-distance-of-identical-pairs": ("", "    ea, eb = out, torch.cat([out[:4].flip(0), out[4:]])\n"
                                                    "    same = (torch.arange(len(y)) >= 4).float()\n"
                                                    "    dist = torch.sqrt(((ea - eb) ** 2).sum(dim=1))\n"
                                                    "    pos = same * dist.pow(2)\n"
                                                    "    neg = (1 - same) * F.relu(100.0 - dist).pow(2)\n"
                                                    "    return (pos + neg).mean()",
                                                "SqrtBackward0", {"upstream_grad_zero": True, "masked_output": False}),
    "sqrt-masked-twice": ("", "    d = out.pow(2).sum(1) * (y != 0)\n"
                              "    r = torch.sqrt(d)\n"
                              "    return (torch.where(d > 0, r, 0.0) + torch.where(d > 0, r * 2, 1.0)).mean()",
                          "SqrtBackward0", {"upstream_grad_zero": True, "masked_output": True}),
    "mask-multiplied-log": ("    x[:8] = 0", "    p = out.pow(2).sum(1) * (y != 0)\n"
                                             "    return (torch.log(p) * (p > 0).float()).nan_to_num(0.0).mean()",
                            "LogBackward0", {"upstream_grad_zero": True, "masked_output": True}),
    "all-targets-ignored": ("    y[:8] = -100", "    return F.cross_entropy(out, y)",
                            "cross_entropy", {"empty_reduction": True}),
    "summed-loss-over-a-count-made-elsewhere": ("    y[:8] = -100",
                                                "    n = torch.tensor(float((y != -100).sum()))\n"
                                                "    return F.cross_entropy(out, y, reduction='sum') / n",
                                                "div", {"empty_reduction": True}),
    "empty-masked-mean": ("    y[:8] = 0", "    m = (y > 0).float()\n    return (out.pow(2).sum(1) * m).sum() / m.sum()",
                          "div", {"empty_reduction": True}),
    "std-of-one-element": ("", "    return (out[:1] - out[:1].mean(0)).div(out[:1].std(0) + 1e-5).pow(2).mean()",
                           "std", {"single_element_variance": True}),
    "unbiased-variance-by-hand": ("", "    m = (torch.arange(len(y)) == 0).float()\n"
                                      "    n = m.sum()\n"
                                      "    mu = (out.sum(1) * m).sum() / n\n"
                                      "    return (((out.sum(1) - mu) * m) ** 2).sum() / (n - 1)",
                                  "div", {"single_element_variance": True, "empty_reduction": False}),
    "unbiased-covariance-over-len-minus-one": ("", "    p, t = out[:1, 0], out[:1, 1]\n"
                                                   "    cov = ((p - p.mean()) * (t - t.mean())).sum() / (len(p) - 1)\n"
                                                   "    return cov",
                                               "div", {"single_element_variance": True, "empty_reduction": False}),
    "per-feature-variance-over-shape-minus-one": ("", "    x = out[:1]\n"
                                                      "    v = ((x - x.mean(0)) ** 2).sum(0) / (x.shape[0] - 1)\n"
                                                      "    return v.mean()",
                                                  "div", {"single_element_variance": True, "empty_reduction": False}),
    "acos-at-the-edge": ("", "    c = F.cosine_similarity(out, out.detach(), dim=1).clamp(-1, 1)\n"
                             "    return torch.acos(c).mean()",
                         "AcosBackward0", {"domain_edge": True}),
    "learned-exponent-at-zero": ("", "    m = (out * 0).abs().mean(1)\n"
                                     "    p = torch.full((), 3.0, requires_grad=True)\n"
                                     "    return m.pow(1.0 / p).mean()",
                                 "PowBackward1", {"domain_edge": True}),
    # the catalogue puts pow(x, p), 0 < p < 1, at 0 under the domain edge, p = 0.5 included (a focal
    # term (1 - pt) ** 0.5 at pt = 1); torch.sqrt and norms stay the sqrt cause's
    "square-root-written-as-a-power-at-zero": ("", "    m = (out * 0).abs().mean(1)\n    return (m ** 0.5).mean()",
                                               "PowBackward0", {"domain_edge": True}),
    # an exp that overflows into a row sum, divided into 0, then logged: the -inf is the overflow's
    "overflow-divided-into-zero-then-logged": ("", "    s = torch.exp(out * 0 + 100.0).sum(1)\n"
                                                   "    return -torch.log(out[:, 0].exp() / s).mean()",
                                               "exp", {}),
    "ctc-target-too-long": ("", "    lp = out.log_softmax(1).unsqueeze(0).expand(3, -1, -1)\n"
                                "    targets = torch.tensor([[1, 2, 3, 1]] * len(y))\n"
                                "    return F.ctc_loss(lp, targets, torch.full((len(y),), 3), torch.full((len(y),), 4))",
                            "ctc_loss", {"ctc_infeasible": True}),
}


@pytest.mark.filterwarnings("ignore:std\\(\\). degrees of freedom:UserWarning")
@pytest.mark.parametrize("case", sorted(TRAITS))
def test_baseline_measures_what_tells_close_causes_apart(tmp_path, case):
    dataset, loss, op, traits = TRAITS[case]
    script = tmp_path / "train.py"
    script.write_text(TRAIT_SCRIPT.format(dataset=dataset, loss=loss), encoding="utf-8")
    facts, details = run_probe_at(script, "baseline")
    assert facts["first_nonfinite.op"] == op, details.get("first_nonfinite")
    for trait, value in traits.items():
        assert facts[f"first_nonfinite.{trait}"] is value, details["first_nonfinite"]


def test_a_hand_written_std_is_a_variance():
    """sqrt(mean((x - mean)^2)) written out is traced back to a variance, not a plain sum."""
    from pathlib import Path as _Path

    import torch

    from nanwiz.harness.watch import OpWatcher

    watcher = OpWatcher(_Path("nowhere.py"), None)
    with watcher:
        x = torch.ones(4, 3)
        centered = x - x.mean(0)
        _ = centered / centered.pow(2).mean(0).sqrt()
    assert watcher.first_nan.operand_origin == "variance"


def test_replays_of_a_scaled_step_do_not_leak_into_each_other():
    """fp16 with a GradScaler: each replay unscales without stepping; the next one (another precision)
    must not fail on the scaler's 'already unscaled' state and be read as a NaN in fp32."""
    from nanwiz.harness.local import step_fails
    from nanwiz.harness.run import TrainingRun
    from nanwiz.harness.script import load_target

    target = load_target(SCRIPTS / "fp16_log.py")
    run = TrainingRun(target, target.call("build_dataset"))
    run.run(stop_at_failure=True)
    program = run.failing_step()
    assert program is not None
    assert [step_fails(program, precision=p) for p in ("fp16", "fp32", "bf16", "fp32")][1:] == [None, None, None]


LABELS_PASSED_TO_THE_MODEL = '''
import torch
from torch import nn
import torch.nn.functional as F


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 1)

    def forward(self, features, labels=None):
        out = self.body(features).squeeze(-1)
        return {{"loss": F.mse_loss(out, labels), "logits": out}}


def build_model():
    return Regressor()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 4, generator=g)
    y = torch.randn(64, generator=g)
    y[{rows}] = float("nan")
    return [{{"features": x[i], "labels": y[i]}} for i in range(64)]


def compute_loss(model, batch):
    return model(**batch)["loss"]


NANWIZ = {{"batch_size": 8, "steps": 8, "shuffle": False}}
'''


def test_labels_a_model_reads_as_its_labels_argument_are_targets(tmp_path):
    """A model that computes its own loss (transformers' convention: `labels=`) reads the labels as
    well as the inputs; NaN in them is NaN in the targets, not in what the model reads."""
    script = tmp_path / "train.py"
    script.write_text(LABELS_PASSED_TO_THE_MODEL.format(rows="[5, 20]"), encoding="utf-8")
    facts, details = run_probe_at(script, "bisect")
    assert facts["data.nonfinite_where"] == "target", details.get("scan")
    assert details["scan"]["parts"]["features"]["role"] == "input"


def test_a_step_that_raises_on_a_nan_is_a_nonfinite_failure(tmp_path):
    """binary_cross_entropy raises on NaN probabilities: the failure is the NaN, found where it was made."""
    script = tmp_path / "train.py"
    script.write_text(TRAIT_SCRIPT.format(dataset="", loss="    z = out[:, 0] - out[:, 0]\n"
                                                            "    p = torch.sigmoid(z / z)\n"
                                                            "    return F.binary_cross_entropy(p, (y > 1).float())"),
                      encoding="utf-8")
    facts, details = run_probe_at(script, "baseline")
    assert facts["baseline.nonfinite"] is True and facts["baseline.error"] == "none"
    assert facts["first_nonfinite.op"] == "div", details.get("first_nonfinite")
    assert details["first_nonfinite"]["raised_op"] == "binary_cross_entropy"


def test_a_dataset_that_standardizes_each_sample_is_named_as_the_maker_of_the_nan(tmp_path):
    """The contract's dataset divides each sample by its own std (0 for a flat one): the batch is
    non-finite before the model runs, and the replay names the dataset's division, not 'the input'."""
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent('''
        import torch
        from torch import nn
        import torch.nn.functional as F


        class Windows(torch.utils.data.Dataset):
            def __init__(self):
                g = torch.Generator().manual_seed(0)
                self.raw = torch.randn(64, 8, generator=g)
                self.raw[40] = 2.0

            def __len__(self):
                return len(self.raw)

            def __getitem__(self, i):
                w = self.raw[i]
                return (w - w.mean()) / w.std(), i % 2


        def build_model():
            return nn.Linear(8, 2)


        def build_dataset():
            return Windows()


        def compute_loss(model, batch):
            x, y = batch
            return F.cross_entropy(model(x), y)


        NANWIZ = {"lr": 1e-2, "batch_size": 8, "steps": 8, "shuffle": False}
    '''), encoding="utf-8")
    facts, details = run_probe_at(script, "baseline")
    where = details["first_nonfinite"]
    assert (facts["first_nonfinite.phase"], facts["first_nonfinite.op"]) == ("input", "div"), where
    assert facts["first_nonfinite.operand_origin"] == "variance"
    assert where["root"]["source"]["code"] == "return (w - w.mean()) / w.std(), i % 2"

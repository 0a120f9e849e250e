"""Scripted interviews: answering the questions as a user with each problem would, the engine
ranks that cause first. Answers use question ids and option values from questions.yaml."""

from __future__ import annotations

import pytest

from nanwiz.session import Session

SCENARIOS = {
    "optim.lr_too_high": {"when": "first_steps", "loss_before": "rising", "lr_zero": False, "lower_lr": True,
                          "amp": "none", "data_checked": "clean", "inputs": "yes"},
    "data.nonfinite_input": {"data_checked": "found_nonfinite", "lr_zero": True, "loss_before": "falling_then_nan",
                             "inputs": "yes", "when": "later"},
    "data.bad_label": {"data_checked": "labels_bad", "lr_zero": True},
    "data.unnormalized_input": {"inputs": "raw", "lr_zero": False, "loss_before": "rising", "lower_lr": True,
                                "data_checked": "clean"},
    "data.zero_std_normalization": {"inputs": "computed_std", "data_checked": "found_nonfinite",
                                    "loss_before": "nan_from_start", "lr_zero": True},
    "optim.exploding_gradients": {"model_family": "rnn", "clip_fixes": True, "clipping": False, "lr_zero": False,
                                  "loss_before": "falling_then_nan", "data_checked": "clean", "inputs": "yes"},
    "optim.missing_zero_grad": {"zero_grad": True, "loss_before": "flat"},
    "optim.loss_term_weight": {"multi_loss": True, "lr_zero": False, "data_checked": "clean"},
    "optim.eps_too_small": {"optimizer_eps": True, "lr_zero": False, "data_checked": "clean"},
    "init.bad_init": {"custom_init": True, "loss_before": "nan_from_start", "lr_zero": True, "data_checked": "clean"},
    "num.log_zero": {"custom_math": "log", "anomaly_op": "log", "data_checked": "clean", "amp": "none"},
    "num.exp_overflow": {"custom_math": "exp", "anomaly_op": "exp", "amp": "none", "data_checked": "clean"},
    "num.div_zero": {"custom_math": "div", "anomaly_op": "div", "inputs": "yes", "data_checked": "clean"},
    "num.sqrt_zero_grad": {"custom_math": "sqrt", "anomaly_op": "sqrt", "data_checked": "clean"},
    "num.inf_times_zero": {"custom_math": "masking", "model_family": "transformer", "data_checked": "clean"},
    "arch.bn_running_stats": {"when": "eval_only", "batchnorm": True},
    "arch.attention_unscaled": {"model_family": "transformer", "attention_scaled": True, "custom_math": "none"},
    "arch.pooling_stride_gt_kernel": {"model_family": "cnn", "caffe_pooling": True, "reproducible": True},
    "amp.fp16_underflow_log": {"amp": "fp16", "fp32_fixes": True, "custom_math": "log", "scaler_early": False},
    "amp.fp16_overflow": {"amp": "fp16", "fp32_fixes": True, "bf16_fixes": True, "custom_math": "none",
                          "scaler_early": False},
    "amp.scaler_skips_expected": {"amp": "fp16", "scaler_early": True},
    "env.hardware_or_library": {"reproducible": False, "other_device": "only_one"},
    # causes from real bug reports
    "num.where_masked_grad": {"custom_math": "where_mask", "anomaly_op": "sqrt", "lr_zero": True,
                              "data_checked": "clean"},
    "num.empty_reduction": {"reduction": "empty_possible", "custom_math": "div", "lr_zero": True,
                            "data_checked": "clean"},
    "num.single_element_variance": {"reduction": "single_possible", "custom_math": "div", "lr_zero": True,
                                    "data_checked": "clean"},
    "num.domain_edge_grad": {"custom_math": "inverse_trig", "anomaly_op": "trig", "data_checked": "clean"},
    "optim.accumulation_or_scaling_misuse": {"own_loop_scaling": "accumulation", "accumulation_divided": True,
                                             "zero_grad": False, "loss_before": "rising", "lr_zero": False},
    "data.ctc_target_too_long": {"ctc": True, "lr_zero": True, "data_checked": "clean", "when": "later"},
}


@pytest.mark.parametrize("cause", sorted(SCENARIOS))
def test_interview_ranks_the_cause_first(kb, cause):
    session = Session()
    for question, value in SCENARIOS[cause].items():
        session.answer(kb, question, value)
    ranking = session.ranking(kb)
    top3 = [(c.cause_id, round(c.probability, 3)) for c in ranking.causes[:3]]
    assert ranking.top.cause_id == cause, top3


def test_at_least_ten_causes_have_scenarios():
    assert len(SCENARIOS) >= 10

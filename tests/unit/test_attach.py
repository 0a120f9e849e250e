"""The attach machinery in-process, on small programs: the tape of the user's loop and its replay,
DataLoader indices, batches sliced by hand, random draws replayed as drawn, the readings deferred to
one host transfer per step, and the step numbering with several optimizers."""

from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from nanwiz.harness.attach.attachment import Attachment, NanwizStop
from nanwiz.harness.attach.program import TapeStep
from nanwiz.harness.replay import localize_step


def loop(steps: int, *, bad_step: int | None = None, generator: torch.Generator | None = None,
         bad_row: int | None = None) -> None:
    torch.manual_seed(0)
    x = torch.randn(64 * 8, 4)
    y = x.sum(1, keepdim=True)
    if bad_row is not None:
        x[bad_row, 2] = float("nan")  # one corrupt record in the data
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for step in range(steps):
        idx = torch.randperm(len(x), generator=generator)[:64]  # drawn from the program's own generator
        xb, yb = x[idx], y[idx]
        if step == bad_step:
            xb = xb.clone()
            xb[5, 2] = float("nan")
        opt.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()


def watch(fn, **kwargs) -> Attachment:
    attachment = Attachment(continue_steps=2, **kwargs)
    try:
        with attachment:
            fn()
    except NanwizStop:
        pass
    return attachment


def test_a_healthy_loop_is_recorded_step_by_step():
    a = watch(lambda: loop(5))
    assert [r.step for r in a.records] == [0, 1, 2, 3, 4] and a.failure is None
    assert all(r.loss is not None and r.grad_norm is not None for r in a.records)


def test_the_failing_step_is_replayed_from_its_tape_with_the_rows_it_sliced():
    draws = torch.Generator().manual_seed(3)
    rows = [torch.randperm(512, generator=draws)[:64] for _ in range(7)]
    bad = int(rows[6][5])
    first = next(i for i, r in enumerate(rows) if bad in r.tolist())
    g = torch.Generator().manual_seed(3)
    a = watch(lambda: loop(20, generator=g, bad_row=bad))
    assert a.failure is not None and a.failure.step == first
    program = TapeStep(a, a.failure)
    assert program.sliced is not None and bad in program.sample_indices()  # rows of x, sliced by hand
    loc = localize_step(program)  # the randperm was replayed as drawn: the same rows, the same NaN
    assert loc["reproduced"] and loc["phase"] == "input"
    assert loc["bad_in_batch"] == [bad]


def autoencoder_loop(bad_row: int) -> None:
    torch.manual_seed(0)
    x = torch.rand(512, 6)
    x[bad_row, 1] = float("nan")
    model = nn.Sequential(nn.Linear(6, 3), nn.Tanh(), nn.Linear(3, 6))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for epoch in range(2):
        perm = torch.randperm(len(x))
        for start in range(0, len(x), 32):
            xb = x[perm[start:start + 32]]  # the only tensor sliced: its rows are perm's values
            loss = F.mse_loss(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()


def test_rows_taken_from_a_permutation_window_are_the_indices_not_the_data():
    """`x[perm[start:end]]`: perm[start:end] is itself rows of a larger tensor, but it indexes the
    data; the batch is x's rows (perm's values), and perm is not data to scan for labels."""
    a = watch(lambda: autoencoder_loop(bad_row=300))
    assert a.failure is not None
    program = TapeStep(a, a.failure)
    assert program.sliced is not None and len(program.sliced.tensors) == 1
    assert program.sliced.tensors[0].is_floating_point() and 300 in program.sample_indices()


def test_readings_deferred_to_the_optimizer_step_find_the_same_failure():
    a = Attachment(continue_steps=2)
    a.defer_reads = True  # what an accelerator does: one host transfer per step
    try:
        with a:
            loop(20, bad_step=4)
    except NanwizStop:
        pass
    assert a.failure is not None and a.failure.step == 4 and a.failure.kind == "loss"
    assert a.records[4].failed and a.records[3].loss is not None


def test_two_optimizers_share_a_step_and_each_series_is_labelled():
    def gan():
        torch.manual_seed(0)
        g, d = nn.Linear(2, 2), nn.Linear(2, 1)
        og, od = torch.optim.SGD(g.parameters(), lr=0.01), torch.optim.SGD(d.parameters(), lr=0.01)
        for _ in range(4):
            od.zero_grad()
            (d(g(torch.randn(8, 2)).detach()).mean() - d(torch.randn(8, 2)).mean()).backward()
            od.step()
            og.zero_grad()
            (-d(g(torch.randn(8, 2))).mean()).backward()
            og.step()

    a = watch(gan)
    assert [r.step for r in a.records] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert {r.label for r in a.records} == {"optimizer 1 (SGD)", "optimizer 2 (SGD)"}
    assert a.counts["grads_carried"] == 0  # the generator's backward writes into the critic's grads: legitimate


def _normalized(loss: torch.Tensor, accumulate: int) -> torch.Tensor:
    return loss / accumulate  # as a framework divides the loss its user returned (Lightning's closure)


def weighted_loop(steps: int, *, accumulate: int = 1, per_sample_sum: bool = False, in_place: bool = False,
                  framework: bool = False) -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    model = nn.Linear(4, 4)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(steps):
        out = model(x)
        rec = F.mse_loss(out, x)
        penalty = out.pow(2).mean()
        if per_sample_sum:
            loss = sum(r for r in ((out - x) ** 2).mean(1)[:12])  # a sum over samples, not terms
        elif in_place:
            loss = F.mse_loss(out, x)
            loss += 0.5 * penalty
            reg = model.weight.abs().sum()
            loss += 1e-3 * reg
        elif framework:
            loss = _normalized(rec + 0.5 * penalty, accumulate)
        else:
            loss = (rec + 0.5 * penalty) / accumulate
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_the_terms_a_loss_is_added_up_from_are_recorded_by_name():
    """`rec + 0.5 * penalty`: one backward, two terms for the per-term trajectories (the facts on
    a term's weight rest on them), named by the variable their line assigns; read at once on a CPU
    and deferred to the step's one host transfer on an accelerator alike."""
    for defer in (False, True):
        a = Attachment(continue_steps=2)
        a.defer_reads = defer
        with a:
            weighted_loop(3, accumulate=4)  # through the division by the accumulation steps
        terms = a.records[0].terms
        assert sorted(terms) == ["rec", "weighted penalty"], terms
        assert abs(sum(terms.values()) - a.records[0].loss * 4) < 1e-4


def test_the_terms_survive_a_division_of_the_loss_on_another_line():
    """A framework divides the loss the user's step returned by its accumulation steps (1 too), in
    its own code: the terms are still those of the user's sum."""
    a = watch(lambda: weighted_loop(2, accumulate=1, framework=True))
    assert sorted(a.records[0].terms) == ["rec", "weighted penalty"], a.records[0].terms


def test_terms_added_to_a_loss_in_place_on_later_lines_are_terms_too():
    """`loss = mse; loss += 0.5 * penalty; loss += 1e-3 * reg`: three terms, the first with its value
    before the adds changed it in place."""
    a = watch(lambda: weighted_loop(2, in_place=True))
    terms = a.records[0].terms
    assert len(terms) == 3 and "loss" in terms, terms
    assert abs(sum(terms.values()) - a.records[0].loss) < 1e-4
    assert terms["loss"] < a.records[0].loss


def test_a_sum_over_samples_is_not_a_loss_of_terms():
    a = watch(lambda: weighted_loop(2, per_sample_sum=True))
    assert a.records and all(not r.terms for r in a.records)

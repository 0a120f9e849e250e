"""The static source scan as a user meets it: a script on disk in, 18 bool facts and the
offending lines out. Each case is a small realistic snippet; the guarded twin of every
pattern must stay quiet."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from nanwiz.errors import ScriptError
from nanwiz.harness.protocol import ProbeContext

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "probes" / "source"
# loaded from its folder: `import nanwiz.probes` would import torch for every other probe
_spec = importlib.util.spec_from_file_location("nanwiz_probe_source", PROBE / "__init__.py",
                                               submodule_search_locations=[str(PROBE)])
source = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = source
_spec.loader.exec_module(source)
HEADER = "import math\nimport torch\nfrom torch import nn\nimport torch.nn.functional as F\n\n"


class FakeContext:
    """Collects what a probe reports; refuses facts the probe does not declare."""

    def __init__(self, script: Path):
        self.script = script
        self.facts: dict[str, object] = {}
        self.details: dict[str, object] = {}
        self.progress_calls: list[float] = []

    def fact(self, fact_id: str, value: object) -> None:
        assert fact_id in source.FACTS, fact_id
        assert fact_id not in self.facts, f"{fact_id} reported twice"
        self.facts[fact_id] = value

    def detail(self, key: str, value: object) -> None:
        self.details[key] = value

    def progress(self, fraction: float, message: str = "", force: bool = False) -> None:
        self.progress_calls.append(fraction)


def scan(tmp_path: Path, code: str, header: bool = True) -> FakeContext:
    script = tmp_path / "train.py"
    script.write_text((HEADER if header else "") + textwrap.dedent(code))
    ctx = FakeContext(script)
    source.run(ctx)
    assert "scan_errors" not in ctx.details, ctx.details["scan_errors"]
    assert list(ctx.facts) == list(source.FACTS)  # every run reports all 18, as bools
    assert all(type(value) is bool for value in ctx.facts.values())
    return ctx


# (fact, expected, snippet): at least two positive and two guarded (negative) cases per fact
CASES = [
    # ---- log_unguarded / log_of_softmax
    ("source.log_unguarded", True, """
        def compute_loss(model, batch):
            x, y = batch
            p = torch.softmax(model(x), dim=1)
            return -(torch.log(p) * F.one_hot(y, 3)).sum(1).mean()
    """),
    ("source.log_unguarded", True, """
        def compute_loss(model, batch):
            x, y = batch
            rate = model(x).squeeze(1)
            return (rate - y * rate.log()).mean()
    """),
    ("source.log_unguarded", True, """
        def compute_loss(model, batch):
            x, y = batch
            p = torch.sigmoid(model(x).squeeze(1))
            return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    """),
    ("source.log_unguarded", False, """
        EPS = 1e-8
        def compute_loss(model, batch):
            x, y = batch
            p = torch.softmax(model(x), 1)
            a = torch.log(p + 1e-8)
            b = torch.log(p.clamp(min=1e-6))
            c = torch.log(torch.clamp(p, 1e-7, 1))
            d = p.clamp_min(EPS).log()
            e = torch.log1p(p) + F.log_softmax(model(x), 1) + torch.log(torch.tensor(2.0)) + math.log(10)
            return -(a + b + c + d + e).mean()
    """),
    ("source.log_unguarded", False, """
        class Net(nn.Module):
            def __init__(self, eps=1e-6):
                super().__init__()
                self.eps = eps
                self.lin = nn.Linear(4, 1)
            def forward(self, x):
                return torch.log(self.lin(x).abs() + self.eps) + torch.log(torch.tensor(x.shape[-1]))
            def training_step(self, batch):
                self.log("train_loss", batch)
    """),
    ("source.log_of_softmax", True, """
        def compute_loss(model, batch):
            x, y = batch
            return F.nll_loss(torch.log(torch.softmax(model(x), 1)), y)
    """),
    ("source.log_of_softmax", True, """
        def compute_loss(model, batch):
            x, y = batch
            probs = F.softmax(model(x), dim=-1)
            picked = probs.gather(1, y[:, None]).squeeze(1)
            return -picked.log().mean()
    """),
    ("source.log_of_softmax", True, """
        def compute_loss(model, batch):
            x, y = batch
            return -torch.log(torch.sigmoid(model(x))).mean()
    """),
    ("source.log_of_softmax", False, """
        def compute_loss(model, batch):
            x, y = batch
            p = torch.softmax(model(x), 1)
            return F.nll_loss(torch.log(p + 1e-9), y) + F.nll_loss(F.log_softmax(model(x), 1), y)
    """),
    ("source.log_of_softmax", False, """
        def compute_loss(model, batch):
            x, y = batch
            z = model(x)
            return -(F.logsigmoid(z) * y + torch.log(z.exp().clamp(min=1e-6))).mean()
    """),
    # ---- sqrt_unguarded
    ("source.sqrt_unguarded", True, """
        k = torch.tensor(1.0, requires_grad=True)
        c = torch.tensor(0.5, requires_grad=True)
        for epoch in range(40):
            freq = torch.sqrt(k - c ** 2)
    """),
    ("source.sqrt_unguarded", False, """
        k = torch.tensor(1.0)
        c = torch.tensor(0.5, requires_grad=False)
        freq = torch.sqrt(k - c ** 2)
    """),
    ("source.sqrt_unguarded", True, """
        class Dist(nn.Module):
            def forward(self, a, b):
                return torch.sqrt(((a - b) ** 2).sum(1))
    """),
    ("source.sqrt_unguarded", True, """
        def compute_loss(model, batch):
            x, y = batch
            d = model(x) - y
            return (d.pow(2).sum(-1) ** 0.5).mean()
    """),
    ("source.sqrt_unguarded", True, """
        def compute_loss(model, batch):
            a, b = batch
            return torch.norm(model(a) - model(b), dim=1).mean()
    """),
    ("source.sqrt_unguarded", True, """
        def compute_loss(model, batch):
            a, b = batch
            return (model(a) - model(b)).norm(dim=-1).mean() + torch.cdist(model(a), model(b)).mean()
    """),
    ("source.sqrt_unguarded", True, """
        def compute_loss(model, batch):
            a, b = batch
            return torch.linalg.norm(model(a) - model(b), dim=-1).mean() + torch.dist(a, b)
    """),
    ("source.sqrt_unguarded", False, """
        class Dist(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.scale = math.sqrt(dim)
                self.norm = nn.LayerNorm(dim)
            def forward(self, a, b, var):
                d2 = ((a - b) ** 2).sum(1)
                s = torch.sqrt(d2 + 1e-8) + torch.sqrt(var.clamp(min=1e-6)) + torch.sqrt(torch.tensor(a.shape[-1]))
                return self.norm(s / self.scale) + a.size(-1) ** -0.5
    """),
    ("source.sqrt_unguarded", False, """
        def compute_loss(model, batch):
            x, y = batch
            z = F.normalize(model(x), dim=1)
            l1 = torch.norm(z - y, p=1)
            with torch.no_grad():
                gnorm = torch.norm(z)
            return l1 + F.pairwise_distance(z, y).mean() + torch.sqrt(F.mse_loss(z, y) + 1e-12)
    """),
    ("source.sqrt_unguarded", False, """
        def cosine(a, b, head_dim):
            scale = float(head_dim) ** -0.5
            return scale * (a * b).sum() / (((a * a).sum() + 1e-12) * ((b * b).sum() + 1e-12)) ** 0.5
        def train(model, opt, loader):
            for x in loader:
                opt.zero_grad()
                model(x).mean().backward()
                grad_norm = sum(p.grad.norm() ** 2 for p in model.parameters()) ** 0.5
                print(grad_norm)
                opt.step()
    """),
    # ---- div_unguarded
    ("source.div_unguarded", True, """
        def build_dataset():
            raw = torch.randn(100, 8)
            x = (raw - raw.mean(0)) / raw.std(0)
            return torch.utils.data.TensorDataset(x, x[:, 0])
    """),
    ("source.div_unguarded", True, """
        class Norm(nn.Module):
            def forward(self, x):
                mu = x.mean(0, keepdim=True)
                var = ((x - mu) ** 2).mean(0, keepdim=True)
                sigma = torch.sqrt(var)
                return (x - mu) / sigma
    """),
    ("source.div_unguarded", True, """
        def compute_loss(model, batch):
            x, mask = batch
            err = (model(x) - x) ** 2 * mask
            return err.sum() / mask.sum()
    """),
    ("source.div_unguarded", True, """
        class Head(nn.Module):
            def forward(self, x):
                w = x.relu()
                w = w / w.sum(1, keepdim=True)
                return x / torch.norm(x) + w / x.abs().max(dim=1, keepdim=True).values
    """),
    ("source.div_unguarded", False, """
        N_BINS = 255.0
        class Pool(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.scale = math.sqrt(d)
                self.temperature = 0.07
            def forward(self, x, y, mask, n):
                a = x / (y + 1e-6) + x / y.clamp(min=1e-6) + x / max(n, 1) + x / 255.0 + x / N_BINS
                b = x / math.sqrt(x.shape[-1]) + x / self.scale + x / self.temperature
                c = (x * mask).sum(1) / mask.sum(1).clamp(min=1) + x / (x.std(0) + 1e-5)
                return a + b + c + F.normalize(x, dim=-1) + x / len(x)
    """),
    ("source.div_unguarded", False, """
        def build_dataset():
            raw = torch.randn(100, 8)
            std = raw.std(0)
            std[std == 0] = 1.0
            x = (raw - raw.mean(0)) / std
            s = raw.var(0)
            s.clamp_(min=1e-6)
            return torch.utils.data.TensorDataset(x / s, x[:, 0] / x.size(0))
    """),
    # ---- exp_unguarded
    ("source.exp_unguarded", True, """
        class VAE(nn.Module):
            def forward(self, mu, logvar):
                std = torch.exp(0.5 * logvar)
                return mu + std * torch.randn_like(std)
    """),
    ("source.exp_unguarded", True, """
        def compute_loss(model, batch):
            x, y = batch
            rate = model(x).exp()
            return (rate - y * torch.log(rate + 1e-8)).mean()
    """),
    ("source.exp_unguarded", False, """
        def compute_loss(model, batch):
            x, y = batch
            z = model(x)
            a = torch.exp(z - z.max(dim=1, keepdim=True).values)
            b = torch.exp(z.clamp(max=20))
            c = torch.exp(z - torch.logsumexp(z, 1, keepdim=True))
            d = torch.exp(-(z - y) ** 2 / (2 * 0.5 ** 2)) + torch.exp(-z.abs()) + torch.exp(torch.tanh(z))
            return (a + b + c + d + torch.exp(torch.tensor(1.0)) + math.exp(2)).mean()
    """),
    ("source.exp_unguarded", False, """
        def build_dataset():
            g = torch.Generator().manual_seed(0)
            rate = torch.exp(torch.randn(100, 1, generator=g))
            return torch.utils.data.TensorDataset(rate, torch.poisson(rate, generator=g))
    """),
    # ---- manual_softmax
    ("source.manual_softmax", True, """
        def compute_loss(model, batch):
            x, y = batch
            z = model(x)
            p = torch.exp(z) / torch.exp(z).sum(1, keepdim=True)
            return F.nll_loss(torch.log(p + 1e-9), y)
    """),
    ("source.manual_softmax", True, """
        def compute_loss(model, batch):
            v1, v2 = batch
            sim = model(v1) @ model(v2).T / 0.07
            e = torch.exp(sim)
            return -torch.log(e.diagonal() / e.sum(dim=1)).mean()
    """),
    ("source.manual_softmax", False, """
        def compute_loss(model, batch):
            x, y = batch
            z = model(x)
            e = torch.exp(z - z.max(1, keepdim=True)[0])
            return F.nll_loss(torch.log(e / e.sum(1, keepdim=True) + 1e-9), y)
    """),
    ("source.manual_softmax", False, """
        def compute_loss(model, batch):
            x, y = batch
            z = model(x)
            p = torch.softmax(z, 1)
            q = torch.exp(z) / 2.0
            return F.cross_entropy(z, y) + p.mean() + q.mean()
    """),
    # ---- masked_fill_inf
    ("source.masked_fill_inf", True, """
        class Attn(nn.Module):
            def forward(self, scores, pad):
                scores = scores.masked_fill(pad[:, None, :], float("-inf"))
                return torch.softmax(scores, -1)
    """),
    ("source.masked_fill_inf", True, """
        NEG_INF = -math.inf
        class Attn(nn.Module):
            def forward(self, scores, pad):
                causal = torch.full((4, 4), float('-inf')).triu(1) + torch.triu(torch.ones(4, 4) * float("-inf"), 1)
                scores[pad] = -float('inf')
                return torch.softmax(scores.masked_fill(pad, NEG_INF) + causal, -1)
    """),
    ("source.masked_fill_inf", True, """
        class Seq(nn.Module):
            def __init__(self):
                super().__init__()
                self.tf = nn.Transformer(d_model=16, nhead=2)
            def forward(self, src, tgt):
                mask = self.tf.generate_square_subsequent_mask(tgt.size(0))
                return self.tf(src, tgt, tgt_mask=mask)
    """),
    ("source.masked_fill_inf", False, """
        class Attn(nn.Module):
            def forward(self, scores, pad):
                scores = scores.masked_fill(pad, torch.finfo(scores.dtype).min)
                scores = scores.masked_fill(pad, -1e9)
                return torch.softmax(scores, -1)
    """),
    ("source.masked_fill_inf", False, """
        if __name__ == "__main__":
            best = float("inf")
            for loss in [3.0, 2.0]:
                if loss < best:
                    best = loss
            print(torch.isinf(torch.tensor(best)), min(1.0, float("inf")))
    """),
    # ---- torch_empty_param
    ("source.torch_empty_param", True, """
        class Bilinear(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.w = nn.Parameter(torch.empty(d, d))
                self.b = nn.Parameter(torch.zeros(d))
            def forward(self, x):
                return x @ self.w + self.b
    """),
    ("source.torch_empty_param", True, """
        class Old(nn.Module):
            def __init__(self, n_in, n_out):
                super().__init__()
                self.weight = nn.Parameter(torch.Tensor(n_out, n_in))
                self.bias = nn.Parameter(torch.Tensor(n_out))
                self.bias.data.zero_()
    """),
    ("source.torch_empty_param", False, """
        class Bilinear(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.w = nn.Parameter(torch.empty(d, d))
                self.v = nn.Parameter(torch.empty(d))
                self.u = nn.Parameter(torch.empty(d))
                nn.init.xavier_uniform_(self.w)
                self.v.data.normal_(0, 0.02)
                with torch.no_grad():
                    self.u.fill_(0.1)
    """),
    ("source.torch_empty_param", False, """
        class Layer(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.weight = nn.Parameter(torch.Tensor(d, d))
                self.bias = nn.Parameter(torch.empty(d))
                self.reset_parameters()
            def reset_parameters(self):
                nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
                nn.init.zeros_(self.bias)
        class Many(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.a = nn.Parameter(torch.empty(d))
                self.b = nn.Parameter(torch.Tensor([1.0, 2.0]))
                for p in self.parameters():
                    nn.init.normal_(p, std=0.02)
    """),
    # ---- tiny_optimizer_eps
    ("source.tiny_optimizer_eps", True, """
        def build_optimizer(params, lr):
            return torch.optim.Adam(params, lr=lr, eps=0.0)
    """),
    ("source.tiny_optimizer_eps", True, """
        from torch.optim import RMSprop
        EPS = 1e-12
        def build_optimizer(params, lr):
            return RMSprop(params, lr=lr, eps=EPS)
    """),
    ("source.tiny_optimizer_eps", True, """
        def build_optimizer(params, lr):
            return torch.optim.AdamW(params, lr, (0.9, 0.999), 0)
    """),
    ("source.tiny_optimizer_eps", False, """
        def build_optimizer(params, lr):
            return torch.optim.Adam(params, lr=lr, eps=1e-8)
    """),
    ("source.tiny_optimizer_eps", False, """
        def build_optimizer(params, lr):
            opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0, amsgrad=False)
            return torch.optim.SGD(params, lr=lr, momentum=0.0) if lr > 1 else opt
    """),
    # ---- clip_before_unscale
    ("source.clip_before_unscale", True, """
        def train(model, opt, loader):
            scaler = torch.amp.GradScaler("cuda")
            for x, y in loader:
                opt.zero_grad()
                with torch.autocast("cuda", dtype=torch.float16):
                    loss = F.mse_loss(model(x), y)
                scaler.scale(loss).backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(opt)
                scaler.update()
    """),
    ("source.clip_before_unscale", True, """
        from torch.nn.utils import clip_grad_value_
        from torch.cuda.amp import GradScaler
        def step(model, opt, loss, amp_scaler):
            amp_scaler.scale(loss).backward()
            clip_grad_value_(model.parameters(), 0.5)
            amp_scaler.step(opt)
            amp_scaler.update()
    """),
    ("source.clip_before_unscale", False, """
        def train(model, opt, loader, scaler):
            for x, y in loader:
                opt.zero_grad()
                scaler.scale(F.mse_loss(model(x), y)).backward()
                scaler.unscale_(opt)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(opt)
                scaler.update()
    """),
    ("source.clip_before_unscale", False, """
        def train(model, opt, loader, accelerator):
            for x, y in loader:
                loss = F.mse_loss(model(x), y)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                accelerator.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                opt.zero_grad()
    """),
    # ---- manual_loss_scale
    ("source.manual_loss_scale", True, """
        def train(model, opt, loader):
            model.half()
            for x, y in loader:
                loss = F.mse_loss(model(x.half()), y.half())
                (loss * 1024).backward()
                for p in model.parameters():
                    p.grad /= 1024
                opt.step()
                opt.zero_grad()
    """),
    ("source.manual_loss_scale", True, """
        LOSS_SCALE = 2 ** 16
        def train(model, opt, loader, scaler):
            for x, y in loader:
                scaled = F.cross_entropy(model(x), y) * LOSS_SCALE
                scaler.scale(scaled).backward()
                scaler.step(opt)
                scaler.update()
                opt.zero_grad()
    """),
    ("source.manual_loss_scale", True, """
        LOSS_SCALE = 1024.0
        def compute_loss(model, batch):
            x, y = batch
            return F.mse_loss(model(x).squeeze(-1), y) * LOSS_SCALE
    """),
    ("source.manual_loss_scale", False, """
        def compute_loss(model, batch):
            x, y = batch
            pred, feat = model(x)
            return F.mse_loss(pred, y) + 500 * feat.pow(2).mean()
    """),
    ("source.manual_loss_scale", False, """
        def train(model, opt, loader, scaler, accum=4):
            for i, (x, y) in enumerate(loader):
                loss = F.mse_loss(model(x), y) * 0.5 + 100 * 0.0
                scaler.scale(loss / accum).backward()
                if (i + 1) % accum == 0:
                    scaler.step(opt)
                    scaler.update()
                    opt.zero_grad()
    """),
    ("source.manual_loss_scale", False, """
        def train(model, opt, loader, steps=1000):
            for x, y in loader:
                loss = F.mse_loss(model(x), y)
                loss.backward()
                opt.step()
                opt.zero_grad()
                print(loss.item() * 1000, steps * 1000)
    """),
    # ---- accumulation_undivided
    ("source.accumulation_undivided", True, """
        def train(model, opt, loader, accum_steps=8):
            for i, (x, y) in enumerate(loader):
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                if (i + 1) % accum_steps == 0:
                    opt.step()
                    opt.zero_grad()
    """),
    ("source.accumulation_undivided", True, """
        def train(model, opt, loader, scaler, k=4):
            step = 0
            for x, y in loader:
                with torch.autocast("cuda", dtype=torch.float16):
                    loss = F.mse_loss(model(x), y)
                scaler.scale(loss).backward()
                step += 1
                if step % k == 0:
                    scaler.step(opt)
                    scaler.update()
                    opt.zero_grad()
    """),
    ("source.accumulation_undivided", False, """
        def train(model, opt, loader, accum_steps=8):
            for i, (x, y) in enumerate(loader):
                loss = F.cross_entropy(model(x), y)
                loss = loss / accum_steps
                loss.backward()
                if (i + 1) % accum_steps == 0:
                    opt.step()
                    opt.zero_grad()
    """),
    ("source.accumulation_undivided", False, """
        def train(model, opt, loader, log_every=50):
            for i, (x, y) in enumerate(loader):
                loss = F.cross_entropy(model(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                if i % log_every == 0:
                    print(i, loss.item())
    """),
    # ---- ctc_loss
    ("source.ctc_loss", True, """
        def compute_loss(model, batch):
            x, targets, lengths = batch
            log_probs = model(x)
            return F.ctc_loss(log_probs, targets, torch.full((x.shape[0],), log_probs.shape[0]), lengths)
    """),
    ("source.ctc_loss", True, """
        criterion = nn.CTCLoss(blank=0, zero_infinity=False)
        def compute_loss(model, batch):
            x, y, xl, yl = batch
            return criterion(model(x), y, xl, yl)
    """),
    ("source.ctc_loss", False, """
        def compute_loss(model, batch):
            x, y = batch
            return F.cross_entropy(model(x), y, ignore_index=-100)
    """),
    ("source.ctc_loss", False, """
        def ctc_greedy_decode(log_probs):
            return log_probs.argmax(-1)
        def compute_loss(model, batch):
            x, y = batch
            return F.nll_loss(model(x).log_softmax(-1), y)
    """),
    # ---- loop_without_zero_grad
    ("source.loop_without_zero_grad", True, """
        if __name__ == "__main__":
            model = nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(3):
                for x in torch.randn(10, 4):
                    loss = model(x).pow(2).mean()
                    loss.backward()
                    optimizer.step()
    """),
    ("source.loop_without_zero_grad", True, """
        def train_step(model, opt, x, scheduler):
            loss = model(x).mean()
            loss.backward()
            opt.step()
            scheduler.zero_grad_hint = True
        def train(model, opt, data, scheduler):
            step = 0
            while step < 100:
                train_step(model, opt, data[step], scheduler)
                scheduler.step()
                step += 1
    """),
    ("source.loop_without_zero_grad", False, """
        def train(model, opt, loader, k=4):
            for i, (x, y) in enumerate(loader):
                loss = F.mse_loss(model(x), y) / k
                loss.backward()
                if (i + 1) % k == 0:
                    opt.step()
                    opt.zero_grad(set_to_none=True)
    """),
    ("source.loop_without_zero_grad", False, """
        def reset(model):
            for p in model.parameters():
                p.grad = None
        def reset_old_style(model):
            for p in model.parameters():
                if p.grad is not None:
                    p.grad.data.zero_()
        def train_old_style(model, opt, loader):
            for x in loader:
                reset_old_style(model)
                model(x).mean().backward()
                opt.step()
        def train(model, opt, loader, scaler):
            for x, y in loader:
                reset(model)
                scaler.scale(F.mse_loss(model(x), y)).backward()
                scaler.step(opt)
                scaler.update()
        def run_episodes(policy, env, finish_episode):
            for episode in range(10):
                state = env.reset()
                loss = policy(state).sum()
                loss.backward()
                env.step(0)
                finish_episode()
        def train_lbfgs(model, opt, x):
            def closure():
                opt.zero_grad()
                loss = model(x).mean()
                loss.backward()
                return loss
            for _ in range(10):
                opt.step(closure)
    """),
    # ---- unscaled_attention
    ("source.unscaled_attention", True, """
        class SelfAttention(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
            def forward(self, x):
                scores = self.q(x) @ self.k(x).transpose(-2, -1)
                return torch.softmax(scores, dim=-1) @ self.v(x)
    """),
    ("source.unscaled_attention", True, """
        def attend(q, k, v, mask):
            scores = torch.einsum("bqd,bkd->bqk", q, k)
            scores = scores.masked_fill(mask, -1e9)
            return F.softmax(scores, dim=-1) @ v
    """),
    ("source.unscaled_attention", True, """
        def attend(q, k, v, bias):
            return torch.matmul(q, k.transpose(1, 2)).add(0).softmax(-1) @ v + F.softmax(torch.bmm(q, k) + bias, -1)
    """),
    ("source.unscaled_attention", False, """
        class SelfAttention(nn.Module):
            def __init__(self, d, heads):
                super().__init__()
                self.scale = (d // heads) ** -0.5
                self.temperature = math.sqrt(d)
                self.w = nn.Parameter(torch.randn(d, d))
            def forward(self, q, k, v):
                a = torch.softmax(q @ k.transpose(-2, -1) * self.scale, -1)
                b = torch.softmax(q @ k.transpose(-2, -1) / self.temperature, -1)
                s = torch.matmul(q, k.transpose(-2, -1))
                s = s / math.sqrt(q.size(-1))
                c = F.softmax(s, dim=-1)
                return (a + b + c) @ v + torch.softmax(q @ self.w, -1)
    """),
    ("source.unscaled_attention", False, """
        def attend(q, k, v, d):
            q = q / d ** 0.5
            s = q @ k.transpose(-2, -1)
            cos = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).T
            return torch.softmax(s, -1) @ v + F.softmax(model_logits(q), -1) + cos
        def model_logits(x):
            return x
    """),
    # ---- large_loss_weight
    ("source.large_loss_weight", True, """
        SMOOTH_WEIGHT = 3e3
        def compute_loss(model, batch):
            x, y = batch
            pred, feat = model(x)
            return {"mse": F.mse_loss(pred, y), "smooth": SMOOTH_WEIGHT * feat.pow(2).mean()}
    """),
    ("source.large_loss_weight", True, """
        def kl_term(mu, logvar):
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp().clamp(max=1e4))
            return kl * 1000
        def compute_loss(model, batch):
            x, _ = batch
            recon, mu, logvar = model(x)
            return F.mse_loss(recon, x) + kl_term(mu, logvar)
    """),
    ("source.large_loss_weight", True, """
        def compute_loss(model, batch):
            x, y = batch
            loss = F.cross_entropy(model(x), y)
            return loss / 0.001
    """),
    ("source.large_loss_weight", False, """
        LAMBDA = 0.01
        def compute_loss(model, batch):
            x, y = batch
            pred = model(x * 255)
            return F.mse_loss(pred, y) + LAMBDA * pred.pow(2).mean() + 10 * F.l1_loss(pred, y)
    """),
    ("source.large_loss_weight", False, """
        class Net(nn.Module):
            def forward(self, x):
                return 1000 * x.mean()
        def build_dataset():
            x = torch.randn(10, 3)
            return torch.utils.data.TensorDataset(x * 100, x.sum(1) * 500)
        def compute_loss(model, batch):
            x, y = batch
            return F.mse_loss(model(x), y) * 1.0
    """),
    # ---- half_model
    ("source.half_model", True, """
        def build_model():
            model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 3))
            return model.half()
    """),
    ("source.half_model", True, """
        def build_model():
            net = nn.Linear(4, 4).to(dtype=torch.float16)
            enc = nn.GRU(4, 4).type(torch.HalfTensor)
            return nn.Sequential(net, enc)
    """),
    ("source.half_model", True, """
        def build_model():
            model = nn.Linear(4, 4)
            for p in model.parameters():
                p.data = p.data.half()
            return model
    """),
    ("source.half_model", False, """
        def build_model():
            return nn.Linear(4, 4).to(torch.bfloat16).float()
        def compute_loss(model, batch):
            x, y = batch
            logits = model(x.half())
            with torch.autocast("cuda", dtype=torch.float16):
                out = model(x.to(torch.float16))
            return F.cross_entropy(logits.float(), y) + out.mean()
    """),
    ("source.half_model", False, """
        NANWIZ = {"amp": "fp16"}
        def build_model():
            return nn.Sequential(nn.Linear(4, 4), nn.ReLU()).float()
    """),
    # ---- unseeded_randomness
    ("source.unseeded_randomness", True, """
        import random
        def build_dataset():
            rng = random.SystemRandom()
            x = torch.tensor([[rng.random() for _ in range(4)] for _ in range(64)])
            return torch.utils.data.TensorDataset(x, x.sum(1))
    """),
    ("source.unseeded_randomness", True, """
        import time
        import numpy as np
        def build_dataset():
            rng = np.random.default_rng()
            torch.manual_seed(int(time.time()))
            x = torch.from_numpy(rng.normal(size=(64, 4))).float()
            return torch.utils.data.TensorDataset(x, x.sum(1))
    """),
    ("source.unseeded_randomness", True, """
        import os, uuid
        def build_dataset():
            salt = int.from_bytes(os.urandom(4), "little")
            tag = uuid.uuid4()
            x = torch.randn(64, 4) * salt
            return torch.utils.data.TensorDataset(x, x.sum(1))
    """),
    ("source.unseeded_randomness", True, """
        import time
        def build_dataset():
            x = torch.randn(64, 4) * (time.time() % 1)
            return torch.utils.data.TensorDataset(x, x.sum(1))
    """),
    ("source.unseeded_randomness", False, """
        import random, time
        import numpy as np
        def build_dataset():
            g = torch.Generator().manual_seed(0)
            rng = np.random.default_rng(0)
            h = torch.Generator()  # deterministic: a fixed default seed
            x = torch.randn(64, 4, generator=g) + torch.rand(64, 4) + random.random() + np.random.rand()
            return torch.utils.data.TensorDataset(x, torch.from_numpy(rng.normal(size=64)).float())
    """),
    ("source.unseeded_randomness", False, """
        import time
        def train(model, loader, deadline_s=60):
            t0 = time.time()
            deadline = t0 + deadline_s
            for batch in loader:
                elapsed = time.time() - t0
                print(f"{time.time() - t0:.1f}s", batch / elapsed)
                if time.time() > deadline:
                    break
        if __name__ == "__main__":
            start = time.perf_counter()
            print("took", time.perf_counter() - start)
    """),
]


@pytest.mark.parametrize(("fact", "expected", "code"), CASES,
                         ids=[f"{f.split('.')[1]}-{'pos' if e else 'neg'}-{i}" for i, (f, e, _) in enumerate(CASES)])
def test_fact(tmp_path, fact, expected, code):
    ctx = scan(tmp_path, code)
    assert ctx.facts[fact] is expected, ctx.details["findings"]
    lines = [f for f in ctx.details["findings"] if f["fact"] == fact]
    assert bool(lines) is expected


def test_every_fact_has_two_positive_and_two_negative_cases():
    for fact in source.FACTS:
        kinds = [e for f, e, _ in CASES if f == fact]
        assert kinds.count(True) >= 2 and kinds.count(False) >= 2, fact


def test_facts_are_the_ones_the_knowledge_base_declares():
    kb = yaml.safe_load((ROOT / "knowledge" / "facts.yaml").read_text())
    entries = kb["facts"] if isinstance(kb, dict) else kb
    declared = {e["id"] for e in entries if "source" in (e.get("probes") or [])}
    assert set(source.FACTS) == declared and len(source.FACTS) == 18
    assert source.NAME == "source"


def test_finding_names_line_code_and_reason(tmp_path):
    ctx = scan(tmp_path, """
        def compute_loss(model, batch):
            x, y = batch
            p = torch.softmax(model(x), dim=1)
            return F.nll_loss(torch.log(p), y)
    """)
    found = {f["fact"]: f for f in ctx.details["findings"]}
    assert set(found) == {"source.log_unguarded", "source.log_of_softmax"}
    log = found["source.log_unguarded"]
    assert log["line"] == 10 and log["code"] == "return F.nll_loss(torch.log(p), y)"
    assert log["why"] == "log of a computed value without clamp or eps"
    assert ctx.progress_calls[-1] == 1.0


def test_guarded_contract_script_reports_nothing(tmp_path):
    ctx = scan(tmp_path, """
        class Attention(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.qkv = nn.Linear(d, 3 * d)
                self.scale = d ** -0.5
                self.norm = nn.LayerNorm(d)
            def forward(self, x, pad):
                q, k, v = self.qkv(x).chunk(3, dim=-1)
                scores = (q @ k.transpose(-2, -1)) * self.scale
                scores = scores.masked_fill(pad[:, None, :], torch.finfo(scores.dtype).min)
                return self.norm(torch.softmax(scores, dim=-1) @ v)

        def build_model():
            return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))

        def build_dataset():
            g = torch.Generator().manual_seed(0)
            raw = torch.randn(256, 8, generator=g)
            x = (raw - raw.mean(0)) / (raw.std(0) + 1e-6)
            return torch.utils.data.TensorDataset(x, torch.randint(0, 3, (256,), generator=g))

        def build_optimizer(params, lr):
            return torch.optim.AdamW(params, lr=lr, eps=1e-8, weight_decay=0.01)

        def compute_loss(model, batch):
            x, y = batch
            logits = model(x)
            p = torch.softmax(logits, 1).clamp(min=1e-7)
            return {"ce": F.cross_entropy(logits, y), "ent": 0.1 * -(p * p.log()).sum(1).mean()}

        NANWIZ = {"lr": 1e-3, "steps": 100}

        if __name__ == "__main__":
            model = build_model()
            opt = build_optimizer(model.parameters(), NANWIZ["lr"])
            for batch in torch.utils.data.DataLoader(build_dataset(), batch_size=32):
                opt.zero_grad()
                loss = sum(compute_loss(model, batch).values())
                loss.backward()
                opt.step()
    """)
    assert ctx.details["findings"] == []
    assert all(value is False for value in ctx.facts.values())


def test_words_in_docstrings_comments_and_strings_never_count(tmp_path):
    ctx = scan(tmp_path, '''
        """A hand-written BCE, -(y * torch.log(p)): exp(x) / exp(x).sum() overflows.
        Cause: num.log_zero
        """
        # p = torch.softmax(z, 1); torch.log(p); model.half(); Adam(eps=0)
        HELP = "torch.log(p) and x / x.std(0) and masked_fill(m, float('-inf'))"

        def build_model():
            return nn.Linear(4, 2)
    ''')
    assert ctx.details["findings"] == []


def test_empty_file_reports_all_fourteen_false(tmp_path):
    ctx = scan(tmp_path, "", header=False)
    assert list(ctx.facts) == list(source.FACTS)
    assert all(ctx.facts[f] is False for f in source.FACTS)
    assert ctx.details["findings"] == []


def test_syntax_error_names_file_line_and_code(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import torch\n\ndef build_model(:\n    return None\n")
    with pytest.raises(ScriptError) as info:
        source.run(FakeContext(script))
    message = info.value.msg
    assert message.startswith("script.py:3: syntax error:")
    assert "def build_model(:" in message


def test_unreadable_script_is_a_script_error(tmp_path):
    with pytest.raises(ScriptError):
        source.run(FakeContext(tmp_path / "missing.py"))


def test_exotic_python_never_breaks_the_scan(tmp_path):
    ctx = scan(tmp_path, """
        import torch as T
        from torch.nn.functional import softmax as sm
        x = y = T.zeros(3)
        (a, *rest), b = [1, 2, 3], 4
        x += x; x /= x.sum() + 1
        self = None
        f = lambda t: T.log(t) if t is not None else sm(t, 0)
        z = [T.exp(v) for v in (x, y)]
        w: float = 1.0
        n = 0
        while (n := n + 1) < 3:
            x = x / x
        class C:
            k = 1
            def m(this, *args, **kw):
                this.k = this.k * 2
                return this.k ** this.k
        def deep(v): return ((((((((((v + 1) * 2) - 3) / 4) ** 0.5) + 1) * 2) - 3) / 4) ** 2)
        def recursive(n): return recursive(n - 1) if n else 0
        async def co(): pass
        class Loop(T.nn.Module):
            def forward(self, x):
                self.h = self.h * 2 + x
                self.s = self.s * self.s
                self.net = self.net.cuda()
                self.net.half()
                return T.exp(self.h) / self.s + (self.s + 1) ** 0.5
        total = sum(range(1000)) + """ + " + ".join(["1"] * 300) + "\n", header=True)
    assert set(ctx.facts) == set(source.FACTS)
    assert ctx.facts["source.log_unguarded"] is True  # the lambda's T.log(t)


def test_real_probe_context_accepts_every_report(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(HEADER + "def build_optimizer(params, lr):\n    return torch.optim.Adam(params, lr=lr, eps=0)\n")
    events: list[dict] = []
    ctx = ProbeContext(source.NAME, script, source.FACTS, events.append)
    source.run(ctx)
    facts = {e["id"]: e["value"] for e in events if e["event"] == "fact"}
    assert facts == {f: f == "source.tiny_optimizer_eps" for f in source.FACTS}


def test_scan_never_imports_torch(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(HEADER + "def compute_loss(model, batch):\n    return torch.log(model(batch))\n")
    code = (f"import importlib.util, sys, pathlib\n"
            f"spec = importlib.util.spec_from_file_location('s', {str(PROBE / '__init__.py')!r},\n"
            f"    submodule_search_locations=[{str(PROBE)!r}])\n"
            f"m = importlib.util.module_from_spec(spec); sys.modules['s'] = m; spec.loader.exec_module(m)\n"
            f"found, errors = m.scan(pathlib.Path({str(script)!r}))\n"
            f"assert [f['fact'] for f in found] == ['source.log_unguarded'] and not errors\n"
            f"assert 'torch' not in sys.modules, 'the scan imported torch'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_examples_scan_cleanly(script):
    ctx = FakeContext(script)
    source.run(ctx)
    assert list(ctx.facts) == list(source.FACTS)
    assert "scan_errors" not in ctx.details


def test_local_modules_the_script_imports_are_scanned(tmp_path):
    (tmp_path / "layers.py").write_text("import torch\n\ndef dist(a, b):\n    return torch.sqrt(((a - b) ** 2).sum(-1))\n")
    (tmp_path / "broken_helper.py").write_text("def oops(:\n")
    script = tmp_path / "train.py"
    script.write_text("import torch\nfrom layers import dist\nimport broken_helper\nimport os\n")
    findings, errors = source.scan_with_locals(script)
    assert [(f["fact"], f.get("file")) for f in findings] == [("source.sqrt_unguarded", "layers.py")]
    assert any(e.startswith("broken_helper.py") for e in errors)

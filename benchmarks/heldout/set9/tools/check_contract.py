"""Plain-PyTorch runner for contract scripts: reports the first non-finite loss/grad/param."""
import argparse, importlib.util, math, sys, time
import torch
from torch.utils.data import DataLoader, default_collate

DEFAULTS = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
            "seed": 0, "shuffle": True, "device": "auto"}

def load(path, name="target"):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

def run(path, steps=None, lr_scale=1.0, quiet=False):
    mod = load(path)
    cfg = dict(DEFAULTS); cfg.update(getattr(mod, "NANWIZ", {}))
    if steps: cfg["steps"] = steps
    torch.manual_seed(cfg["seed"])
    model = mod.build_model()
    ds = mod.build_dataset()
    g = torch.Generator().manual_seed(cfg["seed"])
    dl = DataLoader(ds, batch_size=cfg["batch_size"], shuffle=cfg["shuffle"], generator=g,
                    collate_fn=getattr(mod, "collate_fn", default_collate))
    lr = cfg["lr"] * lr_scale
    opt = mod.build_optimizer(model.parameters(), lr) if hasattr(mod, "build_optimizer") \
        else torch.optim.Adam(model.parameters(), lr=lr)
    sched = mod.build_scheduler(opt) if hasattr(mod, "build_scheduler") else None
    amp = cfg["amp"]
    scaler = torch.amp.GradScaler("cpu") if amp == "fp16" else None
    step = 0; t0 = time.time(); last = None
    while step < cfg["steps"]:
        for batch in dl:
            step += 1
            opt.zero_grad(set_to_none=True)
            if amp:
                with torch.autocast("cpu", dtype=torch.float16 if amp == "fp16" else torch.bfloat16):
                    out = mod.compute_loss(model, batch)
            else:
                out = mod.compute_loss(model, batch)
            terms = out if isinstance(out, dict) else {"loss": out}
            loss = sum(terms.values())
            last = {k: float(v.detach()) for k, v in terms.items()}
            if not torch.isfinite(loss):
                return ("FAIL", step, "loss", last, time.time() - t0)
            (scaler.scale(loss) if scaler else loss).backward()
            if scaler: scaler.unscale_(opt)
            bad = [n for n, p in model.named_parameters() if p.grad is not None and not torch.isfinite(p.grad).all()]
            if bad and not scaler:
                return ("FAIL", step, "grad:" + ",".join(bad[:3]), last, time.time() - t0)
            if cfg["grad_clip"]:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["grad_clip"])
            if scaler:
                scaler.step(opt); scaler.update()
            else:
                opt.step()
            if sched: sched.step()
            badp = [n for n, p in model.named_parameters() if not torch.isfinite(p).all()]
            if badp:
                return ("FAIL", step, "param:" + ",".join(badp[:3]), last, time.time() - t0)
            if not quiet and (step % 25 == 0 or step <= 3):
                print(f"  step {step} {last}", flush=True)
            if step >= cfg["steps"]:
                break
    return ("OK", step, "", last, time.time() - t0)

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("script"); ap.add_argument("--steps", type=int); ap.add_argument("--lr-scale", type=float, default=1.0)
    ap.add_argument("-q", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(1)
    r = run(a.script, a.steps, a.lr_scale, a.q)
    print(f"RESULT {r[0]} step={r[1]} where={r[2]} last={r[3]} time={r[4]:.1f}s")

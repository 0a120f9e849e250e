"""Plain-PyTorch runner for contract scripts (independent of nanwiz).

usage: check_contract.py SCRIPT [--steps N] [--lr X] [--amp none|fp16|bf16]
Reports the first non-finite loss / gradient / weight, or OK after all steps.
"""
import argparse, importlib.util, math, sys, time
import torch
from torch.utils.data import DataLoader, default_collate

torch.set_num_threads(1)

def load(path):
    spec = importlib.util.spec_from_file_location("target", path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("script")
    ap.add_argument("--steps", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--amp")
    a = ap.parse_args()
    m = load(a.script)
    cfg = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
           "seed": 0, "shuffle": True, "device": "auto"}
    cfg.update(getattr(m, "NANWIZ", {}))
    if a.steps: cfg["steps"] = a.steps
    if a.lr is not None: cfg["lr"] = a.lr
    if a.amp: cfg["amp"] = None if a.amp == "none" else a.amp
    t0 = time.time()
    torch.manual_seed(cfg["seed"])
    model = m.build_model()
    ds = m.build_dataset()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = m.build_optimizer(params, cfg["lr"]) if hasattr(m, "build_optimizer") else torch.optim.Adam(params, lr=cfg["lr"])
    sched = m.build_scheduler(opt) if hasattr(m, "build_scheduler") else None
    g = torch.Generator().manual_seed(cfg["seed"])
    dl = DataLoader(ds, batch_size=cfg["batch_size"], shuffle=cfg["shuffle"], generator=g,
                    collate_fn=getattr(m, "collate_fn", default_collate))
    amp = cfg["amp"]
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(amp)
    scaler = torch.amp.GradScaler("cpu", enabled=(amp == "fp16"))
    model.train()
    step = 0; skipped = 0; first = None
    while step < cfg["steps"]:
        for batch in dl:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=dtype or torch.bfloat16, enabled=dtype is not None):
                out = m.compute_loss(model, batch)
            if isinstance(out, dict):
                terms = {k: float(v.detach().float()) for k, v in out.items()}
                loss = sum(out.values())
            else:
                terms = None; loss = out
            lv = float(loss.detach().float())
            bs = len(batch[0]) if isinstance(batch, (list, tuple)) else "?"
            if not math.isfinite(lv):
                first = f"step {step}: loss non-finite ({lv}) terms={terms} batch={bs}"; break
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            bad = [n for n, p in model.named_parameters() if p.grad is not None and not torch.isfinite(p.grad).all()]
            if bad and amp != "fp16":
                first = f"step {step}: grad non-finite in {bad[:4]} (loss={lv:.4g}, batch={bs})"; break
            if bad: skipped += 1
            if cfg["grad_clip"]:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["grad_clip"])
            scaler.step(opt); scaler.update()
            if sched is not None: sched.step()
            badw = [n for n, p in model.named_parameters() if not torch.isfinite(p).all()]
            if badw:
                first = f"step {step}: weight non-finite in {badw[:4]} (loss={lv:.4g})"; break
            if step % 25 == 0 or step < 3:
                print(f"  step {step} loss {lv:.5g}" + (f" scale {scaler.get_scale():.3g} skipped {skipped}" if amp == "fp16" else ""))
            step += 1
            if step >= cfg["steps"]: break
        if first: break
    dt = time.time() - t0
    if first:
        print(f"FAIL {a.script}: {first}  [{dt:.1f}s]")
    else:
        print(f"OK {a.script}: {step} steps finite, fp16 skipped={skipped}  [{dt:.1f}s]")

if __name__ == "__main__":
    main()

import argparse, importlib.util, math, sys, time, random, warnings
import torch

DEFAULTS = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
            "seed": 0, "shuffle": True, "device": "auto"}


def load(path):
    spec = importlib.util.spec_from_file_location("target_" + str(abs(hash(path))), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def total(loss):
    if isinstance(loss, dict):
        return sum(loss.values()), {k: float(v.detach()) for k, v in loss.items()}
    return loss, None


def run(path, loader_seed=None, drop_last=False, steps_override=None, lr_scale=1.0, amp_override="keep", quiet=True, clip_override="keep"):
    mod = load(path)
    cfg = dict(DEFAULTS)
    cfg.update(getattr(mod, "NANWIZ", {}) or {})
    if amp_override != "keep":
        cfg["amp"] = amp_override
    if clip_override != "keep":
        cfg["grad_clip"] = clip_override
    steps = steps_override or cfg["steps"]
    seed = cfg["seed"]
    torch.manual_seed(seed); random.seed(seed)
    model = mod.build_model()
    ds = mod.build_dataset()
    collate = getattr(mod, "collate_fn", None) or torch.utils.data.default_collate
    g = torch.Generator().manual_seed(seed if loader_seed is None else loader_seed)
    dl = torch.utils.data.DataLoader(ds, batch_size=cfg["batch_size"], shuffle=cfg["shuffle"],
                                     collate_fn=collate, generator=g, drop_last=drop_last)
    lr = cfg["lr"] * lr_scale
    if hasattr(mod, "build_optimizer"):
        opt = mod.build_optimizer(model.parameters(), lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = mod.build_scheduler(opt) if hasattr(mod, "build_scheduler") else None
    amp = cfg["amp"]
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(amp)
    scaler = torch.amp.GradScaler("cpu") if amp == "fp16" else None
    step = 0
    history = []
    while step < steps:
        for batch in dl:
            if step >= steps:
                break
            opt.zero_grad(set_to_none=True)
            if dtype is not None:
                with torch.autocast("cpu", dtype=dtype):
                    loss, terms = total(mod.compute_loss(model, batch))
            else:
                loss, terms = total(mod.compute_loss(model, batch))
            lv = float(loss.detach())
            history.append(lv)
            if not math.isfinite(lv):
                return {"first_bad": step, "what": "loss", "loss": lv, "terms": terms, "history": history}
            (scaler.scale(loss) if scaler else loss).backward()
            if scaler:
                scaler.unscale_(opt)
            bad = [n for n, p in model.named_parameters() if p.grad is not None and not torch.isfinite(p.grad).all()]
            if bad and not scaler:
                return {"first_bad": step, "what": "grad", "params": bad[:4], "loss": lv, "history": history}
            if cfg["grad_clip"] is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["grad_clip"])
            if scaler:
                scaler.step(opt); scaler.update()
            else:
                opt.step()
            if sched is not None:
                sched.step()
            badp = [n for n, p in model.named_parameters() if not torch.isfinite(p).all()]
            if badp:
                return {"first_bad": step, "what": "param", "params": badp[:4], "loss": lv, "history": history}
            step += 1
    return {"first_bad": None, "steps": step, "history": history}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--robust", action="store_true")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    for f in a.files:
        t = time.time()
        r = run(f)
        h = r["history"]
        summ = f"max_loss={max((x for x in h if math.isfinite(x)), default=float('nan')):.4g} last={h[-1]:.4g}" if h else ""
        print(f"{f.split('/')[-1]:34s} first_bad={r['first_bad']} {r.get('what','')} {r.get('params','')} {summ} ({time.time()-t:.1f}s)")
        if a.robust:
            res = []
            for ls in [1, 2, 3, 17]:
                for dl in [False, True]:
                    res.append(run(f, loader_seed=ls, drop_last=dl)["first_bad"])
            print("    robust:", res)

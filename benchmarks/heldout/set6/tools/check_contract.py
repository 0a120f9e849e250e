#!/usr/bin/env python
"""Plain-PyTorch runner for contract scripts (independent of nanwiz).

Runs the training loop the contract describes and reports the first step
at which the loss (or a named loss term), a gradient, or a weight is
non-finite.

usage: check_contract.py SCRIPT [--set key=value ...] [--json] [--trace]

--set overrides NANWIZ keys (python literals, e.g. --set lr=0.0
--set amp=None --set grad_clip=1.0 --set batch_size=1).
"""
import argparse
import ast
import importlib.util
import json
import math
import os
import sys
import time

import torch

ALLOWED = {"lr", "batch_size", "steps", "amp", "grad_clip", "seed", "shuffle", "device"}
DEFAULTS = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None,
            "grad_clip": None, "seed": 0, "shuffle": True, "device": "auto"}


def load(path):
    name = "target_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def finite(t):
    return bool(torch.isfinite(t).all())


def run(path, overrides=None, trace=False):
    mod = load(path)
    cfg = dict(DEFAULTS)
    user = dict(getattr(mod, "NANWIZ", {}) or {})
    bad = set(user) - ALLOWED
    if bad:
        raise SystemExit(f"unknown NANWIZ keys: {sorted(bad)}")
    cfg.update(user)
    cfg.update(overrides or {})
    assert cfg["amp"] in (None, "fp16", "bf16"), cfg["amp"]

    seed = int(cfg["seed"])
    torch.manual_seed(seed)
    model = mod.build_model()
    dataset = mod.build_dataset()
    lr = float(cfg["lr"])
    params = [p for p in model.parameters()]
    if hasattr(mod, "build_optimizer"):
        opt = mod.build_optimizer(model.parameters(), lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = mod.build_scheduler(opt) if hasattr(mod, "build_scheduler") else None
    g = torch.Generator()
    g.manual_seed(seed)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=int(cfg["batch_size"]), shuffle=bool(cfg["shuffle"]),
        generator=g, collate_fn=getattr(mod, "collate_fn", None))

    amp = cfg["amp"]
    scaler = torch.amp.GradScaler("cpu") if amp == "fp16" else None
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(amp)
    names = {id(p): n for n, p in model.named_parameters()}

    result = {"file": os.path.basename(path), "cfg": cfg, "first_bad_step": None,
              "kind": None, "detail": None, "steps_run": 0, "skipped_steps": 0,
              "first_grad_nonfinite_step": None}
    # weights non-finite before any update?
    for n, p in model.named_parameters():
        if not finite(p.detach()):
            result.update(first_bad_step=0, kind="weight_init", detail=n)
            return result

    step = 0
    t0 = time.process_time()
    last_losses = []
    model.train()
    while step < int(cfg["steps"]):
        for batch in loader:
            if step >= int(cfg["steps"]):
                break
            opt.zero_grad(set_to_none=True)
            if dtype is not None:
                with torch.autocast("cpu", dtype=dtype):
                    out = mod.compute_loss(model, batch)
            else:
                out = mod.compute_loss(model, batch)
            if isinstance(out, dict):
                terms = {k: v for k, v in out.items()}
                loss = sum(terms.values())
            else:
                terms = {"loss": out}
                loss = out
            bad_terms = [k for k, v in terms.items() if not finite(v.detach())]
            if bad_terms or not finite(loss.detach()):
                result.update(first_bad_step=step, kind="loss",
                              detail={k: float(v.detach().float()) for k, v in terms.items()})
                result["steps_run"] = step
                result["recent_losses"] = last_losses[-5:]
                return result
            last_losses.append(round(float(loss.detach().float()), 6))
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(opt)
            else:
                loss.backward()
            bad_grads = [names.get(id(p), "?") for p in params
                         if p.grad is not None and not finite(p.grad)]
            if bad_grads:
                if scaler is None:
                    result.update(first_bad_step=step, kind="grad", detail=bad_grads[:6],
                                  loss_at_fail=float(loss.detach()))
                    result["steps_run"] = step
                    result["recent_losses"] = last_losses[-5:]
                    return result
                # under a GradScaler a non-finite grad makes it skip the step
                result["skipped_steps"] += 1
                if result["first_grad_nonfinite_step"] is None:
                    result["first_grad_nonfinite_step"] = step
            if cfg["grad_clip"] is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), float(cfg["grad_clip"]))
            if scaler is not None:
                scaler.step(opt)
                scaler.update()
            else:
                opt.step()
            if sched is not None:
                sched.step()
            bad_w = [n for n, p in model.named_parameters() if not finite(p.detach())]
            if bad_w:
                result.update(first_bad_step=step, kind="weight_after_step", detail=bad_w[:6])
                result["steps_run"] = step
                result["recent_losses"] = last_losses[-5:]
                return result
            if trace:
                gn = torch.sqrt(sum((p.grad.float() ** 2).sum() for p in params
                                    if p.grad is not None))
                print(f"step {step:4d} loss {float(loss):.6g} gnorm {float(gn):.4g}")
            step += 1
    result["steps_run"] = step
    result["cpu_s"] = round(time.process_time() - t0, 2)
    result["final_loss"] = last_losses[-1] if last_losses else None
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("script")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--trace", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(1)
    ov = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        ov[k] = ast.literal_eval(v)
    t0 = time.process_time()
    r = run(a.script, ov, trace=a.trace)
    r["total_cpu_s"] = round(time.process_time() - t0, 2)
    if a.json:
        print(json.dumps(r, default=str))
    else:
        if r["first_bad_step"] is None:
            print(f"{r['file']}: FINITE for {r['steps_run']} steps "
                  f"(final loss {r.get('final_loss')}, skipped {r['skipped_steps']}, "
                  f"cpu {r['total_cpu_s']}s)")
        else:
            print(f"{r['file']}: NON-FINITE {r['kind']} at step {r['first_bad_step']} "
                  f"detail={r['detail']} recent={r.get('recent_losses')} "
                  f"skipped={r['skipped_steps']} cpu {r['total_cpu_s']}s")


if __name__ == "__main__":
    main()

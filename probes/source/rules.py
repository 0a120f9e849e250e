"""The rules: each flags the *unguarded* form of a pattern (log without eps, division by a
computed std, exp without a max subtracted ...) on one kind of node, and records the line as a
finding of one fact. What a rule cannot classify it leaves alone: missing an exotic case is
better than a false alarm or a crash."""

from __future__ import annotations

import ast
import math

from .dataflow import Callee, Source, called_name, key_of
from .vocabulary import (
    EMPTY_CTORS, ENTROPY, EXP_OPS, FILL_OPS, HALF_DTYPES, INIT_OPS, LOG_OPS, LOOPS, NORM_OPS,
    NOT_OPTIMIZER, OPT_EPS_INDEX, PY_SCALARS, SEEDERS, SQRT_OPS, UNSEEDED_IF_EMPTY,
)


def fractional(exponent: float | None) -> bool:
    """A power below 1 that is not an integer (0.5, 1/3, -0.5): its gradient is infinite at 0."""
    return exponent is not None and exponent < 1 and exponent != int(exponent)


def python_scalar(src: Source, node: ast.AST) -> bool:
    """float(n), len(x), math.*: or a bare parameter name (d ** 0.5 of a size): not a tensor."""
    n = src.settle(node)
    if isinstance(n, ast.Name):
        return True
    qual = src.callee(node).qual or "" if isinstance(node, ast.Call) else ""
    return qual in PY_SCALARS or qual.startswith("math.")


def mentions_grad(node: ast.AST | None) -> bool:
    """node reads a `.grad` (p.grad, p.grad.data): gradient bookkeeping, not the model's math."""
    return node is not None and any(isinstance(a, ast.Attribute) and a.attr == "grad" for a in ast.walk(node))


def arguments(node: ast.Call) -> list[ast.AST]:
    return [*node.args, *(k.value for k in node.keywords)]


def infinite(src: Source, node: ast.AST) -> bool:
    value = src.number(node)
    return value is not None and math.isinf(value)


def without_gradient(src: Source, node: ast.AST, subject: ast.AST) -> bool:
    """Under `with torch.no_grad()` (or a function decorated with it), or about `.grad` itself
    (gradient-norm monitoring): no gradient flows through it, so a kink at 0 is harmless."""
    if mentions_grad(subject):
        return True
    for p in src.enclosing(node):
        calls = [i.context_expr for i in getattr(p, "items", [])] + list(getattr(p, "decorator_list", []))
        if any(isinstance(e, ast.Call) and src.callee(e).op in ("no_grad", "inference_mode") for e in calls):
            return True
    return False


# ------------------------------------------------------------ rules on calls
def check_log(src: Source, node: ast.Call, c: Callee) -> None:
    """log of a computed value that nothing keeps above zero (and whether it is a softmax's)."""
    if c.op in LOG_OPS and c.subject is not None and src.tensor_op(node, c) and not src.kept_positive(c.subject):
        src.add("source.log_unguarded", node, "log of a computed value without clamp or eps")
        if src.probability(c.subject):
            src.add("source.log_of_softmax", node, "log of a softmax/sigmoid output instead of log_softmax/logsigmoid")


def check_root(src: Source, node: ast.Call, c: Callee) -> None:
    """sqrt, fractional pow or norm of a computed value: the gradient is infinite at 0."""
    if c.subject is None or not src.tensor_op(node, c):
        return
    if c.op in SQRT_OPS:
        why = "sqrt of a computed value without eps inside"
    elif c.op in ("pow", "pow_"):
        exponent = node.args[0] if c.method and node.args else (node.args[1] if len(node.args) > 1 else None)
        exponent = next((k.value for k in node.keywords if k.arg == "exponent"), exponent)
        if not fractional(src.number(exponent)):
            return
        why = "fractional power of a computed value without eps inside"
    elif c.op in NORM_OPS and not (c.qual or "").startswith("numpy") and not l1_or_max_norm(src, node, c):
        why = "norm of a computed value (its gradient is infinite where it is 0)"
    else:
        return
    if not src.kept_positive(c.subject) and not without_gradient(src, node, c.subject):
        src.add("source.sqrt_unguarded", node, why)


def l1_or_max_norm(src: Source, node: ast.Call, c: Callee) -> bool:
    """norm(x, p=1) or p=inf: its gradient stays finite at 0 (unlike the default 2-norm)."""
    index = 0 if c.method else (2 if c.op in ("dist", "cdist") else 1)
    order = node.args[index] if len(node.args) > index else None
    order = next((k.value for k in node.keywords if k.arg in ("p", "ord")), order)
    value = src.number(order)
    return value is not None and (value == 1 or math.isinf(value))


def check_exp(src: Source, node: ast.Call, c: Callee) -> None:
    """exp of a value that may be large: it overflows to inf past ~88 (~11 in fp16)."""
    if c.op in EXP_OPS and c.subject is not None and src.tensor_op(node, c) and not src.exp_safe(c.subject):
        src.add("source.exp_unguarded", node, "exp of a computed value without clamp or max subtraction")


def check_div_call(src: Source, node: ast.Call, c: Callee) -> None:
    """torch.div(a, b), a.div(b), a.div_(b): the same as a / b."""
    if c.op not in ("div", "div_", "true_divide") or c.on_module or not node.args:
        return
    if c.method:
        check_division(src, node, c.subject, node.args[0])
    elif (c.qual or "").startswith("torch.") and len(node.args) > 1:
        check_division(src, node, node.args[0], node.args[1])


def check_attention(src: Source, node: ast.Call, c: Callee) -> None:
    """softmax(q @ k.T) with no 1/sqrt(d): the logits grow with d and the softmax saturates."""
    if c.op == "softmax" and c.subject is not None and (c.on_module or src.tensor_op(node, c)) \
            and unscaled_product(src, c.subject):
        src.add("source.unscaled_attention", node, "softmax of a query-key product not divided by sqrt(d)")


def unscaled_product(src: Source, node: ast.AST, hops: int = 0) -> bool:
    """node is a matmul of two computed tensors (through masking and mask addition), unscaled."""
    for n in src.chain(node):
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)) and hops < 4:
            return any(unscaled_product(src, s, hops + 1) for s in (n.left, n.right))
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
            return raw_operand(src, n.left) and raw_operand(src, n.right)
        if isinstance(n, ast.Call):
            c = src.callee(n)
            operands = ([c.subject] if c.method else []) + n.args
            if c.op in ("matmul", "bmm", "mm"):
                return len(operands) == 2 and all(raw_operand(src, o) for o in operands)
            if c.op == "einsum":
                return len(n.args) > 2 and all(raw_operand(src, o) for o in n.args[1:])
            if c.op in ("masked_fill", "masked_fill_") and operands and hops < 4:
                return unscaled_product(src, operands[0], hops + 1)
    return False


def raw_operand(src: Source, node: ast.AST) -> bool:
    """A computed activation (q, k, self.q(x)); not a parameter, a constant or a scaled/normalized value."""
    n = src.settle(node)
    if src.static(n) or isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Mult, ast.Div)):
        return False
    if isinstance(n, ast.Call):
        return src.callee(n).op not in ("normalize", "Parameter")
    return isinstance(n, ast.Name)


def check_fill_inf(src: Source, node: ast.Call, c: Callee) -> None:
    """masked_fill / full / where / pad with an infinite value: a fully masked row becomes NaN."""
    if c.op in FILL_OPS and any(infinite(src, v) for v in arguments(node)) \
            or c.op == "generate_square_subsequent_mask":  # nn.Transformer's -inf causal mask
        src.add("source.masked_fill_inf", node, "fills a tensor with an infinite value")


def check_empty_param(src: Source, node: ast.Call, c: Callee) -> None:
    """nn.Parameter(torch.empty(...)) whose attribute nothing in the file initializes afterwards."""
    if c.op != "Parameter" or not node.args:
        return
    made = src.settle(node.args[0])
    if not isinstance(made, ast.Call) or src.qualname(made.func) not in EMPTY_CTORS:
        return
    if src.qualname(made.func) not in ("torch.empty", "torch.empty_like") and not (
            made.args and all(src.static(a) and not isinstance(a, (ast.List, ast.Tuple)) for a in made.args)):
        return  # torch.Tensor([1.0, 2.0]) holds data
    keys = {key_of(node.args[0])}
    for p in src.enclosing(node):
        if isinstance(p, ast.Call) and src.callee(p).op == "register_parameter" and p.args \
                and isinstance(p.args[0], ast.Constant):
            keys.add(p.args[0].value)
        if isinstance(p, (ast.Assign, ast.AnnAssign)):
            keys |= {key_of(t) for t in (p.targets if isinstance(p, ast.Assign) else [p.target])}
            break
    inited, everything = initialized(src)
    if not everything and not (keys - {None}) & inited:
        src.add("source.torch_empty_param", node, "parameter made from uninitialized memory and never initialized")


def initialized(src: Source) -> tuple[set[str], bool]:
    """Names/attributes the file initializes in place (nn.init.*_(w), w.normal_(), w.data = ...),
    and whether it initializes every parameter (a loop over .parameters() that inits each)."""
    if "inits" in src._memo:
        return src._memo["inits"]
    inited, everything = set(), False
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Call):
            c = src.callee(node)
            if c.method and c.op in INIT_OPS:
                inited.add(key_of(node.func.value))
            elif c.op in INIT_OPS or (c.qual and ".init." in c.qual):
                inited.add(key_of(c.subject) if c.subject is not None else None)
        elif isinstance(node, ast.Assign):
            inited |= {key_of(t.value) for t in node.targets if isinstance(t, ast.Attribute) and t.attr == "data"}
    for loop in ast.walk(src.tree):
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
            if names & inited:
                inited |= {called_name(n) for n in ast.walk(loop.iter)}
                everything |= any(isinstance(n, ast.Call) and src.callee(n).op in ("parameters", "named_parameters")
                                  for n in ast.walk(loop.iter))
    src._memo["inits"] = (inited, everything)
    return inited, everything


def check_optimizer_eps(src: Source, node: ast.Call, c: Callee) -> None:
    """Adam-like optimizers divide by sqrt(v) + eps; with eps ~0 a zero v gives 0/0."""
    if c.op not in OPT_EPS_INDEX and "adam" not in (c.op or "").lower():
        return
    index = OPT_EPS_INDEX.get(c.op)
    eps = node.args[index] if index is not None and len(node.args) > index else None
    eps = next((k.value for k in node.keywords if k.arg == "eps"), eps)
    value = src.number(eps)
    if value is not None and value < 1e-10:
        src.add("source.tiny_optimizer_eps", node, f"optimizer eps={value:g}: its update divides by ~0")


def check_half(src: Source, node: ast.Call, c: Callee) -> None:
    """model.half(), model.to(torch.float16), torch.set_default_dtype(torch.float16): not autocast."""
    dtypes = [src.qualname(a) for a in arguments(node)]
    if c.qual in ("torch.set_default_dtype", "torch.set_default_tensor_type"):
        half = any(d in HALF_DTYPES or "Half" in (d or "") for d in dtypes)
    else:
        cast = c.op == "half" and not node.args or c.op in ("to", "type") and bool(HALF_DTYPES & set(dtypes))
        half = c.method and cast and src.model_like(node.func.value)
    if half:
        src.add("source.half_model", node, "casts the model's parameters to float16 (not autocast)")


def check_randomness(src: Source, node: ast.Call, c: Callee) -> None:
    """Randomness nanwiz's seeding cannot reach (OS entropy, the clock, fresh unseeded generators);
    plain torch.randn / random.random / np.random.rand follow the global seeds nanwiz sets."""
    q = c.qual or ""
    no_seed = not any(src.number(a) is not None or not isinstance(a, ast.Constant) for a in arguments(node))
    unseeded = q in ENTROPY or q.startswith("secrets.") or q in UNSEEDED_IF_EMPTY and no_seed
    # An unseeded torch.Generator() is not flagged: it starts from a fixed default seed, so it is
    # deterministic from run to run (and irregular failures are what this fact stands for).
    if unseeded:
        src.add("source.unseeded_randomness", node, f"{q}() is not controlled by any seed")
    elif (c.op in SEEDERS or c.op in ("tensor", "as_tensor", "full", "array", "asarray", "fill_")) \
            and any(src.mentions_clock(a) for a in arguments(node)):
        src.add("source.unseeded_randomness", node, "a clock reading seeds a generator or feeds a tensor")


# ------------------------------------------------------------ rules on a loop of the user's own
def scaler_call(src: Source, node: ast.AST, op: str) -> bool:
    """node is scaler.<op>(...) on a GradScaler (bound to one, or named like one)."""
    if not isinstance(node, ast.Call):
        return False
    c = src.callee(node)
    if not c.method or c.op != op:
        return False
    receiver = node.func.value
    made = src.settle(receiver)
    made_by = src.qualname(made.func) or "" if isinstance(made, ast.Call) else ""
    return made_by.endswith("GradScaler") or "scaler" in ast.unparse(receiver).lower()


def check_clip_scaled(src: Source, node: ast.Call, c: Callee) -> None:
    """clip_grad_norm_ on gradients a GradScaler scaled, with no scaler.unscale_ before it: the
    clip compares scaled gradients (x65536) with max_norm, so it either never clips or crushes them."""
    if c.op not in ("clip_grad_norm_", "clip_grad_value_") or c.method and not (c.qual or "").startswith("torch"):
        return
    scope = src.scope_of(node)
    calls = [n for n in ast.walk(scope) if isinstance(n, ast.Call)]
    scaled = any(scaler_call(src, n, "scale") for n in calls)
    unscaled_before = any(scaler_call(src, n, "unscale_") and n.lineno <= node.lineno for n in calls)
    if scaled and not unscaled_before:
        src.add("source.clip_before_unscale", node, "clips gradients a GradScaler scaled, without scaler.unscale_ first")


def scaled_by_constant(src: Source, node: ast.AST) -> float | None:
    """The constant (>= 128) a loss is multiplied by, following names to what they hold."""
    for n in src.chain(node):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
            for k, term in ((n.left, n.right), (n.right, n.left)):
                value = src.number(k)
                if value is not None and abs(value) >= 128 and not src.static(term):
                    return value
    return None


def check_manual_scale(src: Source, node: ast.Call, c: Callee) -> None:
    """(loss * 1024).backward() or scaler.scale(loss * 1024): loss scaling by hand, which overflows
    fp16 gradients with nothing to skip the step (or scales twice under a GradScaler)."""
    if c.op == "backward" and c.method:
        subject = node.func.value
    elif scaler_call(src, node, "scale") and node.args:
        subject = node.args[0]
    else:
        return
    value = scaled_by_constant(src, subject)
    if value is not None:
        src.add("source.manual_loss_scale", node, f"the loss is multiplied by {value:g} before backward()")


def divided(src: Source, node: ast.AST) -> bool:
    """The loss handed to backward() was divided by something (the number of micro-batches)."""
    for n in src.chain(node):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div):
            return True
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult) and any(
                (v := src.number(x)) is not None and 0 < abs(v) < 1 for x in (n.left, n.right)):
            return True
    return False


def check_accumulation(src: Source, loop: ast.AST) -> None:
    """A loop that calls backward() every iteration but step() only under `if i % k == 0`, with the
    loss not divided by k: the update is k times the mean gradient (a k times larger step)."""
    backward, step = [], []
    for n in ast.walk(loop):
        if isinstance(n, ast.Call):
            c = src.callee(n)
            if c.op == "backward" and c.method:
                backward.append(n)
            elif c.op == "step" and c.method and not NOT_OPTIMIZER.search(ast.unparse(n.func.value)):
                step.append(n)
    if not backward or not step:
        return

    def guards(n: ast.AST) -> list[ast.If]:
        out = []
        for p in src.enclosing(n):
            if p is loop:
                break
            if isinstance(p, ast.If):
                out.append(p)
        return out

    every_k = all(any(isinstance(x, ast.BinOp) and isinstance(x.op, ast.Mod) for g in guards(s) for x in ast.walk(g.test))
                  for s in step)
    if not every_k or any(guards(b) for b in backward):
        return
    for b in backward:
        subject = b.func.value
        if scaler_call(src, subject, "scale") and subject.args:
            subject = subject.args[0]
        if not divided(src, subject):
            src.add("source.accumulation_undivided", b,
                    "backward() on every micro-batch, step() every few, and the loss is not divided by their number")


def check_ctc(src: Source, node: ast.Call, c: Callee) -> None:
    """The loss is a CTC loss (F.ctc_loss, nn.CTCLoss): the one loss whose targets can be infeasible."""
    if c.op in ("ctc_loss", "CTCLoss"):
        src.add("source.ctc_loss", node, "a CTC loss: Inf when a target needs more frames than its input has")


CALL_CHECKS = (check_log, check_root, check_exp, check_div_call, check_attention, check_fill_inf, check_empty_param,
               check_optimizer_eps, check_half, check_randomness, check_clip_scaled, check_manual_scale, check_ctc)


def check_call(src: Source, node: ast.Call) -> None:
    """Every call-shaped rule, with the call classified once."""
    c = src.callee(node)
    if c.op:
        for check in CALL_CHECKS:
            check(src, node, c)


# ------------------------------------------------------------ rules on arithmetic, assignments, loops
def check_division(src: Source, node: ast.AST, num: ast.AST, den: ast.AST) -> None:
    """num / den: a hand-made softmax, or a divisor (std, sum, max, norm) that can reach 0."""
    if src.manual_softmax(num, den):
        src.add("source.manual_softmax", node, "softmax by hand, exp(x) / sum(exp(x)), without subtracting the max")
    elif (reason := src.risky_divisor(den)) is not None:
        src.add("source.div_unguarded", node, f"division by {reason} without eps or clamp")


def check_binop(src: Source, node: ast.BinOp) -> None:
    """Arithmetic: divisions, fractional powers, loss weights, -inf masks, clock readings."""
    if isinstance(node.op, ast.Div):
        check_division(src, node, node.left, node.right)
    if isinstance(node.op, ast.Pow) and fractional(src.number(node.right)) and not src.kept_positive(node.left) \
            and not python_scalar(src, node.left) and not without_gradient(src, node, node.left):
        src.add("source.sqrt_unguarded", node, "fractional power of a computed value without eps inside")
    if src.within(node, src.reachable(("compute_loss",))):
        check_loss_weight(src, node)
    sides = (node.left, node.right)
    if any(infinite(src, a) and src.tensorish(b) for a, b in (sides, sides[::-1])):  # torch.ones(n, n) * -inf
        src.add("source.masked_fill_inf", node, "fills a tensor with an infinite value")
    if any(src.tensorish(a) and src.mentions_clock(b) for a, b in (sides, sides[::-1])):
        src.add("source.unseeded_randomness", node, "a clock reading feeds a tensor's values")


def check_loss_weight(src: Source, node: ast.BinOp) -> None:
    """In compute_loss: a loss term times a constant >= 100 (or divided by one <= 0.01). When the
    product is the whole loss compute_loss returns (what backward() is called on), it is also a loss
    scaled by hand: nothing undoes it before the optimizer step."""
    if isinstance(node.op, ast.Mult):
        for weight, term in ((node.left, node.right), (node.right, node.left)):
            value = src.number(weight)
            if value is not None and abs(value) >= 100 and not src.static(term) and src.loss_like(term):
                src.add("source.large_loss_weight", node, f"a loss term is multiplied by {value:g}")
                if returned_whole(src, node):
                    src.add("source.manual_loss_scale", node,
                            f"the whole loss is multiplied by {value:g} before nanwiz's backward()")
                return
    value = src.number(node.right) if isinstance(node.op, ast.Div) else None
    if value is not None and 0 < abs(value) <= 0.01 and src.loss_like(node.left):
        src.add("source.large_loss_weight", node, f"a loss term is divided by {value:g}")


def returned_whole(src: Source, node: ast.AST) -> bool:
    """Is node the whole value compute_loss returns (directly, or through one name)?"""
    parent = src.parent.get(node)
    scope = src.scope_of(node)
    if getattr(scope, "name", None) != "compute_loss":
        return False
    if isinstance(parent, ast.Return):
        return True
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name = parent.targets[0].id
        return any(isinstance(r, ast.Return) and isinstance(r.value, ast.Name) and r.value.id == name
                   for r in ast.walk(scope))
    return False


def check_assign(src: Source, node: ast.Assign) -> None:
    """x[mask] = float('-inf'); group['eps'] = 0 in an optimizer's param_groups."""
    for target in node.targets:
        if isinstance(target, ast.Subscript) and infinite(src, node.value):
            src.add("source.masked_fill_inf", node, "writes an infinite value into a tensor")
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and target.slice.value == "eps":
            value = src.number(node.value)
            if value is not None and value < 1e-10:
                src.add("source.tiny_optimizer_eps", node, f"optimizer eps={value:g}: its update divides by ~0")


def loop_ops(src: Source, loop: ast.AST) -> tuple[set[str], list[ast.AST]]:
    """What a loop does (backward / step / zero_grad), counting the file's functions it calls,
    and the loops found inside it (there or in those functions)."""
    ops, inner, seen, todo = set(), [], set(), [loop]
    while todo:
        for n in ast.walk(todo.pop()):
            if n is not loop and isinstance(n, LOOPS):
                inner.append(n)
            if isinstance(n, ast.Call):
                c = src.callee(n)
                receiver = n.func.value if c.method else None
                if c.op == "zero_grad" or c.op in ("zero_", "fill_", "detach_") and mentions_grad(receiver):
                    ops.add("zero_grad")  # p.grad.zero_() too
                elif c.op == "backward" and (c.method or c.qual == "torch.autograd.backward"):
                    ops.add("backward")
                elif c.op == "step" and c.method and not NOT_OPTIMIZER.search(ast.unparse(receiver)):
                    ops.add("step")
            elif isinstance(n, ast.Assign) and any(mentions_grad(t) for t in n.targets):
                ops.add("zero_grad")  # p.grad = None
            for fn in src.functions.get(called_name(n), []):
                if fn not in seen:
                    seen.add(fn)
                    todo.append(fn)
    return ops, inner


def loop_lacks_zero_grad(src: Source, loop: ast.AST) -> bool:
    """Memoized: inner loops are asked again by every loop around them."""
    if ("loop", loop) not in src._memo:
        ops, inner = loop_ops(src, loop)
        src._memo[("loop", loop)] = {"backward", "step"} <= ops and "zero_grad" not in ops
        src._memo[("inner", loop)] = inner
    return src._memo[("loop", loop)]


def check_loop(src: Source, node: ast.AST) -> None:
    """A loop with backward() and step() but no zero_grad(): reported at the innermost such loop.
    And gradient accumulation that does not divide the loss."""
    if loop_lacks_zero_grad(src, node) and not any(loop_lacks_zero_grad(src, i) for i in src._memo[("inner", node)]):
        why = "training loop calls backward() and step() but never zero_grad()"
        src.add("source.loop_without_zero_grad", node, why)
    check_accumulation(src, node)


RULES = {ast.Call: check_call, ast.BinOp: check_binop, ast.Assign: check_assign,
         ast.For: check_loop, ast.AsyncFor: check_loop, ast.While: check_loop}

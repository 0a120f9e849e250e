"""What a name in the script holds: imports and aliases, assignments inside a function, module
constants and `self.x` attributes, followed so that `p = torch.softmax(z, 1)` and then
`torch.log(p)` reads as a log of a softmax. What cannot be followed counts as a computed value."""

from __future__ import annotations

import ast
import math
from typing import NamedTuple

from .vocabulary import (
    ARITH, BOUNDED, CLOCKS, CONSTANTS, DEFAULT_ALIASES, EPS_NAME, EXP_OPS, FUNCS, LOSS_NAME, MAXLIKE,
    MODEL_NAME, MODULES, MODULE_PRESERVING, NONNEG, RISKY_DIVISORS, TRANSPARENT,
)



def trained_tensor(node: ast.Call) -> bool:
    """torch.tensor(1.0, requires_grad=True): a weight the loop trains, not a constant."""
    return any(k.arg == "requires_grad" and not (isinstance(k.value, ast.Constant) and not k.value.value)
               for k in node.keywords)

class Callee(NamedTuple):
    """What a call is: `op` its last name; `qual` the dotted name for module functions and
    builtins; `method` for x.op(...); `subject` the value it acts on; `on_module` for an
    nn.Module called or its method (self.norm(x), nn.Softmax(1)(x)), whose subject is args[0]."""

    op: str | None
    qual: str | None = None
    method: bool = False
    subject: ast.AST | None = None
    on_module: bool = False


class Source:
    """The parsed script and the lookups every rule shares: imports, parents, bindings."""

    def __init__(self, text: str, tree: ast.Module):
        self.lines, self.tree = text.splitlines(), tree
        self.aliases = dict(DEFAULT_ALIASES)
        self.parent: dict[ast.AST, ast.AST] = {}
        self.binds: dict[ast.AST, dict[str, list]] = {}  # scope -> name -> [(position, value or None)]
        self.attrs: dict[ast.AST, dict[str, list]] = {}  # class -> attribute -> [values]
        self.patched: set[tuple[ast.AST, str]] = set()  # names fixed in place: s[s == 0] = 1, s.clamp_(...)
        self.functions: dict[str, list[ast.AST]] = {}
        self.classes: set[str] = set()
        self.augs: list[ast.BinOp] = []  # x op= y, as the BinOp it stands for
        self.findings: dict[tuple[str, int], dict] = {}
        self._memo: dict = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        for node in list(ast.walk(tree)):
            self._index(node)

    # ------------------------------------------------------------ indexing
    def _index(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            self.classes.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind(target, node.value, node)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            self._bind(node.target, node.value, node)
        elif isinstance(node, ast.AugAssign):
            t = node.target
            left = ast.Attribute(value=t.value, attr=t.attr, ctx=ast.Load()) if isinstance(t, ast.Attribute) \
                else ast.Name(id=getattr(t, "id", "_"), ctx=ast.Load())
            ast.copy_location(left, node)
            binop = ast.copy_location(ast.BinOp(left=left, op=node.op, right=node.value), node)
            self.parent[left], self.parent[binop] = binop, node
            self.augs.append(binop)
            self._bind(node.target, binop, node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):  # p in model.parameters() reads as "an element of" it
            element = ast.copy_location(ast.Subscript(value=node.iter, slice=ast.Constant(0), ctx=ast.Load()), node)
            self.parent[element] = node
            self._bind(node.target, element, node, (node.iter.end_lineno, node.iter.end_col_offset))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    end = (item.context_expr.end_lineno, item.context_expr.end_col_offset)
                    self._bind(item.optional_vars, item.context_expr, node, end)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in (
                    "clamp_", "clamp_min_", "clip_", "add_", "masked_fill_", "nan_to_num_", "fill_"):
                self.patched.add((self.scope_of(node), func.value.id))

    def _bind(self, target: ast.AST, value: ast.AST | None, stmt: ast.AST, pos: tuple | None = None) -> None:
        """Record that `target` holds `value` (None: something the scan cannot follow) from `pos` on."""
        pos = pos or (stmt.end_lineno, stmt.end_col_offset)
        if isinstance(target, ast.Name):
            self.binds.setdefault(self.scope_of(stmt), {}).setdefault(target.id, []).append((pos, value))
            if isinstance(self.parent.get(stmt), ast.ClassDef):
                self.attrs.setdefault(self.parent[stmt], {}).setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            same = isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts)
            for i, elt in enumerate(target.elts):
                self._bind(elt, value.elts[i] if same else None, stmt, pos)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, None, stmt, pos)
        elif isinstance(target, ast.Attribute) and (cls := self.self_class(target)) is not None:
            self.attrs.setdefault(cls, {}).setdefault(target.attr, []).append(value)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self.patched.add((self.scope_of(stmt), target.value.id))

    def scope_of(self, node: ast.AST) -> ast.AST:
        node = self.parent.get(node)
        while node is not None and not isinstance(node, (*FUNCS, ast.Module)):
            node = self.parent.get(node)
        return node or self.tree

    def enclosing(self, node: ast.AST):
        """The chain of parents of node, innermost first."""
        while (node := self.parent.get(node)) is not None:
            yield node

    def self_class(self, node: ast.AST) -> ast.AST | None:
        """The class of `self` in `self.x` (whatever the first parameter of the method is called)."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self.self_of(node.value)
        return None

    def self_of(self, name: ast.Name) -> ast.AST | None:
        fn = self.scope_of(name)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and isinstance(self.parent.get(fn), ast.ClassDef):
            args = fn.args.posonlyargs + fn.args.args
            if args and args[0].arg == name.id:
                return self.parent[fn]
        return None

    # ------------------------------------------------------------ following values
    def bound(self, node: ast.AST) -> ast.AST | None:
        """The expression last bound to this name (or self.attr) before its use; None if unknown."""
        if isinstance(node, ast.Attribute):
            values = self.attrs.get(self.self_class(node), {}).get(node.attr) or [None]
            return values[-1]
        if not isinstance(node, ast.Name):
            return None
        pos, scope = (node.lineno, node.col_offset), self.scope_of(node)
        while True:
            hits = [v for p, v in self.binds.get(scope, {}).get(node.id, []) if pos is None or p <= pos]
            if hits:
                return hits[-1]
            if isinstance(scope, ast.Module) or self.param(scope, node.id) is not None:
                return None
            scope, pos = self.scope_of(scope), None  # an outer scope: bound by the time this runs

    def param(self, fn: ast.AST, name: str) -> ast.arg | None:
        a = fn.args
        return next((p for p in a.posonlyargs + a.args + a.kwonlyargs if p.arg == name), None)

    def static_param(self, name: ast.Name, hops: int = 0) -> bool:
        """A parameter of __init__ or one with a constant default: configuration, not data."""
        fn = self.scope_of(name)
        if not isinstance(fn, FUNCS) or self.param(fn, name.id) is None:
            return False
        if getattr(fn, "name", "") == "__init__":
            return True
        a = fn.args
        pairs = [*zip(reversed(a.posonlyargs + a.args), reversed(a.defaults)), *zip(a.kwonlyargs, a.kw_defaults)]
        return any(p.arg == name.id and d is not None and self.static(d, hops + 1) for p, d in pairs)

    def step(self, node: ast.AST) -> ast.AST | None:
        """One step from a value to what it is made of, when that keeps its meaning:
        p[i] -> p, x.float() -> x, a name -> its bound value. None when there is no such step."""
        if isinstance(node, ast.Subscript):
            return node.value
        if isinstance(node, ast.Attribute) and node.attr in ("T", "mT", "H", "values", "data"):
            return node.value
        if isinstance(node, ast.Call):
            c = self.callee(node)
            return c.subject if c.op in TRANSPARENT and not c.on_module else None
        return self.bound(node)

    def chain(self, node: ast.AST):
        """node, then each step of what it stands for (bounded, so cycles cannot hang)."""
        for _ in range(12):
            if node is None:
                return
            yield node
            node = self.step(node)

    def settle(self, node: ast.AST) -> ast.AST:
        return list(self.chain(node))[-1]

    # ------------------------------------------------------------ what a node is
    def qualname(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute) and (base := self.qualname(node.value)):
            return f"{base}.{node.attr}"
        return None

    def callee(self, call: ast.Call) -> Callee:
        if call in self._memo:
            return self._memo[call]
        f, first = call.func, (call.args[0] if call.args else None)
        qual = self.qualname(f)
        if isinstance(f, ast.Call):  # nn.Softmax(dim=1)(x)
            result = Callee((self.callee(f).op or "").lower(), subject=first, on_module=True)
        elif qual and qual.split(".")[0] in MODULES:
            kw = next((k.value for k in call.keywords if k.arg == "input"), None)
            result = Callee(qual.rsplit(".", 1)[-1], qual, subject=first if first is not None else kw)
        elif isinstance(f, ast.Attribute):
            mod = self.is_module(f.value)
            result = Callee(f.attr, method=True, subject=first if mod else f.value, on_module=mod)
        elif isinstance(f, ast.Name):
            result = Callee(f.id, qual, subject=first)
        else:
            result = Callee(None)
        self._memo[call] = result
        return result

    def is_module(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name) and self.self_of(node) is not None:
            return True
        value = self.bound(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if isinstance(value, ast.Call):
            q = self.qualname(value.func) or ""
            return q.startswith("torch.nn.") and q.rsplit(".", 1)[-1][:1].isupper() and not q.endswith("Parameter")
        return False

    def tensor_op(self, node: ast.Call, c: Callee) -> bool:
        """A torch/numpy function, or a tensor method with constant arguments only (x.log(), x.softmax(-1))."""
        if c.method:
            return not c.on_module and all(self.static(a) for a in node.args)
        return bool(c.qual) and c.qual.split(".")[0] in ("torch", "numpy")

    def number(self, node: ast.AST, hops: int = 0) -> float | None:
        """The value of a numeric constant, through names, simple arithmetic, float('inf'), math.sqrt."""
        if hops > 8 or node is None:
            return None
        try:
            if isinstance(node, ast.Constant):
                ok = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
                return float(node.value) if ok else None
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
                v = self.number(node.operand, hops + 1)
                return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
            if isinstance(node, ast.BinOp) and type(node.op) in ARITH:
                a, b = self.number(node.left, hops + 1), self.number(node.right, hops + 1)
                return None if a is None or b is None else float(ARITH[type(node.op)](a, b))
            if isinstance(node, ast.Call) and len(node.args) == 1:
                q, arg = self.callee(node).qual, node.args[0]
                if q == "float" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    return float(arg.value)
                if q in ("float", "int", "torch.tensor", "torch.as_tensor", "math.sqrt", "numpy.sqrt") \
                        and not trained_tensor(node):
                    v = self.number(arg, hops + 1)
                    return None if v is None else (math.sqrt(v) if q.endswith("sqrt") else v)
                return None
            if isinstance(node, ast.Attribute) and self.qualname(node) in CONSTANTS:
                return CONSTANTS[self.qualname(node)]
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):  # WEIGHTS["kl"]
                table = self.settle(node.value)
                if isinstance(table, ast.Dict):
                    for k, v in zip(table.keys, table.values):
                        if isinstance(k, ast.Constant) and k.value == node.slice.value:
                            return self.number(v, hops + 1)
                return None
            if isinstance(node, (ast.Name, ast.Attribute)):
                return self.number(self.bound(node), hops + 1)
        except (ArithmeticError, ValueError, TypeError):
            return None
        return None

    def static(self, node: ast.AST, hops: int = 0) -> bool:
        """A value fixed before training: constants, configuration, shapes, math.* results."""
        if hops > 8 or node is None:
            return False
        if isinstance(node, ast.Constant) or self.number(node) is not None:
            return True
        if isinstance(node, (ast.Tuple, ast.List)):
            return all(self.static(e, hops + 1) for e in node.elts)
        if isinstance(node, ast.UnaryOp):
            return self.static(node.operand, hops + 1)
        if isinstance(node, ast.BinOp):
            return self.static(node.left, hops + 1) and self.static(node.right, hops + 1)
        if isinstance(node, ast.Subscript):
            return self.static(node.value, hops + 1)
        if isinstance(node, ast.Call):
            c = self.callee(node)
            if (c.qual or "").startswith("math.") or c.op in ("len", "size", "dim", "numel", "finfo", "iinfo"):
                return True
            return c.qual in ("int", "float", "max", "min", "abs", "round", "torch.tensor", "torch.as_tensor") and all(
                self.static(a, hops + 1) for a in node.args) and not trained_tensor(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            value = self.bound(node)
            if value is not None:
                return self.static(value, hops + 1)
            if isinstance(node, ast.Attribute):
                return node.attr in ("shape", "ndim", "eps", "tiny") or self.static(node.value, hops + 1)
            return self.static_param(node, hops)
        return False

    def positive(self, node: ast.AST) -> bool:
        v = self.number(node)
        return v > 0 if v is not None else self.static(node)

    def clamp_bounds(self, node: ast.Call, c: Callee) -> tuple[bool, bool]:
        """Whether a clamp/clip call sets a lower and an upper bound."""
        if c.op in ("clamp_min", "clamp_min_"):
            return True, False
        if c.op in ("clamp_max", "clamp_max_"):
            return False, True
        if c.op not in ("clamp", "clip", "clamp_", "clip_"):
            return False, False
        args = node.args if c.method else node.args[1:]
        kw = {k.arg: k.value for k in node.keywords}
        lo, hi = kw.get("min", args[0] if args else None), kw.get("max", args[1] if len(args) > 1 else None)
        real = [b is not None and not (isinstance(b, ast.Constant) and b.value is None) for b in (lo, hi)]
        return real[0], real[1]

    def guard_here(self, node: ast.AST, hops: int = 0) -> bool:
        """This node itself keeps its value off zero: a constant, + eps, clamp(min=), max(.., c), where."""
        if isinstance(node, ast.Name) and (self.scope_of(node), node.id) in self.patched:
            return True
        if self.static(node):
            return self.number(node) != 0
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return any(self.positive(s) or EPS_NAME.search(self.qualname(s) or "") for s in (node.left, node.right))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)) and hops < 4:  # (a+eps)*(b+eps)
            return self.kept_positive(node.left, hops + 1) and self.kept_positive(node.right, hops + 1)
        if isinstance(node, ast.Call):
            c = self.callee(node)
            if c.op in ("where", "nan_to_num", "maximum", "fmax") or self.clamp_bounds(node, c)[0]:
                return True
            if c.op == "max" and not c.method and len(node.args) >= 2:  # max(n, 1); torch.max(x, 1) is a reduction
                dim = self.number(node.args[1])
                return c.qual == "max" or dim is None or dim != int(dim)
        return False

    def kept_positive(self, node: ast.AST, hops: int = 0) -> bool:
        return any(self.guard_here(n, hops) for n in self.chain(node))

    def reduction(self, node: ast.AST, ops) -> ast.AST | None:
        """If node is (a view of) a reduction or elementwise op in `ops`, the tensor it acts on."""
        for n in self.chain(node):
            if isinstance(n, ast.Call):
                c = self.callee(n)
                if c.op in ops and self.tensor_op(n, c):
                    return c.subject
        return None

    def probability(self, node: ast.AST, hops: int = 0) -> bool:
        """A softmax or sigmoid output (or 1 minus one), possibly sliced or renamed."""
        for n in self.chain(node):
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub) and self.static(n.left) and hops < 4:
                return self.probability(n.right, hops + 1)
            if isinstance(n, ast.Call):
                c = self.callee(n)
                if c.op in ("softmax", "sigmoid", "expit") and (c.on_module or self.tensor_op(n, c)):
                    return True
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) and self.manual_softmax(n.left, n.right):
                return True
        return False

    def nonneg(self, node: ast.AST, hops: int = 0) -> bool:
        node = self.settle(node)
        if hops > 6:
            return False
        if isinstance(node, ast.Call):
            op = self.callee(node).op or ""
            return op in NONNEG or op.endswith("_loss") or "entropy" in op
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                e = self.number(node.right)
                return e is not None and e == int(e) and int(e) % 2 == 0
            if isinstance(node.op, (ast.Mult, ast.Add, ast.Div)):
                return all(self.positive(s) or self.nonneg(s, hops + 1) for s in (node.left, node.right))
        value = self.number(node)
        return value is not None and value >= 0

    def nonpositive(self, node: ast.AST, hops: int = 0) -> bool:
        """Provably <= 0, as in exp(-d ** 2 / (2 * s ** 2)) or exp(-x.abs())."""
        node = self.settle(node)
        if hops > 6:
            return False
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self.nonneg(node.operand, hops + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            a, b = node.left, node.right
            if isinstance(node.op, ast.Mult) and self.positive(a):
                a, b = b, a
            return self.nonpositive(a, hops + 1) and (self.positive(b) or self.nonneg(b, hops + 1))
        return isinstance(node, ast.Call) and self.callee(node).op in ("log_softmax", "logsigmoid")

    def exp_safe(self, node: ast.AST, hops: int = 0) -> bool:
        """exp(node) cannot overflow: max subtracted, clamped from above, bounded or <= 0."""
        for n in self.chain(node):
            if hops > 6:
                return False
            if self.static(n) or self.nonpositive(n):
                return True
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub) and self.reduction(n.right, MAXLIKE) is not None:
                return True
            if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Mult, ast.Div)) and self.positive(n.right):
                return self.exp_safe(n.left, hops + 1)
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult) and self.positive(n.left):
                return self.exp_safe(n.right, hops + 1)
            if isinstance(n, ast.Call):
                c = self.callee(n)
                return c.op in BOUNDED or self.clamp_bounds(n, c)[1]
        return False

    def manual_softmax(self, num: ast.AST, den: ast.AST) -> bool:
        """exp(x) / exp(x).sum(...), or e / e.sum(...) for e = exp(x), with no max subtracted."""
        inner = self.reduction(num, EXP_OPS)
        summed = self.reduction(den, {"sum", "nansum"})
        return inner is not None and summed is not None and self.reduction(summed, EXP_OPS) is not None \
            and not self.exp_safe(inner)

    def risky_divisor(self, node: ast.AST, hops: int = 0) -> str | None:
        """What makes a divisor able to reach 0 (a computed std, sum, max, norm), or None."""
        for n in self.chain(node):
            if self.guard_here(n):
                return None
            is_root = isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) and self.number(n.right) == 0.5
            root = n.left if is_root else None
            if isinstance(n, ast.Call):
                c = self.callee(n)
                if c.op in RISKY_DIVISORS and self.tensor_op(n, c):
                    exp_sum = c.op in ("sum", "nansum") and self.reduction(c.subject, EXP_OPS) is not None
                    return None if exp_sum or self.kept_positive(c.subject) else RISKY_DIVISORS[c.op]
                if c.op in ("sqrt", "rsqrt") and self.tensor_op(n, c):
                    root = c.subject
            if root is not None and hops < 4:
                if self.kept_positive(root):
                    return None
                manual_std = self.reduction(root, {"mean"}) is not None  # sqrt(((x - mu) ** 2).mean())
                return self.risky_divisor(root, hops + 1) or ("a computed std" if manual_std else None)
        return None

    def loss_like(self, node: ast.AST, hops: int = 0) -> bool:
        """A loss term: a loss call, a reduction, or a name that says loss/penalty/kl/term."""
        if hops > 10 or node is None:
            return False
        if isinstance(node, ast.BinOp):
            return self.loss_like(node.left, hops + 1) or self.loss_like(node.right, hops + 1)
        if isinstance(node, ast.UnaryOp):
            return self.loss_like(node.operand, hops + 1)
        if isinstance(node, ast.Call):
            op = (self.callee(node).op or "").lower()
            if "loss" in op or "entropy" in op or op in ("mean", "sum", "norm", "kl_div", "logsumexp"):
                return True
        if isinstance(node, ast.Name) and LOSS_NAME.search(node.id):
            return True
        return self.loss_like(self.step(node), hops + 1)

    def model_like(self, node: ast.AST, hops: int = 0) -> bool:
        """A module or its parameters, as opposed to an input tensor."""
        for n in self.chain(node):
            if isinstance(n, ast.Call):
                c = self.callee(n)
                if c.op in ("parameters", "named_parameters", "modules", "children", "buffers"):
                    return True
                if c.method and c.op in MODULE_PRESERVING:
                    return hops < 6 and self.model_like(n.func.value, hops + 1)
                q = c.qual or ""
                return q.startswith("torch.nn.") and c.op[:1].isupper() or c.op in self.classes or c.op == "build_model"
            if isinstance(n, ast.Name) and self.self_of(n) is not None:
                return True
            if isinstance(n, ast.Name) and self.bound(n) is None:  # a parameter or an unknown: judge by its name
                return bool(MODEL_NAME.search(n.id))
        return False

    def mentions_clock(self, node: ast.AST, depth: int = 0) -> bool:
        """A wall-clock reading feeds node (a duration, clock minus clock, does not count)."""
        if depth > 40 or node is None:
            return False
        if "clock" not in self._memo:  # most scripts never read the clock: skip the walk
            calls = (n for n in ast.walk(self.tree) if isinstance(n, ast.Call))
            self._memo["clock"] = any(self.callee(n).qual in CLOCKS for n in calls)
        if not self._memo["clock"]:
            return False
        if isinstance(node, ast.Call) and self.callee(node).qual in CLOCKS:
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            left, right = self.mentions_clock(node.left, depth + 1), self.mentions_clock(node.right, depth + 1)
            return left != right
        if isinstance(node, (ast.Name, ast.Attribute)) and (value := self.bound(node)) is not None:
            return self.mentions_clock(value, depth + 4)
        return any(self.mentions_clock(child, depth + 1) for child in ast.iter_child_nodes(node))

    def tensorish(self, node: ast.AST, hops: int = 0) -> bool:
        """Made by a torch/numpy call (torch.randn(...) * 2, x.float()), as opposed to a Python number."""
        n = self.settle(node)
        if isinstance(n, ast.BinOp) and hops < 6:
            return self.tensorish(n.left, hops + 1) or self.tensorish(n.right, hops + 1)
        if isinstance(n, ast.Call) and hops < 6:
            c = self.callee(n)
            if (c.qual or "").split(".")[0] in ("torch", "numpy"):
                return True
            return c.method and self.tensorish(n.func.value, hops + 1)
        return False

    def reachable(self, roots) -> set[ast.AST]:
        """The file's functions that the named roots call, directly or through each other."""
        key = ("reachable", tuple(roots))
        if key not in self._memo:
            todo, seen = [f for name in roots for f in self.functions.get(name, [])], set()
            while todo:
                fn = todo.pop()
                if fn not in seen:
                    seen.add(fn)
                    todo += [f for n in ast.walk(fn) for f in self.functions.get(called_name(n), [])]
            self._memo[key] = seen
        return self._memo[key]

    def within(self, node: ast.AST, functions: set) -> bool:
        return any(p in functions for p in self.enclosing(node))

    def add(self, fact: str, node: ast.AST, why: str) -> None:
        line = getattr(node, "lineno", 0)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        self.findings.setdefault((fact, line), {"fact": fact, "line": line, "code": code[:200], "why": why})


def called_name(node: ast.AST) -> str | None:
    """The name a node refers to, if it could name a function of the file (f, self.f)."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def key_of(node: ast.AST) -> str | None:
    """The attribute or variable a tensor expression is stored in: self.w.data[0] -> 'w'."""
    while isinstance(node, ast.Subscript) or (isinstance(node, ast.Attribute) and node.attr == "data"):
        node = node.value
    return called_name(node)

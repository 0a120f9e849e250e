"""Static scan of the script's source for numerically fragile code (the script never runs).

Reads the file with `ast` only: torch is never imported. Each rule flags the *unguarded*
form of a pattern (log without eps, division by a computed std, exp without a max
subtracted ...) and every fact is a bool; the lines behind the True ones go to the detail
"findings". Names are followed through assignments inside a function, module constants
and `self.x` attributes, so `p = torch.softmax(z, 1)` and then `torch.log(p)` reads as a
log of a softmax. What the scan cannot follow counts as a computed value; what it cannot
classify is left alone: missing an exotic case is better than a false alarm or a crash.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import tokenize
from pathlib import Path
from typing import NamedTuple

from nanwiz.errors import ScriptError
from nanwiz.harness.protocol import ProbeContext

NAME = "source"
FACTS = (
    "source.log_unguarded", "source.log_of_softmax", "source.sqrt_unguarded", "source.div_unguarded",
    "source.exp_unguarded", "source.manual_softmax", "source.masked_fill_inf", "source.torch_empty_param",
    "source.tiny_optimizer_eps", "source.loop_without_zero_grad", "source.unscaled_attention",
    "source.large_loss_weight", "source.half_model", "source.unseeded_randomness",
)

MODULES = {"torch", "numpy", "math", "random", "os", "time", "secrets", "uuid", "datetime"}
DEFAULT_ALIASES = {"F": "torch.nn.functional", "nn": "torch.nn", "np": "numpy", "optim": "torch.optim"}
CONSTANTS = {"math.inf": math.inf, "torch.inf": math.inf, "numpy.inf": math.inf, "numpy.Inf": math.inf,
             "numpy.NINF": -math.inf, "math.pi": math.pi, "torch.pi": math.pi, "numpy.pi": math.pi, "math.e": math.e}
ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
         ast.Pow: operator.pow, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
# ops that keep what a value is (a view, a cast, a selection): p[:, 0].float() is still p
TRANSPARENT = {"squeeze", "unsqueeze", "view", "view_as", "reshape", "reshape_as", "float", "double", "to", "type",
               "type_as", "contiguous", "flatten", "expand", "expand_as", "t", "transpose", "permute", "clone",
               "detach", "gather", "index_select", "item", "cpu", "cuda", "repeat", "narrow", "select", "movedim",
               "diagonal", "diag"}
LOG_OPS = {"log", "log2", "log10", "log_"}
SQRT_OPS = {"sqrt", "rsqrt", "sqrt_", "rsqrt_"}
EXP_OPS = {"exp", "exp_", "exp2"}
NORM_OPS = {"norm", "vector_norm", "dist", "cdist"}
RISKY_DIVISORS = {"std": "a computed std", "var": "a computed variance", "sum": "a computed sum",
                  "nansum": "a computed sum", "max": "a computed max", "amax": "a computed max",
                  "norm": "a computed norm", "vector_norm": "a computed norm", "count_nonzero": "a count"}
MAXLIKE = {"max", "amax", "logsumexp", "cummax"}
NONNEG = {"abs", "relu", "relu6", "softplus", "sigmoid", "exp", "square", "norm", "vector_norm", "cdist", "dist"}
BOUNDED = {"tanh", "sigmoid", "sin", "cos", "log_softmax", "logsigmoid", "minimum", "fmin", "clamp_max", "where",
           "randn", "rand", "normal", "randn_like", "rand_like"}  # exp of one of these cannot overflow
FILL_OPS = {"masked_fill", "masked_fill_", "fill_", "full", "full_like", "new_full", "index_fill", "index_fill_",
            "where", "pad", "fill_diagonal_"}
INIT_OPS = {"normal_", "uniform_", "zero_", "zeros_", "ones_", "fill_", "copy_", "constant_", "eye_", "dirac_",
            "orthogonal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
            "trunc_normal_", "sparse_", "random_", "exponential_", "log_normal_", "cauchy_", "geometric_", "set_"}
EMPTY_CTORS = {"torch.empty", "torch.empty_like", "torch.Tensor", "torch.FloatTensor", "torch.DoubleTensor",
               "torch.HalfTensor", "torch.cuda.FloatTensor"}
OPT_EPS_INDEX = {"Adam": 3, "AdamW": 3, "NAdam": 3, "RAdam": 3, "Adamax": 3, "SparseAdam": 3, "RMSprop": 3,
                 "Adadelta": 3, "Adagrad": 5}
CLOCKS = {"time.time", "time.time_ns", "time.perf_counter", "time.perf_counter_ns", "time.monotonic",
          "time.monotonic_ns", "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today"}
ENTROPY = {"random.SystemRandom", "os.urandom", "os.getrandom", "uuid.uuid4", "uuid.uuid1", "torch.seed",
           "torch.random.seed", "torch.cuda.seed", "torch.cuda.seed_all"}
UNSEEDED_IF_EMPTY = {"numpy.random.default_rng", "numpy.random.RandomState", "random.Random", "random.seed",
                     "numpy.random.seed"}
SEEDERS = {"manual_seed", "manual_seed_all", "seed", "default_rng", "RandomState", "Random", "set_seed", "SeedSequence"}
HALF_DTYPES = {"torch.float16", "torch.half", "torch.HalfTensor", "torch.cuda.HalfTensor"}
MODULE_PRESERVING = {"to", "cuda", "cpu", "float", "double", "train", "eval", "requires_grad_", "half", "type"}
PY_SCALARS = {"float", "int", "len", "abs", "round", "max", "min"}
MODEL_NAME = re.compile(r"model|net|module|encoder|decoder|backbone|layer|head", re.I)
LOSS_NAME = re.compile(r"loss|penalty|kl|term|reg", re.I)
EPS_NAME = re.compile(r"eps|tiny", re.I)
NOT_OPTIMIZER = re.compile(r"sched|env", re.I)  # scheduler.step(), env.step(action)
FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
LOOPS = (ast.For, ast.AsyncFor, ast.While)


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
                if q in ("float", "int", "torch.tensor", "torch.as_tensor", "math.sqrt", "numpy.sqrt"):
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
                self.static(a, hops + 1) for a in node.args)
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


CALL_CHECKS = (check_log, check_root, check_exp, check_div_call, check_attention, check_fill_inf, check_empty_param,
               check_optimizer_eps, check_half, check_randomness)


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
    """In compute_loss: a loss term times a constant >= 100 (or divided by one <= 0.01)."""
    if isinstance(node.op, ast.Mult):
        for weight, term in ((node.left, node.right), (node.right, node.left)):
            value = src.number(weight)
            if value is not None and abs(value) >= 100 and not src.static(term) and src.loss_like(term):
                src.add("source.large_loss_weight", node, f"a loss term is multiplied by {value:g}")
                return
    value = src.number(node.right) if isinstance(node.op, ast.Div) else None
    if value is not None and 0 < abs(value) <= 0.01 and src.loss_like(node.left):
        src.add("source.large_loss_weight", node, f"a loss term is divided by {value:g}")


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
    """A loop with backward() and step() but no zero_grad(): reported at the innermost such loop."""
    if loop_lacks_zero_grad(src, node) and not any(loop_lacks_zero_grad(src, i) for i in src._memo[("inner", node)]):
        why = "training loop calls backward() and step() but never zero_grad()"
        src.add("source.loop_without_zero_grad", node, why)


RULES = {ast.Call: check_call, ast.BinOp: check_binop, ast.Assign: check_assign,
         ast.For: check_loop, ast.AsyncFor: check_loop, ast.While: check_loop}


# ------------------------------------------------------------ entry points
def read(path: Path) -> tuple[str, ast.Module]:
    """The script's text and syntax tree; ScriptError (naming the line) if it cannot be parsed."""
    try:
        with tokenize.open(path) as f:
            text = f.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot read {path.name}: {exc}") from None
    try:
        return text, ast.parse(text, filename=path.name)
    except SyntaxError as exc:
        where = f"{path.name}:{exc.lineno}" if exc.lineno else path.name
        line = f"\n    {exc.text.strip()}" if exc.text and exc.text.strip() else ""
        raise ScriptError(f"{where}: syntax error: {exc.msg}{line}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        raise ScriptError(f"{path.name}: cannot parse: {exc}") from None


def scan(path: Path) -> tuple[list[dict], list[str]]:
    """Findings for the script at path, sorted by line, and any rule that broke on it (a bug in
    the scan, kept out of the user's way: that rule simply finds nothing on that node)."""
    text, tree = read(Path(path))
    src, errors = Source(text, tree), []
    for node in [*ast.walk(tree), *src.augs]:
        rule = RULES.get(type(node))
        if rule is not None:
            try:
                rule(src, node)
            except Exception as exc:  # noqa: BLE001 - one odd construct must not sink the whole scan
                errors.append(f"line {getattr(node, 'lineno', '?')}: {rule.__name__}: {type(exc).__name__}: {exc}")
    return sorted(src.findings.values(), key=lambda f: (f["line"], f["fact"])), errors


def local_modules(path: Path, tree: ast.Module) -> list[Path]:
    """Modules the script imports from its own folder (`from model import Net`), one level deep:
    the model or the loss often lives there rather than in the script itself."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level in (0, 1):
            names.append(node.module.split(".")[0])
    found: list[Path] = []
    for name in dict.fromkeys(names):
        for candidate in (path.parent / f"{name}.py", path.parent / name / "__init__.py"):
            if candidate.is_file() and candidate.resolve() != path.resolve() and candidate not in found:
                found.append(candidate)
    return found


def scan_with_locals(path: Path) -> tuple[list[dict], list[str]]:
    """The script's findings, then those of the local modules it imports (each naming its file)."""
    findings, errors = scan(path)
    for module in local_modules(path, read(path)[1]):
        try:
            more, more_errors = scan(module)
        except ScriptError as exc:  # a sibling that does not parse is not the script's contract error
            errors.append(f"{module.name}: {exc.msg}")
            continue
        findings += [{**f, "file": module.name} for f in more]
        errors += [f"{module.name}: {e}" for e in more_errors]
    return findings, errors


def run(ctx: ProbeContext) -> None:
    ctx.progress(0.0, "reading the source", force=True)
    findings, errors = scan_with_locals(ctx.script)
    found = {f["fact"] for f in findings}
    for fact in FACTS:
        ctx.fact(fact, fact in found)
    ctx.detail("findings", findings)
    if errors:
        ctx.detail("scan_errors", errors)
    ctx.progress(1.0, "done", force=True)

"""The names the scan knows: which calls are logs, roots, exps, fills, seeders, clocks; which keep
a value non-negative or bounded; which optimizers take an eps and where. Data the rules and the
data-flow lookups share, kept apart so that teaching the scan a new op is a one-line change here."""

from __future__ import annotations

import ast
import math
import operator
import re

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

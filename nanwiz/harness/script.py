"""Loading a target script and checking it against the contract, with errors a user can act on.

Builder failures are reported with the user's own frames only (the harness's and torch's
frames are trimmed), so the message points at the line to fix.
"""

from __future__ import annotations

import importlib.util
import linecache
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from nanwiz.errors import ScriptError
from nanwiz.harness.settings import RunSettings, parse_settings

REQUIRED = {
    "build_model": "def build_model() -> torch.nn.Module",
    "build_dataset": "def build_dataset() -> torch.utils.data.Dataset",
    "compute_loss": "def compute_loss(model, batch) -> Tensor | dict[str, Tensor]",
}
OPTIONAL = {
    "build_optimizer": "def build_optimizer(params, lr) -> torch.optim.Optimizer",
    "build_scheduler": "def build_scheduler(optimizer) -> torch.optim.lr_scheduler.LRScheduler",
    "collate_fn": "def collate_fn(samples) -> batch",
}


def user_frames(exc: BaseException, script: Path) -> list[traceback.FrameSummary]:
    frames = traceback.extract_tb(exc.__traceback__)
    target = str(script.resolve())
    return [f for f in frames if _same_file(f.filename, target)]


def _same_file(filename: str, target: str) -> bool:
    try:
        return str(Path(filename).resolve()) == target
    except (OSError, ValueError):
        return False


def trimmed_traceback(exc: BaseException, script: Path) -> str:
    """The exception with only the user's frames (or the innermost one if none is the user's)."""
    frames = user_frames(exc, script) or traceback.extract_tb(exc.__traceback__)[-1:]
    lines = ["Traceback (user frames only):"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip()


def innermost_is_user(exc: BaseException, script: Path) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and _same_file(frames[-1].filename, str(script.resolve()))


@dataclass
class Target:
    """The pieces a target script hands nanwiz, validated."""

    path: Path
    module: ModuleType
    settings: RunSettings
    build_model: Callable[[], Any]
    build_dataset: Callable[[], Any]
    compute_loss: Callable[[Any, Any], Any]
    build_optimizer: Callable[[Any, float], Any] | None
    build_scheduler: Callable[[Any], Any] | None
    collate_fn: Callable[[list], Any] | None

    def call(self, name: str, *args: Any) -> Any:
        """Call a builder; an exception becomes a ScriptError with the user's frames."""
        try:
            return getattr(self, name)(*args)
        except Exception as exc:
            raise ScriptError(
                f"{name}() in {self.path.name} raised {type(exc).__name__}: {exc}\n\n"
                + trimmed_traceback(exc, self.path),
            ) from None


def load_module(path: Path) -> ModuleType:
    path = path.resolve()
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        where = f"{path.name}:{exc.lineno}" + (f":{exc.offset}" if exc.offset else "")
        code = (exc.text or linecache.getline(str(path), exc.lineno or 0)).rstrip()
        pointer = ""
        if code and exc.offset:
            pointer = "\n    " + " " * (max(exc.offset, 1) - 1 - (len(code) - len(code.lstrip()))) + "^"
        raise ScriptError(
            f"{where}: syntax error: {exc.msg}\n    {code.strip()}{pointer}", title="Target script error"
        ) from None
    name = "nanwiz_target_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ScriptError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # The script's folder goes first on sys.path, as when running `python script.py`.
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ScriptError(
            f"importing {path.name} raised {type(exc).__name__}: {exc}\n\n" + trimmed_traceback(exc, path)
        ) from None
    return module


def load_target(path: Path, overrides: dict[str, Any] | None = None) -> Target:
    """Import the script and check the contract's names and NANWIZ settings."""
    module = load_module(path)
    problems = []
    for name, signature in REQUIRED.items():
        if not hasattr(module, name):
            problems.append(f"{path.name} does not define {name} (required): {signature}")
        elif not callable(getattr(module, name)):
            problems.append(f"{name} in {path.name} is a {type(getattr(module, name)).__name__}, "
                            f"not a function: {signature}")
    for name, signature in OPTIONAL.items():
        if hasattr(module, name) and not callable(getattr(module, name)):
            problems.append(f"{name} in {path.name} is a {type(getattr(module, name)).__name__}, "
                            f"not a function: {signature}")
    if problems:
        raise ScriptError("\n".join(problems) + "\nSee the target-script contract (README, 'Writing a target script').")
    settings = parse_settings(getattr(module, "NANWIZ", None), where=f"NANWIZ in {path.name}", overrides=overrides)
    return Target(
        path=path.resolve(),
        module=module,
        settings=settings,
        build_model=module.build_model,
        build_dataset=module.build_dataset,
        compute_loss=module.compute_loss,
        build_optimizer=getattr(module, "build_optimizer", None),
        build_scheduler=getattr(module, "build_scheduler", None),
        collate_fn=getattr(module, "collate_fn", None),
    )

"""Running the user's program exactly as `python SCRIPT ARGS` (or `python -m MODULE ARGS`) would.

Inside the probe child: `sys.argv`, `sys.path[0]` and `__main__` are set as the interpreter
sets them, the working directory is the user's, and the program's prints go to its own
stdout/stderr. What the program did is summed up in a `ProgramOutcome`: it returned, exited
with a code, was stopped by nanwiz, or raised (with the user's frames only).
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nanwiz.harness.attach.tape import is_library_file


class ProgramSpec(BaseModel):
    """What `nanwiz run` was asked to run (validated in the parent, passed to the child as JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    script: str | None = None
    """The program's file, absolute; None with `module`."""
    module: str | None = None
    """`python -m MODULE`: the module's dotted name."""
    args: list[str] = Field(default_factory=list)
    cwd: str
    """The working directory the user ran nanwiz in (the program's own)."""
    nproc: int = Field(default=1, ge=1)
    """Processes (ranks) started through torch.distributed.run; 1 runs the program as `python` would."""

    @property
    def display(self) -> str:
        head = f"-m {self.module}" if self.module else Path(self.script or "").name
        ranks = f" ({self.nproc} processes)" if self.nproc > 1 else ""
        return " ".join([head, *self.args]) + ranks

    @property
    def source_file(self) -> str | None:
        """The file to scan statically: the script, or the module's file."""
        if self.script:
            return self.script
        spec = find_module(self.module or "", self.cwd)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return None
        if spec.submodule_search_locations:  # a package run with -m: its __main__.py
            main = Path(spec.origin).parent / "__main__.py"
            return str(main) if main.exists() else None
        return spec.origin


@dataclass
class FoundModule:
    origin: str
    submodule_search_locations: list[str] | None


def find_module(name: str, cwd: str) -> FoundModule | None:
    """The module `python -m NAME` would run from `cwd` (its folder first on sys.path), or None.

    Looked up on disk, without importing its packages: nanwiz's own process never runs the
    program's code."""
    if not name or not all(part.isidentifier() for part in name.split(".")):
        return None
    parts = name.split(".")
    for root in [cwd, *[p for p in sys.path if p]]:
        base = Path(root, *parts)
        if (base / "__init__.py").exists() or (base / "__main__.py").exists():
            return FoundModule(str(base / "__init__.py"), [str(base)])
        if base.with_suffix(".py").exists() and all(
                (Path(root, *parts[:i]) / "__init__.py").exists() for i in range(1, len(parts))):
            return FoundModule(str(base.with_suffix(".py")), None)
    return None


@dataclass
class ProgramOutcome:
    status: str
    """'finished', 'exit' (SystemExit), 'stopped' (by nanwiz), 'error' (an exception), 'interrupted'."""
    exit_code: int = 0
    error: BaseException | None = None
    traceback: str = ""
    frames: list[dict[str, Any]] = field(default_factory=list)


def user_traceback(exc: BaseException) -> tuple[str, list[dict[str, Any]]]:
    """The exception with the program's own frames only (not nanwiz's, torch's or runpy's)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not is_library_file(f.filename)
              and "/runpy.py" not in f.filename]
    shown = frames or traceback.extract_tb(exc.__traceback__)[-1:]
    lines = ["Traceback (your program's frames):\n", *traceback.format_list(shown),
             *traceback.format_exception_only(type(exc), exc)]
    return "".join(lines).rstrip(), [{"file": f.filename, "line": f.lineno, "function": f.name,
                                      "code": (f.line or "").strip()} for f in frames]


def run_program(spec: ProgramSpec, stop_type: type[BaseException]) -> ProgramOutcome:
    """Run the program as __main__ in this process; never raises what the program raises."""
    saved_argv, saved_path0 = list(sys.argv), sys.path[0] if sys.path else None
    os.chdir(spec.cwd)
    try:
        if spec.module:
            sys.argv = [spec.module, *spec.args]  # runpy replaces argv[0] by the module's file
            sys.path.insert(0, spec.cwd)
            runpy.run_module(spec.module, run_name="__main__", alter_sys=True)
        else:
            script = str(Path(spec.script or "").resolve())
            sys.argv = [spec.script or script, *spec.args]
            sys.path.insert(0, os.path.dirname(script))
            runpy.run_path(script, run_name="__main__")
        return ProgramOutcome(status="finished")
    except stop_type:
        return ProgramOutcome(status="stopped")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return ProgramOutcome(status="exit", exit_code=0)
        if isinstance(code, int):
            return ProgramOutcome(status="exit", exit_code=code)
        print(code, file=sys.stderr)
        return ProgramOutcome(status="exit", exit_code=1)
    except KeyboardInterrupt as exc:
        return ProgramOutcome(status="interrupted", exit_code=130, error=exc)
    except Exception as exc:  # noqa: BLE001 - the program's own failure is what we report
        text, frames = user_traceback(exc)
        return ProgramOutcome(status="error", exit_code=1, error=exc, traceback=text, frames=frames)
    finally:
        sys.argv = saved_argv
        if saved_path0 is not None and sys.path and sys.path[0] != saved_path0:
            sys.path.pop(0)
        sys.stdout.flush()
        sys.stderr.flush()

"""One error family for everything a user can act on.

Every failure a user can fix (a bad knowledge file, a script that breaks the contract, a
corrupt session file, a bad option) is a NanwizError carrying a title and a message written
for that user. `error_handler` turns them into a red panel on stderr and an exit code, so
no traceback reaches a user unless nanwiz itself is broken (then it writes a crash log).
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK = 0
EXIT_NOT_REPRODUCED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class NanwizError(Exception):
    """An error with a message a user can act on."""

    title = "nanwiz error"
    exit_code = EXIT_USAGE

    def __init__(self, msg: str, title: str | None = None, exit_code: int | None = None):
        super().__init__(msg)
        self.msg = msg
        if title is not None:
            self.title = title
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(NanwizError):
    title = "Usage error"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a knowledge file, located as precisely as the loader knows."""

    file: str
    path: str
    message: str
    line: int | None = None

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            where += f" at {self.path}"
        return f"{where}: {self.message}"


@dataclass
class Problems:
    """Collects every problem found instead of stopping at the first (as `kb check` must)."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, path: str, message: str, line: int | None = None) -> None:
        self.items.append(Problem(file=file, path=path, message=message, line=line))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


class KnowledgeError(NanwizError):
    title = "Knowledge base error"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [p.render() for p in self.problems]
        count = len(lines)
        head = f"{count} problem{'s' if count != 1 else ''} in the knowledge base:"
        super().__init__("\n".join([head, *("  - " + ln for ln in lines)]))


class ScriptError(NanwizError):
    """The target script breaks the contract (../shared/design/contract.md)."""

    title = "Target script error"


class SessionError(NanwizError):
    title = "Session file error"


class ReportError(NanwizError):
    title = "Report error"


def print_error(error: NanwizError, stream=None) -> None:
    """Print a NanwizError on stderr (stdout stays clean for piped output): a red title, then the
    message unwrapped, so paths and tracebacks can be copied as they are."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream or sys.stderr, highlight=False)
    console.print(Text(f"✗ {error.title}", style="bold red"))
    console.print(Text(error.msg), soft_wrap=True)


def crash_log_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        path = Path(base) / "nanwiz"
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir())
    return path / "nanwiz-crash.log"


def write_crash_log(exc: BaseException) -> Path:
    """Write a Markdown bug report with versions and the traceback, ready to paste in an issue."""
    from nanwiz import __version__

    path = crash_log_path()
    text = "\n".join(
        [
            "### nanwiz crash report",
            "",
            f"- nanwiz: {__version__}",
            f"- python: {platform.python_version()} ({sys.executable})",
            f"- platform: {platform.platform()}",
            f"- argv: {' '.join(sys.argv)}",
            "",
            "```",
            "".join(traceback.format_exception(exc)).rstrip(),
            "```",
            "",
        ]
    )
    path.write_text(text, encoding="utf-8")
    return path


@contextlib.contextmanager
def error_handler() -> Iterator[list[int]]:
    """Run a command; map errors to exit codes (2 usage/script, 130 Ctrl-C, 3 internal).

    Yields a one-element list the caller may set to the command's own exit code.
    """
    code = [EXIT_OK]
    try:
        yield code
    except NanwizError as error:
        print_error(error)
        code[0] = error.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        code[0] = EXIT_INTERRUPTED
    except BrokenPipeError:
        code[0] = EXIT_OK
    except Exception as exc:  # nanwiz itself is broken: say so, keep the details for a bug report
        log = write_crash_log(exc)
        print_error(
            NanwizError(
                f"An unexpected error has occurred: {type(exc).__name__}: {exc}\n"
                f"A crash report was written to {log}; please attach it to a bug report.",
                title="Unexpected error",
            )
        )
        code[0] = EXIT_INTERNAL

"""Reading the script and the local modules it imports, and running every rule over their trees.
Only `ast` and `tokenize`: the script never runs and torch is never imported."""

from __future__ import annotations

import ast
import tokenize
from pathlib import Path

from nanwiz.errors import ScriptError
from .dataflow import Source
from .rules import RULES


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

"""Theme colours for Rich renderables (bars, status icons), so they follow dark and light themes.

CSS reaches widgets, not the Rich renderables inside option lists; those take a colour from
the current theme's variables when they are built, and the widgets rebuild them when the theme
changes. Muted text uses Rich's "dim", which works on any background.
"""

from __future__ import annotations

import re

from textual.color import Color, ColorParseError
from textual.widget import Widget

FALLBACK = {"primary": "#0178D4", "success": "#4EBF71", "error": "#B93C5B", "warning": "#FEA62B",
            "accent": "#FEA62B", "secondary": "#004578", "panel": "#242F38"}


def color(widget: Widget, name: str) -> str:
    """A theme variable ('primary', 'error', 'success'...) as a Rich colour."""
    value = widget.app.theme_variables.get(name, "")
    if re.fullmatch(r"#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?", value):
        return value[:7]
    return FALLBACK.get(name, "default")


def track(widget: Widget) -> str:
    """The empty part of a bar: the panel's background, a shade towards the text colour."""
    variables = widget.app.theme_variables
    try:
        base = Color.parse(variables.get("surface", "#1E1E1E"))
        ink = Color.parse(variables.get("foreground", "#E0E0E0"))
    except ColorParseError:
        return FALLBACK["panel"]
    return base.blend(ink, 0.12).hex[:7]


def on_theme_change(widget: Widget, redraw) -> None:
    """Call `redraw()` once the new theme's variables are in place (a plain watch on `theme` fires too early)."""
    widget.app.theme_changed_signal.subscribe(widget, lambda _theme: redraw())

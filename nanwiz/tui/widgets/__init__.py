"""nanwiz.tui.widgets: one module per widget."""

from nanwiz.tui.widgets.bar import Bar, pct
from nanwiz.tui.widgets.curves import CurvesPanel
from nanwiz.tui.widgets.findings import FindingsPanel
from nanwiz.tui.widgets.fix_view import FixView
from nanwiz.tui.widgets.interview import InterviewPanel
from nanwiz.tui.widgets.path_input import PathInput, PathSuggester
from nanwiz.tui.widgets.probes_panel import ProbesPanel
from nanwiz.tui.widgets.ranking import RankingPanel

__all__ = ["Bar", "CurvesPanel", "FindingsPanel", "FixView", "InterviewPanel", "PathInput", "PathSuggester", "ProbesPanel",
           "RankingPanel", "pct"]

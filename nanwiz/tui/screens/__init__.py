"""nanwiz.tui.screens: one module per screen."""

from nanwiz.tui.screens.answers import AnswersScreen
from nanwiz.tui.screens.cause_detail import CauseDetailScreen
from nanwiz.tui.screens.curves import CurvesScreen
from nanwiz.tui.screens.error import ErrorDialog
from nanwiz.tui.screens.file_picker import FilePickerScreen
from nanwiz.tui.screens.findings import FindingsScreen
from nanwiz.tui.screens.help import HelpScreen
from nanwiz.tui.screens.main import MainScreen
from nanwiz.tui.screens.probe_info import ProbeInfoScreen
from nanwiz.tui.screens.run_probes import ProbeRequest, RunProbesScreen

__all__ = ["AnswersScreen", "CauseDetailScreen", "CurvesScreen", "ErrorDialog", "FilePickerScreen", "FindingsScreen", "HelpScreen",
           "MainScreen", "ProbeInfoScreen", "ProbeRequest", "RunProbesScreen"]

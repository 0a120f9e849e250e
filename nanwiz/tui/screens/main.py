"""The main screen: interview and probes on the left, findings and the live ranking on the right.

It wires the panels to the store and the probe runner: an answer or a probe result changes
the session, and `refresh_views` redraws every panel from it. The screen holds no diagnosis
logic of its own; it routes keys and messages and opens the other screens.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from nanwiz.errors import NanwizError
from nanwiz.report.model import percent
from nanwiz.tui.messages import ProbeFinished, ProbeProgress, ProbeSeries, ProbesEnded, ProbesQueued, ProbeStarted
from nanwiz.tui.screens.answers import AnswersScreen
from nanwiz.tui.screens.cause_detail import CauseDetailScreen
from nanwiz.tui.screens.curves import CurvesScreen
from nanwiz.tui.screens.findings import FindingsScreen
from nanwiz.tui.screens.probe_info import ProbeInfoScreen
from nanwiz.tui.screens.run_probes import ProbeRequest, RunProbesScreen
from nanwiz.tui.store import error_text
from nanwiz.tui.widgets import CurvesPanel, FindingsPanel, InterviewPanel, ProbesPanel, RankingPanel

if TYPE_CHECKING:
    from nanwiz.tui.app import NanwizApp

ANSWER_KEYS = "yn123456789"
CURVES_ROOM = 32
"""Terminal rows below which the curves are not placed on the main screen (g shows them whole)."""


class MainScreen(Screen):
    """Interview, probes, findings and ranking, always up to date with the session."""

    BINDINGS = [
        *[Binding(k, f"answer('{k}')", show=False) for k in ANSWER_KEYS],
        Binding("question_mark", "answer('?')", "Skip", key_display="?"),
        Binding("b,backspace", "back", "Back"),
        Binding("escape", "keep", "Keep answer", show=False),
        Binding("a", "answers", "Answers", show=False),
        Binding("p", "run_probes", "Probes"),
        Binding("x", "stop_probes", "Stop"),
        Binding("d", "detail", "Why/fix"),
        Binding("f", "findings", "Findings", show=False),
        Binding("g", "cycle_curves", "Curves"),
    ]

    _shown_error: str | None = None

    @property
    def nanwiz(self) -> NanwizApp:
        return cast("NanwizApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield InterviewPanel(id="interview")
                yield ProbesPanel(id="probes")
                yield CurvesPanel(id="curves")
            with Vertical(id="right"):
                yield FindingsPanel(id="findings")
                yield RankingPanel(id="ranking")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        store = self.nanwiz.store
        probes = self.query_one(ProbesPanel)
        if store.session.script and not self.nanwiz.autostart:
            name = Path(store.session.script).name
            probes.idle_text = f"Press p to run the probes on {name} (or on another script)."
            if store.session.probes:
                self.notify(f"Resumed. Press p to re-run the probes on {name}.", timeout=8, markup=False)
        else:
            probes.idle_text = "No probe has run yet. Press p to run them on your training script."
        probes.load(store.session.probes, store.session.script)
        self.refresh_views()
        self.query_one("#interview OptionList").focus()
        if self.nanwiz.autostart:
            self.call_after_refresh(self.start_probes, self.nanwiz.probe_choice)

    # ------------------------------------------------------------ redraw
    def refresh_views(self) -> None:
        """Redraw every view of the diagnosis from the session (after any change of evidence)."""
        store = self.nanwiz.store
        actions = store.actions()
        prompt = store.prompt(actions)
        hint = None
        best = store.best_probe(actions)
        if best is not None and not self.nanwiz.runner.running:
            hint = "Tip: the probes would tell more than this question. Press p to run them."
        done = store.settled(actions) if prompt is None else None
        settled = (done, store.kb.cause_title(done.cause_id)) if done is not None else None
        self.query_one(InterviewPanel).show(prompt, len(store.session.answers), hint, settled)
        self.query_one(RankingPanel).show(store.ranking())
        self.query_one(FindingsPanel).show(store.diagnosis())
        self.refresh_curves()
        self.sub_title = self._status_line()
        if store.save_error and store.save_error != self._shown_error:
            self.notify(store.save_error, title="Session not saved", severity="error", timeout=10,
                        markup=False)
        self._shown_error = store.save_error

    def refresh_curves(self) -> None:
        """Redraw the curves (and those of an open curves screen) from the session and the live steps."""
        curves = self.query_one(CurvesPanel)
        had = curves.has_data
        series, live = self.nanwiz.store.curves()
        curves.show(series, live)
        self.place_curves()
        for screen in self.app.screen_stack:
            if isinstance(screen, CurvesScreen):
                screen.show(series, live)
        if curves.has_data != had:
            self.refresh_bindings()

    def place_curves(self) -> None:
        curves = self.query_one(CurvesPanel)
        curves.display = curves.has_data and self.size.height >= CURVES_ROOM

    def on_resize(self) -> None:
        self.place_curves()

    def action_cycle_curves(self) -> None:
        curves = self.query_one(CurvesPanel)
        if curves.display:
            curves.cycle()
        else:
            self.app.push_screen(CurvesScreen(*self.nanwiz.store.curves(), view=curves.view))

    def _status_line(self) -> str:
        store = self.nanwiz.store
        parts = []
        if store.session.script:
            parts.append(Path(store.session.script).name)
        done, total = self.query_one(ProbesPanel).counts()
        if self.nanwiz.runner.running:
            parts.append(f"probes {done}/{total}")
        parts.append(f"saved to {store.save_path.name}")
        return " · ".join(parts)

    # ------------------------------------------------------------ interview
    def action_answer(self, key: str) -> None:
        interview = self.query_one(InterviewPanel)
        if interview.prompt is None:
            self.notify("No question is open. Press p to run the probes, or d to read the top cause.")
        elif not interview.choose(key):
            keys = ", ".join(o.key for o in interview.prompt.question.options)
            self.notify(f"This question's answers are on {keys} (? for don't know).", severity="warning")

    @on(InterviewPanel.Answered)
    def answered(self, event: InterviewPanel.Answered) -> None:
        self.nanwiz.store.answer(event.question_id, event.value)
        self.refresh_views()

    def action_back(self) -> None:
        question = self.nanwiz.store.back()
        if question is None:
            self.notify("Nothing to go back to: no question answered yet.")
        self.refresh_views()

    def action_keep(self) -> None:
        self.nanwiz.store.keep()
        self.refresh_views()

    def action_answers(self) -> None:
        def chosen(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            action, qid = result
            if action == "forget":
                self.nanwiz.store.forget(qid)
            else:
                self.nanwiz.store.change(qid)
            self.refresh_views()

        self.app.push_screen(AnswersScreen(self.nanwiz.store.answered()), chosen)

    # ------------------------------------------------------------ causes
    def action_detail(self) -> None:
        ranking = self.query_one(RankingPanel)
        self.open_cause(ranking.highlighted_cause if ranking.has_focus else None)

    def open_cause(self, cause_id: str | None = None) -> None:
        cause_id = cause_id or self.nanwiz.store.ranking().top.cause_id
        self.app.push_screen(CauseDetailScreen(cause_id))

    @on(RankingPanel.CauseSelected)
    def cause_selected(self, event: RankingPanel.CauseSelected) -> None:
        self.open_cause(event.cause_id)

    def action_findings(self) -> None:
        self.app.push_screen(FindingsScreen(self.nanwiz.store.diagnosis()))

    # ------------------------------------------------------------ probes
    def action_run_probes(self) -> None:
        if self.nanwiz.runner.running:
            self.notify("Probes are running; press x to stop them first.", severity="warning")
            return
        store = self.nanwiz.store

        def chosen(request: ProbeRequest | None) -> None:
            if request is not None:
                store.start_probes(request.script, request.steps)
                self.nanwiz.probe_choice, self.nanwiz.verify = request.probes, request.verify
                self.start_probes(request.probes)

        steps = store.session.overrides.get("steps")
        self.app.push_screen(RunProbesScreen(store.kb, store.session.script, self.nanwiz.probe_choice,
                                             steps if isinstance(steps, int) else None, self.nanwiz.verify), chosen)

    def start_probes(self, probes: list[str]) -> None:
        try:
            self.nanwiz.runner.start(self, probes, verify=self.nanwiz.verify)
        except NanwizError as error:
            self.nanwiz.show_error(error.title, error.msg)
        self.sub_title = self._status_line()

    def action_stop_probes(self) -> None:
        if self.nanwiz.runner.stop():
            self.notify("Stopping the probes…")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_probes":
            return self.nanwiz.runner.running
        if action == "cycle_curves":
            return self.query_one(CurvesPanel).has_data
        return True

    @on(ProbesQueued)
    def probes_queued(self, message: ProbesQueued) -> None:
        self.query_one(ProbesPanel).queue(message.probes, message.script)
        self.refresh_views()
        self.refresh_bindings()

    @on(ProbeStarted)
    def probe_started(self, message: ProbeStarted) -> None:
        self.nanwiz.store.probe_started(message.probe)
        self.query_one(ProbesPanel).started(message.probe)
        self.sub_title = self._status_line()

    @on(ProbeSeries)
    def probe_series(self, message: ProbeSeries) -> None:
        self.nanwiz.store.add_points(message.probe, message.points)
        self.refresh_curves()

    @on(ProbeProgress)
    def probe_progress(self, message: ProbeProgress) -> None:
        self.query_one(ProbesPanel).progress(message.probe, message.fraction, message.text)

    @on(ProbeFinished)
    def probe_finished(self, message: ProbeFinished) -> None:
        self.query_one(ProbesPanel).finished(message.record)
        self.refresh_views()

    @on(ProbesEnded)
    def probes_ended(self, message: ProbesEnded) -> None:
        self.query_one(ProbesPanel).drop_queued()
        self.refresh_views()
        self.refresh_bindings()
        if message.error is not None:
            self.nanwiz.show_error(*error_text(message.error))
        elif message.cancelled:
            self.notify("Probes stopped.")
        else:
            diagnosis = self.nanwiz.store.diagnosis()
            if diagnosis["top_cause"] is None and diagnosis["status"] in ("healthy", "not_reproduced"):
                self.notify(diagnosis["verdict"], title="Probes finished", timeout=10, markup=False)
                return
            top = self.nanwiz.store.ranking().top
            self.notify(f"Probes finished. Most likely: {top.title} ({percent(top.probability)}). Press d for why "
                        "and how to fix it.", title="Probes finished", timeout=10, markup=False)

    @on(ProbesPanel.ProbeSelected)
    def probe_selected(self, event: ProbesPanel.ProbeSelected) -> None:
        record = self.nanwiz.store.session.probes.get(event.probe)
        decl = self.nanwiz.store.kb.probes.get(event.probe)
        self.app.push_screen(ProbeInfoScreen(event.probe, decl, record))

"""Messages shared across the app: what the probe worker reports to the screens.

The worker thread posts them; the main screen turns them into panel updates. Progress comes
in bursts (a probe may report every step), so `ProbeProgress` replaces an older, still
unhandled progress message of the same probe instead of queueing behind it.
"""

from __future__ import annotations

from textual.message import Message

from nanwiz.session import ProbeRecord


class ProbesQueued(Message):
    """A run was started: these probes will run, in this order."""

    def __init__(self, script: str, probes: list[str]) -> None:
        super().__init__()
        self.script = script
        self.probes = probes


class ProbeStarted(Message):
    def __init__(self, probe: str) -> None:
        super().__init__()
        self.probe = probe


class ProbeProgress(Message):
    def __init__(self, probe: str, fraction: float, text: str) -> None:
        super().__init__()
        self.probe = probe
        self.fraction = fraction
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ProbeProgress) and message.probe == self.probe


class ProbeSeries(Message):
    """A running probe measured more steps of its run (the trace format); the curves grow."""

    def __init__(self, probe: str, points: list[dict]) -> None:
        super().__init__()
        self.probe = probe
        self.points = points


class ProbeFinished(Message):
    """A probe ended (done, failed, timed out, crashed or cancelled); the evidence changed."""

    def __init__(self, record: ProbeRecord) -> None:
        super().__init__()
        self.record = record


class ProbesEnded(Message):
    """The whole run ended. `error` is set when it stopped early (a script that breaks the contract)."""

    def __init__(self, cancelled: bool = False, error: BaseException | None = None) -> None:
        super().__init__()
        self.cancelled = cancelled
        self.error = error

"""Runs the probes for the TUI: a thread worker drives `Diagnoser`, the screen gets messages.

Each probe is a child process that can take minutes, so `Diagnoser.run` (blocking) runs in a
Textual thread worker and reports through messages posted to the main screen (posting is
thread-safe). Stopping sets the cancel event `Diagnoser` polls, which ends every child process
group; `shutdown` waits for that before the app exits, so no orphaned training keeps running.
"""

from __future__ import annotations

import asyncio
import threading
import time

from textual.message_pump import MessagePump

from nanwiz.probing.plan import Diagnoser, ProbeEvent
from nanwiz.probing.runner import DEFAULT_TIMEOUT
from nanwiz.session import Session
from nanwiz.tui.messages import ProbeFinished, ProbeProgress, ProbeSeries, ProbesEnded, ProbesQueued, ProbeStarted
from nanwiz.tui.store import SessionStore


class ProbeRunner:
    """At most one run of probes at a time, stoppable, never blocking the UI thread."""

    def __init__(self, store: SessionStore, timeout: float = DEFAULT_TIMEOUT, jobs: int | None = None):
        self.store = store
        self.timeout = timeout
        self.jobs = jobs
        self.cancel = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._target: MessagePump | None = None

    @property
    def running(self) -> bool:
        return not self._idle.is_set()

    def start(self, target: MessagePump, probes: list[str], verify: bool = True) -> None:
        """Run `probes` on the session's script; messages go to `target` (the main screen).

        Raises UsageError at once (script missing, not a .py file) instead of in the worker.
        """
        diagnoser = Diagnoser(self.store.kb, self.store.session, timeout=self.timeout, jobs=self.jobs,
                              on_event=self._on_event, on_record=self._on_record, cancel=self.cancel)
        self.cancel.clear()
        self._idle.clear()
        self._target = target
        target.post_message(ProbesQueued(str(diagnoser.script), list(probes)))
        target.run_worker(lambda: self._work(diagnoser, probes, verify), name="probes", group="probes",
                          thread=True, exclusive=True, exit_on_error=False)

    def _work(self, diagnoser: Diagnoser, probes: list[str], verify: bool) -> None:
        error: BaseException | None = None
        try:
            diagnoser.run(probes, verify=verify)
        except Exception as exc:  # noqa: BLE001 - shown in the UI; the session goes on
            error = exc
        finally:
            self.store.save()
            self._idle.set()
            self._post(ProbesEnded(cancelled=self.cancel.is_set(), error=error))

    def _post(self, message) -> None:
        if self._target is not None:
            self._target.post_message(message)

    def _on_event(self, event: ProbeEvent) -> None:
        if event.kind == "started":
            self._post(ProbeStarted(event.probe))
        elif event.kind == "progress":
            self._post(ProbeProgress(event.probe, event.fraction, event.message))
        elif event.kind == "series" and event.points:
            self._post(ProbeSeries(event.probe, event.points))
        elif event.kind == "finished" and event.record is not None:
            self._post(ProbeFinished(event.record))

    def _on_record(self, session: Session) -> None:
        self.store.save()

    def stop(self) -> bool:
        """Ask the running probes to stop; False when none was running."""
        if not self.running:
            return False
        self.cancel.set()
        return True

    async def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop the probes and wait until their processes are gone (True) or `timeout` passed."""
        self.stop()
        deadline = time.monotonic() + timeout
        while self.running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return not self.running

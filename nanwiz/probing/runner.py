"""Running one probe in a child process, safely.

The child gets its own process group, a dedicated pipe for events and a log file for
whatever the user's code prints. A probe that raises, hangs past its timeout, segfaults or
is killed for memory ends as a failed outcome with a reason; it never takes nanwiz down.
Cancelling (Ctrl-C, quitting the TUI) stops the whole process group.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from nanwiz.probing.forkserver import shared_server

Status = Literal["done", "failed", "script_error", "timeout", "crashed", "cancelled"]

DEFAULT_TIMEOUT = 600.0


@dataclass
class ProbeSpec:
    probe: str
    script: Path
    overrides: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    threads: int | None = None
    program: dict[str, Any] | None = None
    """`nanwiz run`: the user's program (nanwiz.harness.attach.launch.ProgramSpec as a dict)."""
    then: tuple[str, ...] = ()
    """Probes to run next in the same process, on this probe's captured run."""
    cwd: str | None = None
    output: Callable[[str], None] | None = None
    """Receives the child's output line by line (the user's own prints), instead of a log."""


@dataclass
class ProbeOutcome:
    probe: str
    status: Status
    facts: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    title: str | None = None
    log_tail: str = ""
    duration: float = 0.0
    environment: dict[str, Any] = field(default_factory=dict)
    others: dict[str, ProbeOutcome] = field(default_factory=dict)
    """Probes that ran after this one in the same process, on its captured state."""
    started: float = 0.0
    finished: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "done"


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _describe_exit(code: int) -> str:
    if code < 0:
        name = _signal_name(code)
        if name == "SIGSEGV":
            return "crashed with a segmentation fault (SIGSEGV) in native code"
        if name == "SIGKILL":
            return "was killed (SIGKILL), most likely by the system for running out of memory"
        if name == "SIGABRT":
            return "aborted (SIGABRT) in native code"
        return f"was terminated by {name}"
    return f"exited with code {code} without reporting a result"


def run_probe(spec: ProbeSpec, on_event: Callable[[dict], None] | None = None,
              cancel: threading.Event | None = None, use_server: bool = True) -> ProbeOutcome:
    """Run a probe to completion (or failure) and collect what it reported.

    The probe runs in a process of its own: forked from the shared fork server when there is
    one (torch already imported), else spawned."""
    outcome = ProbeOutcome(probe=spec.probe, status="failed")
    read_fd, write_fd = os.pipe()
    log = tempfile.TemporaryFile()
    env = dict(os.environ)
    env["NANWIZ_EVENTS_FD"] = str(write_fd)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if spec.threads:
        env["OMP_NUM_THREADS"] = str(spec.threads)
    payload = json.dumps({"probe": spec.probe, "script": str(spec.script), "overrides": spec.overrides,
                          "params": spec.params, "threads": spec.threads, "program": spec.program,
                          "then": list(spec.then), "timeout": spec.timeout})
    started = time.monotonic()
    server = shared_server() if use_server else None
    try:
        cwd = spec.cwd or str(spec.script.parent)
        if spec.output is not None:
            out_read, out_write = os.pipe()
        else:
            out_read, out_write = None, log.fileno()
        try:
            if server is not None:
                proc = server.start(payload, write_fd, out_write, cwd)
            else:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "nanwiz.probes", payload],
                    stdin=subprocess.DEVNULL, stdout=out_write, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
                    env=env, start_new_session=True, cwd=cwd,
                )
        finally:
            if out_read is not None:
                os.close(out_write)
    finally:
        os.close(write_fd)
    outcome.started = started
    collector = EventCollector(outcome, spec.probe, on_event)
    events = collector.events
    reader = threading.Thread(target=_read_events, args=(read_fd, collector), daemon=True)
    reader.start()
    copier = None
    if out_read is not None:
        copier = threading.Thread(target=_copy_output, args=(out_read, log, spec.output), daemon=True)
        copier.start()
    timed_out = cancelled = False
    while True:
        try:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        except KeyboardInterrupt:  # never leave a child running behind an interrupted nanwiz
            _stop(proc)
            raise
        if cancel is not None and cancel.is_set():
            cancelled = True
            _stop(proc)
            break
        if time.monotonic() - started > spec.timeout:
            timed_out = True
            _stop(proc)
            break
    reader.join(timeout=5)
    if copier is not None:
        copier.join(timeout=5)
    outcome.duration = time.monotonic() - started
    log.seek(0)
    outcome.log_tail = log.read()[-4000:].decode("utf-8", errors="replace")
    log.close()
    mine = [e for e in events if e.get("probe") in (None, spec.probe)]
    error = next((e for e in mine if e.get("event") == "error"), None)
    done = any(e.get("event") == "done" for e in mine)
    if cancelled:
        outcome.status, outcome.reason = "cancelled", "cancelled by the user"
    elif timed_out:
        outcome.status = "timeout"
        outcome.reason = f"timed out after {spec.timeout:g} s (raise it with --timeout)"
    elif error is not None:
        outcome.status = "script_error" if error.get("kind") == "script" else "failed"
        outcome.reason = error.get("message")
        outcome.title = error.get("title")
        if error.get("traceback"):
            outcome.details["traceback"] = error["traceback"]
    elif proc.returncode == 0 and done:
        outcome.status = "done"
    else:
        outcome.status = "crashed"
        outcome.reason = f"the probe process {_describe_exit(proc.returncode)}"
    for other in outcome.others.values():  # probes that ran after it in the same process
        if other.finished:
            continue
        other.status = outcome.status if outcome.status in ("cancelled", "timeout") else "crashed"
        other.reason = outcome.reason if other.status != "crashed" else \
            f"the probe process {_describe_exit(proc.returncode)}"
        other.duration = time.monotonic() - (other.started or started)
    return outcome


def _copy_output(fd: int, log: Any, output: Callable[[str], None]) -> None:
    """The child's own output: to the face line by line, and to the log for the report."""
    with os.fdopen(fd, "rb") as stream:
        for raw in stream:
            log.write(raw)
            try:
                output(raw.decode("utf-8", errors="replace").rstrip("\n"))
            except Exception:  # noqa: BLE001 - a broken display must not stop the program's output
                pass


class EventCollector:
    """Sorts a probe process's events into outcomes: the main probe's, and those of the probes
    that ran after it in the same process (tagged with their own name)."""

    def __init__(self, outcome: ProbeOutcome, main: str, on_event=None):
        self.outcome = outcome
        self.main = main
        self.on_event = on_event
        self.events: list[dict] = []

    def __call__(self, event: dict) -> None:
        kind = event.get("event")
        if kind != "series":  # live curves go to the faces only; the probe's trace detail keeps them
            self.events.append(event)
        probe = event.get("probe") or self.main
        target = self.outcome
        if probe != self.main:
            target = self.outcome.others.get(probe)
            if target is None:
                target = self.outcome.others[probe] = ProbeOutcome(probe=probe, status="failed",
                                                                   started=time.monotonic())
        if kind == "fact":
            target.facts[event["id"]] = event["value"]
        elif kind == "detail":
            target.details[event["key"]] = event["value"]
        elif kind == "start":
            target.environment = event.get("environment", {})
        elif probe != self.main and kind in ("done", "error"):
            target.finished = True
            target.duration = time.monotonic() - target.started
            target.status = "done" if kind == "done" else "failed"
            if kind == "error":
                target.reason, target.title = event.get("message"), event.get("title")
                if event.get("traceback"):
                    target.details["traceback"] = event["traceback"]
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001 - a broken progress display must not kill the probe
                pass


def _read_events(fd: int, collector: EventCollector) -> None:
    with os.fdopen(fd, "rb") as stream:
        for raw in stream:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            collector(event)


def _stop(proc: Any) -> None:
    """Terminate the child's whole process group; kill it if it does not stop in time."""
    for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue

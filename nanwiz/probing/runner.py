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
                          "params": spec.params, "threads": spec.threads})
    started = time.monotonic()
    server = shared_server() if use_server else None
    try:
        if server is not None:
            proc = server.start(payload, write_fd, log.fileno(), str(spec.script.parent))
        else:
            proc = subprocess.Popen(
                [sys.executable, "-m", "nanwiz.probes", payload],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
                env=env, start_new_session=True, cwd=str(spec.script.parent),
            )
    finally:
        os.close(write_fd)
    events: list[dict] = []
    reader = threading.Thread(target=_read_events, args=(read_fd, events, on_event, outcome), daemon=True)
    reader.start()
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
    outcome.duration = time.monotonic() - started
    log.seek(0)
    outcome.log_tail = log.read()[-4000:].decode("utf-8", errors="replace")
    log.close()
    error = next((e for e in events if e.get("event") == "error"), None)
    done = any(e.get("event") == "done" for e in events)
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
    return outcome


def _read_events(fd: int, events: list[dict], on_event, outcome: ProbeOutcome) -> None:
    with os.fdopen(fd, "rb") as stream:
        for raw in stream:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            kind = event.get("event")
            if kind != "series":  # live curves go to the faces only; the probe's trace detail keeps them
                events.append(event)
            if kind == "fact":
                outcome.facts[event["id"]] = event["value"]
            elif kind == "detail":
                outcome.details[event["key"]] = event["value"]
            elif kind == "start":
                outcome.environment = event.get("environment", {})
            if on_event is not None:
                try:
                    on_event(event)
                except Exception:  # noqa: BLE001 - a broken progress display must not kill the probe
                    pass


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

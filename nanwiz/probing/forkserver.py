"""A fork server for probe processes: torch is imported once, each probe still gets its own process.

Importing torch (and the torch._dynamo module that optimizer.zero_grad loads on first use)
takes seconds; a probe itself often takes less. The server (`python -m nanwiz.probes --serve`)
imports them once and forks one process per probe, in its own session (process group), so a
probe that hangs or crashes is stopped or reported exactly as a spawned one would be. The
event pipe and the log file are handed over with SCM_RIGHTS (socket.send_fds), so the parent
reads events the same way for both kinds of process.

Linux only (fork after importing torch is not safe on macOS); `NANWIZ_NO_FORKSERVER=1` turns
it off. If the server cannot start, probes are spawned as plain subprocesses.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

READY_TIMEOUT = 120.0


def available() -> bool:
    return sys.platform.startswith("linux") and not os.environ.get("NANWIZ_NO_FORKSERVER")


class ForkedProcess:
    """The parent's view of a forked probe process: poll for its exit code, signal its group."""

    def __init__(self, server: ForkServer, pid: int):
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.exit_code(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("probe", timeout)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode


class ForkServer:
    def __init__(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ)
        env["NANWIZ_SERVER_FD"] = str(child.fileno())
        self.proc = subprocess.Popen([sys.executable, "-m", "nanwiz.probes", "--serve"], pass_fds=(child.fileno(),),
                                     env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        child.close()
        self.sock = parent
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._pids: dict[int, int] = {}
        self._exits: dict[int, int] = {}
        self._next = 0
        self._ready = False
        self._dead = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready or self._dead, timeout=READY_TIMEOUT) or self._dead:
                self.close()
                raise RuntimeError("the probe fork server did not start")

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                with self._cond:
                    self._dead = True
                    self._cond.notify_all()
                return
            message = json.loads(data)
            with self._cond:
                if "ready" in message:
                    self._ready = True
                elif "pid" in message and "id" in message:
                    self._pids[message["id"]] = message["pid"]
                elif "exit" in message:
                    self._exits[message["pid"]] = message["exit"]
                self._cond.notify_all()

    @property
    def alive(self) -> bool:
        return not self._dead and self.proc.poll() is None

    def start(self, payload: str, events_fd: int, log_fd: int, cwd: str) -> ForkedProcess:
        with self._lock:
            self._next += 1
            request = self._next
            message = json.dumps({"id": request, "spec": payload, "cwd": cwd}).encode()
            socket.send_fds(self.sock, [message], [events_fd, log_fd])
        with self._cond:
            if not self._cond.wait_for(lambda: request in self._pids or self._dead, timeout=30):
                raise RuntimeError("the probe fork server did not answer")
            if self._dead:
                raise RuntimeError("the probe fork server stopped")
            return ForkedProcess(self, self._pids.pop(request))

    def exit_code(self, pid: int) -> int | None:
        with self._cond:
            if pid in self._exits:
                return self._exits.pop(pid)
            if self._dead:
                return -9
            return None

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.terminate()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            try:
                self.proc.kill()
            except OSError:
                pass


_server: ForkServer | None = None
_server_lock = threading.Lock()


def shared_server() -> ForkServer | None:
    """The process-wide fork server, started on first use (None where unavailable)."""
    global _server
    if not available():
        return None
    with _server_lock:
        if _server is not None and not _server.alive:
            _server.close()
            _server = None
        if _server is None:
            try:
                _server = ForkServer()
            except (RuntimeError, OSError):
                return None
            import atexit

            atexit.register(shutdown)
        return _server


def shutdown() -> None:
    global _server
    with _server_lock:
        if _server is not None:
            _server.close()
            _server = None

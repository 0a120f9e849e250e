"""The probe child process: `python -m nanwiz.probes SPEC_JSON`.

Runs one probe on the user's script and reports JSON events on the file descriptor named by
NANWIZ_EVENTS_FD. Whatever the user's code prints goes to stdout/stderr, which the parent
keeps in a log, so it can never corrupt the events.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import traceback
import warnings
from pathlib import Path


def environment() -> dict:
    import torch

    env = {"python": platform.python_version(), "torch": torch.__version__, "platform": platform.platform()}
    if torch.cuda.is_available():
        env["cuda"] = torch.version.cuda
        env["gpu"] = torch.cuda.get_device_name(0)
    return env


def run_distributed(spec: dict, emit) -> int:
    """The baseline of a job of several processes: torch.distributed.run starts every rank under
    the watch (python -m nanwiz.attach), each runs its own local probes; the events of the rank
    that produced the first non-finite value become this probe's, with every rank's summary."""
    import signal
    import subprocess
    import tempfile

    from nanwiz.probing.ranks import crashed_rank, hang_report, launcher_command, merge, read_stacks

    program = spec["program"]
    size = int(program["nproc"])
    with tempfile.TemporaryDirectory(prefix="nanwiz-ranks-") as folder:
        command = launcher_command(program, size, Path(folder), (spec.get("params") or {}).get("max_steps"))
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        # the job's own deadline, a little before the probe's: a rank that hangs is named while it still can be
        deadline = max(5.0, float(spec.get("timeout") or 3600) - 10.0)
        launcher = subprocess.Popen(command, cwd=program["cwd"], env=env, start_new_session=True)
        try:
            launcher.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            where = hang_report(read_stacks(Path(folder), size))
            os.killpg(launcher.pid, signal.SIGTERM)
            try:
                launcher.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait()
            emit({"event": "error", "kind": "script", "probe": "baseline", "title": "Your job did not finish",
                  "message": f"the job had not finished after {deadline:.0f} s (raise it with --timeout); every "
                             f"rank was stopped. Where each rank was:\n{where}"})
            return 2
        chosen, events, ranks = merge(Path(folder), size)
    crashed = crashed_rank(ranks)
    if crashed is not None:
        others = ", ".join(f"rank {r}: " + ("stopped with it" if not s.get("crashed") else "also failed")
                           for r, s in sorted(ranks.items()) if r != crashed)
        emit({"event": "error", "kind": "script", "probe": "baseline", "title": "Your job failed",
              "message": f"rank {crashed} of {size} failed ({others or 'no other rank reported'}; "
                         f"torch.distributed.run exited with status {launcher.returncode}):\n\n"
                         f"{ranks[crashed]['crashed']}"})
        return 2
    if not events:
        emit({"event": "error", "kind": "script", "probe": "baseline", "title": "Your job failed",
              "message": f"torch.distributed.run exited with status {launcher.returncode} and no rank reported "
                         "a result (its own output above says why)"})
        return 2
    for event in events:
        if event.get("event") == "done" and event.get("probe") in (None, "baseline"):
            emit({"event": "detail", "probe": "baseline", "key": "ranks",
                  "value": {"producer": chosen, "world_size": size, "launcher_exit": launcher.returncode,
                            "per_rank": {str(r): s for r, s in sorted(ranks.items())}}})
        emit(event)
    return 0


def run_spec(spec: dict, fd: int) -> int:
    """Run one probe; report on fd. Returns the exit code (0 done, 1 probe failure, 2 script error)."""
    from nanwiz.harness.protocol import ProbeContext, write_event

    emit = write_event(fd)
    if spec["probe"] == "baseline" and (spec.get("program") or {}).get("nproc", 1) > 1:
        return run_distributed(spec, emit)
    warnings.filterwarnings("ignore", message=".*Failed to initialize NumPy.*")
    try:
        from nanwiz.errors import NanwizError, ScriptError
        from nanwiz.probes import PROBES

        probe = PROBES[spec["probe"]]
        if spec.get("threads"):
            import torch

            torch.set_num_threads(int(spec["threads"]))
        ctx = ProbeContext(spec["probe"], Path(spec["script"]), probe.FACTS, emit,
                           overrides=spec.get("overrides"), params=spec.get("params"), program=spec.get("program"))
        ctx.emit({"event": "start", "environment": environment()})
        probe.run(ctx)
        ctx.flush_series()
        ctx.emit({"event": "done"})
    except ScriptError as exc:
        emit({"event": "error", "kind": "script", "title": exc.title, "message": exc.msg, "probe": spec["probe"]})
        return 2
    except NanwizError as exc:
        emit({"event": "error", "kind": "probe", "title": exc.title, "message": exc.msg, "probe": spec["probe"]})
        return 1
    except Exception as exc:  # a bug in the probe, or something it did not expect: report, do not hide
        emit({"event": "error", "kind": "probe", "title": "Probe failed", "probe": spec["probe"],
              "message": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]})
        return 1
    run_then(ctx, spec.get("then") or [])
    return 0


def run_then(ctx, names: list[str]) -> None:
    """Probes that work on the baseline's captured state, run next in the same process; one that
    fails is reported as failed and the others go on."""
    from nanwiz.errors import NanwizError
    from nanwiz.probes import PROBES

    for name in names:
        then = PROBES[name]
        ctx.switch(name, then.FACTS)
        ctx.emit({"event": "start", "environment": {}})
        try:
            then.run(ctx)
            ctx.emit({"event": "done"})
        except NanwizError as exc:
            ctx.emit({"event": "error", "kind": "probe", "title": exc.title, "message": exc.msg})
        except Exception as exc:  # noqa: BLE001 - one local probe failing must not lose the others
            ctx.emit({"event": "error", "kind": "probe", "title": "Probe failed",
                      "message": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]})


def serve(sock_fd: int) -> int:
    """The fork server (see nanwiz/probing/forkserver.py): preload, then fork one process per request."""
    import select
    import signal
    import socket

    warnings.filterwarnings("ignore", message=".*Failed to initialize NumPy.*")
    import torch  # noqa: F401 - the point is to pay for these imports once
    import torch._dynamo  # noqa: F401

    import nanwiz.probes  # noqa: F401

    sock = socket.socket(fileno=sock_fd)
    sock.send(json.dumps({"ready": True}).encode())
    children: set[int] = set()
    while True:
        readable, _, _ = select.select([sock], [], [], 0.05)
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            sock.send(json.dumps({"exit": os.waitstatus_to_exitcode(status), "pid": pid}).encode())
        if not readable:
            continue
        try:
            message, fds, _flags, _addr = socket.recv_fds(sock, 65536, 2)
        except OSError:
            message, fds = b"", []
        if not message:  # nanwiz is gone (even killed outright): its probes must not outlive it
            for pid in children:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
            return 0
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setsid()
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                sock.close()
                events_fd, log_fd = fds
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                os.dup2(log_fd, 1)
                os.dup2(log_fd, 2)
                os.chdir(request["cwd"])
                code = run_spec(json.loads(request["spec"]), events_fd)
            except BaseException:  # noqa: BLE001 - never return into the server's loop
                traceback.print_exc()
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        for fd in fds:
            os.close(fd)
        children.add(pid)
        sock.send(json.dumps({"id": request["id"], "pid": pid}).encode())


def main(argv: list[str]) -> int:
    if argv == ["--serve"]:
        return serve(int(os.environ["NANWIZ_SERVER_FD"]))
    fd = int(os.environ.get("NANWIZ_EVENTS_FD", "-1"))
    if fd < 0 or len(argv) != 1:
        print("usage: NANWIZ_EVENTS_FD=N python -m nanwiz.probes SPEC_JSON", file=sys.stderr)
        return 2
    return run_spec(json.loads(argv[0]), fd)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The user's whole program as one training run (the attached counterpart of TrainingRun).

`run()` executes the program under an Attachment and returns its step records. The first run
of a probe process happens in that process (its captured failure can then be replayed there);
further runs with other variations are forked, since a program can only be run once per
process, and send their records back through a pipe.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import traceback
from collections.abc import Callable
from typing import Any

import torch

from nanwiz.errors import ScriptError
from nanwiz.harness.attach.attachment import Attachment, NanwizStop
from nanwiz.harness.attach.controls import Controls
from nanwiz.harness.attach.launch import ProgramOutcome, ProgramSpec, run_program
from nanwiz.harness.run import StepRecord
from nanwiz.variation import Variation

_RAN_HERE = False


class AttachedRun:
    """One execution of the user's program under a Variation, watched."""

    def __init__(self, program: ProgramSpec | None, variation: Variation | None = None, *,
                 exclude: tuple[int, ...] = (), seed: int | None = None, max_steps: int | None = None,
                 dominant_term: str | None = None):
        self.program = program
        self.variation = variation or Variation()
        self.controls = Controls.of(self.variation, exclude, seed, term=dominant_term)
        self.max_steps = max_steps
        self.attachment: Attachment | None = None
        self.outcome: ProgramOutcome | None = None
        self.records: list[StepRecord] = []
        self.continuation: list[StepRecord] = []
        self.info: dict[str, Any] = {}
        self.snapshot_every = 1
        self.run_records: list[StepRecord] | None = None

    @property
    def steps(self) -> int | None:
        """How many steps the run may take (None: as many as the program takes)."""
        return self.max_steps

    @property
    def unsupported(self) -> str | None:
        return self.controls.unsupported()

    # ------------------------------------------------------------ running
    def run(self, *, stats_every: int = 10, watch: Callable[[], Any] | None = None,
            progress: Callable[[int, int], None] | None = None, steps: int | None = None,
            stop_at_failure: bool = True, continue_after_failure: int = 0,
            on_record: Callable[[StepRecord], None] | None = None) -> list[StepRecord]:
        global _RAN_HERE
        if self.run_records is not None and self.program is None:
            return self.records  # watched in this process already: the run is what happened
        limit = steps or self.max_steps
        if _RAN_HERE:
            result = _run_forked(self, stats_every=stats_every, watch=watch, progress=progress, steps=limit,
                                 stop_at_failure=stop_at_failure, continue_after_failure=continue_after_failure)
            self.records, self.continuation, self.info = result["records"], result["continuation"], result["info"]
            self.run_records = self.records
            return self.records
        _RAN_HERE = True

        def record(r: StepRecord) -> None:
            if progress is not None and limit:
                progress(min(r.step + 1, limit), limit)
            if on_record is not None:
                on_record(r)

        attachment = Attachment(controls=self.controls, stats_every=stats_every, max_steps=limit,
                                continue_steps=continue_after_failure, stop_at_failure=stop_at_failure,
                                on_record=record, stats_watch=watch)
        self.attachment = attachment
        if self.controls.seed is not None:
            from nanwiz.harness.run import seed_everything

            seed_everything(self.controls.seed)
        with attachment:
            outcome = run_program(self.program, NanwizStop)
        self.outcome = outcome
        if outcome.status == "error" and (attachment.started and _mid_step(attachment)
                                          or attachment.crashed_on_nonfinite(outcome.error)):
            attachment.fail_with_error(outcome.error, outcome.traceback)
        self._check_trained(outcome)
        self._check_ended(outcome)
        self._split_records(attachment.records, attachment.failure.step if attachment.failure else None)
        self.info = self._info(outcome)
        self.run_records = self.records
        return self.records

    @classmethod
    def watched(cls, attachment: Attachment, outcome: ProgramOutcome) -> AttachedRun:
        """A run that already happened in this process under `attachment` (nanwiz.watch())."""
        run = cls(None)
        run.attachment, run.outcome = attachment, outcome
        run._split_records(attachment.records, attachment.failure.step if attachment.failure else None)
        run.info = run._info(outcome)
        run.run_records = run.records
        return run

    def _check_trained(self, outcome: ProgramOutcome) -> None:
        attachment = self.attachment
        assert attachment is not None
        if attachment.started:
            return
        name = self.program.display if self.program is not None else "the watched code"
        if outcome.status == "error":
            raise ScriptError(f"{name} raised {type(outcome.error).__name__} before training started:\n\n"
                              f"{outcome.traceback}", title="Your program failed")
        if outcome.status == "exit" and outcome.exit_code != 0:
            raise ScriptError(f"{name} exited with status {outcome.exit_code} before training started "
                              "(its own output above says why)", title="Your program failed")
        raise ScriptError(f"{name} ended without training: no backward() call was seen. nanwiz run watches "
                          "a program that trains a PyTorch model (loss.backward() and an optimizer step).",
                          title="Nothing to watch")

    def _check_ended(self, outcome: ProgramOutcome) -> None:
        """A program that raised or exited with an error after training started, with no NaN/Inf seen
        before: a crash of its own (a checkpoint that cannot be written, a rank that died), not a healthy
        run and not a NaN to diagnose. Said with its own frames, and the step it had reached."""
        attachment = self.attachment
        assert attachment is not None
        if attachment.failure is not None or outcome.status not in ("error", "exit"):
            return
        if outcome.status == "exit" and outcome.exit_code == 0:
            return
        name = self.program.display if self.program is not None else "the watched code"
        steps = len(attachment.records)
        where = f"after {steps} training step{'s' if steps != 1 else ''}, outside a training step"
        if outcome.status == "error":
            raise ScriptError(f"{name} raised {type(outcome.error).__name__} {where}; no NaN/Inf had appeared "
                              f"before it:\n\n{outcome.traceback}", title="Your program failed")
        raise ScriptError(f"{name} exited with status {outcome.exit_code} {where}; no NaN/Inf had appeared before "
                          "it (its own output above says why)", title="Your program failed")

    def _split_records(self, records: list[StepRecord], failure_step: int | None) -> None:
        if failure_step is None:
            self.records = list(records)
            return
        first = next((i for i, r in enumerate(records) if r.failed), None)
        if first is None:
            self.records = list(records)
            return
        self.records = records[:first + 1]
        self.continuation = records[first + 1:]

    def _info(self, outcome: ProgramOutcome) -> dict[str, Any]:
        a = self.attachment
        assert a is not None
        return {
            "program": outcome.status, "exit_code": outcome.exit_code, "traceback": outcome.traceback or None,
            "stopped_by": a.stopped_by, "steps": len(a.records), "time_to_first_step": a.time_first_step,
            "failed_at": a.failed_at, "read_nonfinite_at": a.read_where,
            "excluded": a.data.excluded if a.data.exclude else None,
            "step_time": a.step_time, "counts": dict(a.counts, standardized_inputs=a.controls.standardized),
            "autocast": sorted(f"{d}:{t}" for d, t in a.autocast_seen),
            "optimizers": [type(o).__name__ for o in a.optimizers], "models": [type(m).__name__ for m in a.models],
            "scaler": bool(a.scalers), "schedulers": [type(s).__name__ for s in a.schedulers],
            "frameworks": a.frameworks.report(),
        }

    @property
    def models(self) -> list[Any]:
        return list(self.attachment.models) if self.attachment is not None else []

    @property
    def optimizers(self) -> list[Any]:
        return list(self.attachment.optimizers) if self.attachment is not None else []

    def hand_params(self) -> list[Any]:
        """The weights a loop with no optimizer updates by hand."""
        a = self.attachment
        return list(a.hand.params) if a is not None and a.hand is not None and not a.optimizers else []

    def config(self) -> dict[str, Any]:
        """How the program trains, as the watch saw it (autocast entered, clip_grad_norm_ called)."""
        a = self.attachment
        amp = "none"
        if a is not None:
            dtypes = {dtype for _device, dtype in a.autocast_seen}
            amp = "fp16" if "float16" in dtypes else "bf16" if "bfloat16" in dtypes else "none"
        clipped = bool(a is not None and a.counts["clip_finite"])
        lrs = [float(g["lr"]) for o in self.optimizers for g in o.param_groups if isinstance(g.get("lr"), (int, float))]
        program = self.failing_step()
        return {"amp": amp, "grad_clip": clipped, "lr": max(lrs) if lrs else None,
                "batch_size": program.batch_size() if program is not None else None}

    def settings_dict(self) -> dict[str, Any]:
        return {**self.config(), "program": self.program.display if self.program else None,
                "steps": len(self.records) or None}

    def step_program(self, step: int):
        """Only the failing step's tape is kept: other steps cannot be re-run."""
        return None

    def seen_dataset(self) -> Any:
        """The map-style dataset the program's DataLoader read (the failing step's, else the first)."""
        program = self.failing_step()
        if program is not None and program.dataset() is not None:
            return program.dataset()
        if self.attachment is None:
            return None
        return next((d for d in self.attachment.data.datasets
                     if d is not None and hasattr(d, "__getitem__") and hasattr(d, "__len__")), None)

    # ------------------------------------------------------------ the captured failure
    def failing_step(self):
        """The StepProgram of the first failure, or None when there is nothing to replay."""
        from nanwiz.harness.attach.program import TapeStep

        if self.attachment is None or self.attachment.failure is None:
            return None
        if getattr(self, "_failing", None) is None:
            self._failing = TapeStep(self.attachment, self.attachment.failure)
        return self._failing


def _mid_step(attachment: Attachment) -> bool:
    """Did the program raise inside a training step (not in evaluation or saving after training)?"""
    segment = attachment.segment
    return bool(segment.backwards or segment.batches or attachment.tape.segment_entries(segment.index))


# ------------------------------------------------------------ forked runs
def _run_forked(run: AttachedRun, **kwargs: Any) -> dict[str, Any]:
    progress = kwargs.pop("progress", None)
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run the program, send the records, never return
        code = 0
        try:
            # OpenMP (libgomp) cannot run a parallel region in a process forked after its parent ran
            # one: every large op of the re-run (a clone of a 1M-element tensor) would wait forever on
            # the parent's thread team, which the child does not have. One thread keeps every op serial.
            torch.set_num_threads(1)
            os.close(read_fd)
            global _RAN_HERE
            _RAN_HERE = False
            writer = os.fdopen(write_fd, "wb")

            def send(kind: str, payload: Any) -> None:
                data = pickle.dumps((kind, payload))
                writer.write(struct.pack("!I", len(data)) + data)
                writer.flush()

            def on_record(r: StepRecord) -> None:
                send("progress", r.step)

            try:
                records = run.run(on_record=on_record, **kwargs)
                send("result", {"records": [_plain(r) for r in records],
                                "continuation": [_plain(r) for r in run.continuation], "info": run.info})
            except ScriptError as exc:
                send("error", {"script": True, "message": exc.msg, "title": exc.title})
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, never raised here
                send("error", {"script": False, "message": f"{type(exc).__name__}: {exc}",
                               "traceback": traceback.format_exc()[-3000:]})
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    limit = kwargs.get("steps")
    with os.fdopen(read_fd, "rb") as reader:
        while True:
            head = reader.read(4)
            if len(head) < 4:
                break
            (size,) = struct.unpack("!I", head)
            kind, payload = pickle.loads(reader.read(size))
            if kind == "progress" and progress is not None and limit:
                progress(min(payload + 1, limit), limit)
            elif kind == "result":
                result = payload
            elif kind == "error":
                error = payload
    _, status = os.waitpid(pid, 0)
    if error is not None:
        if error.get("script"):
            raise ScriptError(error["message"], title=error.get("title"))
        raise RuntimeError(f"a re-run of the program failed: {error['message']}\n{error.get('traceback', '')}")
    if result is None:
        raise RuntimeError(f"a re-run of the program ended without a result (exit status {status})")
    return result


def _plain(record: StepRecord) -> StepRecord:
    """A record without device tensors or watcher objects, safe to pickle."""
    watched = record.watched
    if watched is not None and not isinstance(watched, (float, int, tuple, list)):
        record.watched = None
    return record


"""`python -m nanwiz.attach [--events DIR] SCRIPT [ARGS...]`: one rank of a job, watched.

What `nanwiz run --nproc-per-node N` starts in every process through torch.distributed.run, and
what a job that is already launched with torchrun can use directly:

    torchrun --nproc-per-node 2 -m nanwiz.attach train.py --epochs 3

Each rank runs the program under the watch and, after a failure, the same local probes as
`nanwiz run`, and writes its results to DIR/rank<N>.jsonl (default ./nanwiz-ranks). Ranks stop
together at the same step (see nanwiz.harness.attach.ranks). Started without --events, rank 0
then waits for the others, names the rank that produced the first non-finite value, prints the
diagnosis and writes nanwiz-report.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def parse(argv: list[str]) -> tuple[argparse.Namespace, dict]:
    parser = argparse.ArgumentParser(prog="python -m nanwiz.attach", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", metavar="DIR", help="where each rank writes its results")
    parser.add_argument("--max-steps", type=int, help="stop the program after N optimizer steps")
    parser.add_argument("--report", metavar="FILE.md", default="nanwiz-report.md",
                        help="the report rank 0 writes when started without --events")
    parser.add_argument("-m", dest="module", metavar="MODULE", help="run a module, as python -m does")
    parser.add_argument("program", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    script = None if args.module else (args.program[0] if args.program else None)
    rest = args.program if args.module else args.program[1:]
    if not (script or args.module):
        parser.error("give the training script (or -m MODULE) to run")
    from nanwiz.harness.attach.launch import ProgramSpec

    if script is not None:
        script = str(Path(script).resolve())
    return args, ProgramSpec(script=script, module=args.module, args=rest, cwd=os.getcwd()).model_dump()


def main(argv: list[str] | None = None) -> int:
    args, program = parse(sys.argv[1:] if argv is None else argv)
    from nanwiz.harness.attach.launch import ProgramSpec
    from nanwiz.harness.attach.ranks import world
    from nanwiz.probes.__main__ import run_spec
    from nanwiz.probing.plan import PROGRAM_LOCAL
    from nanwiz.probing.ranks import rank_file

    rank, size = world()
    folder = Path(args.events or "nanwiz-ranks")
    folder.mkdir(parents=True, exist_ok=True)
    hang_dump(folder, rank)
    source = ProgramSpec.model_validate(program).source_file or program.get("script") or ""
    spec = {"probe": "baseline", "script": source, "program": program, "then": list(PROGRAM_LOCAL),
            "params": {"max_steps": args.max_steps} if args.max_steps else {}}
    path = rank_file(folder, rank)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        code = run_spec(spec, fd)
    finally:
        os.close(fd)
        (folder / f"rank{rank}.done").write_text(str(time.time()))
    if args.events is None and rank == 0:
        report(folder, size, Path(args.report), program)
    return code if code != 0 else 0


def hang_dump(folder: Path, rank: int) -> None:
    """On SIGUSR1 this rank writes its Python stack to rank<N>.stack (faulthandler, no Python code runs
    in the handler): what the launcher reads when the job passes its deadline, to tell the rank stuck
    in its own code from the ranks waiting for it in a collective."""
    import faulthandler
    import signal

    from nanwiz.probing.ranks import stack_file

    stack = open(stack_file(folder, rank), "w", encoding="utf-8")  # noqa: SIM115 - open for the process' life
    faulthandler.register(signal.SIGUSR1, file=stack, all_threads=False)
    (folder / f"rank{rank}.pid").write_text(str(os.getpid()))


def report(folder: Path, size: int, path: Path, program: dict, wait: float = 120.0) -> None:
    """Rank 0 of a job launched by the user: merge the ranks, print the diagnosis, write the report."""
    from nanwiz.commands.common import console
    from nanwiz.commands.view import show_diagnosis
    from nanwiz.kb.load import load_knowledge
    from nanwiz.report.markdown import write_markdown
    from nanwiz.report.model import build_diagnosis
    from nanwiz.session import Session

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not all((folder / f"rank{r}.done").exists() for r in range(size)):
        time.sleep(0.2)
    session = Session(script=program.get("script"), program=program)
    record_ranks(session, folder, size)
    diagnosis = build_diagnosis(load_knowledge(), session)
    show_diagnosis(diagnosis, console())
    written = write_markdown(diagnosis, path)
    console(stderr=True).print(f"Report written to [cyan]{written.describe()}[/]", highlight=False)


def record_ranks(session, folder: Path, size: int) -> int:
    """Put the producing rank's probe results into the session; every rank's summary beside them."""
    from nanwiz.probing.plan import to_record
    from nanwiz.probing.ranks import merge
    from nanwiz.probing.runner import EventCollector, ProbeOutcome

    chosen, events, ranks = merge(folder, size)
    outcome = ProbeOutcome(probe="baseline", status="failed")
    collect = EventCollector(outcome, "baseline")
    for event in events:
        collect(event)
    if any(e.get("event") == "done" and e.get("probe") in (None, "baseline") for e in events):
        outcome.status = "done"
    for other in outcome.others.values():
        other.finished = True
    records = [to_record(outcome)] + [to_record(o) for o in outcome.others.values()]
    records[0].details["ranks"] = {"producer": chosen, "world_size": size,
                                   "per_rank": {str(r): s for r, s in sorted(ranks.items())}}
    for record in records:
        session.record(record)
    return chosen


if __name__ == "__main__":
    sys.exit(main())

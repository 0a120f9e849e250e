"""The `nanwiz` command line: argparse, dispatching to one module per command.

`nanwiz` alone opens the interactive session (TUI); `nanwiz probe` runs the diagnosis
headless; `nanwiz kb ...` browses and checks the knowledge base; `nanwiz report` renders a
saved session. Every error a user can fix becomes a message and an exit code (errors.py).
"""

from __future__ import annotations

import argparse
import sys

from nanwiz import __version__
from nanwiz.errors import error_handler


def _add_knowledge(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # Subcommands accept --knowledge too; SUPPRESS keeps their default from erasing the top-level value.
    parser.add_argument("--knowledge", metavar="DIR", action="append", default=[] if top else argparse.SUPPRESS,
                        help="add the YAML files of DIR to the shipped knowledge base (repeatable)")


def _add_no_plots(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # As --knowledge: SUPPRESS keeps a subcommand's default from erasing `nanwiz --no-plots probe`.
    parser.add_argument("--no-plots", action="store_true", default=False if top else argparse.SUPPRESS,
                        help="write the report without the picture of the run's curves (report.svg "
                             "beside report.md)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nanwiz",
        description="Find out why a PyTorch training run produces NaN or Inf, and how to fix it.",
        epilog="Run 'nanwiz' alone for the interactive session, or 'nanwiz probe --model script.py' "
               "for a headless diagnosis. Exit codes: 0 diagnosis made, 1 no NaN/Inf reproduced, "
               "2 usage or script error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"nanwiz {__version__}")
    _add_knowledge(parser, top=True)
    parser.add_argument("--model", metavar="SCRIPT", help="open the interactive session with the probes "
                        "already running on this training script")
    parser.add_argument("--run", metavar="SCRIPT", help="open the interactive session on your own program, run "
                        "under the watch: nanwiz --run train.py [ARGS...] (everything after the script is "
                        "the program's)")
    parser.add_argument("--resume", metavar="SESSION", help="continue a saved session (JSON)")
    parser.add_argument("--session", metavar="PATH", help="where the interactive session is saved "
                        "continuously (default: nanwiz-session.json next to the script, or in the "
                        "current directory)")
    _add_no_plots(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    probe = sub.add_parser("probe", help="run the probes on a training script and print the diagnosis",
                           description="Run nanwiz's experiments on a training script that follows the "
                                       "target-script contract, rank the causes and show the fixes.")
    _add_knowledge(probe)
    probe.add_argument("--model", metavar="SCRIPT", required=True, help="the training script (.py)")
    probe.add_argument("--report", metavar="FILE.md", help="write the Markdown report here")
    probe.add_argument("--json", metavar="FILE.json", help="write the machine-readable diagnosis here")
    probe.add_argument("--save", metavar="SESSION.json", help="save the session (answers and probe results)")
    probe.add_argument("--probes", metavar="A,B", help="run only these probes (default: all)")
    probe.add_argument("--answers", metavar="ANSWERS.yaml", help="add your answers to the evidence "
                       "(question id: value; see 'nanwiz kb questions')")
    probe.add_argument("--timeout", metavar="SECONDS", type=float, default=600.0,
                       help="time limit per probe (default: 600)")
    probe.add_argument("--steps", metavar="N", type=int, help="override NANWIZ['steps']")
    probe.add_argument("--jobs", metavar="N", type=int, help="probes run side by side (default: 2 or "
                       "the number of CPUs if lower)")
    probe.add_argument("--no-verify", action="store_true", help="do not re-run the training to verify fixes")
    probe.add_argument("--thorough", action="store_true",
                       help="run every probe as a whole training run of its own and verify fixes over all steps "
                            "(the exhaustive plan; slower), instead of answering on the captured failure")
    _add_no_plots(probe)
    probe.add_argument("--quiet", action="store_true", help="no progress display")

    run = sub.add_parser("run", help="run your own training program and diagnose its first NaN/Inf",
                         usage="nanwiz run [OPTIONS] SCRIPT [ARGS...]\n       nanwiz run [OPTIONS] -m MODULE [ARGS...]",
                         description="Run your unmodified training program (as `python SCRIPT ARGS` would) "
                                     "with nanwiz attached from outside; at the first NaN/Inf it stops the "
                                     "program and diagnoses it. Options go before the script; everything after "
                                     "the script (or -m MODULE) is the program's own.")
    _add_knowledge(run)
    run.add_argument("-m", dest="module", metavar="MODULE", help="run a module, as python -m MODULE does")
    run.add_argument("--report", metavar="FILE.md", help="write the Markdown report here")
    run.add_argument("--json", metavar="FILE.json", help="write the machine-readable diagnosis here")
    run.add_argument("--save", metavar="SESSION.json", help="save the session (updated as it goes)")
    run.add_argument("--answers", metavar="ANSWERS.yaml", help="add your answers to the evidence")
    run.add_argument("--timeout", metavar="SECONDS", type=float, default=3600.0,
                     help="time limit for the program's run and for each re-run (default: 3600)")
    run.add_argument("--max-steps", metavar="N", type=int, help="stop the program after N optimizer steps")
    run.add_argument("--nproc-per-node", metavar="N", type=int, default=1,
                     help="start N processes through torch.distributed.run (torchrun), each one watched")
    run.add_argument("--reruns", metavar="N", type=int, default=4,
                     help="whole-program re-runs nanwiz may make to test the learning rate and verify fixes "
                          "(default: 4; 0: diagnose from the captured failure only)")
    run.add_argument("--jobs", metavar="N", type=int, help="re-runs side by side (default: 2 or the CPUs)")
    run.add_argument("--no-verify", action="store_true", help="do not re-run the program to verify fixes")
    _add_no_plots(run)
    run.add_argument("--quiet", action="store_true", help="no progress display (the program's output still shows)")

    report = sub.add_parser("report", help="render a saved session as a Markdown (and JSON) report")
    _add_knowledge(report)
    report.add_argument("session", metavar="SESSION.json")
    report.add_argument("-o", "--output", metavar="FILE.md", help="write Markdown here (default: print it)")
    report.add_argument("--json", metavar="FILE.json", help="also write the JSON diagnosis here")
    _add_no_plots(report)

    kb = sub.add_parser("kb", help="browse or check the knowledge base")
    _add_knowledge(kb)
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="ACTION")
    check = kb_sub.add_parser("check", help="validate the shipped knowledge base, or DIR on top of it")
    check.add_argument("dir", nargs="?", metavar="DIR")
    kb_sub.add_parser("list", help="list the causes")
    show = kb_sub.add_parser("show", help="show one cause: mechanism, symptoms, fixes, sources, rules")
    show.add_argument("cause", metavar="CAUSE_ID")
    kb_sub.add_parser("questions", help="list the interview questions and their answers")
    kb_sub.add_parser("facts", help="list the facts (evidence) and what produces them")
    return parser


def split_run(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[list[str], list[str]]:
    """`nanwiz run` takes its own options, then the program: split at the script (or after -m MODULE),
    so that the program's options are never read as nanwiz's."""
    run = next(a for a in parser._subparsers._group_actions[0].choices.values() if a.prog.endswith(" run"))
    arity = {}
    for action in run._actions:
        for option in action.option_strings:
            arity[option] = 0 if action.nargs == 0 else 1
    i = argv.index("run") + 1
    ours = argv[:i]
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return ours, argv[i + 1:]
        if token == "-m":
            return ours + argv[i:i + 2], argv[i + 2:]
        name = token.split("=", 1)[0]
        if token.startswith("-") and name in arity:
            take = 1 if "=" in token else 1 + arity[name]
            ours += argv[i:i + take]
            i += take
            continue
        if token.startswith("-"):
            ours.append(token)  # let argparse say it is unknown
            i += 1
            continue
        return ours, argv[i:]
    return ours, []


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    program: list[str] = []
    if "run" in argv and not any(a in ("probe", "report", "kb") for a in argv[:argv.index("run")]):
        argv, program = split_run(parser, argv)
    elif "--run" in argv:  # the interactive session on a program: what follows the script is the program's
        at = argv.index("--run")
        argv, program = argv[:at + 2], argv[at + 2:]
    args = parser.parse_args(argv)
    args.program_args = program
    if args.command == "run":
        args.script = program[0] if program and not args.module else None
        args.args = program[1:] if program and not args.module else program
    with error_handler() as code:
        if args.command == "run":
            from nanwiz.commands.run import run_run_command

            code[0] = run_run_command(args)
        elif args.command == "probe":
            from nanwiz.commands.probe import run_probe_command

            code[0] = run_probe_command(args)
        elif args.command == "report":
            from nanwiz.commands.report import run_report_command

            code[0] = run_report_command(args)
        elif args.command == "kb":
            from nanwiz.commands.kb import run_kb_command

            if args.kb_command is None:
                parser.parse_args(["kb", "--help"])
            code[0] = run_kb_command(args)
        else:
            from nanwiz.commands.tui import run_tui_command

            code[0] = run_tui_command(args)
    return code[0]


if __name__ == "__main__":
    sys.exit(main())

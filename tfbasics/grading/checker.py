"""The exercise checker: ``tfbasics check [EXERCISE ...] [--path DIR] [--hints] [--watch]``.

Grades the learner's files in ``exercises/`` (or a student's copy given by ``--path``) with the
checks of ``tfbasics/grading/exercise_checks/``, each exercise in a child process of its own
(tfbasics.grading.grader), and prints one line per exercise, ``softmax: 3/5 tasks passed``, what did not
pass and why, the overall count and the next task: the last thing the learner reads. The exit
status is 0 only when every task passes (1 otherwise, 2 for a usage error, 130 for Ctrl-C);
``--results`` and ``--junit`` write the same grade for programs. ``tfbasics grade CLASS_DIR``
(tfbasics.grading.class_grader) grades a whole class.
"""

import argparse
import sys
import time
from pathlib import Path

from tfbasics.data.idx import atomic_write
from tfbasics.grading import exercise_list, grade_reports, grader
from tfbasics.runs.folders import Parser

BUNDLED = grader.ROOT / "exercises"
PROG = "tfbasics check"
GLOB_CHARS = set("*?[")


class UsageError(Exception):
    """A bad flag or folder: one line, exit status 2."""


def exercise_names():
    """The exercises in the chapter's order (tfbasics.grading.exercise_list)."""
    return exercise_list.names()


class _Once(argparse.Action):
    """A flag that may be given once (``--path a --path b`` is a mistake, not "the last wins")."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest) is not None:
            parser.error(
                f"{option_string} given twice; it takes one folder (to grade many students' "
                "folders at once: tfbasics grade CLASS_DIR)"
            )
        setattr(namespace, self.dest, values)


def add_limit_flags(parser):
    """--timeout, --memory, --jobs: shared by check and grade."""
    parser.add_argument(
        "--timeout",
        type=float,
        default=grader.Limits.timeout,
        metavar="S",
        help="seconds each exercise's checks may take (default: %(default)g)",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=grader.Limits.memory_mb,
        metavar="MB",
        help="memory each exercise's process may allocate, in MB (default: %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        metavar="N",
        help="exercises checked at the same time (default: %(default)s)",
    )


def check_limits(args):
    if not args.timeout > 0:
        raise UsageError(f"--timeout {args.timeout:g}: give a number of seconds above 0")
    if args.memory < 64:
        raise UsageError(f"--memory {args.memory}: give at least 64 (MB)")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give at least 1")
    return grader.Limits(args.timeout, args.memory)


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
        "in the chapter's order: " + ", ".join(exercise_names()),
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
        help=f"folder holding the exercise files (default: {BUNDLED}); "
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
    if not any((path / f"{n}.py").is_file() for n in exercise_names()):
        some = ", ".join(f"{n}.py" for n in exercise_names()[:3])
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
    names = exercise_names()
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
    args.folder = None if args.reference else student_folder(args.path or str(BUNDLED))
    args.chosen = [n for n in names if n in args.exercises] or names  # the chapter's order
    args.limits = check_limits(args)
    args.results = args.results and _output_file(args.results, "--results")
    args.junit = args.junit and _output_file(args.junit, "--junit")
    return args


def _display(path):
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _where(args):
    if args.folder is None:
        return lambda name: " or ".join(
            m.replace(".", "/") + ".py" for m in exercise_list.EXERCISES[name].references
        )
    return lambda name: _display(args.folder / f"{name}.py")


def _hints(args, result):
    if not args.hints:
        return {}
    from tfbasics.grading.exercise_checks.framework import (
        hints_for,  # the hint reader lives with the checks
    )

    return {e.name: hints_for(e.name, args.folder, args.hints) for e in result.exercises}


def _next_tip(args):
    where = ""
    if args.folder is not None and args.folder.resolve() != BUNDLED.resolve():
        where = f" --path {_display(args.folder)}"
    if args.folder is None:
        return lambda name: ""
    if args.hints >= 2:
        return lambda name: ""
    if args.hints == 1:
        return lambda name: f"; still stuck? `{PROG} {name} --hints --hints{where}`"
    return lambda name: f"; stuck? `{PROG} {name} --hints{where}`"


def report(args, result, out=print):
    """Print the summary and write --results / --junit for a StudentResult."""
    lines = grade_reports.summary_lines(
        result, _where(args), _hints(args, result), args.verbose, _next_tip(args)
    )
    for line in lines:
        out(line)
    if args.results:
        atomic_write(args.results, [grade_reports.results_json_text(result).encode()])
    if args.junit:
        atomic_write(args.junit, [grade_reports.junit_xml(result)])


def run_check(args, names, finished=None):
    """Check ``names``; returns the StudentResult. ``finished`` (a dict) collects each
    ExerciseResult as it comes, so a Ctrl-C can still report what was done."""
    finished = {} if finished is None else finished
    tty = sys.stderr.isatty()

    def on_done(folder, exercise_result):
        finished[exercise_result.name] = exercise_result
        if tty:
            end = "\n" if len(finished) == len(names) else ""
            print(
                f"\rchecking: {len(finished)}/{len(names)} exercises",
                end=end,
                file=sys.stderr,
                flush=True,
            )

    return grader.grade(args.folder, names, args.limits, args.jobs, on_done)


def _mtimes(folder, names):
    stamps = {}
    for name in names:
        try:
            st = (folder / f"{name}.py").stat()
            stamps[name] = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamps[name] = None
    return stamps


def watch(args, interval=0.5, rounds=None, out=print):
    """Re-check each exercise whose file changes (polling); ``rounds`` polls then return 0."""
    latest = {e.name: e for e in run_check(args, args.chosen).exercises}
    report(args, grader.StudentResult(args.folder, list(latest.values())), out)
    stamps = _mtimes(args.folder, args.chosen)
    out(f"watching {_display(args.folder)}/ for saved changes (Ctrl-C stops)")
    polled = 0
    while rounds is None or polled < rounds:
        time.sleep(interval)
        polled += 1
        now = _mtimes(args.folder, args.chosen)
        changed = [n for n in args.chosen if now[n] != stamps[n]]
        stamps = now
        if not changed:
            continue
        out(f"\n{', '.join(f'{n}.py' for n in changed)} changed: checking again")
        for exercise in run_check(args, changed).exercises:
            latest[exercise.name] = exercise
        ordered = [latest[n] for n in args.chosen]
        report(args, grader.StudentResult(args.folder, ordered), out)
    return 0


def main(argv=None):
    """Check exercises; 0 if every task passes, 1 if some do not, 2 usage error, 130 Ctrl-C."""
    try:
        args = parse(argv)
        if args.watch and args.folder is None:
            raise UsageError("--watch checks your files; it does not go with --reference")
    except UsageError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse: --help, or a one-line usage error
        return exc.code if isinstance(exc.code, int) else 2
    finished = {}
    try:
        if args.watch:
            return watch(args)
        result = run_check(args, args.chosen, finished)
    except grader.GraderError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.watch:
            print(f"\n{PROG}: stopped watching", file=sys.stderr)
            return 130
        done = [finished[n] for n in args.chosen if n in finished]
        if done:
            print()
            args.results = args.junit = None
            report(args, grader.StudentResult(args.folder, done))
        left = [n for n in args.chosen if n not in finished]
        print(
            f"{PROG}: interrupted; not checked: {', '.join(left)} (no results file written)",
            file=sys.stderr,
        )
        return 130
    except OSError as err:
        print(f"{PROG}: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    try:
        report(args, result)
    except OSError as err:
        print(f"{PROG}: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    return 0 if result.passed == result.total else 1


if __name__ == "__main__":
    sys.exit(main())

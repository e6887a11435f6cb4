"""The exercise checker: ``tfbasics check [EXERCISE ...] [--hints] [--path DIR]``.

Runs the exercise checks in ``tests/exercise_checks/`` (the very checks CI runs against the
reference in ``tfbasics/``) with pytest, against the learner's files in ``exercises/`` or in
another folder (a student's copy), and prints one line per exercise, ``softmax: 3/4 tasks
passed``, then the overall count. The exit status is 0 only when every task passes.

The checks live in the source checkout next to this package (``pip install -e .``), not in an
installed wheel: the checker says so when it cannot find them.
"""

import re
import sys
from pathlib import Path

from tfbasics.runs import Parser

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "tests" / "exercise_checks"
BUNDLED = ROOT / "exercises"
PROG = "tfbasics check"


def exercise_names():
    """The exercises in the chapter's order (the order of ``EXERCISES`` in the checks)."""
    if not (CHECKS / "framework.py").is_file():
        return []
    text = (CHECKS / "framework.py").read_text(encoding="utf-8")
    listed = re.findall(r'Exercise\(\s*"(\w+)"', text)
    present = {p.stem[len("test_") :] for p in CHECKS.glob("test_*.py")}
    return [name for name in listed if name in present]


def build_parser():
    """The checker's command line (``tfbasics check --help``)."""
    parser = Parser(
        prog=PROG,
        description="Check your solutions to the chapter's exercises, task by task. "
        "Work in exercises/ (or a copy of it) and run this after each change.",
    )
    parser.add_argument(
        "exercises",
        nargs="*",
        metavar="EXERCISE",
        help="check only these exercises (e.g. softmax); default: all of them, "
        "in the chapter's order: " + ", ".join(exercise_names()),
    )
    parser.add_argument(
        "--hints", action="store_true", help="show the hint of every task that does not pass yet"
    )
    parser.add_argument(
        "--path",
        type=str,
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
    return parser


def pytest_args(exercises=(), path=None, hints=False, reference=False):
    """The pytest command line that checks ``exercises`` (all if empty) in folder ``path``."""
    target = [str(CHECKS / f"test_{name}.py") for name in exercises] or [str(CHECKS)]
    args = target + [
        "--rootdir",
        str(ROOT),
        "--confcutdir",
        str(ROOT),
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
        "--tb=no",
        "-rN",
    ]
    if not reference:
        args.append(f"--exercises={Path(path).resolve() if path else BUNDLED}")
    if hints:
        args.append("--hints")
    return args


def main(argv=None):
    """Check exercises; returns 0 if every task passes, 1 if some do not, 2 for a usage error."""
    args = build_parser().parse_args(argv)
    if not CHECKS.is_dir():
        print(
            f"{PROG}: the exercise checks are not here ({CHECKS}); run it from a source "
            "checkout installed with `pip install -e .`",
            file=sys.stderr,
        )
        return 2
    names = exercise_names()
    unknown = [name for name in args.exercises if name not in names]
    if unknown:
        print(
            f"{PROG}: no exercise {unknown[0]!r}; the exercises are: {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
    if args.path is not None and args.reference:
        print(f"{PROG}: --path and --reference exclude each other", file=sys.stderr)
        return 2
    if args.path is not None and not Path(args.path).is_dir():
        print(f"{PROG}: --path {args.path}: no such folder", file=sys.stderr)
        return 2

    import pytest

    chosen = [name for name in names if name in args.exercises]  # the chapter's order
    code = pytest.main(pytest_args(chosen, args.path, args.hints, args.reference))
    if code == pytest.ExitCode.OK:
        return 0
    if code == pytest.ExitCode.TESTS_FAILED:
        return 1
    return 2  # usage error, no checks collected, interrupted, internal error


if __name__ == "__main__":
    sys.exit(main())

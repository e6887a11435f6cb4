"""Grade a class at once: ``tfbasics grade CLASS_DIR [--out DIR]`` (nbgrader's class folder).

Every folder under CLASS_DIR that holds exercise files is a student's copy; each is graded as
``tfbasics check --path`` grades one (every exercise in a confined child process of its own, so
one failing or hanging student never stops the others). Prints one table (student x exercise,
tasks passed, total, time) and writes into the output folder ``grades.csv`` (points and maximum
per exercise, total, timestamps, the check suite, flags: tfbasics.grading.class_reports), one
Exercism v3 results JSON per student (``<student>.json``) and, with ``--gradescope``, one
Gradescope results JSON per student (``gradescope/<student>.json``). Every other entry of
CLASS_DIR (tfbasics.grading.class_folders) is listed as skipped, with the reason, and has its
row in grades.csv; a folder is graded once, whatever symlinks point at it. The class similarity
report (``similarity.csv``, ``similarity.txt``; ``--no-similarity`` skips it) ranks pairs of
students, and the reference, by how alike their code is: copies are reported, not judged. One
grader at a time writes into an output folder (``run_lock``): a second one is refused in one
line. The exit status is 0 when grading ran, whatever the grades (as Exercism's runner does),
non-zero only when it could not run.
"""

import sys
import time
from pathlib import Path

from tfbasics.grading import class_reports, exercise_list, grader, similarity
from tfbasics.grading.check_flags import UsageError, add_limit_flags, check_limits
from tfbasics.grading.class_folders import find_students, submitted_at
from tfbasics.grading.exercise_list import display
from tfbasics.grading.exercism_results import results_json_text
from tfbasics.grading.grade_results import GraderError, utc_stamp
from tfbasics.grading.gradescope import gradescope_json_text
from tfbasics.runs import run_lock
from tfbasics.runs.atomic import atomic_write
from tfbasics.runs.folders import Parser

PROG = "tfbasics grade"


def build_parser():
    parser = Parser(
        prog=PROG,
        description="Grade every student's copy of exercises/ under CLASS_DIR (one folder per "
        "student): a table of tasks passed, grades.csv and one results JSON per student.",
    )
    parser.add_argument("class_dir", metavar="CLASS_DIR", help="the folder of student folders")
    parser.add_argument(
        "--out",
        default="grades",
        metavar="DIR",
        help="where grades.csv and <student>.json go (default: %(default)s, made if missing; "
        "one grader at a time)",
    )
    parser.add_argument(
        "--no-similarity",
        action="store_true",
        help="skip the class similarity report (similarity.csv, similarity.txt; a few seconds)",
    )
    parser.add_argument(
        "--gradescope",
        action="store_true",
        help="also write each student's Gradescope results JSON into DIR/gradescope/",
    )
    add_limit_flags(parser)
    return parser


def grade_class(students, limits, jobs=2, out=print, hide=()):
    """Grade every student folder; returns [(name, StudentResult)] in the given order.

    hide: folders no student's process may see (the class folder, the grades folder).
    """
    names = exercise_list.names()
    pairs = [(folder, name) for folder in students for name in names]
    pending = {folder.resolve(): len(names) for folder in students}
    passed = {folder.resolve(): 0 for folder in students}
    finished_at = {}
    done = [0]

    def on_done(folder, result):
        pending[folder] -= 1
        passed[folder] += result.passed
        if pending[folder] == 0:
            finished_at[folder] = utc_stamp()
            done[0] += 1
            total = exercise_list.total_tasks(names)
            out(f"[{done[0]}/{len(students)}] {folder.name}: {passed[folder]}/{total} tasks passed")

    found = grader.run_exercises(pairs, limits, jobs, on_done, hide)
    rows = []
    for folder in students:
        result = grader.student_result(folder, names, found)
        result.submitted_at = submitted_at(folder, names)
        result.graded_at = finished_at.get(folder.resolve(), "")
        rows.append((folder.name, result))
    return rows


def main(argv=None):
    """Grade a class; 0 when grading ran, 2 for a usage error, 130 for Ctrl-C."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help, or a one-line usage error
        return exc.code if isinstance(exc.code, int) else 2
    class_dir = Path(args.class_dir).expanduser()
    try:
        if not class_dir.is_dir():
            what = "a file, not a folder" if class_dir.exists() else "no such folder"
            raise UsageError(f"{args.class_dir}: {what} (give the folder of students)")
        limits = check_limits(args)
        out_dir = Path(args.out)
        if out_dir.exists() and not out_dir.is_dir():
            raise UsageError(f"--out {args.out}: a file, not a folder")
        students, skipped = find_students(class_dir)
        if not students:
            raise UsageError(
                f"{args.class_dir}: no student folders in it (a student's folder holds "
                "neuron.py, hello.py, ... as exercises/ does)"
            )
    except UsageError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    try:  # one grader per --out (refused, not queued): two would mix their classes' files
        out_dir.mkdir(parents=True, exist_ok=True)
        run_lock.hold(out_dir)
    except run_lock.RunLocked as err:
        print(
            f"{PROG}: --out {args.out} is in use by another grader (process {err.pid or '?'}); "
            "wait for it to finish, or pass another --out",
            file=sys.stderr,
        )
        return 2
    except OSError as err:
        print(f"{PROG}: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    names = exercise_list.names()
    print(
        f"grading {len(students)} students in {display(class_dir)}/ "
        f"({len(names)} exercises each, each in its own process: {limits.timeout:g} s, "
        f"{limits.memory_mb} MB; {args.jobs} at a time)"
    )
    started = time.monotonic()
    try:
        rows = grade_class(students, limits, args.jobs, hide=(class_dir, out_dir))
    except GraderError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; no grades written", file=sys.stderr)
        return 130
    wall = time.monotonic() - started
    print()
    for line in class_reports.class_table(rows, names):
        print(line)
    per = wall / len(rows)
    print(
        f"graded {len(rows)} students in {wall:.1f} s ({per:.1f} s per student, wall; "
        "'time' is each student's exercises added up; '!' marks an error: see the JSON)"
    )
    for line in class_reports.flag_lines(rows):
        print(line)
    for entry in skipped:
        print(f"skipped {entry.name}: {entry.reason}")
    try:
        write_grades(out_dir, rows, names, skipped, args.gradescope)
    except OSError as err:
        print(f"{PROG}: error: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    also = f" and {len(rows)} in {display(out_dir)}/gradescope/" if args.gradescope else ""
    print(f"wrote {display(out_dir)}/grades.csv and {len(rows)} results JSON files{also}")
    if not args.no_similarity:  # copies are reported, not judged
        try:
            similarity.write_report(out_dir, {folder.name: folder for folder in students})
        except OSError as err:
            print(f"{PROG}: error: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {display(out_dir)}/{similarity.CSV_NAME} and {similarity.SUMMARY_NAME}")
    return 0


def write_grades(out_dir, rows, names, skipped, gradescope=False):
    """Write grades.csv, ``<student>.json`` (Exercism v3) and, if ``gradescope``,
    ``gradescope/<student>.json`` into ``out_dir`` (each file whole or not at all).

    Args:
      out_dir: Path; rows: [(student name, StudentResult)]; names: exercise names graded;
      skipped: [Skipped]; gradescope: bool.
    """
    text = class_reports.grades_csv(rows, names, skipped, utc_stamp())
    atomic_write(out_dir / "grades.csv", [text.encode()])
    for name, result in rows:
        atomic_write(out_dir / f"{name}.json", [results_json_text(result, name).encode()])
    if gradescope:
        (out_dir / "gradescope").mkdir(exist_ok=True)
        for name, result in rows:
            text = gradescope_json_text(result)
            atomic_write(out_dir / "gradescope" / f"{name}.json", [text.encode()])


if __name__ == "__main__":
    sys.exit(main())

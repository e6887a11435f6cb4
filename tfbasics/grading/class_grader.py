"""Grade a class at once: ``tfbasics grade CLASS_DIR [--out DIR]`` (nbgrader's class folder).

Every folder under CLASS_DIR that holds exercise files is a student's copy; each is graded as
``tfbasics check --path`` grades one (every exercise in a confined child process of its own, so
one failing or hanging student never stops the others). Prints one table (student x exercise,
tasks passed, total, time) and writes ``grades.csv`` and one results JSON per student (Exercism
v3 shape) into the output folder, with the class similarity report (``similarity.csv``,
``similarity.txt``; ``--no-similarity`` skips it). Anything else under CLASS_DIR is listed as skipped, with the
reason. One grader at a time writes into an output folder (``run_lock``): a second one is
refused in one line. The exit status is 0 when grading ran, whatever the grades (as Exercism's
runner does), non-zero only when it could not run.
"""

import sys
import time
from pathlib import Path

from tfbasics.grading import exercise_list, grade_reports, grader, similarity
from tfbasics.grading.check_flags import UsageError, add_limit_flags, check_limits
from tfbasics.grading.exercise_list import display
from tfbasics.grading.grade_results import GraderError, StudentResult
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
    add_limit_flags(parser)
    return parser


def find_students(class_dir):
    """(students, skipped): student folder Paths, and (name, reason) for everything else."""
    students, skipped = [], []
    for path in sorted(Path(class_dir).iterdir()):
        if path.name.startswith("."):
            continue
        if not path.is_dir():
            skipped.append((path.name, "a file, not a student's folder"))
        elif not any((path / f"{n}.py").is_file() for n in exercise_list.names()):
            skipped.append((path.name, "no exercise files (neuron.py, hello.py, ...) in it"))
        else:
            students.append(path)
    return students, skipped


def grade_class(students, limits, jobs=2, out=print):
    """Grade every student folder; returns [(name, StudentResult)] in the given order."""
    names = exercise_list.names()
    pairs = [(folder, name) for folder in students for name in names]
    pending = {folder.resolve(): len(names) for folder in students}
    passed = {folder.resolve(): 0 for folder in students}
    done = [0]

    def on_done(folder, result):
        pending[folder] -= 1
        passed[folder] += result.passed
        if pending[folder] == 0:
            done[0] += 1
            total = exercise_list.total_tasks(names)
            out(f"[{done[0]}/{len(students)}] {folder.name}: {passed[folder]}/{total} tasks passed")

    found = grader.run_exercises(pairs, limits, jobs, on_done)
    rows = []
    for folder in students:
        key = folder.resolve()
        exercises = [found[(key, n)] for n in names]
        result = StudentResult(key, exercises, sum(e.duration for e in exercises))
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
        rows = grade_class(students, limits, args.jobs)
    except GraderError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; no grades written", file=sys.stderr)
        return 130
    wall = time.monotonic() - started
    print()
    for line in grade_reports.class_table(rows, names):
        print(line)
    per = wall / len(rows)
    print(
        f"graded {len(rows)} students in {wall:.1f} s ({per:.1f} s per student, wall; "
        "'time' is each student's exercises added up; '!' marks an error: see the JSON)"
    )
    for name, reason in skipped:
        print(f"skipped {name}: {reason}")
    try:
        atomic_write(out_dir / "grades.csv", [grade_reports.grades_csv(rows, names).encode()])
        for name, result in rows:
            text = grade_reports.results_json_text(result, student=name)
            atomic_write(out_dir / f"{name}.json", [text.encode()])
    except OSError as err:
        print(f"{PROG}: error: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {display(out_dir)}/grades.csv and {len(rows)} results JSON files")
    if not args.no_similarity:  # copies are reported, not judged
        try:
            similarity.write_report(out_dir, {folder.name: folder for folder in students})
        except OSError as err:
            print(f"{PROG}: error: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {display(out_dir)}/{similarity.CSV_NAME} and {similarity.SUMMARY_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

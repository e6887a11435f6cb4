"""A class's grades: the table ``tfbasics grade`` prints, and ``grades.csv``.

``grades.csv`` has one row per visible entry of the class folder, graded or skipped, in name
order, and these columns (numbers a spreadsheet can add up):

- ``student``; ``status``: ``pass`` / ``fail`` / ``error`` (something could not be checked) /
  ``skipped``; ``reason``: why an error or a skip (one line per exercise, joined by "; ");
- per exercise ``<name>`` (points earned; empty when skipped) and ``<name>_max``;
- ``total``, ``total_max``;
- ``flags``: the student's and each exercise's flags for the instructor (symlinks, reference
  imports, ...), joined by "; ";
- ``submitted_at`` (the newest exercise file), ``graded_at``: ISO 8601 UTC;
- ``check_suite``: the tfbasics version and checks digest that graded it
  (``check_suite.suite_version``); ``seconds``: the student's exercises' time added up.
"""

import csv
import io

from tfbasics.grading import check_suite
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.exercism_results import points
from tfbasics.grading.report_text import clean


def class_table(rows, names):
    """The class table (list of str): rows are (student, StudentResult) in order; each
    exercise's column is as wide as its full name (``softmax_regression``, never cut)."""
    column = {n: max(len(n), 6) for n in names}  # 6: room for "10/10!"
    width = max([len("student")] + [len(s) for s, _ in rows])
    head = f"{'student':<{width}}  " + "  ".join(f"{n:>{column[n]}}" for n in names)
    lines = [head + f"  {'total':>7}  {'time':>7}"]
    for student, result in rows:
        found = {e.name: e for e in result.exercises}
        cells = []
        for n in names:
            e = found[n]
            cell = f"{e.passed}/{len(e.tasks)}" + ("!" if e.status == "error" else "")
            cells.append(f"{cell:>{column[n]}}")
        total = f"{result.passed}/{result.total}"
        lines.append(
            f"{student:<{width}}  " + "  ".join(cells) + f"  {total:>7}  {result.duration:6.1f}s"
        )
    return lines


def _one_line(text, folder):
    lines = [line for line in clean(text, folder).splitlines() if line]
    return lines[0] if lines else ""


def error_reason(result):
    """Why a StudentResult is an error (str, "" when it is not): per exercise in error, its
    reason or its first task error's message, first line, joined by "; "."""
    reasons = []
    for ex in result.exercises:
        if ex.status != "error":
            continue
        errors = [t.message for t in ex.tasks if t.status == "error" and t.message]
        why = _one_line(ex.message or (errors[0] if errors else "error"), result.folder)
        reasons.append(f"{ex.name}: {why}")
    return "; ".join(reasons)


def csv_header(names):
    """The columns of grades.csv (list of str) for exercises ``names``."""
    per_exercise = [column for n in names for column in (n, f"{n}_max")]
    return ["student", "status", "reason", *per_exercise, "total", "total_max", "flags"] + [
        "submitted_at",
        "graded_at",
        "check_suite",
        "seconds",
    ]


def _graded_row(student, result, names):
    found = {e.name: e for e in result.exercises}
    cells = []
    for n in names:
        ex = found.get(n)
        cells += ["" if ex is None else ex.points[0], EXERCISES[n].max_points]
    earned, possible = points(result)
    flags = [_one_line(f, result.folder) for f in result.all_flags()]
    return [student, result.status, error_reason(result), *cells, earned, possible] + [
        "; ".join(flags),
        result.submitted_at,
        result.graded_at,
        check_suite.suite_version(),
        f"{result.duration:.1f}",
    ]


def _skipped_row(skipped, names, graded_at):
    cells = [c for n in names for c in ("", EXERCISES[n].max_points)]
    possible = sum(EXERCISES[n].max_points for n in names)
    return [skipped.name, "skipped", skipped.reason, *cells, "", possible, ""] + [
        skipped.submitted_at,
        graded_at,
        check_suite.suite_version(),
        "",
    ]


def grades_csv(rows, names, skipped=(), graded_at=""):
    """grades.csv (str): a row per graded student and per skipped entry, in name order.

    Args:
      rows: [(student name, StudentResult)]; names: the exercise names graded, in order;
      skipped: [Skipped]; graded_at: ISO 8601 UTC of the run, for the skipped rows.
    Returns:
      str, CSV with a header (``csv_header``), "\\n" line ends.
    """
    table = [(s, _graded_row(s, r, names)) for s, r in rows]
    table += [(s.name, _skipped_row(s, names, graded_at)) for s in skipped]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_header(names))
    writer.writerows(row for _, row in sorted(table, key=lambda pair: pair[0]))
    return out.getvalue()


def flag_lines(rows):
    """One line per flagged student for the terminal (list of str): ``flagged ann: ...``."""
    return [
        f"flagged {student}: " + "; ".join(_one_line(f, r.folder) for f in r.all_flags())
        for student, r in rows
        if r.all_flags()
    ]

"""A student's grade as Gradescope's autograder ``results.json`` (``--gradescope``).

Gradescope's specification (gradescope-autograders.readthedocs.io, "Autograder
Specifications"), as kept here: top level ``score`` (points earned), ``max_score``,
``execution_time`` (whole seconds), ``output`` (shown to the student: the summary),
``visibility`` and ``stdout_visibility``, ``extra_data`` (stored, not shown: flags,
timestamps, the check suite); ``tests``, one per task in the chapter's order, each with
``name``, ``number`` (``<section>.<task>``, Gradescope's sort key), ``score``, ``max_score``,
``status`` ``passed`` / ``failed``, ``output`` (why it did not pass, and what the code printed)
and ``tags`` (the exercise). Run as an autograder, ``run_autograder`` writes it to
``/autograder/results/results.json`` (docs/exercises.md has one).
"""

import json

from tfbasics.grading import check_suite
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.exercism_results import points
from tfbasics.grading.report_text import clean, cut

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
OUTPUT_LIMIT = 4000  # characters of printed output per test: the page stays readable


def _test(task, folder):
    exercise = EXERCISES[task.exercise]
    worth = exercise.task_points(task.number)
    passed = task.status == "pass"
    parts = []
    if not passed:
        status = "not started" if task.status == "not-started" else task.status
        message = clean(task.message, folder)
        parts.append(status + (f": {message}" if message else ""))
        parts.append(f"read: {exercise.where_to_read}")
    if task.output:
        parts.append("your code printed:\n" + cut(clean(task.output, folder), OUTPUT_LIMIT))
    return {
        "name": f"{task.exercise} task {task.number}: {task.title}",
        "number": f"{exercise.section}.{task.number}",
        "score": worth if passed else 0,
        "max_score": worth,
        "status": "passed" if passed else "failed",
        "output": "\n".join(parts),
        "tags": [task.exercise],
    }


def gradescope_json(result, visibility="visible", stdout_visibility="hidden"):
    """A StudentResult as Gradescope's results.json.

    Args:
      result: StudentResult.
      visibility: when students see the tests (one of VISIBILITIES).
      stdout_visibility: when students see run_autograder's own output (one of VISIBILITIES).
    Returns:
      dict, JSON-able.
    """
    for value in (visibility, stdout_visibility):
        if value not in VISIBILITIES:
            raise ValueError(f"visibility {value!r}: give one of {', '.join(VISIBILITIES)}")
    folder = result.folder
    earned, possible = points(result)
    summary = [f"{e.name}: {e.passed}/{len(e.tasks)} tasks passed" for e in result.exercises]
    summary += [
        f"{e.name}: error: {clean(e.message, folder)}" for e in result.exercises if e.message
    ]
    summary.append(f"overall: {result.passed}/{result.total} tasks passed")
    return {
        "score": earned,
        "max_score": possible,
        "execution_time": round(result.duration),
        "output": "\n".join(summary),
        "visibility": visibility,
        "stdout_visibility": stdout_visibility,
        "extra_data": {
            "flags": [clean(f, folder) for f in result.all_flags()],
            "submitted_at": result.submitted_at or None,
            "graded_at": result.graded_at or None,
            "check_suite": check_suite.suite_version(),
        },
        "tests": [_test(task, folder) for ex in result.exercises for task in ex.tasks],
    }


def gradescope_json_text(result, **options):
    """``gradescope_json`` as JSON text (str, indented, newline-terminated)."""
    return json.dumps(gradescope_json(result, **options), indent=2, ensure_ascii=False) + "\n"

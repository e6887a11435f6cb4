"""A student's grade as Exercism's test-runner ``results.json``, version 3 (``--results``).

Exercism's interface (exercism.org/docs/building/tooling/test-runners/interface), as kept here:

- top level: ``version`` 3; ``status`` ``pass`` (every test passed), ``fail`` (some did not) or
  ``error`` (no test ran: every task is an error); ``message``, a string when the status is
  ``error`` and null otherwise; ``tests`` in the order of the checks.
- per test: ``name``, ``test_code`` (the body of the task's check), ``status`` ``pass`` /
  ``fail`` / ``error`` (a task not started yet is a ``fail`` whose message says so),
  ``message`` (null when none), ``output`` (what the code printed, at most 500 characters, cut
  with the spec's note; null when nothing), ``task_id``.
- ``task_id`` is unique in the file: the task's number across the chapter
  (``exercise_list.task_id``: neuron's tasks are 1-3, hello's 4-6, ...), since one file may hold
  several exercises; ``exercise`` and ``task`` give the exercise and its own task number.
- paths are relative to the student's folder; printed control characters are escaped
  (``report_text.printable``).

Beyond the spec (a consumer ignores keys it does not know): ``student``, ``passed``, ``total``,
``points``, ``max_points``, ``flags``, ``submitted_at``, ``graded_at``, ``check_suite``,
``duration``, per test ``exercise``, ``task``, ``title``, ``points``, ``max_points``,
``duration``, and an ``exercises`` list (``name``, ``status``, ``passed``, ``total``,
``message``, ``duration``, ``writes_confined``, ``flags``).
"""

import json

from tfbasics.grading import check_suite
from tfbasics.grading.exercise_list import EXERCISES, task_id
from tfbasics.grading.report_text import clean, cut_within

VERSION = 3
OUTPUT_LIMIT = 500  # characters of a test's output (the spec's limit, its note included)
TEST_STATUS = {"pass": "pass", "fail": "fail", "error": "error", "not-started": "fail"}


def _test(task, folder):
    exercise = EXERCISES[task.exercise]
    message = clean(task.message, folder)
    if task.status == "not-started":
        message = "not started" + (f": {message}" if message else "")
    points = exercise.task_points(task.number)
    return {
        "name": f"{task.exercise} task {task.number}: {task.title}",
        "test_code": check_suite.test_code(task.exercise, task.number),
        "status": TEST_STATUS.get(task.status, "error"),
        "message": message or None,
        "output": cut_within(clean(task.output, folder), OUTPUT_LIMIT) or None,
        "task_id": task_id(task.exercise, task.number),
        "exercise": task.exercise,
        "task": task.number,
        "title": task.title,
        "points": points if task.status == "pass" else 0,
        "max_points": points,
        "duration": round(task.duration, 4),
    }


def overall(result):
    """(status, message) of a StudentResult in Exercism's terms: ``error`` with a message only
    when no task ran (every task an error, or none at all), else ``pass``/``fail`` and None."""
    tasks = [t for e in result.exercises for t in e.tasks]
    if tasks and any(t.status != "error" for t in tasks):
        return ("pass" if all(t.status == "pass" for t in tasks) else "fail"), None
    reasons = [f"{e.name}: {e.message}" for e in result.exercises if e.message]
    reasons += [f"{t.exercise}: {t.message}" for t in tasks if t.message]
    message = "; ".join(dict.fromkeys(reasons)) or "no task could be checked"
    return "error", clean(message, result.folder)


def points(result):
    """(points earned, points possible) of a StudentResult (ints unless weights are floats)."""
    each = [e.points for e in result.exercises]
    return sum(earned for earned, _ in each), sum(possible for _, possible in each)


def results_json(result, student=None):
    """A StudentResult as Exercism's results.json, version 3, plus the instructor's keys.

    Args:
      result: StudentResult; student: the name to record (default: the folder's name, or
        "reference").
    Returns:
      dict, JSON-able.
    """
    status, message = overall(result)
    earned, possible = points(result)
    folder = result.folder
    return {
        "version": VERSION,
        "status": status,
        "message": message,
        "student": student or (folder.name if folder else "reference"),
        "passed": result.passed,
        "total": result.total,
        "points": earned,
        "max_points": possible,
        "flags": [clean(f, folder) for f in result.all_flags()],
        "submitted_at": result.submitted_at or None,
        "graded_at": result.graded_at or None,
        "check_suite": check_suite.suite_version(),
        "duration": round(result.duration, 3),
        "exercises": [
            {
                "name": ex.name,
                "status": ex.status,
                "passed": ex.passed,
                "total": len(ex.tasks),
                "message": clean(ex.message, folder) or None,
                "duration": round(ex.duration, 3),
                "writes_confined": ex.confined,
                "isolated": list(ex.isolated),
                "flags": [clean(f, folder) for f in ex.flags],
            }
            for ex in result.exercises
        ],
        "tests": [_test(task, folder) for ex in result.exercises for task in ex.tasks],
    }


def results_json_text(result, student=None):
    """``results_json`` as UTF-8 JSON text (str, indented, newline-terminated)."""
    return json.dumps(results_json(result, student), indent=2, ensure_ascii=False) + "\n"

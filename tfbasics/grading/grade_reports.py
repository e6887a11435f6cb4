"""What a grade looks like: the learner's summary, results JSON, JUnit XML, a class's table.

- ``summary_lines``: one line per exercise, ``softmax: 3/5 tasks passed``, what did not pass and
  why (with what the learner's code printed), the overall count and the next task.
- ``results_json``: Exercism's test-runner shape (``version`` 3, overall ``status``, ``message``
  when something could not run, ``tests`` with ``name``, ``status``, ``message``, ``output`` cut
  to 500 characters, ``task_id``), plus the exercise, task number, title and duration per task.
- ``junit_xml``: one ``<testsuite>`` per exercise, one ``<testcase>`` per task, for CI systems.
- ``class_table`` / ``grades_csv``: a class, student x exercise.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET

from tfbasics.grading.exercise_list import EXERCISES

OUTPUT_LIMIT = 500  # characters of a task's printed output in results.json (Exercism's limit)
SHOWN_OUTPUT = 800  # ... and in the terminal without -v


def cut(text, limit):
    """``text`` cut to ``limit`` characters, saying so."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"... [cut: {len(text) - limit} more characters]"


def _indent(text, prefix):
    return "\n".join(prefix + line for line in text.splitlines())


def summary_lines(result, where, hints=None, verbose=False, next_tip=""):
    """The learner's summary of a StudentResult (list of str).

    where: function exercise name -> the file as the learner names it ("exercises/softmax.py").
    hints: {exercise name: {task number: hint text}} to show under the tasks not passed.
    next_tip: appended to the "next:" line (e.g. how to ask for a hint).
    """
    lines, first_open = [], None
    for ex in result.exercises:
        exercise = EXERCISES[ex.name]
        line = f"{ex.name}: {ex.passed}/{len(ex.tasks)} tasks passed"
        if ex.message:
            line += f" (error: {ex.message})"
        lines.append(line)
        shown_message = False
        for task in ex.tasks:
            if task.status == "pass" and not (verbose and task.output):
                continue
            if task.status != "pass":
                first_open = first_open or (exercise, task.number)
                status = {"fail": "failed", "not-started": "not started"}.get(task.status, "error")
                lines.append(f"  task {task.number} {status}: {task.title}")
                same = task.message == ex.message
                if (
                    task.status in ("fail", "error")
                    and task.message
                    and not (same and shown_message)
                ):
                    lines.append(_indent(task.message, "      "))
                    shown_message = shown_message or same
                    if task.status == "fail":
                        lines.append(f"      read: {exercise.where_to_read}")
            else:
                lines.append(f"  task {task.number} passed: {task.title}")
            if task.output and (verbose or task.status != "pass"):
                text = task.output if verbose else cut(task.output, SHOWN_OUTPUT)
                lines.append("      your code printed:")
                lines.append(_indent(text.rstrip("\n"), "        | "))
            hint = (hints or {}).get(ex.name, {}).get(task.number)
            if hint and task.status != "pass":
                lines.append("      hint: " + hint.replace("\n", "\n            "))
    lines.append(f"overall: {result.passed}/{result.total} tasks passed")
    if first_open:
        exercise, number = first_open
        lines.append(f"next: task {number} in {where(exercise.name)}{next_tip(exercise.name)}")
    return lines


def results_json(result, student=None):
    """The results of a StudentResult as a JSON-able dict (Exercism's version 3 shape)."""
    errors = [f"{e.name}: {e.message}" for e in result.exercises if e.message]
    tests = []
    for ex in result.exercises:
        for task in ex.tasks:
            tests.append(
                {
                    "name": f"{ex.name} task {task.number}: {task.title}",
                    "status": task.status,
                    "message": task.message or None,
                    "output": cut(task.output, OUTPUT_LIMIT) if task.output else None,
                    "task_id": task.number,
                    "exercise": ex.name,
                    "title": task.title,
                    "duration": round(task.duration, 4),
                }
            )
    return {
        "version": 3,
        "status": result.status,
        "message": "; ".join(errors) or None,
        "student": student or (result.folder.name if result.folder else "reference"),
        "passed": result.passed,
        "total": result.total,
        "duration": round(result.duration, 3),
        "exercises": [
            {
                "name": ex.name,
                "status": ex.status,
                "passed": ex.passed,
                "total": len(ex.tasks),
                "message": ex.message or None,
                "duration": round(ex.duration, 3),
                "writes_confined": ex.confined,
            }
            for ex in result.exercises
        ],
        "tests": tests,
    }


def results_json_text(result, student=None):
    return json.dumps(results_json(result, student), indent=2, ensure_ascii=False) + "\n"


def junit_xml(result, name="tfbasics exercises"):
    """JUnit XML (bytes) of a StudentResult: a failure per task failed or not started."""
    root = ET.Element("testsuites", name=name)
    counts = {"tests": 0, "failures": 0, "errors": 0}
    for ex in result.exercises:
        failures = sum(t.status in ("fail", "not-started") for t in ex.tasks)
        errors = sum(t.status == "error" for t in ex.tasks)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=ex.name,
            tests=str(len(ex.tasks)),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{ex.duration:.3f}",
        )
        for task in ex.tasks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"exercises.{ex.name}",
                name=f"task {task.number}: {task.title}",
                time=f"{task.duration:.3f}",
            )
            if task.status in ("fail", "not-started", "error"):
                tag = "error" if task.status == "error" else "failure"
                first = (task.message or task.status).splitlines()[0]
                element = ET.SubElement(case, tag, message=first, type=task.status)
                element.text = task.message or task.status
            if task.output:
                ET.SubElement(case, "system-out").text = cut(task.output, OUTPUT_LIMIT)
        counts["tests"] += len(ex.tasks)
        counts["failures"] += failures
        counts["errors"] += errors
    for key, value in counts.items():
        root.set(key, str(value))
    root.set("time", f"{result.duration:.3f}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


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


def grades_csv(rows, names):
    """grades.csv (str): student, each exercise's tasks passed, passed, total, status, seconds."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *names, "passed", "total", "status", "seconds"])
    for student, result in rows:
        found = {e.name: e for e in result.exercises}
        writer.writerow(
            [student, *[found[n].passed for n in names]]
            + [result.passed, result.total, result.status, f"{result.duration:.1f}"]
        )
    return out.getvalue()

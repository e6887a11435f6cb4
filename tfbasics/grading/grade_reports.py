"""What a grade looks like to a learner and to CI: the summary, JUnit XML.

- ``summary_lines``: one line per exercise, ``softmax: 3/5 tasks passed``, what did not pass and
  why (with what the learner's code printed), the overall count and the next task.
- ``junit_xml``: one ``<testsuite>`` per exercise, one ``<testcase>`` per task, for CI systems;
  valid XML whatever the code printed (``report_text.printable``).

The results files are ``exercism_results`` and ``gradescope``; a class's table and CSV are
``class_reports``.
"""

import xml.etree.ElementTree as ET

from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.report_text import clean, cut, printable

OUTPUT_LIMIT = 500  # characters of a task's printed output in the JUnit XML
SHOWN_OUTPUT = 800  # ... and in the terminal without -v


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
                text = printable(task.output if verbose else cut(task.output, SHOWN_OUTPUT))
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


def junit_xml(result, name="tfbasics exercises"):
    """JUnit XML of a StudentResult: a failure per task failed or not started, an error per task
    that errored, what the code printed as ``system-out``.

    Args:
      result: StudentResult; name: the ``testsuites`` name.
    Returns:
      bytes, UTF-8 XML that parses whatever the student's code printed.
    """

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
                text = clean(task.message, result.folder) or task.status
                first = next(line for line in text.splitlines() + [task.status] if line.strip())
                element = ET.SubElement(case, tag, message=first, type=task.status)
                element.text = text
            if task.output:
                ET.SubElement(case, "system-out").text = clean(
                    cut(task.output, OUTPUT_LIMIT), result.folder
                )
        counts["tests"] += len(ex.tasks)
        counts["failures"] += failures
        counts["errors"] += errors
    for key, value in counts.items():
        root.set(key, str(value))
    root.set("time", f"{result.duration:.3f}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"

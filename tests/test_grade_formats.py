"""The results an instructor reads: Exercism v3 and Gradescope JSON, JUnit XML, grades.csv.

Each format is checked against its documented fields by a small validator written from the
spec's rules (Exercism's test-runner interface, version 3; Gradescope's autograder
specification), on results built directly from the dataclasses (fast); one end-to-end
``tfbasics grade`` run on a tiny class folder checks the files it writes, the skipped rows and a
symlinked folder graded once.
"""

import csv
import dataclasses
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from test_exercise_checker import run

from tfbasics.grading import check_suite, class_reports, exercise_list, grade_reports
from tfbasics.grading.class_folders import find_students, submitted_at
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.exercism_results import results_json, results_json_text
from tfbasics.grading.grade_results import ExerciseResult, StudentResult, TaskResult
from tfbasics.grading.gradescope import gradescope_json
from tfbasics.grading.report_text import printable

NASTY = "\x1b[31mred\x00\x07"  # a coloured print with a NUL and a bell
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# ------------------------------------------------------------------ validators from the specs


def exercism_errors(data):
    """Exercism's test-runner interface, version 3, as rules (list of str; empty if valid)."""
    errors = []
    if data.get("version") != 3:
        errors.append("version is not 3")
    status = data.get("status")
    if status not in ("pass", "fail", "error"):
        errors.append(f"top-level status {status!r}")
    message = data.get("message")
    if status == "error" and not (isinstance(message, str) and message):
        errors.append("status error without a message string")
    if status != "error" and message is not None:
        errors.append("a message although the status is not error")
    tests = data.get("tests")
    if status in ("pass", "fail") and not isinstance(tests, list):
        errors.append("no tests list")
    tests = tests or []
    for i, test in enumerate(tests):
        where = f"tests[{i}]"
        for key, kind in (("name", str), ("test_code", str), ("status", str)):
            if not isinstance(test.get(key), kind) or not test.get(key):
                errors.append(f"{where}.{key} missing or not a {kind.__name__}")
        if test.get("status") not in ("pass", "fail", "error"):
            errors.append(f"{where}.status {test.get('status')!r}")
        for key in ("message", "output"):
            if test.get(key) is not None and not isinstance(test[key], str):
                errors.append(f"{where}.{key} neither a string nor null")
        if len(test.get("output") or "") > 500:
            errors.append(f"{where}.output over 500 characters")
        task = test.get("task_id")
        if "task_id" in test and (type(task) is not int or task < 1):
            errors.append(f"{where}.task_id {task!r} is not an integer from 1")
    ids = [t["task_id"] for t in tests if "task_id" in t]
    if len(ids) != len(set(ids)):
        errors.append("a task_id links more than one test")
    statuses = {t.get("status") for t in tests}
    if status == "pass" and statuses != {"pass"}:
        errors.append("status pass with a test not passed")
    if status == "fail" and statuses <= {"pass"}:
        errors.append("status fail with every test passed")
    if status == "fail" and statuses == {"error"}:
        errors.append("status fail although no test ran (that is error)")
    text = json.dumps(data)
    if re.search(r'"/(tmp|home|root|Users)/', text) or str(Path.home()) + "/" in text:
        errors.append("an absolute path")
    return errors


def gradescope_errors(data):
    """Gradescope's autograder results.json, as rules (list of str; empty if valid)."""
    visibilities = ("hidden", "after_due_date", "after_published", "visible")
    errors = []
    number = (int, float)
    tests = data.get("tests")
    if not isinstance(data.get("score"), number) and not isinstance(tests, list):
        errors.append("neither a top-level score nor tests")
    for key in ("score", "max_score", "execution_time"):
        if key in data and (not isinstance(data[key], number) or isinstance(data[key], bool)):
            errors.append(f"{key} is not a number")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in visibilities:
            errors.append(f"{key} {data[key]!r}")
    if "output" in data and not isinstance(data["output"], str):
        errors.append("output is not a string")
    for i, test in enumerate(tests or []):
        where = f"tests[{i}]"
        if not isinstance(test.get("name"), str):
            errors.append(f"{where}.name")
        if not isinstance(test.get("score"), number) or not isinstance(
            test.get("max_score"), number
        ):
            errors.append(f"{where}: score and max_score must be numbers")
        elif not 0 <= test["score"] <= test["max_score"]:
            errors.append(f"{where}: score outside 0..max_score")
        if test.get("status") not in ("passed", "failed"):
            errors.append(f"{where}.status {test.get('status')!r}")
        if not isinstance(test.get("output", ""), str):
            errors.append(f"{where}.output")
        if "visibility" in test and test["visibility"] not in visibilities:
            errors.append(f"{where}.visibility")
    if tests and data.get("score") != sum(t.get("score", 0) for t in tests):
        errors.append("score is not the tests' scores added up")
    return errors


# ------------------------------------------------------------------ results built by hand


def exercise(name, statuses, message="", output="", task_message="", flags=()):
    tasks = [
        TaskResult(name, n, EXERCISES[name].task_title(n), status, task_message, output, 0.01)
        for n, status in enumerate(statuses, start=1)
    ]
    return ExerciseResult(name, tasks, message, 0.5, True, list(flags))


def mixed_student(folder=Path("/tmp/class/ann")):
    """Every status, output over 500 characters and control characters, our absolute paths."""
    long = NASTY + "x" * 2000 + "\ud800"
    where = f"{folder}/softmax.py, line 3"
    return StudentResult(
        folder,
        [
            exercise("neuron", ["pass", "pass", "pass"], output="sigmoid called\n"),
            exercise("hello", ["pass", "fail", "not-started"], task_message=f"wrong: {where}"),
            exercise("softmax", ["error"] * 5, message=f"timed out after 20 s in {where}"),
            exercise("backprop", ["fail"] * 5, output=long, flags=["symlink: backprop.py -> x"]),
        ],
        duration=3.2,
        flags=["reads ../bob"],
        submitted_at="2026-12-01T10:00:00Z",
        graded_at="2026-12-03T09:00:00Z",
    )


def test_validators_can_fail():
    assert exercism_errors({"version": 3, "status": "error", "message": None, "tests": []})
    assert exercism_errors(
        {"version": 3, "status": "fail", "message": None, "tests": [{"name": "t"}]}
    )
    assert gradescope_errors({"tests": [{"name": "t", "score": 2, "max_score": 1}]})


def test_exercism_v3_of_every_status_output_and_path():
    data = results_json(mixed_student())
    assert exercism_errors(data) == []
    assert data["status"] == "fail" and data["message"] is None  # tests ran: not "error"
    tests = {(t["exercise"], t["task"]): t for t in data["tests"]}
    assert tests[("hello", 3)]["status"] == "fail"  # v3 has no "not-started"
    assert tests[("hello", 3)]["message"].startswith("not started: wrong: softmax.py, line 3")
    assert tests[("neuron", 1)]["message"] is None
    assert tests[("neuron", 1)]["output"] == "sigmoid called\n"
    out = tests[("backprop", 1)]["output"]
    assert len(out) == 500 and out.startswith("red\\x00\\x07xxx")
    assert out.endswith("Output was truncated. Please limit to 500 chars]")
    assert [t["task_id"] for t in data["tests"]][:3] == [1, 2, 3]  # neuron: the chapter's first
    assert tests[("hello", 1)]["task_id"] == 4
    assert "expect_close(ex.sigmoid(z)" in tests[("neuron", 1)]["test_code"]
    assert data["flags"] == ["reads ../bob", "backprop: symlink: backprop.py -> x"]
    assert data["points"] == 4 and data["max_points"] == 16
    results_json_text(mixed_student()).encode("utf-8")  # a lone surrogate printed: still UTF-8


def test_exercism_error_only_when_no_test_ran():
    broken = StudentResult(Path("/tmp/class/bo"), [exercise("softmax", ["error"] * 5, "crashed")])
    data = results_json(broken)
    assert exercism_errors(data) == []
    assert data["status"] == "error" and data["message"] == "softmax: crashed"
    done = StudentResult(None, [exercise("neuron", ["pass"] * 3)])
    assert results_json(done)["status"] == "pass" and exercism_errors(results_json(done)) == []


def test_every_task_has_its_checks_code_and_a_chapter_wide_id():
    ids = set()
    for name, ex in EXERCISES.items():
        for number in range(1, len(ex.tasks) + 1):
            code = check_suite.test_code(name, number)
            assert re.search(r"\bex\b", code) and compile(code, name, "exec"), (name, number)
            ids.add(exercise_list.task_id(name, number))
    assert ids == set(range(1, exercise_list.total_tasks() + 1))
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", check_suite.suite_version())


def test_gradescope_results_with_points_per_task(monkeypatch):
    weighted = dataclasses.replace(EXERCISES["hello"], points=(2, 3, 5))
    monkeypatch.setitem(EXERCISES, "hello", weighted)
    data = gradescope_json(mixed_student())
    assert gradescope_errors(data) == []
    assert data["score"] == 3 + 2 and data["max_score"] == 3 + 10 + 5 + 5
    hello = [t for t in data["tests"] if t["tags"] == ["hello"]]
    assert [(t["score"], t["max_score"], t["status"]) for t in hello] == [
        (2, 2, "passed"),
        (0, 3, "failed"),
        (0, 5, "failed"),
    ]
    assert hello[1]["output"].startswith("fail: wrong: softmax.py, line 3\nread: chapter 1")
    assert "/tmp/" not in json.dumps(data)
    assert data["extra_data"]["flags"][0] == "reads ../bob"
    with pytest.raises(ValueError, match="visibility 'sometimes'"):
        gradescope_json(mixed_student(), visibility="sometimes")


def test_junit_parses_whatever_the_student_printed():
    result = StudentResult(
        Path("/tmp/class/ann"),
        [exercise("neuron", ["pass", "fail", "error"], "", NASTY + "\udc80", NASTY + "\x0b")],
    )
    root = ET.fromstring(grade_reports.junit_xml(result))  # raises if not XML 1.0
    cases = root.findall("testsuite/testcase")
    assert cases[0].find("system-out").text == "red\\x00\\x07\\udc80"
    failure = cases[1].find("failure")
    assert failure.get("message") == "red\\x00\\x07\\x0b"
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("errors") == "1"


def test_printable_keeps_text_and_escapes_the_rest():
    assert printable("tab\there\nnew line\r") == "tab\there\nnew line\r"
    assert printable(NASTY) == "red\\x00\\x07"
    assert printable("\x1b]0;title\x07ok é \ufffe") == "ok é \\ufffe"


# ------------------------------------------------------------------ a class folder


def class_folder(base):
    """ann graded; bob a symlink to ann; the rest skipped, each for its own reason."""
    cls = base / "class"
    (cls / "ann").mkdir(parents=True)
    (cls / "ann" / "neuron.py").write_text("def sigmoid(z):\n    return z\n")
    os.utime(cls / "ann" / "neuron.py", (1_700_000_000, 1_700_000_000))
    (cls / "bob").symlink_to("ann")
    (cls / "carl").mkdir()
    (cls / "dora").mkdir()
    (cls / "dora" / "my-notes.ipynb").write_text("{}")  # a notebook named for no exercise
    (cls / "eve").mkdir()
    (cls / "eve" / "readme.txt").write_text("hi")
    (cls / "roster.csv").write_text("ann\n")
    (cls / "gone").symlink_to("nowhere")
    (cls / ".git").mkdir()
    return cls


REASONS = {
    "bob": "symlink to ann",
    "carl": "no exercise files: the folder is empty",
    "dora": "no exercise files: only a notebook (my-notes.ipynb), no neuron.py, hello.py, ...",
    "eve": "no exercise files (neuron.py, hello.py, ...) in it",
    "gone": "a broken symlink (to nowhere)",
    "roster.csv": "a file, not a student's folder",
}


def test_find_students_grades_a_folder_once_and_says_why_not_the_rest(tmp_path):
    cls = class_folder(tmp_path)
    students, skipped = find_students(cls)
    assert students == [cls / "ann"]
    assert {s.name: s.reason for s in skipped} == REASONS
    assert submitted_at(cls / "ann") == "2023-11-14T22:13:20Z"
    assert ISO_UTC.match({s.name: s for s in skipped}["dora"].submitted_at)


def test_grades_csv_has_a_row_per_entry_with_points_a_spreadsheet_can_add(tmp_path):
    cls = class_folder(tmp_path)
    students, skipped = find_students(cls)
    result = mixed_student(cls / "ann")
    names = ["neuron", "hello", "softmax", "backprop"]
    text = class_reports.grades_csv([("ann", result)], names, skipped, "2026-12-03T09:05:00Z")
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(rows) == ["ann", "bob", "carl", "dora", "eve", "gone", "roster.csv"]
    ann = rows["ann"]
    assert [ann[n] for n in names] == ["3", "1", "0", "0"]
    assert [ann[f"{n}_max"] for n in names] == ["3", "3", "5", "5"]
    assert int(ann["total"]) == sum(int(ann[n]) for n in names) and ann["total_max"] == "16"
    assert ann["status"] == "error" and ann["reason"].startswith("softmax: timed out after 20 s")
    assert "/tmp/" not in ann["reason"] and "softmax.py, line 3" in ann["reason"]
    assert ann["flags"] == "reads ../bob; backprop: symlink: backprop.py -> x"
    assert ann["submitted_at"] == "2026-12-01T10:00:00Z"
    assert ann["check_suite"] == check_suite.suite_version()
    for name, reason in REASONS.items():
        assert (rows[name]["status"], rows[name]["reason"]) == ("skipped", reason)
        assert rows[name]["total"] == "" and rows[name]["total_max"] == "16"
        assert rows[name]["graded_at"] == "2026-12-03T09:05:00Z"


@pytest.mark.slow
def test_grade_writes_every_format_for_a_tiny_class(tmp_path):
    cls = class_folder(tmp_path)
    for name in EXERCISES:  # ann: the untouched stubs (fast: every task "not started")
        (cls / "ann" / f"{name}.py").write_bytes(exercise_list.stub_path(name).read_bytes())
    args = ["tfbasics.grading.class_grader", "class", "--gradescope", "--out", "out"]
    code, stdout, stderr = run([*args, "--timeout", "60"], tmp_path)
    assert code == 0, stdout + stderr
    assert f"[1/1] ann: 0/{exercise_list.total_tasks()} tasks passed" in stdout
    assert "skipped bob: symlink to ann" in stdout
    out = tmp_path / "out"
    assert sorted(p.name for p in out.glob("*.json")) == ["ann.json"]  # bob is not graded twice
    data = json.loads((out / "ann.json").read_text())
    assert exercism_errors(data) == [] and data["status"] == "fail"
    assert ISO_UTC.match(data["graded_at"]) and ISO_UTC.match(data["submitted_at"])
    gradescope = json.loads((out / "gradescope" / "ann.json").read_text())
    assert gradescope_errors(gradescope) == [] and gradescope["score"] == 0
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["student"] for r in rows] == sorted(["ann", *REASONS])
    graded = datetime.fromisoformat(rows[0]["graded_at"].replace("Z", "+00:00"))
    assert graded.tzinfo is not None and rows[0]["total"] == "0"

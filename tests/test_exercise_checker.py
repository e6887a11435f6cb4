"""The exercise checker, both directions (rustlings' check), and the grade an instructor gets.

- Every exercise has its stub (exercises/, installed as the package tfbasics.exercises: the one
  copy), its hints (a nudge and a near-answer per task) and its checks; a stub has the
  reference's signatures and docstrings. The tests that need the stubs as shipped skip a file
  that is a learner's work (outside CI; in CI they fail), so a learner who solves (and commits)
  exercises/ still gets a green `python -m pytest`.
- Against the reference every check passes (the default run of tfbasics/grading/exercise_checks/); against
  the untouched stubs every task is "not started".
- Planted students, graded by `tfbasics grade` in child processes: the right grade for a correct,
  a half-done, an `os._exit(0)`, an endless-loop, a syntax-error, a memory-hog, a
  checker-patching, a result-forging, an outside-writing and a missing-import student; every run
  within its time budget; results JSON and JUnit XML valid against the schemas below.
"""

import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tfbasics.grading import checker, exercise_list
from tfbasics.grading.exercise_checks.target import resolve_target
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.hints import hints_for, parse_hints

ROOT = Path(__file__).resolve().parent.parent
TOTAL = exercise_list.total_tasks()
BUNDLED = exercise_list.bundled_folder()  # exercises/ as installed


def run(args, cwd, timeout=600):
    """``python -m ARGS`` in ``cwd`` without TFBASICS_EXERCISES: (exit status, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "TFBASICS_EXERCISES"}
    proc = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout, proc.stderr


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TODO_RE = re.compile(r"^\s*# TODO tasks? (\d+)(?:(?:-| and )(\d+))?")


def open_tasks(text):
    """The task numbers a stub's text still leaves to the learner: each ``# TODO task N`` (or
    ``tasks N-M``, ``tasks N and M``) comment whose code is still ``raise NotImplementedError``."""
    found, pending = set(), set()
    for line in text.splitlines():
        m = TODO_RE.match(line)
        if m:
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            pending |= set(range(first, last + 1))
        elif line.strip().startswith("#") and pending:
            continue  # the TODO's comment goes on
        else:
            if line.strip() == "raise NotImplementedError":
                found |= pending
            pending = set()
    return found


def shipped_stub(name):
    """exercises/<name>.py, if it is still the stub as shipped (every task open).

    A learner works in exercises/ and may commit there: outside CI such a file skips the test
    that needs the stub (the suite stays green); in CI (``CI`` set) it is a failure."""
    path = exercise_list.stub_path(name)
    if open_tasks(path.read_text()) != set(range(1, len(EXERCISES[name].tasks) + 1)):
        message = (
            f"{path} is not the stub as shipped (a task is no longer raise NotImplementedError)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(f"{message}: your work; CI checks the stubs")
    return path


def copy_stubs(folder):
    """A fresh learner's folder: the shipped stubs and hints."""
    folder.mkdir(parents=True)
    for name in EXERCISES:
        shutil.copy(shipped_stub(name), folder / f"{name}.py")
        shutil.copy(BUNDLED / f"{name}.hints.md", folder / f"{name}.hints.md")
    return folder


def solution(name):
    """A correct exercise file: the stub's names, defined in the file, doing what the reference
    does (delegating to it; the checks require names defined in the file, not imported)."""
    stub = load(shipped_stub(name), f"_solution_{name}")
    refs = [importlib.import_module(m) for m in EXERCISES[name].references]
    lines = [f"import {m} as _ref{i}" for i, m in enumerate(EXERCISES[name].references)]
    for attr, obj in vars(stub).items():
        if attr.startswith("_") or getattr(obj, "__module__", None) != stub.__name__:
            continue
        ref = next(f"_ref{i}.{attr}" for i, m in enumerate(refs) if hasattr(m, attr))
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            lines.append(f"{attr} = {ref}")
        elif inspect.isclass(obj):
            lines.append(f"class {attr}({ref}):\n    pass")
        else:
            lines.append(f"def {attr}(*args, **kwargs):\n    return {ref}(*args, **kwargs)")
    return "\n\n".join(lines) + "\n"


def solved(folder):
    copy_stubs(folder)
    for name in EXERCISES:
        (folder / f"{name}.py").write_text(solution(name))
    return folder


# ------------------------------------------------------------------ the exercises themselves


@pytest.mark.parametrize("name", list(EXERCISES))
def test_exercise_has_stub_checks_and_two_level_hints(name):
    stub = exercise_list.stub_path(name)
    assert stub.is_file()
    shipped_stub(name)
    tasks = EXERCISES[name].tasks
    module = importlib.import_module(f"tfbasics.grading.exercise_checks.test_{name}")
    marked = sorted(
        m.kwargs["number"]
        for f in vars(module).values()
        for m in getattr(f, "pytestmark", [])
        if m.name == "task"
    )
    assert marked == list(range(1, len(tasks) + 1)), f"{name}: one check per task, 1..N"
    levels = parse_hints((BUNDLED / f"{name}.hints.md").read_text())
    assert sorted(levels) == marked, f"{name}.hints.md: one '## Task N' per task"
    for number, (nudge, closer) in levels.items():
        assert nudge and closer, f"{name}.hints.md task {number}: a nudge, then '### Closer'"
    assert hints_for(name, None, 1)[1] == levels[1][0]  # the nudge alone first
    listed = re.findall(r"^  (\d+)\. ", load(stub, f"_stub_{name}").__doc__, re.M)
    assert [int(n) for n in listed] == marked, f"{name}.py's docstring lists its tasks"


@pytest.mark.parametrize("name", list(EXERCISES))
def test_stub_has_the_reference_signatures_and_docstrings(name):
    stub = load(shipped_stub(name), f"_stub_{name}")
    references = [importlib.import_module(m) for m in EXERCISES[name].references]

    def reference_of(attr):
        found = [getattr(m, attr) for m in references if hasattr(m, attr)]
        assert found, f"exercises/{name}.py defines {attr}, which no reference module has"
        return found[0]

    compared = 0
    for attr, obj in vars(stub).items():
        if attr.startswith("_") or getattr(obj, "__module__", None) != stub.__name__:
            continue
        ref = reference_of(attr)
        pairs = [(attr, obj, ref)]
        if inspect.isclass(obj):
            pairs += [
                (f"{attr}.{m}", f, getattr(ref, m))
                for m, f in vars(obj).items()
                if inspect.isfunction(f) and not m.startswith("_")
            ]
        for label, mine, theirs in pairs:
            if inspect.isfunction(mine):
                assert inspect.signature(mine) == inspect.signature(theirs), label
            if theirs.__doc__:
                assert inspect.cleandoc(mine.__doc__ or "") == inspect.cleandoc(theirs.__doc__), (
                    label
                )
            compared += 1
    assert compared


@pytest.mark.parametrize("name", list(EXERCISES))
def test_a_stub_is_told_from_a_learners_work(name):
    """shipped_stub() skips only a learner's work: every task of a stub is open, none of a
    solution's, and a half-done file is not taken for a stub."""
    text = shipped_stub(name).read_text()
    assert open_tasks(text) == set(range(1, len(EXERCISES[name].tasks) + 1))
    assert open_tasks(solution(name)) == set()
    for filename, edits in HALF_DONE.items():
        if filename == f"{name}.py":
            old, new = edits[0]
            assert open_tasks(text.replace(old, new)) < open_tasks(text)


def test_target_selection(tmp_path):
    assert resolve_target(None, env="").is_reference
    assert resolve_target(None, env="0").is_reference
    assert resolve_target(None, env="1").folder == BUNDLED.resolve()
    assert resolve_target("1", env="").folder == BUNDLED.resolve()
    assert resolve_target(str(BUNDLED), env="0").folder == BUNDLED.resolve()  # option wins
    with pytest.raises(ValueError, match="no such folder"):
        resolve_target(str(tmp_path / "missing"), env="")
    with pytest.raises(ValueError, match="no exercise files"):
        resolve_target(str(tmp_path), env="")


def test_checker_usage_errors_are_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file.py").write_text("")
    (tmp_path / "empty").mkdir()
    copy_stubs(tmp_path / "alice")
    copy_stubs(tmp_path / "bob")
    cases = [
        (["no_such_exercise"], "no exercise 'no_such_exercise'; the exercises are: neuron,"),
        (["--path", "missing"], "--path missing: no such folder"),
        (["--path", "alice", "--path", "bob"], "--path given twice; it takes one folder"),
        (["--path", "alice", "bob"], "'bob' is a folder, not an exercise: --path takes one"),
        (["--path", "al*"], "a pattern is not expanded here"),
        (["--path", "a_file.py"], "a file, not a folder"),
        (["--path", "empty"], "no exercise files (neuron.py, hello.py, basic_math.py, ...)"),
        (["--timeout", "0"], "--timeout 0: give a number of seconds above 0"),
    ]
    for argv, message in cases:
        assert checker.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err, (argv, err)
        assert len(err.strip().splitlines()) == 1, err
    assert exercise_list.names() == list(EXERCISES)


def test_missing_name_unimportable_file_and_crash_read_as_teacher_messages(tmp_path, monkeypatch):
    from tfbasics.grading.exercise_checks.expect import TaskFailure
    from tfbasics.grading.exercise_checks.target import Target, classify
    from tfbasics.grading.remote import RemoteError

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "neuron.py").write_text("def sigmoid(z):\n    return undefined_name\n")
    (folder / "softmax.py").write_text("def softmax(logits:\n")
    target = Target(folder)
    process, neuron, _ = target.start(EXERCISES["neuron"])  # a sandboxed process of its own
    try:
        with pytest.raises(TaskFailure, match=r"^define class `Neuron` in student/neuron\.py$"):
            _ = neuron.Neuron
        with pytest.raises(RemoteError) as crash:
            neuron.sigmoid(0.0)
        assert classify(crash.value) == (
            "failed",
            "raised NameError: name 'undefined_name' is not defined "
            "(student/neuron.py, line 2, in sigmoid)",
        )
    finally:
        process.stop()
    process, softmax, _ = target.start(EXERCISES["softmax"])
    try:
        with pytest.raises(
            TaskFailure, match=r"^student/softmax\.py does not run: SyntaxError on line 1"
        ):
            _ = softmax.softmax
    finally:
        process.stop()


# ------------------------------------------------------------------ schemas of what programs read

RESULT_SCHEMA = {  # Exercism's test-runner results, version 3, plus what an instructor needs
    "type": "object",
    "required": ["version", "status", "message", "tests", "passed", "total", "exercises"],
    "properties": {
        "version": {"enum": [3]},
        "status": {"enum": ["pass", "fail", "error"]},
        "message": {"type": ["string", "null"]},
        "student": {"type": "string"},
        "passed": {"type": "integer"},
        "total": {"type": "integer"},
        "points": {"type": "number"},
        "max_points": {"type": "number"},
        "flags": {"type": "array", "items": {"type": "string"}},
        "submitted_at": {"type": ["string", "null"]},
        "graded_at": {"type": ["string", "null"]},
        "check_suite": {"type": "string"},
        "duration": {"type": "number"},
        "exercises": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "status", "passed", "total", "message", "duration"],
                "properties": {
                    "name": {"enum": list(EXERCISES)},
                    "status": {"enum": ["pass", "fail", "error"]},
                    "passed": {"type": "integer"},
                    "total": {"type": "integer"},
                    "message": {"type": ["string", "null"]},
                    "duration": {"type": "number"},
                    "writes_confined": {"type": "boolean"},
                    "isolated": {"type": "array", "items": {"type": "string"}},
                    "flags": {"type": "array", "items": {"type": "string"}},
                },
                "additionalProperties": False,
            },
        },
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "test_code", "status", "message", "output", "task_id"],
                "properties": {
                    "name": {"type": "string"},
                    "test_code": {"type": "string"},
                    "status": {"enum": ["pass", "fail", "error"]},
                    "message": {"type": ["string", "null"]},
                    "output": {"type": ["string", "null"], "maxLength": 500},
                    "task_id": {"type": "integer"},
                    "exercise": {"enum": list(EXERCISES)},
                    "task": {"type": "integer"},
                    "title": {"type": "string"},
                    "points": {"type": "number"},
                    "max_points": {"type": "number"},
                    "duration": {"type": "number"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def schema_errors(value, schema, where="$"):
    """The subset of JSON Schema used above (type, enum, required, properties, items,
    additionalProperties, maxLength): a list of messages, empty if ``value`` is valid."""
    errors = []
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        ok = any(
            isinstance(value, _TYPES[t]) and not (t in ("integer", "number") and value is True)
            for t in types
        )
        if not ok:
            return [f"{where}: {value!r} is not of type {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        errors.append(f"{where}: longer than {schema['maxLength']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: missing {key!r}")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected {key!r}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{where}[{i}]")
    return errors


def test_schema_check_can_fail():
    assert schema_errors({"version": 2}, RESULT_SCHEMA)  # a validator that cannot fail is no check


def valid_results(path):
    data = json.loads(Path(path).read_text())
    assert schema_errors(data, RESULT_SCHEMA) == []
    assert data["passed"] == sum(t["status"] == "pass" for t in data["tests"])
    assert data["total"] == len(data["tests"])
    ids = [t["task_id"] for t in data["tests"]]
    assert len(set(ids)) == len(ids)  # Exercism: a test links to precisely one task
    assert (data["status"] == "error") == (data["message"] is not None)
    return data


def valid_junit(path):
    """JUnit XML as CI systems read it: testsuites > testsuite > testcase [> failure|error]."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        assert suite.tag == "testsuite" and suite.get("name")
        cases = list(suite)
        assert all(c.tag == "testcase" for c in cases)
        counts = {"tests": len(cases), "failures": 0, "errors": 0}
        for case in cases:
            assert case.get("name") and case.get("classname")
            float(case.get("time"))
            for child in case:
                assert child.tag in ("failure", "error", "system-out"), child.tag
                if child.tag != "system-out":
                    assert child.get("message")
                    counts[child.tag + "s"] += 1
        for key, value in counts.items():
            assert int(suite.get(key)) == value, (suite.get("name"), key)
            totals[key] += value
    for key, value in totals.items():
        assert int(root.get(key)) == value
    return root


# ------------------------------------------------------------------ a learner's run


@pytest.mark.slow
def test_untouched_stubs_fail_every_task_as_not_started(tmp_path):
    copy_stubs(tmp_path / "student")
    code, out, err = run(
        [
            "tfbasics.grading.checker",
            "--path",
            "student",
            "--results",
            "r.json",
            "--junit",
            "j.xml",
        ],
        tmp_path,
    )
    assert code == 1, out + err
    for name, exercise in EXERCISES.items():
        assert f"\n{name}: 0/{len(exercise.tasks)} tasks passed\n" in "\n" + out, out
        for number, title in enumerate(exercise.tasks, start=1):
            assert f"  task {number} not started: {title}\n" in out, (name, number, out)
    assert " failed: " not in out, out  # every task is "not started", none crashed
    # the summary is the last thing printed: overall, then the next task
    assert out.endswith(
        f"overall: 0/{TOTAL} tasks passed\nnext: task 1 in student/neuron.py; stuck? "
        "`tfbasics check neuron --hints --path student`\n"
    ), out
    data = valid_results(tmp_path / "r.json")
    assert {t["status"] for t in data["tests"]} == {"fail"}  # Exercism v3 has no "not started"
    assert all(t["message"].startswith("not started") for t in data["tests"])
    assert data["status"] == "fail" and data["message"] is None
    root = valid_junit(tmp_path / "j.xml")
    assert root.get("tests") == str(TOTAL) and root.get("failures") == str(TOTAL)


HALF_DONE = {  # (file, old, new): a right neuron, the book's softmax, a backward without upstream
    "neuron.py": [
        (
            "    # TODO task 1: the logistic function, element-wise (NumPy's np.exp works on arrays too)\n"
            "    raise NotImplementedError",
            "    print('sigmoid called')\n"
            "    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))",
        ),
        (
            "        # TODO tasks 2 and 3: check the length, then the weighted sum, bias and activation\n"
            "        raise NotImplementedError",
            "        x = np.asarray(inputs, dtype=np.float64)\n"
            "        if x.shape != self.weights.shape:\n"
            "            raise ValueError('one input per weight')\n"
            "        return float(self.activation(np.dot(self.weights, x) + self.bias))",
        ),
    ],
    "softmax.py": [
        (
            "    # TODO tasks 1 and 2\n    raise NotImplementedError",
            "    print('my softmax of', logits)\n"
            "    e = np.exp(np.asarray(logits, dtype=np.float64))\n"
            "    return e / e.sum(axis=-1, keepdims=True)",
        ),
        (
            "    # TODO task 3\n    raise NotImplementedError",
            "    y = np.asarray(labels)\n"
            "    if y.size and (y.min() < 0 or y.max() >= num_classes):\n"
            "        raise ValueError('label out of range')\n"
            "    return np.eye(num_classes, dtype=np.float32)[y]",
        ),
    ],
    "backprop.py": [
        (
            "        # TODO task 1: dL/da = dL/dz * dz/da; return it with {} (no parameters)\n"
            "        raise NotImplementedError",
            "        return self.z * (1.0 - self.z), {}",
        ),
        (
            "        # TODO task 2\n        raise NotImplementedError",
            "        return upstream * self.fired, {}",
        ),
    ],
}
HALF_DONE_PASSED = {"neuron": 3, "softmax": 2, "backprop": 1}


def half_done(folder):
    copy_stubs(folder)
    for filename, edits in HALF_DONE.items():
        text = (folder / filename).read_text()
        for old, new in edits:
            assert old in text, (filename, old)
            text = text.replace(old, new)
        (folder / filename).write_text(text)
    return folder


@pytest.mark.slow
def test_half_done_student_reads_teacher_messages_and_what_it_printed(tmp_path):
    half_done(tmp_path / "student")
    args = [
        "tfbasics.grading.checker",
        "neuron",
        "softmax",
        "backprop",
        "--path",
        "student",
        "--hints",
    ]
    code, out, err = run(args, tmp_path)
    assert code == 1, out + err
    assert re.findall(r"^\w+: \d+/\d+ tasks passed$", out, re.M) == [
        "neuron: 3/3 tasks passed",
        "softmax: 2/5 tasks passed",
        "backprop: 1/5 tasks passed",
        "overall: 6/13 tasks passed",
    ], out
    # the wrong softmax: what was called, what came back, what was expected, where to read
    assert "  task 2 failed: softmax stays finite for large logits" in out
    assert "softmax([1000.0, 0.0])\n        returned float64 [2] [nan, 0.]" in out
    assert "expected float64 [2] [1., 0.]" in out
    assert "nan or inf in the result" in out
    assert 'read: chapter 1, "Softmax in TensorFlow"; see it run: `tfbasics run 5`' in out
    assert "      your code printed:\n        | my softmax of [1000.0, 0.0]" in out
    assert "sigmoid called" not in out  # a passing task's output is shown only with -v
    assert "  task 4 not started: cross_entropy" in out
    assert "  task 1 failed: Sigmoid.backward(upstream) = upstream * z * (1 - z)" in out
    assert "that is dz/da alone: the chain rule multiplies it by upstream" in out
    # --hints: the nudge of each task not passed, not the near-answer, no hint for a passed one
    nudges = parse_hints((BUNDLED / "softmax.hints.md").read_text())
    assert nudges[2][0].splitlines()[0] in out and nudges[2][1].splitlines()[0] not in out
    assert parse_hints((BUNDLED / "neuron.hints.md").read_text())[1][0] not in out
    assert out.endswith(
        "next: task 2 in student/softmax.py; still stuck? "
        "`tfbasics check softmax --hints --hints --path student`\n"
    ), out
    code, out, _ = run(args[:3] + ["--path", "student", "--hints", "--hints", "-v"], tmp_path)
    assert nudges[2][1].splitlines()[0] in out  # asked twice: the near-answer
    assert "  task 1 passed: sigmoid(z)" in out and "| sigmoid called" in out  # -v: everything


# ------------------------------------------------------------------ planted students, graded

PLANTS = {
    # name: {file: source or (old, new) edits of the stub}, applied to a correct student
    "exits": {"backprop.py": "import os\n\nos._exit(0)\n"},
    "loops": {"softmax.py": "def softmax(logits):\n    while True:\n        pass\n"},
    "syntax": {"softmax.py": "def softmax(logits:\n    return logits\n"},
    "hog": {
        "neuron.py": "def sigmoid(z):\n    hog = []\n    while True:\n"
        "        hog.append(bytearray(2**24))\n"
    },
    "patcher": {
        "softmax.py": "import sys\n\nimport numpy as np\n\n"
        "for _name, _m in list(sys.modules.items()):\n"
        "    if _name.startswith('tfbasics.grading.exercise_checks'):\n"
        "        for _attr in ('expect_close', 'expect_equal', 'expect_raises'):\n"
        "            if hasattr(_m, _attr):\n"
        "                setattr(_m, _attr, lambda *a, **k: None)\n"
        "np.allclose = lambda *a, **k: True\n\n"
        "def softmax(logits):\n    return np.zeros(np.shape(logits))\n\n"
        "def one_hot(labels, num_classes=10):\n    return np.zeros(num_classes)\n\n"
        "def cross_entropy(softmax, one_hot):\n    return 0.0\n\n"
        "def fused_cross_entropy(logits, labels):\n    return 0.0\n"
    },
    "forger": {  # writes 'pass' reports for every task straight into the results pipe
        "neuron.py": "import json, os\n\n"
        "for fd in range(3, 64):\n"
        "    for n in (1, 2, 3):\n"
        "        line = json.dumps({'type': 'task', 'number': n, 'status': 'pass'})\n"
        "        try:\n            os.write(fd, ('0' * 64 + ' ' + line + '\\n').encode())\n"
        "        except OSError:\n            pass\n\n"
        "def sigmoid(z):\n    return 0.5\n"
    },
    "importer": {"mnist.py": "import no_such_module_for_tfbasics\n"},
    "wholesale": {"softmax.py": "from tfbasics.softmax import *  # noqa\n"},
}


def writer_plant(outside):
    return {
        "hello.py": "import tfbasics.hello as _ref\n\n"
        "def run_constant(value):\n"
        "    for path in (" + repr(str(outside)) + ", 'inside.txt'):\n"
        "        try:\n            open(path, 'w').write('written')\n"
        "        except OSError as e:\n            print('refused:', e)\n"
        "    return _ref.run_constant(value)\n"
    }


def plant(folder, files, base=None):
    (base or solved)(folder)
    for filename, source in files.items():
        (folder / filename).write_text(source)
    return folder


@pytest.fixture(scope="module")
def graded_tricksters(tmp_path_factory):
    base = tmp_path_factory.mktemp("tricksters")
    outside = base / "outside.txt"
    for name, files in PLANTS.items():
        if name not in ("exits", "loops", "syntax"):
            plant(base / "class" / name, files, copy_stubs)  # the rest untouched: fast
    plant(base / "class" / "writer", writer_plant(outside), copy_stubs)
    args = [
        "tfbasics.grading.class_grader",
        "class",
        "--out",
        "out",
        "--timeout",
        "8",
        "--memory",
        "300",
    ]
    code, out, err = run(args, base)
    assert code == 0, out + err
    results = {p.stem: valid_results(p) for p in (base / "out").glob("*.json")}
    return base, out, results, outside


def by_exercise(data):
    return {e["name"]: e for e in data["exercises"]}


def tasks_of(data, exercise):
    return [t for t in data["tests"] if t["exercise"] == exercise]


@pytest.mark.xdist_group("tricksters")
@pytest.mark.slow
def test_memory_hog_gets_an_error_not_the_machine(graded_tricksters):
    _, _, results, _ = graded_tricksters
    neuron = by_exercise(results["hog"])["neuron"]
    assert neuron["status"] == "error" and neuron["passed"] < 3
    sigmoid = tasks_of(results["hog"], "neuron")[0]
    assert (
        sigmoid["status"] == "error" and "ran out of memory (limit: 300 MB)" in sigmoid["message"]
    )
    others = [e for e in results["hog"]["exercises"] if e["name"] != "neuron"]
    assert all(e["status"] == "fail" for e in others)  # the other exercises are still graded


@pytest.mark.xdist_group("tricksters")
@pytest.mark.slow
def test_patching_the_checker_gets_no_pass(graded_tricksters):
    # the patches land in the learner's own process: the checks, elsewhere, never see them
    _, _, results, _ = graded_tricksters
    softmax = by_exercise(results["patcher"])["softmax"]
    assert softmax["passed"] == 0 and softmax["status"] == "fail"
    assert results["patcher"]["passed"] == 0


@pytest.mark.xdist_group("tricksters")
@pytest.mark.slow
def test_forged_reports_void_the_exercise(graded_tricksters):
    # the learner's process holds no reports pipe: what it writes to its channel is not data
    _, _, results, _ = graded_tricksters
    neuron = by_exercise(results["forger"])["neuron"]
    assert neuron["passed"] == 0 and neuron["status"] == "error"
    assert "sent something that is not data" in tasks_of(results["forger"], "neuron")[0]["message"]


@pytest.mark.xdist_group("tricksters")
@pytest.mark.slow
def test_writes_outside_the_working_folder_are_refused(graded_tricksters):
    base, _, results, outside = graded_tricksters
    assert not outside.exists()
    assert not (base / "class" / "writer" / "inside.txt").exists()  # not in the student's folder
    assert not (base / "inside.txt").exists()  # nor where the grader was started
    hello = by_exercise(results["writer"])["hello"]
    assert hello["writes_confined"] and hello["passed"] == 3
    assert "refused:" in (tasks_of(results["writer"], "hello")[0]["output"] or "")


@pytest.mark.xdist_group("tricksters")
@pytest.mark.slow
def test_missing_module_and_wholesale_import(graded_tricksters):
    _, out, results, _ = graded_tricksters
    mnist = tasks_of(results["importer"], "mnist")
    assert all(t["status"] == "error" for t in mnist)
    assert "fails when imported: ModuleNotFoundError: No module named 'no_such_module_for_tfbasics'"
    assert "no_such_module_for_tfbasics" in mnist[0]["message"]
    softmax = tasks_of(results["wholesale"], "softmax")
    assert all(t["status"] == "fail" for t in softmax)
    assert "is imported from tfbasics.softmax, not written there" in softmax[0]["message"]
    assert "graded 6 students" in out, out


@pytest.mark.slow
def test_grade_a_class_of_five(tmp_path):
    plant(tmp_path / "class" / "correct", {})
    half_done(tmp_path / "class" / "half")
    plant(tmp_path / "class" / "exits", PLANTS["exits"])
    for name in ("loops", "syntax"):
        plant(tmp_path / "class" / name, PLANTS[name], copy_stubs)
    (tmp_path / "class" / "notes").mkdir()
    args = ["tfbasics.grading.class_grader", "class", "--out", "out", "--timeout", "10"]
    code, out, err = run(args, tmp_path)
    assert code == 0, out + err  # grading ran: 0, whatever the grades
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()[:1]}
    results = {p.stem: valid_results(p) for p in (tmp_path / "out").glob("*.json")}
    wrong = [t for t in results["correct"]["tests"] if t["status"] != "pass"]
    assert rows["correct"].split()[-2] == f"{TOTAL}/{TOTAL}", wrong
    assert rows["half"].split()[-2] == f"{sum(HALF_DONE_PASSED.values())}/{TOTAL}"
    assert rows["exits"].split()[-2] == f"{TOTAL - 5}/{TOTAL}" and "0/5!" in rows["exits"]
    assert rows["loops"].split()[-2] == f"0/{TOTAL}" and "0/5!" in rows["loops"]
    assert rows["syntax"].split()[-2] == f"0/{TOTAL}" and "0/5!" in rows["syntax"]
    assert "skipped notes: no exercise files" in out
    assert re.search(r"graded 5 students in [\d.]+ s \([\d.]+ s per student", out), out
    csv = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert csv[0].startswith("student,status,reason,neuron,neuron_max,hello,hello_max,")
    assert csv[0].endswith(",total,total_max,flags,submitted_at,graded_at,check_suite,seconds")
    assert [line.split(",")[:2] for line in csv[1:]] == [
        ["correct", "pass"],
        ["exits", "error"],
        ["half", "fail"],
        ["loops", "error"],
        ["notes", "skipped"],
        ["syntax", "error"],
    ]
    assert results["correct"]["status"] == "pass"
    exits = by_exercise(results["exits"])["backprop"]
    assert exits["message"] == "the code ended its process (exit status 0) while importing the file"
    loops = by_exercise(results["loops"])["softmax"]
    assert loops["message"].startswith("the code timed out after 10 s while running softmax(")
    assert loops["duration"] < 15
    syntax = tasks_of(results["syntax"], "softmax")[0]
    assert (
        syntax["status"] == "error" and "does not run: SyntaxError on line 1" in syntax["message"]
    )
    assert results["syntax"]["status"] == "fail"  # Exercism: "error" only when no test ran
    assert by_exercise(results["syntax"])["softmax"]["status"] == "error"


def test_the_fused_op_hint_warns_about_argument_order_at_the_first_level():
    nudge = hints_for("softmax")[5]  # what `tfbasics check softmax --hints` shows first
    assert "labels=..., logits=..." in nudge and "swaps them" in nudge


def test_class_table_shows_every_exercise_name_in_full():
    from tfbasics.grading import class_reports
    from tfbasics.grading.grade_results import ExerciseResult, StudentResult, TaskResult

    def result(passed):
        def tasks(n):
            return [TaskResult(n, i, "t", "pass" if i < passed else "fail") for i in range(3)]

        return [ExerciseResult(n, tasks(n)) for n in EXERCISES]

    rows = [("ann", StudentResult(None, result(3), 1.0)), ("bo", StudentResult(None, result(1)))]
    head, *lines = class_reports.class_table(rows, list(EXERCISES))
    assert head.split()[1:-2] == list(EXERCISES)  # placeholders, softmax_regression: not cut
    assert all(len(line) == len(head) for line in lines)  # the columns line up
    assert lines[1].split()[1:-2] == ["1/3"] * len(EXERCISES)


def test_grade_refuses_what_it_cannot_grade(tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run(["tfbasics.grading.class_grader", "empty"], tmp_path)
    assert code == 2 and "no student folders in it" in err
    code, _, err = run(["tfbasics.grading.class_grader", "missing"], tmp_path)
    assert (
        code == 2
        and err.strip()
        == "tfbasics grade: error: missing: no such folder (give the folder of students)"
    )


# ------------------------------------------------------------------ a learner who commits


@pytest.mark.slow
def test_solutions_committed_in_a_clone_keep_the_suite_green(tmp_path):
    """A learner solves exercises/ and commits; the tests that need the stubs as shipped skip
    their work instead of failing (outside CI), so the suite stays green."""
    clone = tmp_path / "clone"
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "tfbasics", "tests", "exercises"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    if not listed:
        pytest.skip("not a git checkout")
    for path in listed:
        if (ROOT / path).is_file():
            (clone / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / path, clone / path)
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    # the clone as installed: setup.py's package_dir makes its exercises/ tfbasics.exercises
    (clone / "tfbasics" / "exercises").symlink_to(clone / "exercises", target_is_directory=True)
    git = ["git", "-c", "user.name=learner", "-c", "user.email=l@example.org"]
    subprocess.run(git + ["init", "-q"], cwd=clone, check=True)
    subprocess.run(git + ["add", "."], cwd=clone, check=True)
    subprocess.run(git + ["commit", "-qm", "stubs"], cwd=clone, check=True)
    for name in EXERCISES:
        (clone / "exercises" / f"{name}.py").write_text(solution(name))
    subprocess.run(git + ["commit", "-qam", "my solutions"], cwd=clone, check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TFBASICS_EXERCISES")}
    env["PYTHONPATH"] = str(clone)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",  # one process: the suite around this test has the cores
            "tests/test_exercise_checker.py",
            "-k",
            "stub or shipped",
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    skipped = 3 * len(EXERCISES) + 1  # two tests per stub, the stub-shape test, the stubs' run
    assert f"{skipped} skipped" in proc.stdout and " failed" not in proc.stdout, proc.stdout


# ------------------------------------------------------------------ --watch


@pytest.mark.slow
def test_watch_rechecks_a_saved_file_and_names_the_next_task(tmp_path):
    import queue
    import signal
    import threading
    import time

    folder = copy_stubs(tmp_path / "student")
    env = {k: v for k, v in os.environ.items() if k != "TFBASICS_EXERCISES"}
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tfbasics.grading.checker", "neuron", "softmax", "--path", "student"]
        + ["--watch"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # even if ours ignores it
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines, seen = queue.Queue(), []
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

    def wait_for(text, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if proc.poll() is not None:
                    break
                continue
            seen.append(line)
            if text in line:
                return
        raise AssertionError(f"{text!r} not printed; got:\n{''.join(seen)}")

    try:
        wait_for("watching student/ for saved changes")
        assert "next: task 1 in student/neuron.py" in "".join(seen)
        (folder / "neuron.py").write_text(solution("neuron"))
        wait_for("neuron.py changed: checking again")
        wait_for("neuron: 3/3 tasks passed")
        wait_for("next: task 1 in student/softmax.py")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        assert "stopped watching" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---------------------------------------------- TensorFlow only where an exercise needs it


def test_numpy_exercises_are_checked_without_tensorflow_unless_the_learner_imports_it(tmp_path):
    from tfbasics.grading.grader import needs_tensorflow

    numpy_only = [n for n, e in EXERCISES.items() if not e.tensorflow]
    assert numpy_only == ["neuron", "mnist", "backprop"]
    student = tmp_path / "student"
    copy_stubs(student)
    assert not needs_tensorflow([(None, n) for n in numpy_only])  # the reference
    assert not needs_tensorflow([(student, n) for n in numpy_only])  # the stubs
    assert needs_tensorflow([(student, "neuron"), (student, "hello")])
    (student / "neuron.py").write_text("import tensorflow as tf\n")  # the learner's own import
    assert needs_tensorflow([(student, "neuron")])
    assert not needs_tensorflow([(student, "backprop")])
    (student / "helpers.py").write_text("from tfbasics._tf import tf\n")  # a module of theirs
    assert needs_tensorflow([(student, "backprop")])


@pytest.mark.slow
def test_a_numpy_exercise_whose_file_imports_tensorflow_still_passes(tmp_path):
    # TensorFlow is loaded before the sandboxed process is forked, as for its exercises (the
    # process could not import it itself: without it, this gets "No module named 'tensorflow'")
    student = tmp_path / "student"
    plant(student, {"neuron.py": "import tensorflow as tf\n" + solution("neuron")}, copy_stubs)
    code = (
        "import sys\nfrom tfbasics.grading import checker\n"
        f"code = checker.main(['neuron', '--path', {str(student)!r}])\n"
        "print('tensorflow loaded:', 'tensorflow' in sys.modules)\nsys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TFBASICS_EXERCISES"}
    for loaded in ("True", "False"):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "neuron: 3/3 tasks passed" in done.stdout
        assert f"tensorflow loaded: {loaded}" in done.stdout
        (student / "neuron.py").write_text(solution("neuron"))  # then without: no TensorFlow

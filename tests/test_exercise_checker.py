"""The exercise checker, both directions (rustlings' check), and what a learner sees.

- Every exercise has its stub, its hints (one per task) and its checks; a stub has the
  reference's signatures and docstrings. The stubs are read as committed (git HEAD), so a
  learner solving them in exercises/ does not break the suite.
- Against the reference, every check passes: that is the default run of tests/exercise_checks/.
- Against the untouched stubs, every task of every exercise fails, and as "not started"
  (one subprocess run of the checker): no stub ships solved, no check passes vacuously.
- Planted solutions (a softmax without the max-subtraction, a sigmoid backward without the
  upstream gradient, correct ones) give the teacher-style messages, the per-exercise summary
  and exit status 1 (one subprocess run).
"""

import importlib
import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exercise_checks.framework import BUNDLED, EXERCISES, hints_for, resolve_target
from tfbasics import checker

ROOT = Path(__file__).resolve().parent.parent


def task_numbers(name):
    """{task number: title} of exercise ``name``, read from its check module's markers."""
    module = importlib.import_module(f"exercise_checks.test_{name}")
    tasks = {}
    for attr in vars(module).values():
        for mark in getattr(attr, "pytestmark", []):
            if mark.name == "task":
                tasks.setdefault(mark.kwargs["number"], mark.kwargs["title"])
    return tasks


def run_checker(args, cwd):
    """``python -m tfbasics.checker ARGS`` in ``cwd``: (exit status, stdout + stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "TFBASICS_EXERCISES"}
    proc = subprocess.run(
        [sys.executable, "-m", "tfbasics.checker", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def stubs(tmp_path_factory):
    """The stubs as committed (git HEAD): a learner's work in exercises/ does not count here.

    Outside a git checkout (or without git), the exercises/ folder as it is.
    """
    folder = tmp_path_factory.mktemp("stubs") / "exercises"
    folder.mkdir()
    try:
        listed = subprocess.run(
            ["git", "ls-tree", "--name-only", "HEAD", "exercises/"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for path in listed:
            data = subprocess.run(
                ["git", "show", f"HEAD:{path}"], cwd=ROOT, capture_output=True, check=True
            ).stdout
            (folder / Path(path).name).write_bytes(data)
    except (OSError, subprocess.CalledProcessError):
        listed = []
    if not any(folder.glob("*.py")):
        shutil.rmtree(folder)
        shutil.copytree(BUNDLED, folder)
    return folder


def load_stub(name, folder):
    spec = importlib.util.spec_from_file_location(f"_stub_{name}", folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", list(EXERCISES))
def test_exercise_has_stub_checks_and_a_hint_per_task(name, stubs):
    assert (stubs / f"{name}.py").is_file()
    tasks = task_numbers(name)
    assert sorted(tasks) == list(range(1, len(tasks) + 1)), f"{name}: tasks must be 1..N"
    assert set(hints_for(name, stubs)) == set(tasks), f"{name}.hints.md: one '## Task N' per task"
    listed = re.findall(r"^  (\d+)\. ", load_stub(name, stubs).__doc__, re.M)
    assert [int(n) for n in listed] == sorted(tasks), f"{name}.py's docstring lists its tasks"


@pytest.mark.parametrize("name", list(EXERCISES))
def test_stub_has_the_reference_signatures_and_docstrings(name, stubs):
    stub = load_stub(name, stubs)
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


def test_checker_usage_errors(capsys, tmp_path):
    assert checker.main(["no_such_exercise"]) == 2
    assert "no exercise 'no_such_exercise'; the exercises are: neuron," in capsys.readouterr().err
    assert checker.main(["--path", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert checker.exercise_names() == list(EXERCISES)


def test_untouched_stubs_fail_every_task_as_not_started(tmp_path, stubs):
    shutil.copytree(stubs, tmp_path / "student")
    code, out = run_checker(["--path", "student"], tmp_path)
    assert code == 1, out
    total = 0
    for name in EXERCISES:
        tasks = task_numbers(name)
        total += len(tasks)
        assert f"\n{name}: 0/{len(tasks)} tasks passed\n" in out, out
        for number, title in tasks.items():
            assert f"  task {number} not started: {title}\n" in out, (name, number, out)
    assert " failed: " not in out, out  # every task is "not started", none crashed
    assert f"\noverall: 0/{total} tasks passed\n" in out, out
    assert "next: task 1 in student/neuron.py" in out, out


PLANTED = {
    "neuron.py": [  # all three tasks right
        (
            "    # TODO task 1: the logistic function, element-wise (NumPy's np.exp works on arrays too)\n"
            "    raise NotImplementedError",
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
    "softmax.py": [  # the book's softmax: right for small logits, NaN for large; one_hot right
        (
            "    # TODO tasks 1 and 2\n    raise NotImplementedError",
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
    "backprop.py": [  # a sigmoid backward without the upstream gradient; ReLU right
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


def test_planted_solutions_mixed_run(tmp_path, stubs):
    """Planted wrong and right answers in three exercises; the other six re-export the reference,
    which proves every check also passes on correct code loaded as a learner's file."""
    folder = tmp_path / "student"
    shutil.copytree(stubs, folder)
    for filename, edits in PLANTED.items():
        text = (folder / filename).read_text()
        for old, new in edits:
            assert old in text, (filename, old)
            text = text.replace(old, new)
        (folder / filename).write_text(text)
    for exercise in EXERCISES.values():
        if exercise.filename not in PLANTED:
            (folder / exercise.filename).write_text(
                "".join(f"from {module} import *  # noqa\n" for module in exercise.references)
            )
    code, out = run_checker(["--path", "student", "--hints"], tmp_path)
    assert code == 1, out
    summary = out[out.index("exercise tasks:") :]
    passed = {"neuron": 3, "softmax": 2, "backprop": 1}
    lines = [
        f"{name}: {passed.get(name, len(task_numbers(name)))}/{len(task_numbers(name))} "
        "tasks passed"
        for name in EXERCISES
    ]
    total = sum(len(task_numbers(name)) for name in EXERCISES)
    done = total - sum(len(task_numbers(name)) - n for name, n in passed.items())
    assert re.findall(r"^\w+: \d+/\d+ tasks passed$", summary, re.M) == lines + [
        f"overall: {done}/{total} tasks passed"
    ], summary
    # the wrong softmax: what was called, what came back, what was expected, where to read
    assert "  task 2 failed: softmax stays finite for large logits" in summary
    assert "softmax([1000.0, 0.0])\n        returned float64 [2] [nan, 0.]" in summary
    assert "expected float64 [2] [1., 0.]" in summary
    assert "nan or inf in the result" in summary
    assert 'read: chapter 1, "Softmax in TensorFlow"; see it run: `tfbasics run 5`' in summary
    assert "  task 4 not started: cross_entropy" in summary
    # the sigmoid backward that forgot the upstream gradient
    assert "  task 1 failed: Sigmoid.backward(upstream) = upstream * z * (1 - z)" in summary
    assert "Sigmoid().backward(upstream) after forward(a)" in summary
    assert "that is dz/da alone: the chain rule multiplies it by upstream" in summary
    assert (
        'read: chapter 1, "Understanding backpropagation"; see it run: `tfbasics run 10`' in summary
    )
    # --hints: the hint of each task not passed, and of no passed one
    assert "Subtract each row's maximum" in summary
    assert "Forgetting `upstream`" in summary
    assert "`np.dot(self.weights, x) + self.bias`" not in summary  # neuron passed: no hint
    assert "next: task 2 in student/softmax.py" in summary


def test_missing_name_unimportable_file_and_crash_read_as_teacher_messages(tmp_path, monkeypatch):
    from exercise_checks.framework import EXERCISES, Target, TaskFailure

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "neuron.py").write_text("def sigmoid(z):\n    return undefined_name\n")
    (folder / "softmax.py").write_text("def softmax(logits:\n")
    target = Target(folder)
    neuron = target.namespace(EXERCISES["neuron"])
    with pytest.raises(TaskFailure, match=r"^define class `Neuron` in student/neuron\.py$"):
        _ = neuron.Neuron
    with pytest.raises(NameError) as crash:
        neuron.sigmoid(0.0)
    assert target.location(crash.value) == " (student/neuron.py, line 2, in sigmoid)"
    with pytest.raises(
        TaskFailure, match=r"^student/softmax\.py does not run: SyntaxError on line 1"
    ):
        _ = target.namespace(EXERCISES["softmax"]).softmax
    with pytest.raises(
        TaskFailure, match=r"^there is no student/hello\.py: copy exercises/hello\.py"
    ):
        _ = target.namespace(EXERCISES["hello"]).run_constant

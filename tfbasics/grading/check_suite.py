"""The check suite as files: which version graded a student, and the code of each task's check.

Read from ``tfbasics/grading/exercise_checks/`` as text, never imported here, so writing a
report runs none of the checks' imports.

- ``suite_version()``: ``0.1.0+3f2a9c1d0b7e``, the tfbasics version and a short SHA-256 of the
  checks' sources and the exercise list: two grades with the same string were made by the same
  checks (the ``check_suite`` column of grades.csv).
- ``test_code(name, number)``: the body of the check marked ``@task(number)`` in
  ``test_<name>.py`` (Exercism's ``test_code``: what the test ran).
"""

import ast
import functools
import hashlib
import importlib.util
import textwrap
from pathlib import Path

import tfbasics
from tfbasics.grading import exercise_list

CHECKS_PACKAGE = "tfbasics.grading.exercise_checks"
HASH_CHARS = 12  # of the SHA-256's hex digits: enough to tell two suites apart


def checks_folder():
    """The folder of the check modules as installed (Path)."""
    spec = importlib.util.find_spec(CHECKS_PACKAGE)
    return Path(list(spec.submodule_search_locations)[0])


@functools.lru_cache(maxsize=1)
def suite_version():
    """``<tfbasics version>+<12 hex digits>`` (str): the digest covers every ``*.py`` of the
    checks folder (name and bytes, in name order) and ``exercise_list.py``."""
    digest = hashlib.sha256()
    files = sorted(checks_folder().glob("*.py")) + [Path(exercise_list.__file__)]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{tfbasics.__version__}+{digest.hexdigest()[:HASH_CHARS]}"


def _task_number(decorator):
    if (
        isinstance(decorator, ast.Call)
        and getattr(decorator.func, "id", getattr(decorator.func, "attr", "")) == "task"
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
    ):
        return decorator.args[0].value
    return None


@functools.cache
def _checks_of(name):
    """{task number: the body of its check, dedented} for ``test_<name>.py`` ({} if none)."""
    path = checks_folder() / f"test_{name}.py"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:] or body  # the docstring is not what the check runs
        for decorator in node.decorator_list:
            number = _task_number(decorator)
            if number is not None:
                text = "\n".join(lines[body[0].lineno - 1 : node.end_lineno])
                found[number] = textwrap.dedent(text).strip("\n")
    return found


def test_code(name, number):
    """The body of the check of task ``number`` of exercise ``name`` (str; "" if not found).

    Args:
      name: exercise name ("softmax"); number: task number from 1.
    Returns:
      str, Python source with newlines.
    """
    return _checks_of(name).get(number, "")


test_code.__test__ = False  # not a pytest test, though its name says so

"""How an exercise check finds the code it grades and says what went wrong.

A check is a test function in ``test_<exercise>.py`` marked ``@task(n)`` (its title is task n of
the exercise in ``tfbasics.grading.exercise_list``, the one list of exercises and tasks); the module sets ``EXERCISE = "<exercise>"`` and the check gets the code under test from the fixture
``ex``: ``ex.softmax(...)`` is ``tfbasics.softmax.softmax`` by default (the reference) or
``softmax`` from ``<folder>/softmax.py`` when a learner's folder is the target. Checks compare with
``expect_close`` / ``expect_equal`` / ``expect_raises``, which raise ``TaskFailure`` with a message a
teacher would write: what was called, what came back, what was expected.
"""

import importlib
import importlib.util
import os
import re
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from tfbasics.grading.exercise_list import EXERCISES, Exercise  # noqa: F401  (the one list; re-exported)

REPO = Path(__file__).resolve().parents[3]
BUNDLED = REPO / "exercises"  # the stubs learners start from
ENV_VAR = "TFBASICS_EXERCISES"  # a folder, or "1" for the bundled exercises/


class TaskFailure(AssertionError):
    """A check's verdict on the learner's code, already worded for the learner."""


def task(number):
    """Mark a check as task ``number`` of its module's exercise (title: tfbasics.grading.exercise_list)."""
    return pytest.mark.task(number=number)


def display(path):
    """``path`` relative to the current folder when it is below it, else absolute."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- the code under test


class Target:
    """The code the checks grade: the reference package (folder None) or a folder of exercises."""

    def __init__(self, folder=None):
        self.folder = None if folder is None else Path(folder).resolve()
        self._loaded = {}

    @property
    def is_reference(self):
        return self.folder is None

    def describe(self):
        if self.is_reference:
            return "the reference implementation in tfbasics/"
        return f"the exercises in {display(self.folder)}/"

    def where(self, exercise):
        """The file that should define the exercise's names, as the learner sees it."""
        if self.is_reference:
            return " or ".join(m.replace(".", "/") + ".py" for m in exercise.references)
        return display(self.folder / exercise.filename)

    def owns(self, filename):
        """True if ``filename`` (a traceback frame's file) is code under test, not a check."""
        if self.is_reference:
            return False
        try:
            Path(filename).resolve().relative_to(self.folder)
            return True
        except (ValueError, OSError):
            return False

    def modules(self, exercise):
        """The imported module(s) of ``exercise``; raises TaskFailure if a file will not import."""
        if exercise.name not in self._loaded:
            try:
                self._loaded[exercise.name] = self._import(exercise)
            except TaskFailure as failure:
                self._loaded[exercise.name] = failure
        loaded = self._loaded[exercise.name]
        if isinstance(loaded, TaskFailure):
            raise TaskFailure(str(loaded))
        return loaded

    def _import(self, exercise):
        if self.is_reference:
            found = []
            for name in exercise.references:
                try:
                    found.append(importlib.import_module(name))
                except ModuleNotFoundError as e:
                    if e.name != name:
                        raise
            if not found:
                raise TaskFailure(f"{self.where(exercise)} does not exist yet")
            return found
        path = self.folder / exercise.filename
        if not path.is_file():
            raise TaskFailure(
                f"there is no {display(path)}: copy exercises/{exercise.filename} "
                "there and work in the copy"
            )
        module_name = f"_tfbasics_exercise_{exercise.name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as e:
            del sys.modules[module_name]
            raise TaskFailure(
                f"{display(path)} does not run: SyntaxError on line {e.lineno}: {e.msg}"
            ) from None
        except Exception as e:  # the learner's file failed at import: say where
            del sys.modules[module_name]
            raise TaskFailure(
                f"{display(path)} fails when imported: {type(e).__name__}: {e}{self.location(e)}"
            ) from None
        return [module]

    def location(self, error):
        """' (exercises/x.py, line N, in f)' for the deepest frame of ``error`` in learner code."""
        frames = [f for f in traceback.extract_tb(error.__traceback__) if self.owns(f.filename)]
        if not frames:
            return ""
        f = frames[-1]
        return f" ({display(f.filename)}, line {f.lineno}, in {f.name})"

    def namespace(self, exercise):
        return Namespace(self, exercise)


class Namespace:
    """Attribute access to an exercise's names: ``ex.softmax`` or a clear 'define it' failure."""

    def __init__(self, target, exercise):
        self._target, self._exercise = target, exercise

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        for module in self._target.modules(self._exercise):
            if hasattr(module, name):
                found = getattr(module, name)
                self._own(module, name, found)
                return found
        kind = f"class `{name}`" if name[:1].isupper() else f"`{name}()`"
        raise TaskFailure(f"define {kind} in {self._target.where(self._exercise)}")

    def _own(self, module, name, found):
        """A learner's file must define its functions, not import the reference's."""
        origin = getattr(found, "__module__", None) or ""
        if self._target.is_reference or not callable(found) or origin == module.__name__:
            return
        if isinstance(found, type) and issubclass(found, BaseException):
            return  # an error class may come from anywhere; it solves nothing by itself
        if origin.startswith("tfbasics") or origin.startswith("_tfbasics_exercise_"):
            kind = f"class `{name}`" if name[:1].isupper() else f"`{name}()`"
            raise TaskFailure(
                f"{kind} in {self._target.where(self._exercise)} is imported from {origin}, "
                f"not written there\n  define {kind} in the file itself (the reference in "
                f"{origin.replace('.', '/')}.py is there to read, not to import)"
            )


def resolve_target(option, env=None):
    """The Target chosen by ``--exercises`` (``option``) or else ``TFBASICS_EXERCISES``.

    ``option``: None (not given), "1" (bundled exercises/) or a folder. The environment variable
    takes the same values; "", "0" and "no" mean the reference. Raises ValueError with one line.
    """
    env = os.environ.get(ENV_VAR) if env is None else env
    choice, source = (option, "--exercises") if option is not None else (env, ENV_VAR)
    if choice is None or choice.strip().lower() in ("", "0", "no", "false"):
        return Target()
    if choice.strip().lower() in ("1", "yes", "true"):
        return Target(BUNDLED)
    folder = Path(choice).expanduser()
    if not folder.is_dir():
        raise ValueError(
            f"{source}={choice}: no such folder (give the folder holding your "
            "copies of the exercise files, e.g. exercises/)"
        )
    if not any((folder / e.filename).is_file() for e in EXERCISES.values()):
        names = ", ".join(e.filename for e in list(EXERCISES.values())[:3])
        raise ValueError(
            f"{source}={choice}: no exercise files ({names}, ...) in that folder; "
            "note that --exercises takes its folder as --exercises=DIR"
        )
    return Target(folder)


# ---------------------------------------------------------------- how values are shown and compared


def show(value, width=160):
    """A short readable form of a value for a failure message."""
    if isinstance(value, np.ndarray):
        text = np.array2string(
            value,
            precision=5,
            suppress_small=True,
            separator=", ",
            threshold=20,
            max_line_width=10_000,
        )
        shape = f" {list(value.shape)}" if value.ndim else ""
        text = f"{value.dtype}{shape} {text}"
    elif isinstance(value, np.generic):
        text = f"{value.item()!r} ({value.dtype})"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def graph_object(value):
    """'the graph tensor `add:0` (int32 [])' if ``value`` is a TensorFlow graph object, else ''."""
    cls = type(value)
    if not cls.__module__.startswith("tensorflow"):
        return ""
    try:  # an eager tensor has a value (and no graph): that is not this mistake
        if getattr(value, "graph", None) is None:
            return ""
    except Exception:
        return ""
    kind = {"Operation": "op"}.get(cls.__name__, "tensor")
    if "Variable" in cls.__name__:
        kind = "variable"
    name = getattr(value, "name", "?")
    dtype = getattr(getattr(value, "dtype", None), "name", "")
    shape = getattr(value, "shape", None)
    shape = "" if shape is None else f" {list(shape) if shape.rank is not None else '?'}"
    described = f" ({dtype}{shape})" if dtype else ""
    return f"the graph {kind} `{name}`{described}"


def not_run(got, call):
    """A TaskFailure if ``got`` is a graph tensor/op where the value it computes is expected."""
    what = graph_object(got)
    if what:
        raise TaskFailure(
            f"{call}\n  returned {what}, not its value: a graph only describes the "
            "computation\n  expected the value: run it with tf.compat.v1.Session(graph=g) and "
            "return what sess.run(...) gives"
        )


def expect_graph(got, call, kinds=("tensor",)):
    """A TaskFailure unless ``got`` is a graph tensor/op (what a model function returns, unrun)."""
    what = graph_object(got)
    if not what or not any(f"graph {k}" in what for k in kinds):
        wanted = " or ".join(f"a graph {k}" for k in kinds)
        ran = "" if what else " (was it run in a session? return the op itself, unrun)"
        raise TaskFailure(f"{call}\n  returned {show(got)}{ran}\n  expected {wanted}")


def _numeric(value):
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except Exception:
        return False


def call_text(name, *args, **kwargs):
    """``softmax([2.0, 1.0, 0.1])``: how a call is shown to the learner."""
    parts = [show(a, 60) for a in args] + [f"{k}={show(v, 60)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _fail(call, got, expected, detail=""):
    lines = [f"{call}", f"  returned {show(got)}", f"  expected {show(expected)}"]
    if detail:
        lines.append(f"  {detail}")
    raise TaskFailure("\n".join(lines))


def as_array(got, call, dtype=np.float64):
    """``got`` as a NumPy array, or a TaskFailure saying why it is not one."""
    if got is None:
        raise TaskFailure(f"{call}\n  returned None: is the `return` missing?")
    not_run(got, call)
    try:
        return np.asarray(got, dtype=dtype)
    except (TypeError, ValueError):
        raise TaskFailure(
            f"{call}\n  returned {show(got)} ({type(got).__name__}), "
            "not a number or an array of numbers"
        ) from None


def expect_close(got, expected, call, atol=1e-6, rtol=1e-6, check_dtype=None, mistakes=()):
    """Fail unless ``got`` has ``expected``'s shape and values to within atol + rtol*|expected|.

    check_dtype: a NumPy dtype ``got`` must have (e.g. np.float32), or None. The expected value
      is shown in that dtype, else in ``expected``'s own (give an int32 array for an int task).
    mistakes: (value, explanation) pairs: a ``got`` close to ``value`` is explained that way
      (a teacher who recognises the classic slip: "that is dz/da alone: multiply by upstream").
      They are tried first, so a slip that also changes the shape is still named.
    """
    shown = np.asarray(expected, dtype=check_dtype)
    expected = np.asarray(expected, dtype=np.float64)
    arr = as_array(got, call)
    if not (arr.shape == expected.shape and np.allclose(arr, expected, atol=atol, rtol=rtol)):
        for value, explanation in mistakes:
            value = np.asarray(value, dtype=np.float64)
            if value.shape == arr.shape and np.allclose(arr, value, atol=atol, rtol=rtol):
                _fail(call, got, shown, explanation)
    if arr.shape != expected.shape:
        _fail(call, got, shown, f"the shape is {arr.shape}, it should be {expected.shape}")
    if not np.all(np.isfinite(arr)) and np.all(np.isfinite(expected)):
        _fail(call, got, shown, "nan or inf in the result: an overflow or a log of 0?")
    if not np.allclose(arr, expected, atol=atol, rtol=rtol):
        worst = np.max(np.abs(arr - expected)) if arr.size else 0.0
        _fail(
            call,
            got,
            shown,
            f"off by up to {worst:.3g} (allowed: {atol:g} + {rtol:g} x |expected|)",
        )
    if check_dtype is not None and np.asarray(got).dtype != np.dtype(check_dtype):
        _fail(
            call,
            got,
            shown,
            f"the values are right but the dtype is {np.asarray(got).dtype}, it should be "
            f"{np.dtype(check_dtype)}",
        )


def expect_equal(got, expected, call, detail=""):
    """Fail unless ``got == expected`` (element-wise for arrays, same shape)."""
    not_run(got, call)
    if isinstance(expected, (np.ndarray, list, tuple)) and _numeric(expected):
        arr = as_array(got, call, dtype=None)
        if arr.shape != np.shape(expected) or not np.array_equal(arr, expected):
            _fail(call, got, np.asarray(expected), detail)
    elif not (type(got) is type(expected) or isinstance(got, np.generic)) or got != expected:
        _fail(call, got, expected, detail)


def expect_type(got, types, call, detail=""):
    """Fail unless ``got`` is an instance of ``types`` (a type or tuple of types)."""
    if not isinstance(got, types):
        not_run(got, call)
        names = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        raise TaskFailure(
            f"{call}\n  returned {show(got)}, a {type(got).__name__}\n"
            f"  expected a {names}" + (f"\n  {detail}" if detail else "")
        )


def expect_raises(errors, function, *args, call, why="", **kwargs):
    """Fail unless ``function(*args, **kwargs)`` raises one of ``errors``; returns the error."""
    names = " or ".join(e.__name__ for e in (errors if isinstance(errors, tuple) else (errors,)))
    try:
        got = function(*args, **kwargs)
    except errors as e:
        return e
    except NotImplementedError:
        raise
    except Exception as e:  # the right idea, the wrong exception (often TensorFlow's own)
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise TaskFailure(
            f"{call}\n  raised {type(e).__name__}: {first}\n  expected it to raise "
            f"{names}" + (f"\n  {why}" if why else "")
        ) from None
    raise TaskFailure(
        f"{call}\n  returned {show(got)}\n  expected it to raise {names}"
        + (f"\n  {why}" if why else "")
    )


@contextmanager
def session_spy():
    """Record every ``tf.compat.v1.Session.run`` made inside: yields a list of (fetches, feed_dict).

    Lets a check tell "ran the graph in a session, fed through feed_dict" from "computed it some
    other way" (NumPy, eager), which is what the TensorFlow-basics exercises teach.
    """
    from tfbasics._tf import tf

    owner = next(c for c in tf.compat.v1.Session.__mro__ if "run" in vars(c))
    original = owner.run
    calls = []

    def run(self, fetches, feed_dict=None, *args, **kwargs):
        calls.append((fetches, feed_dict))
        return original(self, fetches, feed_dict, *args, **kwargs)

    owner.run = run
    try:
        yield calls
    finally:
        owner.run = original


# ---------------------------------------------------------------- hints


def hints_for(exercise, folder=None, level=1):
    """{task number: hint text} from ``<name>.hints.md``, at ``level`` 1 (a nudge) or 2.

    A hint file has one ``## Task N`` section per task: a nudge, then, under ``### Closer``, the
    near-answer. Level 2 gives both. The learner's folder is read first (hints live beside the
    exercise), then the bundled one.
    """
    for base in ([Path(folder)] if folder else []) + [BUNDLED]:
        path = base / f"{exercise}.hints.md"
        if path.is_file():
            levels = parse_hints(path.read_text(encoding="utf-8"))
            return {
                n: nudge if level < 2 or not closer else f"{nudge}\n{closer}"
                for n, (nudge, closer) in levels.items()
            }
    return {}


def parse_hints(text):
    """{task number: (nudge, near-answer or '')} of a hints file."""
    hints, number, lines = {}, None, []
    for line in text.splitlines() + ["## Task 0"]:
        m = re.match(r"^##\s+Task\s+(\d+)", line)
        if m:
            if number is not None:
                body = "\n".join(lines)
                nudge, _, closer = body.partition("\n### Closer")
                hints[number] = (nudge.strip(), closer.strip())
            number, lines = int(m.group(1)), []
        elif number is not None:
            lines.append(line)
    hints.pop(0, None)
    return hints


# ---------------------------------------------------------------- a check's outcome, for the learner


def classify(error, tgt):
    """("not started" | "failed", message for the learner, or None for a check's own bug).

    A stub's NotImplementedError is "not started"; a TaskFailure is the check's verdict; any
    other error raised in the learner's code is reported at the learner's line.
    """
    tb = error.__traceback__
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if isinstance(error, NotImplementedError) and last is not None:
        path = last.tb_frame.f_code.co_filename
        in_reference = tgt.is_reference and "tfbasics" in path
        if tgt.owns(path) or in_reference:
            owner = last.tb_frame.f_locals.get("self")
            name = last.tb_frame.f_code.co_name
            name = f"{type(owner).__name__}.{name}" if owner is not None else name
            return "not started", (
                f"not started: `{name}()` in {display(path)} still raises NotImplementedError"
            )
    if isinstance(error, TaskFailure):
        return "failed", str(error)
    location = tgt.location(error)
    if location:  # the learner's code crashed: its line, not the check's traceback
        return "failed", f"raised {type(error).__name__}: {error}{location}"
    return "failed", None


# ---------------------------------------------------------------- the target of this pytest run

TARGET = pytest.StashKey()


def target(config):
    """The Target of this run, from ``--exercises`` / ``TFBASICS_EXERCISES`` (UsageError if bad)."""
    if TARGET not in config.stash:
        try:
            config.stash[TARGET] = resolve_target(config.getoption("exercises", default=None))
        except ValueError as e:
            raise pytest.UsageError(str(e)) from None
    return config.stash[TARGET]

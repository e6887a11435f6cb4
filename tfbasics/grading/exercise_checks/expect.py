"""How an exercise check compares what the code under test gave and words a failure.

A check is a test function in ``test_<exercise>.py`` marked ``@task(n)`` (its title is task n of
the exercise in ``tfbasics.grading.exercise_list``, the one list of exercises and tasks). Checks
compare with ``expect_close`` / ``expect_equal`` / ``expect_raises``, which raise ``TaskFailure``
with a message a teacher would write: what was called, what came back, what was expected. The
code under test comes from the fixture ``ex`` (``target.py``).
"""

import numpy as np
import pytest


class TaskFailure(AssertionError):
    """A check's verdict on the learner's code, already worded for the learner."""


def task(number):
    """Mark a check as task ``number`` of its module's exercise (title: tfbasics.grading.exercise_list)."""
    return pytest.mark.task(number=number)


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
    elif graph_object(value):
        text = graph_object(value)
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def graph_object(value):
    """'the graph tensor `add:0` (int32 [])' if ``value`` describes a graph object, else ''.

    The learner's process sends a tensor, op or variable it returns as a GraphThing (its
    kind, name, dtype and shape): a graph object never crosses over, only its description.
    """
    from tfbasics.grading.channel import GraphThing

    return value.describe() if isinstance(value, GraphThing) else ""


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


def _is_a(error, cls):
    """True if ``error`` (local, or a RemoteError from the learner's process) is a ``cls``."""
    if hasattr(error, "is_a"):
        return error.is_a(cls)
    return isinstance(cls, type) and isinstance(error, cls)


def expect_raises(errors, function, *args, call, why="", **kwargs):
    """Fail unless ``function(*args, **kwargs)`` raises one of ``errors``; returns the error.

    errors: a class or tuple of classes; a class of the learner's (``ex.FeedError``) counts.
    """
    errors = errors if isinstance(errors, tuple) else (errors,)
    names = " or ".join(e.__name__ for e in errors)
    try:
        got = function(*args, **kwargs)
    except TaskFailure:
        raise
    except Exception as e:  # noqa: BLE001 - which error it is decides
        if any(_is_a(e, cls) for cls in errors):
            return e
        if getattr(e, "not_started", None) or isinstance(e, NotImplementedError):
            raise
        if type(e).__name__ == "WorkerGone":
            raise
        kind = getattr(e, "type_name", type(e).__name__)
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise TaskFailure(
            f"{call}\n  raised {kind}: {first}\n  expected it to raise "
            f"{names}" + (f"\n  {why}" if why else "")
        ) from None
    raise TaskFailure(
        f"{call}\n  returned {show(got)}\n  expected it to raise {names}"
        + (f"\n  {why}" if why else "")
    )

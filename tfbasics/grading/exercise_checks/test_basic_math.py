"""Exercise checks: basic_math (add, subtract, multiply, divide, reduce_sum, each in a session)."""

import numpy as np

from tfbasics.grading.replay import replay

from .expect import TaskFailure, call_text, expect_close, expect_equal, task

EXERCISE = "basic_math"
MATRIX = [[1, 2, 3], [4, 5, 6]]  # a matrix whose axes give different sums


def _ran_a_session(runs, call, got):
    """Fail unless a session ran, and its graph (run here) computes what the call returned."""
    if not runs:
        raise TaskFailure(
            f"{call}\n  gave the right value without running a session\n  expected "
            "the TensorFlow op built in a tf.Graph and run in a tf.compat.v1.Session"
        )
    values = replay(runs[-1], f"{call}: the graph it ran")
    value = values[0] if len(values) == 1 else values
    expect_close(value, got, f"{call}: its graph, run by the checker", atol=1e-9)


@task(1)
def test_arithmetic(ex):
    for name, a, b, want in [
        ("add", 1, 2, 3),
        ("subtract", 1, 2, -1),
        ("multiply", 2, 5, 10),
        ("add", [1, 2], [10, 20], [11, 22]),
    ]:
        call = call_text(name, a, b)
        with ex.sessions() as runs:
            got = getattr(ex, name)(a, b)
        expect_equal(got, np.asarray(want) if np.ndim(want) else want, call)
        _ran_a_session(runs, call, got)


@task(2)
def test_divide(ex):
    for a, b, want in [(10, 4, 2.5), (1.0, 8.0, 0.125)]:
        call = call_text("divide", a, b)
        with ex.sessions() as runs:
            got = ex.divide(a, b)
        expect_close(got, np.float64(want), call, atol=1e-12)
        _ran_a_session(runs, call, got)


@task(3)
def test_reduce_sum_all(ex):
    for x, want in [([1, 2, 3], 6), (np.ones((2, 3), np.int32), 6), (MATRIX, 21)]:
        want = np.int32(want)  # shown as the task's dtype: tf.reduce_sum of int32 is int32
        call = call_text("reduce_sum", x)
        with ex.sessions() as runs:
            got = ex.reduce_sum(x)
        expect_close(got, want, call)
        _ran_a_session(runs, call, got)


@task(4)
def test_reduce_sum_axis(ex):
    for x, axis, want in [
        (np.ones((2, 3), np.int32), 0, [2, 2, 2]),
        (np.ones((2, 3), np.int32), 1, [3, 3]),
        (MATRIX, 0, [5, 7, 9]),
        (MATRIX, 1, [6, 15]),
    ]:
        other = np.sum(x, axis=1 - axis)
        expect_close(
            ex.reduce_sum(x, axis),
            np.asarray(want, np.int32),
            call_text("reduce_sum", x, axis),
            mistakes=[
                (
                    other,
                    f"that is the sum over axis {1 - axis}: axis {axis} is the one that disappears",
                )
            ],
        )

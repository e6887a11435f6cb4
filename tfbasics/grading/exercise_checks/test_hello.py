"""Exercise checks: hello (a constant in a graph, run in a session)."""

import numpy as np

from tfbasics.grading.replay import replay

from .expect import TaskFailure, call_text, expect_equal, show, task

EXERCISE = "hello"


@task(1)
def test_hello_world(ex):
    got = ex.run_constant("Hello World!")
    expect_equal(
        got,
        b"Hello World!",
        call_text("run_constant", "Hello World!"),
        "a session returns TensorFlow strings as bytes: b'Hello World!', not a str",
    )


@task(2)
def test_numbers(ex):
    for value, dtype in [
        (123, np.int32),
        ([123, 456, 789], np.int32),
        ([[123, 456, 789], [222, 333, 444]], np.int32),
        (2.5, np.float32),
    ]:
        call = call_text("run_constant", value)
        got = ex.run_constant(value)
        expect_equal(got, np.asarray(value, dtype) if np.ndim(value) else value, call)
        if np.asarray(got).dtype != dtype:
            raise TaskFailure(
                f"{call}\n  returned {show(got)} of dtype {np.asarray(got).dtype}\n"
                f"  expected dtype {np.dtype(dtype)}, what tf.constant makes of it"
            )


@task(3)
def test_uses_a_session(ex):
    with ex.sessions() as runs:
        got = ex.run_constant(7)
    if not runs:
        raise TaskFailure(
            "run_constant(7)\n  never called Session.run\n  expected the constant to "
            "be built in a tf.Graph and run with tf.compat.v1.Session(graph=g).run(...)"
        )
    # the graph it ran, run here: it must compute what run_constant returned
    values = replay(runs[-1], "run_constant(7): the graph it ran")
    expect_equal(
        values[0] if len(values) == 1 else values,
        got,
        "run_constant(7): its graph, run by the checker",
        "return what the session computed",
    )

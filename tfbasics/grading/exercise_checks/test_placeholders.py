"""Exercise checks: placeholders (a [None, 3] float32 placeholder fed through feed_dict)."""

import numpy as np

from .expect import TaskFailure, call_text, expect_close, expect_raises, session_spy, task

EXERCISE = "placeholders"


@task(1)
def test_book_example(ex):
    values = [[1, 2, 3], [4, 5, 6]]
    expect_close(
        ex.run_doubler(values),
        [[2, 4, 6], [8, 10, 12]],
        call_text("run_doubler", values),
        check_dtype=np.float32,
    )


@task(2)
def test_any_rows(ex):
    for values in ([[0.5, -1.0, 2.0]], np.arange(12, dtype=np.float32).reshape(4, 3)):
        expect_close(
            ex.run_doubler(values),
            2 * np.asarray(values, np.float64),
            call_text("run_doubler", values),
        )


@task(3)
def test_fed(ex):
    with session_spy() as runs:
        ex.run_doubler([[1, 2, 3]])
    if not any(feed for _, feed in runs):
        raise TaskFailure(
            "run_doubler([[1, 2, 3]])\n  ran no session with a feed_dict\n  expected "
            "sess.run(y, feed_dict={x: values}) with x a tf.compat.v1.placeholder"
        )


@task(4)
def test_bad_feed(ex):
    for values, why in [
        ([[1, 2]], "2 columns where the placeholder has 3"),
        ([1, 2, 3], "a rank-1 list where the placeholder has rank 2"),
        ([["a", "b", "c"]], "strings cannot be float32"),
    ]:
        expect_raises(
            ex.FeedError,
            ex.run_doubler,
            values,
            call=call_text("run_doubler", values),
            why=f"{why}: check the feed and raise FeedError with a one-line message",
        )

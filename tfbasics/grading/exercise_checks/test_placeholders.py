"""Exercise checks: placeholders (a [None, 3] float32 placeholder fed through feed_dict)."""

import numpy as np

from tfbasics.grading.replay import load_graph

from .expect import TaskFailure, call_text, expect_close, expect_raises, task

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
    with ex.sessions() as runs:
        ex.run_doubler([[1, 2, 3]])
    fed = [run for run in runs if _fed_placeholders(run)]
    if not fed:
        raise TaskFailure(
            "run_doubler([[1, 2, 3]])\n  ran no session with a feed_dict\n  expected "
            "sess.run(y, feed_dict={x: values}) with x a tf.compat.v1.placeholder"
        )


def _fed_placeholders(run):
    """True if the captured run fed a placeholder of its graph (read here from the GraphDef)."""
    if not run["feeds"]:
        return False
    graph = load_graph(run["graph_def"], "run_doubler([[1, 2, 3]]): the graph it ran")
    ops = {name.split(":")[0] for name in run["feeds"]}
    return any(
        graph.get_operation_by_name(op).type.startswith("Placeholder")
        for op in ops
        if op in {o.name for o in graph.get_operations()}
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

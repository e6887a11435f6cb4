"""Exercise checks: softmax (softmax, one-hot, cross-entropy by hand and with the fused op)."""

import math

import numpy as np

from .expect import call_text, expect_close, expect_raises, task

EXERCISE = "softmax"


def _softmax(z):  # the checks' own: independent of the code under test
    z = np.asarray(z, np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@task(1)
def test_softmax(ex):
    expect_close(
        ex.softmax([2.0, 1.0, 0.1]),
        [0.6590012, 0.2424330, 0.0985659],
        call_text("softmax", [2.0, 1.0, 0.1]),
        atol=1e-6,
    )
    batch = [[2.0, 1.0, 0.1], [0.0, 0.0, 0.0], [-1.0, 3.0, 0.5]]
    expect_close(
        ex.softmax(batch),
        _softmax(batch),
        call_text("softmax", batch) + "  # one distribution per row (last axis)",
    )


@task(2)
def test_softmax_stable(ex):
    for logits in ([1000.0, 0.0], [1000.0, 1001.0, 1002.0], [-1000.0, -1001.0]):
        with np.errstate(all="ignore"):
            got = ex.softmax(logits)
        expect_close(got, _softmax(logits), call_text("softmax", logits))


@task(3)
def test_one_hot(ex):
    expect_close(ex.one_hot(4), np.eye(10)[4], call_text("one_hot", 4), check_dtype=np.float32)
    expect_close(
        ex.one_hot([0, 2], num_classes=3),
        [[1, 0, 0], [0, 0, 1]],
        call_text("one_hot", [0, 2], num_classes=3),
        check_dtype=np.float32,
    )
    for labels in (10, [1, -1]):
        expect_raises(
            ValueError,
            ex.one_hot,
            labels,
            call=call_text("one_hot", labels),
            why="labels must be integers in [0, num_classes)",
        )


@task(4)
def test_cross_entropy(ex):
    expect_close(
        ex.cross_entropy([0.1, 0.5, 0.4], [0.0, 1.0, 0.0]),
        -math.log(0.5),
        call_text("cross_entropy", [0.1, 0.5, 0.4], [0.0, 1.0, 0.0]) + "  # the book's: -ln 0.5",
    )
    p, y = [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]
    with np.errstate(all="ignore"):
        got = ex.cross_entropy(p, y)
    expect_close(
        got,
        math.log(2.0),
        call_text("cross_entropy", p, y) + "  # a class of probability 0 and label 0: 0 log 0 = 0",
    )
    p, y = [[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]], [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    expect_close(
        ex.cross_entropy(p, y),
        [-math.log(0.7), -math.log(0.5)],
        call_text("cross_entropy", p, y) + "  # one loss per row",
    )


@task(5)
def test_fused(ex):
    logits, labels = [2.0, 1.0, 0.1], [1.0, 0.0, 0.0]
    expect_close(
        ex.fused_cross_entropy(logits, labels),
        -math.log(0.6590012),
        call_text("fused_cross_entropy", logits, labels),
        atol=1e-5,
    )
    logits, labels = [[1000.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]
    got = ex.fused_cross_entropy(logits, labels)
    expect_close(
        got,
        [1000.0, math.log(2.0)],
        call_text("fused_cross_entropy", logits, labels)
        + "  # large logits: the fused op stays finite",
        atol=1e-3,
    )

"""Section 3: basic math in a graph: add, subtract, multiply, divide and reduce_sum over axes.

``build_basic_math()`` holds the book's examples in one graph; the small functions below run one
op in a graph and session of its own, the way the book's snippets do.
"""

from __future__ import annotations  # NamedTuple fields name tf types; no TF import for that

from typing import NamedTuple

import numpy as np

from tfbasics._tf import tf

ONES_2X3 = np.ones((2, 3), dtype=np.int32)  # the book's x for reduce_sum over axes


class MathGraph(NamedTuple):
    graph: tf.Graph
    add: tf.Tensor  # int32 [], add(1, 2) = 3
    subtract: tf.Tensor  # int32 [], subtract(1, 2) = -1
    multiply: tf.Tensor  # int32 [], multiply(2, 5) = 10
    divide: tf.Tensor  # float64 [], divide(10, 4) = 2.5 (true division of ints)
    sum_all: tf.Tensor  # int32 [], reduce_sum([1, 2, 3]) = 6
    sum_axis0: tf.Tensor  # int32 [3], reduce_sum(ones(2, 3), 0) = [2, 2, 2]
    sum_axis1: tf.Tensor  # int32 [2], reduce_sum(ones(2, 3), 1) = [3, 3]


def build_basic_math():
    """The book's arithmetic and reduce_sum examples, named as in the text.

    Returns:
      MathGraph; run its tensors in a ``tf.compat.v1.Session(graph=...)``.
    """
    g = tf.Graph()
    with g.as_default():
        with tf.name_scope("arithmetic"):
            add = tf.add(1, 2, name="add")
            subtract = tf.subtract(1, 2, name="subtract")
            multiply = tf.multiply(2, 5, name="multiply")
            divide = tf.divide(10, 4, name="divide")  # ints -> float64; tf.math.floordiv gives 2
        with tf.name_scope("reduce_sum"):
            sum_all = tf.reduce_sum([1, 2, 3], name="sum_all")
            x = tf.constant(ONES_2X3, name="x")
            sum_axis0 = tf.reduce_sum(x, 0, name="sum_axis0")  # down the columns
            sum_axis1 = tf.reduce_sum(x, 1, name="sum_axis1")  # along each row
    return MathGraph(g, add, subtract, multiply, divide, sum_all, sum_axis0, sum_axis1)


def run_basic_math(m=None):
    """Run every tensor of ``build_basic_math()`` in one session.

    Args:
      m: a MathGraph to run, or None to build one.
    Returns:
      dict from field name ('add', ..., 'sum_axis1') to its NumPy value.
    """
    m = m or build_basic_math()
    fields = [f for f in MathGraph._fields if f != "graph"]
    with tf.compat.v1.Session(graph=m.graph) as sess:
        values = sess.run([getattr(m, f) for f in fields])
    return dict(zip(fields, values))


def _run_binary(op, a, b):
    g = tf.Graph()
    with g.as_default():
        result = op(a, b)
    with tf.compat.v1.Session(graph=g) as sess:
        return sess.run(result)


def add(a, b):
    """``tf.add(a, b)`` run in a session. Args: numbers or arrays. Returns: NumPy value."""
    return _run_binary(tf.add, a, b)


def subtract(a, b):
    """``tf.subtract(a, b)`` run in a session. Args: numbers or arrays. Returns: NumPy value."""
    return _run_binary(tf.subtract, a, b)


def multiply(a, b):
    """``tf.multiply(a, b)`` run in a session. Args: numbers or arrays. Returns: NumPy value."""
    return _run_binary(tf.multiply, a, b)


def divide(a, b):
    """``tf.divide(a, b)`` run in a session: true division, so divide(10, 4) = 2.5.

    Args: numbers or arrays. Returns: NumPy float value.
    """
    return _run_binary(tf.divide, a, b)


def reduce_sum(x, axis=None):
    """``tf.reduce_sum(x, axis)`` run in a session.

    Args:
      x: number array of any rank (list or NumPy).
      axis: int or None; None sums everything, 0 sums down the columns of a matrix, 1 along rows.
    Returns:
      NumPy array (or scalar) with ``axis`` removed: reduce_sum(ones(2, 3), 0) = [2, 2, 2].
    """
    return _run_binary(lambda t, a: tf.reduce_sum(t, a), x, axis)

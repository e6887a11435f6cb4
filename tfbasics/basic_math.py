"""Section 3: basic math in a graph: add, subtract, multiply, divide and reduce_sum over axes.

The lesson (chapters/ch01_03_basic_math.py) builds the book's examples in one graph; the small
functions here run one op in a graph and session of its own, the way the book's snippets do (the
reference of exercise 3).
"""

import numpy as np

from tfbasics._tf import tf

ONES_2X3 = np.ones((2, 3), dtype=np.int32)  # the book's x for reduce_sum over axes


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

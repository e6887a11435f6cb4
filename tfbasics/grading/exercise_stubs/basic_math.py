"""Exercise 3, basic_math: add, subtract, multiply, divide and reduce_sum over an axis.

Chapter 1, "Basic math with TensorFlow". Each function builds one op in a graph of its own and
runs it in a ``tf.compat.v1.Session``, the way the book's snippets do: add(1, 2) = 3,
subtract(1, 2) = -1, multiply(2, 5) = 10, divide(10, 4) = 2.5; for x = ones(2, 3),
reduce_sum(x) = 6, reduce_sum(x, 0) = [2, 2, 2] and reduce_sum(x, 1) = [3, 3].

Tasks:
  1. ``add``, ``subtract``, ``multiply``, each run in a session
  2. ``divide`` (true division)
  3. ``reduce_sum(x)`` over everything
  4. ``reduce_sum(x, axis)``

Check your work with ``tfbasics check basic_math``; a hint: ``tfbasics check basic_math --hints``.
"""

from tfbasics._tf import tf  # TensorFlow, imported without its start-up noise


def add(a, b):
    """``tf.add(a, b)`` run in a session. Args: numbers or arrays. Returns: NumPy value."""
    # TODO task 1
    raise NotImplementedError


def subtract(a, b):
    """``tf.subtract(a, b)`` run in a session. Args: numbers or arrays. Returns: NumPy value."""
    # TODO task 1
    raise NotImplementedError


def multiply(a, b):
    """``tf.multiply(a, b)`` run in a session. Args: numbers or arrays. Returns: NumPy value."""
    # TODO task 1
    raise NotImplementedError


def divide(a, b):
    """``tf.divide(a, b)`` run in a session: true division, so divide(10, 4) = 2.5.

    Args: numbers or arrays. Returns: NumPy float value.
    """
    # TODO task 2
    raise NotImplementedError


def reduce_sum(x, axis=None):
    """``tf.reduce_sum(x, axis)`` run in a session.

    Args:
      x: number array of any rank (list or NumPy).
      axis: int or None; None sums everything, 0 sums down the columns of a matrix, 1 along rows.
    Returns:
      NumPy array (or scalar) with ``axis`` removed: reduce_sum(ones(2, 3), 0) = [2, 2, 2].
    """
    # TODO tasks 3 and 4
    raise NotImplementedError

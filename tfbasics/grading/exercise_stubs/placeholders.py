"""Exercise 4, placeholders: a graph input given its value at run time through feed_dict.

Chapter 1, "TensorFlow basics". A placeholder is a graph input with a dtype and a (partly) known
shape; ``sess.run(y, feed_dict={x: values})`` gives it a value. With shape [None, 3] any number of
rows of 3 floats can be fed; the book doubles them: [[1, 2, 3], [4, 5, 6]] -> [[2, 4, 6], [8, 10, 12]].

Tasks:
  1. ``run_doubler([[1, 2, 3], [4, 5, 6]])`` = [[2, 4, 6], [8, 10, 12]] as float32
  2. any number of rows
  3. the values go in through ``feed_dict`` to a placeholder
  4. a feed of the wrong shape or type raises ``FeedError`` (one clear line, no TensorFlow trace)

Check your work with ``tfbasics check placeholders``; a hint: ``tfbasics check placeholders --hints``.
"""

import numpy as np

from tfbasics._tf import tf  # TensorFlow, imported without its start-up noise


class FeedError(ValueError):
    """A value fed to a placeholder that does not fit its dtype or shape."""


def run_doubler(values):
    """Feed ``values`` to the [None, 3] float32 placeholder and return ``x * 2``.

    Args:
      values: float array-like of shape [N, 3], e.g. [[1, 2, 3], [4, 5, 6]].
    Returns:
      float32 NumPy array [N, 3], e.g. [[2, 4, 6], [8, 10, 12]].
    Raises:
      FeedError: if ``values`` is not numeric or not of shape [N, 3].
    """
    # TODO tasks 1-3: placeholder x (float32, [None, 3]) in a graph of its own, y = x * 2, feed_dict
    # TODO task 4: check the values before feeding them, raise FeedError when they do not fit
    raise NotImplementedError

"""Section 4: placeholders and feed_dict, and what a bad feed does.

A placeholder is a graph input with a dtype and a (partly) known shape; a value is given for it at
``sess.run`` time through ``feed_dict``. ``checked_feed_dict()`` checks a feed before TensorFlow
sees it, so a bad value is one readable ``FeedError`` naming the placeholder, not a stack trace.
"""

import numpy as np

from tfbasics._tf import tf

N_FEATURES = 5  # the book's truncated_normal example: 5 features ...
N_LABELS = 2  # ... and 2 labels


class FeedError(ValueError):
    """A value fed to a placeholder that does not fit its dtype or shape."""


def checked_feed_dict(feed_dict):
    """Check and convert every value of a feed_dict against its placeholder.

    Args:
      feed_dict: dict from placeholder tensor to value (list, NumPy array, scalar or str).
    Returns:
      a new dict with NumPy values of the placeholders' dtypes.
    Raises:
      FeedError: one line naming the placeholder, its dtype and shape, and what was given.
    """
    checked = {}
    for placeholder, value in feed_dict.items():
        name = placeholder.op.name
        expected = f"{placeholder.dtype.name} {placeholder.shape}"
        try:
            array = np.asarray(value, dtype=placeholder.dtype.as_numpy_dtype)
        except (TypeError, ValueError):
            raise FeedError(
                f"placeholder '{name}' expects {expected}; "
                f"got {value!r}, which cannot be cast to {placeholder.dtype.name}"
            ) from None
        if not placeholder.shape.is_compatible_with(array.shape):
            raise FeedError(
                f"placeholder '{name}' expects {expected}; got {value!r} of shape {array.shape}"
            ) from None
        checked[placeholder] = array
    return checked


def run_feed(sess, fetches, feed_dict):
    """``sess.run(fetches, feed_dict)`` with the feed checked first (see checked_feed_dict).

    Args:
      sess: tf.compat.v1.Session; fetches: what to run; feed_dict: placeholder -> value.
    Returns:
      what ``sess.run`` returns.
    Raises:
      FeedError: for a value that does not fit its placeholder.
    """
    return sess.run(fetches, feed_dict=checked_feed_dict(feed_dict))


def run_doubler(values):
    """Feed ``values`` to the [None, 3] float32 placeholder and return ``x * 2``.

    Args:
      values: float array-like of shape [N, 3], e.g. [[1, 2, 3], [4, 5, 6]].
    Returns:
      float32 NumPy array [N, 3], e.g. [[2, 4, 6], [8, 10, 12]].
    Raises:
      FeedError: if ``values`` is not numeric or not of shape [N, 3].
    """
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3], name="x")  # any number of rows
        y = tf.multiply(x, 2.0, name="y")
    with tf.compat.v1.Session(graph=g) as sess:
        return run_feed(sess, y, {x: values})

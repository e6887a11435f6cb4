"""Section 4: placeholders and feed_dict, what a bad feed does, and truncated_normal weights.

A placeholder is a graph input with a dtype and a (partly) known shape; a value is given for it at
``sess.run`` time through ``feed_dict``. ``checked_feed_dict()`` checks a feed before TensorFlow
sees it, so a bad value is one readable ``FeedError`` naming the placeholder, not a stack trace.
"""

from __future__ import annotations  # NamedTuple fields name tf types; no TF import for that

from typing import NamedTuple

import numpy as np

from tfbasics._tf import tf

N_FEATURES = 5  # the book's truncated_normal example: 5 features ...
N_LABELS = 2  # ... and 2 labels


class FeedError(ValueError):
    """A value fed to a placeholder that does not fit its dtype or shape."""


class FeedGraph(NamedTuple):
    graph: tf.Graph
    x: tf.Tensor  # string placeholder (the book's first feed: 'Hello World')
    s: tf.Tensor  # string placeholder, 'Welcome to CNN'
    i: tf.Tensor  # int32 placeholder, 123
    f: tf.Tensor  # float32 placeholder, 123.45


def build_feeds():
    """The book's placeholders: one string ``x``, and a string, an int32 and a float32 fed together.

    Returns:
      FeedGraph of four scalar placeholders named ``x``, ``s``, ``i``, ``f``.
    """
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.string, name="x")
        s = tf.compat.v1.placeholder(tf.string, name="s")
        i = tf.compat.v1.placeholder(tf.int32, name="i")
        f = tf.compat.v1.placeholder(tf.float32, name="f")
    return FeedGraph(g, x, s, i, f)


class DoublerGraph(NamedTuple):
    graph: tf.Graph
    x: tf.Tensor  # float32 [None, 3] placeholder
    y: tf.Tensor  # float32 [None, 3], x * 2


def build_doubler():
    """A float32 placeholder of shape [None, 3] (any number of rows) times 2.

    Returns:
      DoublerGraph with placeholder ``x`` and output ``y``.
    """
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3], name="x")
        y = tf.multiply(x, 2.0, name="y")
    return DoublerGraph(g, x, y)


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
    d = build_doubler()
    with tf.compat.v1.Session(graph=d.graph) as sess:
        return run_feed(sess, d.y, {d.x: values})


class WeightsGraph(NamedTuple):
    graph: tf.Graph
    weights: tf.Variable  # float32 [n_features, n_labels]
    init: tf.Operation


def build_truncated_normal_weights(n_features=N_FEATURES, n_labels=N_LABELS, seed=None):
    """The book's weight init: ``tf.Variable(truncated_normal((n_features, n_labels)))``.

    Truncated normal draws from N(0, 1) and redraws anything beyond two standard deviations, so
    no initial weight is extreme.

    Args:
      n_features, n_labels: int, the shape; seed: int or None (graph-level seed).
    Returns:
      WeightsGraph with the Variable ``weights`` and its initializer.
    """
    g = tf.Graph()
    with g.as_default():
        if seed is not None:
            tf.compat.v1.set_random_seed(seed)  # graph-level: only this graph is affected
        # the book's tf.truncated_normal is tf.random.truncated_normal now
        weights = tf.Variable(tf.random.truncated_normal((n_features, n_labels)), name="weights")
        init = tf.compat.v1.global_variables_initializer()
    return WeightsGraph(g, weights, init)


def truncated_normal_weights(n_features=N_FEATURES, n_labels=N_LABELS, seed=None, w=None):
    """Initialise and return the book's truncated-normal weights.

    Args:
      n_features, n_labels: int; seed: int or None (ignored when ``w`` is given).
      w: a WeightsGraph to run, or None to build one.
    Returns:
      float32 NumPy array [n_features, n_labels], every value in [-2, 2].
    """
    w = w or build_truncated_normal_weights(n_features, n_labels, seed)
    with tf.compat.v1.Session(graph=w.graph) as sess:
        sess.run(w.init)
        return sess.run(w.weights)

"""Section 5: softmax, one-hot labels and cross-entropy, by hand and with TensorFlow's fused op.

NumPy functions (``softmax``, ``one_hot``, ``cross_entropy``) say what the maths is;
``fused_cross_entropy`` runs TensorFlow's fused ``tf.nn.softmax_cross_entropy_with_logits``, the
one to train with: it never takes the log of a probability that has underflowed to 0, and never
exponentiates a large logit. The lesson (chapters/ch01_05_softmax_cross_entropy.py) builds the
book's graphs beside them. These functions are the reference of exercise 5.
"""

import numpy as np

from tfbasics._tf import tf
from tfbasics.constants import NUM_CLASSES

BOOK_LOGITS = [2.0, 1.0, 0.1]  # softmax -> [0.6590, 0.2424, 0.0986]
BOOK_SOFTMAX = [0.1, 0.5, 0.4]  # a prediction ...
BOOK_ONEHOT = [0.0, 1.0, 0.0]  # ... and its label: cross-entropy -ln 0.5 = 0.6931
UNSTABLE_LOGITS = [1000.0, 0.0]  # exp(1000) overflows float32 and float64
KERAS_EPSILON = 1e-7  # what Keras clips probabilities to before a log


def softmax(logits):
    """Softmax along the last axis: exp(logits) scaled so that each row sums to 1.

    Finite for any finite logits, however large: softmax([1000.0, 0.0]) = [1.0, 0.0], where the
    book's ``np.exp(x) / np.sum(np.exp(x))`` gives nan.

    Args:
      logits: float array-like [..., K].
    Returns:
      float64 array [..., K] of probabilities summing to 1 along the last axis.
    """
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # e^-max cancels in the ratio; exponents <= 0
    return e / e.sum(axis=-1, keepdims=True)


def softmax_naive(logits):
    """The book's softmax, ``exp(x) / sum(exp(x))``, with no max-subtraction.

    Args:
      logits: float array-like [K].
    Returns:
      float64 array [K]; NaN as soon as a logit is large enough for exp() to overflow (~710).
    """
    z = np.asarray(logits, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes=NUM_CLASSES):
    """One-hot encode integer class labels: 4 -> [0, 0, 0, 0, 1, 0, 0, 0, 0, 0].

    Args:
      labels: int or int array-like [N], each in [0, num_classes).
      num_classes: int, the number of classes K.
    Returns:
      float32 array [N, K] (or [K] for a single int) with one 1.0 per row.
    Raises:
      ValueError: for a label that is not an integer in [0, num_classes).
    """
    y = np.asarray(labels)
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"one_hot needs integer labels in [0, {num_classes}), got {labels!r}")
    return np.eye(num_classes, dtype=np.float32)[y]


def cross_entropy(softmax, one_hot):
    """Cross-entropy by hand, the book's ``-sum(one_hot * log(softmax))`` along the last axis.

    Args:
      softmax: float array-like [..., K], predicted probabilities.
      one_hot: float array-like [..., K], the true distribution (a one-hot label).
    Returns:
      float64 array [...] (a float for 1-D input). inf where a class with label weight > 0 has
      probability 0 (log 0 = -inf); a term with label weight 0 counts 0, as in the definition.
    """
    s = np.asarray(softmax, dtype=np.float64)
    y = np.asarray(one_hot, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf, and 0 * -inf = NaN
        terms = np.where(y > 0, y * np.log(s), 0.0)  # ... which np.where replaces: 0 log 0 = 0
    result = -terms.sum(axis=-1)
    return float(result) if result.ndim == 0 else result


def fused_cross_entropy(logits, labels):
    """``tf.nn.softmax_cross_entropy_with_logits`` run in a session.

    Args:
      logits: float array-like [..., K], unnormalised scores.
      labels: float array-like [..., K], one-hot (or any distribution).
    Returns:
      float32 NumPy array [...]: -sum(labels * log_softmax(logits)), finite for any finite logits.
    """
    g = tf.Graph()
    with g.as_default():
        loss = tf.nn.softmax_cross_entropy_with_logits(
            labels=tf.constant(labels, tf.float32), logits=tf.constant(logits, tf.float32)
        )
    with tf.compat.v1.Session(graph=g) as sess:
        return sess.run(loss)

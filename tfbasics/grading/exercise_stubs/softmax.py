"""Exercise 5, softmax: softmax, one-hot labels and cross-entropy, by hand and with the fused op.

Chapter 1, "Softmax in TensorFlow". softmax([2.0, 1.0, 0.1]) = [0.6590, 0.2424, 0.0986]; the
cross-entropy of the prediction [0.1, 0.5, 0.4] against the one-hot label [0, 1, 0] is
-ln 0.5 = 0.6931. TensorFlow's fused ``tf.nn.softmax_cross_entropy_with_logits`` computes the
same from the logits without ever taking the log of 0.

Tasks:
  1. ``softmax(logits)``, along the last axis
  2. ``softmax`` stays finite for large logits
  3. ``one_hot(labels, num_classes)``
  4. ``cross_entropy(softmax, one_hot)``
  5. ``fused_cross_entropy(logits, labels)`` with TensorFlow's fused op, run in a session

Check your work with ``tfbasics check softmax``; a hint: ``tfbasics check softmax --hints``.
"""

import numpy as np

from tfbasics._tf import tf  # TensorFlow, imported without its start-up noise (task 5)

NUM_CLASSES = 10  # digits 0-9


def softmax(logits):
    """Softmax along the last axis: exp(logits) scaled so that each row sums to 1.

    Finite for any finite logits, however large: softmax([1000.0, 0.0]) = [1.0, 0.0], where the
    book's ``np.exp(x) / np.sum(np.exp(x))`` gives nan.

    Args:
      logits: float array-like [..., K].
    Returns:
      float64 array [..., K] of probabilities summing to 1 along the last axis.
    """
    # TODO tasks 1 and 2
    raise NotImplementedError


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
    # TODO task 3
    raise NotImplementedError


def cross_entropy(softmax, one_hot):
    """Cross-entropy by hand, the book's ``-sum(one_hot * log(softmax))`` along the last axis.

    Args:
      softmax: float array-like [..., K], predicted probabilities.
      one_hot: float array-like [..., K], the true distribution (a one-hot label).
    Returns:
      float64 array [...] (a float for 1-D input). inf where a class with label weight > 0 has
      probability 0 (log 0 = -inf); a term with label weight 0 counts 0, as in the definition.
    """
    # TODO task 4
    raise NotImplementedError


def fused_cross_entropy(logits, labels):
    """``tf.nn.softmax_cross_entropy_with_logits`` run in a session.

    Args:
      logits: float array-like [..., K], unnormalised scores.
      labels: float array-like [..., K], one-hot (or any distribution).
    Returns:
      float32 NumPy array [...]: -sum(labels * log_softmax(logits)), finite for any finite logits.
    """
    # TODO task 5
    raise NotImplementedError

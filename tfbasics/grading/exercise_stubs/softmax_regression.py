"""Exercise 7, softmax_regression: the book's single-layer network as a tf.compat.v1 graph.

Chapter 1, "The simplest artificial neural network" / "Building a single-layer neural network with
TensorFlow". The model is split as TensorFlow's own MNIST tutorial splits it:

- ``inference(features)``  -> logits ``features @ weights + biases`` and ``prediction = softmax``
- ``loss(logits, labels)`` -> the mean cross-entropy: the one that is minimised *and* printed
- ``training(loss, lr)``   -> the ``GradientDescentOptimizer`` train op
- ``evaluation(...)``      -> accuracy, mean(argmax(prediction) == argmax(labels))

Each function adds ops to the graph that is current when it is called (the caller makes it with
``g = tf.Graph(); with g.as_default(): ...``); nothing runs until a session runs it.

Tasks:
  1. ``inference``
  2. ``loss``, stable and the book's
  3. ``training``
  4. ``evaluation``

Check your work with ``tfbasics check softmax_regression``; a hint:
``tfbasics check softmax_regression --hints``.
"""

from tfbasics._tf import tf  # TensorFlow, imported without its start-up noise

v1 = tf.compat.v1

IMAGE_SIZE = 28  # MNIST digits are 28x28 pixels
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE  # 784 features, the book's flattened image
NUM_CLASSES = 10  # digits 0-9
INIT_STDDEV = {"zeros": 0.0, "small": 0.01, "book": 1.0}  # stddev of truncated_normal weights


def inference(features, init="zeros", seed=None):
    """The book's single layer: ``logits = features @ weights + biases``, ``prediction = softmax``.

    Variables are made with ``get_variable`` under variable scope ``inference`` (AUTO_REUSE), so
    calling it again (the in-graph pipeline does, in its training loop) shares them.

    Args:
      features: float32 [batch, IMAGE_PIXELS].
      init: key of INIT_STDDEV; ``zeros`` or a truncated normal of that stddev (the book: 1.0).
      seed: int or None, op seed of the initial weights.
    Returns:
      (logits float32 [batch, NUM_CLASSES], prediction float32 [batch, NUM_CLASSES],
       weights variable [IMAGE_PIXELS, NUM_CLASSES], biases variable [NUM_CLASSES]).
    """
    # TODO task 1: get_variable weights and biases in variable_scope('inference', reuse=AUTO_REUSE)
    raise NotImplementedError


def loss(logits, labels, kind="stable", prediction=None):
    """Mean cross-entropy of a batch.

    Args:
      logits: float32 [batch, NUM_CLASSES]; labels: float32 one-hot [batch, NUM_CLASSES].
      kind: ``stable``: the fused ``softmax_cross_entropy_with_logits`` (finite for any logits);
        ``book``: ``-reduce_sum(labels * log(prediction), 1)``, NaN/inf once a probability
        underflows to 0.
      prediction: float32 [batch, NUM_CLASSES], softmax(logits); needed for ``book``.
    Returns:
      float32 scalar ``loss``.
    """
    # TODO task 2
    raise NotImplementedError


def training(loss_op, learning_rate, global_step):
    """One plain SGD step on all trainable variables: ``v -= learning_rate * d loss / d v``.

    Args:
      loss_op: float32 scalar; learning_rate: float; global_step: int64 variable, incremented.
    Returns:
      the train op.
    """
    # TODO task 3
    raise NotImplementedError


def evaluation(prediction, labels):
    """Fraction of examples whose most probable class is the labelled one.

    Args:
      prediction: float32 [batch, NUM_CLASSES]; labels: float32 one-hot [batch, NUM_CLASSES].
    Returns:
      float32 scalar ``accuracy`` in [0, 1].
    """
    # TODO task 4
    raise NotImplementedError

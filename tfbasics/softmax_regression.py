"""Single-layer softmax regression on MNIST: the book's model, split as TensorFlow's r1.15
``examples/tutorials/mnist/mnist.py`` splits it:

- ``inference(features)``  -> logits ``features @ weights + biases`` and ``prediction = softmax``
- ``loss(logits, labels)`` -> the mean cross-entropy: the one that is minimised *and* printed
- ``training(loss, lr)``   -> the ``GradientDescentOptimizer`` train op
- ``evaluation(...)``      -> accuracy, mean(argmax(prediction) == argmax(labels))
- ``evaluate(sess, ...)``  -> those numbers on the validation set and a training sample

Each function adds ops to the graph that is current when it is called; the caller builds the
graph (``chapters/ch01_07_single_layer_mnist.py`` does, in plain sight) and runs it. ``Config``
holds one run's hyperparameters. The batch stream is in ``tfbasics.data.batches``, the in-graph
input pipeline in ``tfbasics.in_graph``, the run machinery (flags, run folder, checkpoints,
resume, TensorBoard logging) in ``tfbasics.runs``.
"""

import dataclasses
import math

from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES

INIT_STDDEV = {"zeros": 0.0, "small": 0.01, "book": 1.0}  # stddev of truncated_normal weights
LOSSES = ("stable", "book")
INPUTS = ("feed_dict", "in_graph")  # the book's loop first: it is the default
STEPS_PER_RUN = 13  # in_graph: SGD steps per session.run (its while_loop's iterations)
TRAIN_SAMPLE = 5000  # training examples measured each epoch (all 55,000 took 0.2-0.7 s here)


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
    stddev = INIT_STDDEV[init]
    w_init = (
        tf.compat.v1.truncated_normal_initializer(stddev=stddev, seed=seed)
        if stddev
        else tf.compat.v1.zeros_initializer()
    )
    with tf.compat.v1.variable_scope("inference", reuse=tf.compat.v1.AUTO_REUSE):
        weights = tf.compat.v1.get_variable(
            "weights", [IMAGE_PIXELS, NUM_CLASSES], tf.float32, w_init
        )
        biases = tf.compat.v1.get_variable(
            "biases", [NUM_CLASSES], tf.float32, tf.compat.v1.zeros_initializer()
        )
        logits = tf.add(tf.matmul(features, weights), biases, name="logits")
        prediction = tf.nn.softmax(logits, name="prediction")
    return logits, prediction, weights, biases


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
    with tf.name_scope("loss"):
        if kind == "book":
            # the book's formula: log(softmax) is -inf once a probability underflows to 0
            cross_entropy = -tf.reduce_sum(
                labels * tf.math.log(prediction), axis=1, name="cross_entropy"
            )
        else:
            cross_entropy = tf.nn.softmax_cross_entropy_with_logits(
                labels=labels, logits=logits, name="cross_entropy"
            )
        # the book's notebook redefines `loss` after minimize(): its printed cost is not the
        # objective; here the printed loss is the minimised one
        return tf.reduce_mean(cross_entropy, name="loss")


def training(loss_op, learning_rate, global_step):
    """One plain SGD step on all trainable variables: ``v -= learning_rate * d loss / d v``.

    Args:
      loss_op: float32 scalar; learning_rate: float; global_step: int64 variable, incremented.
    Returns:
      the train op.
    """
    with tf.name_scope("train"):
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate)
        return optimizer.minimize(loss_op, global_step=global_step, name="train_op")


def evaluation(prediction, labels):
    """Fraction of examples whose most probable class is the labelled one.

    Args:
      prediction: float32 [batch, NUM_CLASSES]; labels: float32 one-hot [batch, NUM_CLASSES].
    Returns:
      float32 scalar ``accuracy`` in [0, 1].
    """
    with tf.name_scope("accuracy"):
        is_correct = tf.equal(
            tf.argmax(prediction, 1), tf.argmax(labels, 1), name="is_correct_prediction"
        )
        return tf.reduce_mean(tf.cast(is_correct, tf.float32), name="accuracy")


def evaluate(sess, fetches, features, labels, data):
    """``fetches`` on the validation set, then on the first TRAIN_SAMPLE training examples.

    Args:
      sess: the Session; fetches: list of scalar tensors (``[accuracy, loss]``);
      features, labels: the placeholders; data: mnist.read_data_sets(one_hot=True).
    Returns:
      a flat list of floats: the validation values, then the training sample's.
    """
    sample = slice(0, TRAIN_SAMPLE)
    splits = (
        (data.validation.images, data.validation.labels),
        (data.train.images[sample], data.train.labels[sample]),
    )
    return [
        value for x, y in splits for value in sess.run(fetches, feed_dict={features: x, labels: y})
    ]


# ------------------------------------------------------- hyperparameters and the NaN guard
@dataclasses.dataclass(frozen=True)
class Config:
    """Hyperparameters of one run; the defaults are the book's (but for ``init``/``loss``).

    Attributes:
      learning_rate: float, plain SGD step size (book: 0.5).
      batch_size: int, examples per step (book: 128).
      epochs: int, epochs of ``num_examples // batch_size`` steps (book: 10, 429 steps each).
      init: one of INIT_STDDEV: ``zeros`` (default), ``small`` (stddev 0.01) or ``book`` (1.0).
      loss: ``stable`` (fused softmax_cross_entropy_with_logits) or ``book`` (-sum y log p).
      input: ``feed_dict`` (the book's loop, default) or ``in_graph``.
      seed: int, seeds the initial weights and the batch order.
      steps_per_run: int, SGD steps per session.run in the in-graph pipeline.
    """

    learning_rate: float = 0.5
    batch_size: int = 128
    epochs: int = 10
    init: str = "zeros"
    loss: str = "stable"
    input: str = "feed_dict"
    seed: int = 0
    steps_per_run: int = STEPS_PER_RUN

    def check(self):
        """Raise ValueError with one clear line if a value is out of range; return self."""
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"learning rate must be a positive number, got {self.learning_rate}")
        for name in ("batch_size", "epochs", "steps_per_run"):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"{name.replace('_', ' ')} must be at least 1, got {getattr(self, name)}"
                )
        for name, allowed in (("init", tuple(INIT_STDDEV)), ("loss", LOSSES), ("input", INPUTS)):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}"
                )
        return self


class DivergedError(ArithmeticError):
    """The training loss became NaN or infinite; the message says at which step and why."""


def check_finite(value, step, config):
    """Raise DivergedError at the first NaN/inf loss, saying why (stop at once: no NaN epochs).

    Args:
      value: float, the loss of SGD step ``step`` (1-based); config: Config.
    """
    if math.isfinite(value):
        return
    why = f"the loss became {value} at step {step}"
    if config.loss == "book":
        raise DivergedError(
            f"{why}: --loss book takes log(softmax(logits)), and a probability that "
            "underflowed to 0 gives log(0) = -inf; use --loss stable (the fused "
            "softmax_cross_entropy_with_logits), or a smaller --init"
        )
    raise DivergedError(
        f"{why}: the weights diverged; lower --learning-rate (now {config.learning_rate}) "
        f"or use a smaller --init (now {config.init})"
    )

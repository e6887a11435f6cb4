"""A single-layer softmax classifier on MNIST in TensorFlow 2: tf.Variable, GradientTape, tf.data.

The TensorFlow 2 twin of ch01_07_single_layer_mnist.py: the same model (zero initial weights), the
same plain SGD (learning rate 0.5, batch 128, 10 epochs) on the same batches, so it prints the same
``Epoch: N cost = X.XXX`` lines. Writes under ``logs/ch01_07_single_layer_mnist_tf2/<run name>/``:
TensorBoard scalars (``train/`` loss per step, ``validation/`` loss and accuracy per epoch), the
graph of ``train_step`` as ``tf.function`` traced it, and a checkpoint per epoch (``--resume``
continues from the last one).
"""

import functools
import sys
from pathlib import Path

import numpy as np

from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES
from tfbasics.data.batches import batch_indices  # the TF1 script's batch order
from tfbasics.runs import training_run
from tfbasics.runs.folders import progress
from tfbasics.runs.run_records import CheckpointError
from tfbasics.runs.script_errors import script_main

SCRIPT = Path(__file__).stem + "_tf2"  # logs/ch01_07_single_layer_mnist_tf2/<run>/
CHECKPOINTS = "checkpoints"  # the run folder's tf.train.CheckpointManager folder


def batch_signature():
    """TF1: features = placeholder(float32, [None, 784]); labels = placeholder(float32,
    [None, 10]). TF2: the same dtype and shape are the input_signature of the functions that
    take a batch (a function, so that importing this script imports no TensorFlow)."""
    return [
        tf.TensorSpec([None, IMAGE_PIXELS], tf.float32, name="features"),
        tf.TensorSpec([None, NUM_CLASSES], tf.float32, name="labels"),
    ]


class SoftmaxRegression:
    """The book's single layer, ``logits = x @ W + b``, on two tf.Variables.

    TF2 code would subclass tf.Module to track the variables; a plain class keeps ``--help``
    free of TensorFlow (tf.Module is read when the class is defined), and the checkpoint names
    ``W`` and ``b`` itself (``run_training``).

    Args:
      W: float32 [IMAGE_PIXELS, NUM_CLASSES] initial weights, or None for zeros.
      b: float32 [NUM_CLASSES] initial biases, or None for zeros.
    """

    def __init__(self, W=None, b=None):
        # TF1: the value appears when sess.run(global_variables_initializer()) runs; TF2: now
        self.W = tf.Variable(
            tf.zeros([IMAGE_PIXELS, NUM_CLASSES]) if W is None else W, name="weights"
        )
        self.b = tf.Variable(tf.zeros([NUM_CLASSES]) if b is None else b, name="biases")

    def __call__(self, features):
        """features float32 [batch, IMAGE_PIXELS] -> logits float32 [batch, NUM_CLASSES]."""
        return tf.add(tf.matmul(features, self.W), self.b, name="logits")


def loss(logits, labels):
    """Mean cross-entropy of a batch (the fused op: the book's -sum(y log p) turns NaN)."""
    cross_entropy = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return tf.reduce_mean(cross_entropy, name="loss")


def accuracy(logits, labels):
    """Fraction of the batch whose most probable class is the labelled one (float32 scalar)."""
    is_correct = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    return tf.reduce_mean(tf.cast(is_correct, tf.float32), name="accuracy")


def make_train_step(model, learning_rate):
    """One plain SGD step, ``v -= learning_rate * d loss / d v``, as a Python function.

    TF1's ``GradientDescentOptimizer(lr).minimize(loss)`` added the gradient and update ops to the
    graph; here the tape records the forward pass and the update is two ``assign_sub`` calls.
    ``tf.function(train_step, input_signature=batch_signature())`` compiles it into one graph.

    Args:
      model: SoftmaxRegression; learning_rate: float.
    Returns:
      train_step(features float32 [batch, 784], labels float32 [batch, 10]) -> loss float32 [].
    """

    def train_step(features, labels):
        with tf.GradientTape() as tape:
            batch_loss = loss(model(features), labels)
        dW, db = tape.gradient(batch_loss, [model.W, model.b])
        model.W.assign_sub(learning_rate * dW)
        model.b.assign_sub(learning_rate * db)
        return batch_loss

    return train_step


def batches(data_set, seed, batch_size, first_step, num_steps):
    """A tf.data pipeline of the SGD steps ``first_step`` .. ``first_step + num_steps - 1``.

    TensorFlow 2 would write ``from_tensor_slices((images, labels)).shuffle(n).batch(128)``; the
    rows here come from the TF1 script's batch order (``batch_indices``), so the two scripts
    train on the same batches and a resumed run sees the batches an uninterrupted one sees.

    Returns:
      tf.data.Dataset of (features float32 [batch_size, 784], labels float32 [batch_size, 10]).
    """
    rows = batch_indices(seed, data_set.num_examples, batch_size, first_step, num_steps)
    images, labels = tf.constant(data_set.images), tf.constant(data_set.labels)
    return (
        tf.data.Dataset.from_tensor_slices(rows)
        .map(lambda r: (tf.gather(images, r), tf.gather(labels, r)))
        .prefetch(tf.data.AUTOTUNE)  # the next batch is gathered while this step trains
    )


def run_training(data, hp, out, resume=False, max_steps=None, show_progress=True, eager=False):
    """Train, print ``Epoch: N cost = X.XXX`` per epoch, and return the trained model.

    Args:
      data: mnist.read_data_sets(one_hot=True); hp: softmax_regression.Config (learning_rate,
        batch_size, epochs, seed); out: Path of the run folder; eager: bool, no tf.function.
    """
    learning_rate, batch_size, epochs, seed = hp.learning_rate, hp.batch_size, hp.epochs, hp.seed
    model = SoftmaxRegression()
    step = tf.Variable(0, dtype=tf.int64, name="step")  # TF1: the global_step variable
    # TF1: Saver([weights, biases, global_step]).save(sess, path); TF2: a Checkpoint of objects
    checkpoint = tf.train.Checkpoint(model=tf.train.Checkpoint(W=model.W, b=model.b), step=step)
    manager = tf.train.CheckpointManager(checkpoint, out / CHECKPOINTS, max_to_keep=None)
    if resume:
        try:
            checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
        except (tf.errors.OpError, AssertionError, ValueError, IndexError) as err:
            reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise CheckpointError(
                f"cannot restore {manager.latest_checkpoint} ({reason})"
            ) from None
        print(f"Resumed from {manager.latest_checkpoint} (step {int(step)})", flush=True)

    train_step = make_train_step(model, learning_rate)
    if not eager:  # TF1 always ran a graph; TF2 runs Python eagerly unless tf.function compiles it
        train_step = tf.function(train_step, input_signature=batch_signature())
    evaluate = tf.function(
        lambda x, y: (loss(model(x), y), accuracy(model(x), y)), input_signature=batch_signature()
    )
    # TF1: FileWriter(logdir, graph) and summary ops run by sess.run; TF2: a writer, and
    # tf.summary.scalar called where the value is
    train_writer = tf.summary.create_file_writer(str(out / "train"))
    validation_writer = tf.summary.create_file_writer(str(out / "validation"))

    steps_per_epoch = data.train.num_examples // batch_size
    last_step = (
        epochs * steps_per_epoch if max_steps is None else min(max_steps, epochs * steps_per_epoch)
    )
    traced = eager  # the graph is recorded on the first (tracing) call of the tf.function
    for epoch in range(int(step) // steps_per_epoch, epochs):
        first = int(step)
        count = min((epoch + 1) * steps_per_epoch, last_step) - first
        if count <= 0:
            break
        costs = []
        bar = progress(total=count, desc=f"Epoch {epoch + 1}", disable=not show_progress)
        for features, labels in batches(data.train, seed, batch_size, first, count):
            if not traced:  # TF1: FileWriter(logdir, graph); TF2: record train_step's tracing
                tf.summary.trace_on(graph=True)
            batch_loss = train_step(features, labels)
            if not traced:
                with train_writer.as_default():
                    tf.summary.trace_export("train_step", step=0)
                traced = True
            step.assign_add(1)
            with train_writer.as_default(step=int(step)):
                tf.summary.scalar("loss", batch_loss)
            costs.append(float(batch_loss))
            if not np.isfinite(costs[-1]):  # stop before a NaN reaches a checkpoint
                raise ArithmeticError(
                    f"the loss is {costs[-1]} at step {int(step)}; try a smaller --learning-rate"
                )
            bar.update()
        bar.close()
        validation_loss, validation_accuracy = evaluate(
            data.validation.images, data.validation.labels
        )
        with validation_writer.as_default(step=int(step)):
            tf.summary.scalar("loss", validation_loss)
            tf.summary.scalar("accuracy", validation_accuracy)
        manager.save(checkpoint_number=int(step))
        if int(step) % steps_per_epoch == 0:
            print(
                f"Epoch: {epoch + 1} cost = {np.mean(costs):.3f}  "
                f"validation accuracy = {float(validation_accuracy):.4f}",
                flush=True,
            )
        else:
            print(f"Stopped after step {int(step)} (--max-steps), in epoch {epoch + 1}", flush=True)
    train_writer.close()
    validation_writer.close()
    _, test_accuracy = evaluate(data.test.images, data.test.labels)
    print(f"Test accuracy: {float(test_accuracy):.4f}")
    return model


def main(argv=None):
    parser = training_run.parser(__doc__.splitlines()[0])  # section 7's flags
    parser.add_argument(
        "--eager",
        action="store_true",
        help="run train_step eagerly, op by op (slower; no traced graph)",
    )
    args = parser.parse_args(argv)
    train = functools.partial(run_training, eager=args.eager)
    return training_run.run(
        args,
        argv,
        SCRIPT,
        train,
        command="chapters/tf2/ch01_07_single_layer_mnist.py",
        index=f"{CHECKPOINTS}/checkpoint",
        tf1_checkpoints=False,
    )


if __name__ == "__main__":
    sys.exit(script_main(main))

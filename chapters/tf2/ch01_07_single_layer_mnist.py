"""A single-layer softmax classifier on MNIST in TensorFlow 2: tf.Variable, GradientTape, tf.data.

The TensorFlow 2 twin of ch01_07_single_layer_mnist.py: the same model (zero initial weights), the
same plain SGD (learning rate 0.5, batch 128, 10 epochs) on the same batches, so it prints the same
``Epoch: N cost = X.XXX`` lines. Writes under ``logs/ch01_07_single_layer_mnist_tf2/<run name>/``:
TensorBoard scalars (``train/`` loss per step, ``validation/`` loss and accuracy per epoch), the
graph of ``train_step`` as ``tf.function`` traced it, and a checkpoint per epoch (``--resume``
continues from the last one).
"""

import json
import sys
from pathlib import Path

import numpy as np

from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES
from tfbasics.data import mnist
from tfbasics.data.batches import batch_indices  # the TF1 script's batch order
from tfbasics.data.idx import atomic_write
from tfbasics.runs.folders import base_parser, progress, run_dir, view_command

SCRIPT = Path(__file__).stem + "_tf2"  # logs/ch01_07_single_layer_mnist_tf2/<run>/
HPARAMS_FILE = "hparams.json"
KEPT_ON_RESUME = ("learning_rate", "batch_size", "seed")  # a resumed run continues the same run

# TF1: features = placeholder(float32, [None, 784]); labels = placeholder(float32, [None, 10]).
# TF2: the same dtype and shape are the input_signature of the functions that take a batch.
BATCH_SIGNATURE = [
    tf.TensorSpec([None, IMAGE_PIXELS], tf.float32, name="features"),
    tf.TensorSpec([None, NUM_CLASSES], tf.float32, name="labels"),
]


class SoftmaxRegression(tf.Module):
    """The book's single layer, ``logits = x @ W + b``; a tf.Module tracks its variables.

    Args:
      W: float32 [IMAGE_PIXELS, NUM_CLASSES] initial weights, or None for zeros.
      b: float32 [NUM_CLASSES] initial biases, or None for zeros.
    """

    def __init__(self, W=None, b=None):
        super().__init__(name="softmax_regression")
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
    ``tf.function(train_step, input_signature=BATCH_SIGNATURE)`` compiles it into one graph.

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


def run_training(
    data,
    out,
    learning_rate=0.5,
    batch_size=128,
    epochs=10,
    seed=0,
    max_steps=None,
    resume=False,
    eager=False,
    show_progress=True,
):
    """Train, print ``Epoch: N cost = X.XXX`` per epoch, and return the trained model."""
    model = SoftmaxRegression()
    step = tf.Variable(0, dtype=tf.int64, name="step")  # TF1: the global_step variable
    # TF1: Saver([weights, biases, global_step]).save(sess, path); TF2: a Checkpoint of objects
    checkpoint = tf.train.Checkpoint(model=model, step=step)
    manager = tf.train.CheckpointManager(checkpoint, out / "checkpoints", max_to_keep=None)
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
        train_step = tf.function(train_step, input_signature=BATCH_SIGNATURE)
    evaluate = tf.function(
        lambda x, y: (loss(model(x), y), accuracy(model(x), y)), input_signature=BATCH_SIGNATURE
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


class CheckpointError(Exception):
    """The checkpoint to resume from cannot be read."""


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=10,
        help="epochs of (training examples // batch size) steps (the book: 10)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=128, help="examples per SGD step (the book: 128)"
    )
    parser.add_argument(
        "--learning-rate", type=float, default=0.5, help="SGD learning rate (the book: 0.5)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds the batch order")
    parser.add_argument(
        "--eager",
        action="store_true",
        help="run train_step eagerly, op by op (slower; no traced graph)",
    )
    mnist.add_data_flags(parser)
    parser.add_argument(
        "--max-steps",
        type=int,
        default=None,
        help="stop after this many SGD steps in all (fast smoke mode)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run --run-name (default: the newest run with a checkpoint) from its last checkpoint",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    out = None
    hparams = {
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
        "seed": args.seed,
    }
    try:
        for flag in ("epochs", "batch_size", "max_steps"):
            value = getattr(args, flag)
            if value is not None and value < 1:
                raise ValueError(f"--{flag.replace('_', '-')} must be at least 1, got {value}")
        if not (args.learning_rate > 0 and np.isfinite(args.learning_rate)):
            raise ValueError(f"--learning-rate must be a positive number, got {args.learning_rate}")
        out = resumed_run(args, hparams) if args.resume else None
        data = mnist.read_data_sets(args.data_dir, one_hot=True, fake_data=args.fake_data)
        if args.batch_size > data.train.num_examples:
            raise ValueError(
                f"--batch-size {args.batch_size} is larger than the {data.train.num_examples} training examples"
            )
        if out is None:
            out = run_dir(args.logdir, SCRIPT, args.run_name)
            atomic_write(out / HPARAMS_FILE, [json.dumps(hparams, indent=1).encode()])
        print(f"Run folder: {out}", flush=True)
        run_training(
            data,
            out,
            args.learning_rate,
            args.batch_size,
            args.epochs,
            args.seed,
            args.max_steps,
            args.resume,
            args.eager,
            not args.no_progress,
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (mnist.MNISTError, CheckpointError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        kept = f"; continue with --resume --run-name {out.name}" if out else ""
        print(f"\ninterrupted: the checkpoints of finished epochs are kept{kept}", file=sys.stderr)
        return 130
    except ArithmeticError as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    print(
        f"Wrote checkpoints and TensorBoard events to {out}; view them with: "
        f"{view_command(Path(args.logdir) / SCRIPT)}"
    )
    return 0


def resumed_run(args, hparams):
    """The run folder ``--resume`` continues, checked against this run's flags (ValueError)."""
    root = Path(args.logdir) / SCRIPT
    if args.run_name:
        out = root / args.run_name
    else:
        runs = [p.parent.parent for p in root.glob("*/checkpoints/checkpoint")]
        if not runs:
            raise ValueError(f"--resume: no run with a checkpoint under {root}")
        out = max(runs, key=lambda p: (p / "checkpoints" / "checkpoint").stat().st_mtime)
    if not (out / "checkpoints" / "checkpoint").is_file():
        raise ValueError(f"--resume: no checkpoint in {out / 'checkpoints'}")
    try:
        saved = json.loads((out / HPARAMS_FILE).read_text())
    except (OSError, ValueError) as err:
        raise ValueError(f"--resume: cannot read {out / HPARAMS_FILE} ({err})") from None
    for name in KEPT_ON_RESUME:
        if saved.get(name) != hparams[name]:
            raise ValueError(
                f"--resume: run {out} was trained with --{name.replace('_', '-')} "
                f"{saved.get(name)}, not {hparams[name]}; resume with the same flags"
            )
    return out


if __name__ == "__main__":
    sys.exit(main())

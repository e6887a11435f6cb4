"""Single-layer softmax regression on MNIST: the book's model and training loop, correct and fast.

The model is split as TensorFlow's r1.15 ``examples/tutorials/mnist/mnist.py`` splits it:

- ``inference(features)``  -> logits ``features @ weights + biases`` and ``prediction = softmax``
- ``loss(logits, labels)`` -> the mean cross-entropy: the one that is minimised *and* printed
- ``training(loss, lr)``   -> the ``GradientDescentOptimizer`` train op
- ``evaluation(...)``      -> accuracy, mean(argmax(prediction) == argmax(labels))

``build(config, num_examples)`` puts them in a ``tf.Graph`` of its own and returns a
``SoftmaxRegression`` holding the graph and its named tensors. ``train(model, data, config)``
runs the book's loop (``Epoch: N cost = X.XXX``) through one of two input pipelines that make
exactly the same updates on exactly the same batches:

- ``feed_dict`` (the book's way): each step copies a batch from NumPy into ``session.run``;
- ``in_graph`` (default, faster): the training set lives in a non-trainable variable
  (initialised from a placeholder, so the GraphDef stays small), and one ``session.run``
  performs ``steps_per_run`` unrolled SGD steps, each gathering its batch by index in the graph.

Batches follow TensorFlow 1.x's ``next_batch`` (a batch that crosses the end of the data is
completed from the next, reshuffled pass), but each pass's order is derived from
``(seed, pass)``, so any step's batch can be recomputed: a resumed run sees the batches an
uninterrupted one sees. ``train`` also guards against a NaN/inf loss, writes TensorBoard
summaries, PNGs and a checkpoint per epoch, and resumes from the last checkpoint.
"""

import dataclasses
import json
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES
from tfbasics.runs import progress

v1 = tf.compat.v1

INIT_STDDEV = {"zeros": 0.0, "small": 0.01, "book": 1.0}  # stddev of truncated_normal weights
LOSSES = ("stable", "book")
INPUTS = ("in_graph", "feed_dict")
STEPS_PER_RUN = 13  # unrolled SGD steps per session.run: 429 = 33 x 13; measured in benchmarks/
NUM_INPUT_DIGITS = 8  # input digits shown in TensorBoard
CHECKPOINT_NAME = "model.ckpt"


class DivergedError(ArithmeticError):
    """The training loss became NaN or infinite; the message says at which step and why."""


class CheckpointError(Exception):
    """A checkpoint to resume from is missing or cannot be read."""


@dataclasses.dataclass(frozen=True)
class Config:
    """Hyperparameters of one run; the defaults are the book's (but for ``init``/``loss``).

    Attributes:
      learning_rate: float, plain SGD step size (book: 0.5).
      batch_size: int, examples per step (book: 128).
      epochs: int, epochs of ``num_examples // batch_size`` steps (book: 10, 429 steps each).
      init: one of INIT_STDDEV: ``zeros`` (default), ``small`` (stddev 0.01) or ``book`` (1.0).
      loss: ``stable`` (fused softmax_cross_entropy_with_logits) or ``book`` (-sum y log p).
      input: ``in_graph`` or ``feed_dict``.
      seed: int, seeds the initial weights and the batch order.
      steps_per_run: int, SGD steps per session.run in the in-graph pipeline.
    """

    learning_rate: float = 0.5
    batch_size: int = 128
    epochs: int = 10
    init: str = "zeros"
    loss: str = "stable"
    input: str = "in_graph"
    seed: int = 0
    steps_per_run: int = STEPS_PER_RUN

    def check(self):
        """Raise ValueError with one clear line if a value is out of range."""
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


# --------------------------------------------------------------------------------- the model
def inference(features, init="zeros", seed=None):
    """The book's single layer: ``logits = features @ weights + biases``, ``prediction = softmax``.

    Variables are made with ``get_variable`` under variable scope ``inference`` (AUTO_REUSE), so
    calling it again (the in-graph pipeline does, once per unrolled step) shares them.

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
        v1.truncated_normal_initializer(stddev=stddev, seed=seed)
        if stddev
        else v1.zeros_initializer()
    )
    with v1.variable_scope("inference", reuse=v1.AUTO_REUSE):
        weights = v1.get_variable("weights", [IMAGE_PIXELS, NUM_CLASSES], tf.float32, w_init)
        biases = v1.get_variable("biases", [NUM_CLASSES], tf.float32, v1.zeros_initializer())
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
        optimizer = v1.train.GradientDescentOptimizer(learning_rate)
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


@dataclasses.dataclass
class SoftmaxRegression:
    """The graph of ``build`` and its named tensors.

    The book's graph: ``features``, ``labels`` (placeholders), ``weights``, ``biases``,
    ``logits``, ``prediction``, ``loss``, ``train_op``, ``accuracy``. Bookkeeping:
    ``global_step`` (SGD steps done), ``epoch`` (epochs done, saved in checkpoints),
    ``set_epoch``/``new_epoch`` (assign it), ``init_op``, ``saver`` (weights, biases,
    global_step, epoch). Summaries: ``epoch_summaries`` (histograms of weights and biases,
    the ten weight templates as images), ``input_summary`` (digits fed to ``features``).
    In-graph pipeline (``num_examples`` given): ``data_images``/``data_labels`` placeholders
    whose values ``data_init`` copies into the non-trainable variables; ``run_indices``
    int32 [steps_per_run, batch] -> ``run_losses`` float32 [steps_per_run] (that many SGD
    steps per run); ``step_indices`` [1, batch] -> ``step_losses`` [1]; ``data_accuracy``
    (accuracy on the whole stored training set).
    """

    graph: object
    features: object
    labels: object
    weights: object
    biases: object
    logits: object
    prediction: object
    loss: object
    train_op: object
    accuracy: object
    global_step: object
    epoch: object
    new_epoch: object
    set_epoch: object
    init_op: object
    saver: object
    epoch_summaries: object
    input_summary: object
    steps_per_run: int
    data_images: object = None
    data_labels: object = None
    data_init: object = None
    run_indices: object = None
    run_losses: object = None
    step_indices: object = None
    step_losses: object = None
    data_accuracy: object = None


def _unrolled_steps(config, images, labels, global_step, steps, name):
    """``steps`` SGD steps in one subgraph, step k on rows ``indices[k]`` of the stored data.

    Each step reads the weights after the previous step's update (control dependencies), so
    the steps are exactly the feed_dict path's steps. The batches do not wait: their gathers
    run ahead on a free core while earlier steps compute (measured: 0.24 against 0.40 ms per
    step). Rows are taken with ``tf.gather`` (ResourceGather reads only those rows; slicing
    ``images[a:b]`` would copy the whole 172 MB variable).
    """
    with tf.name_scope(name):
        indices = v1.placeholder(tf.int32, [steps, config.batch_size], name="batch_indices")
        losses, after = [], []
        for k in range(steps):
            with tf.name_scope(f"step_{k}") as scope:
                x = tf.gather(images, indices[k], name="features")
                y = tf.gather(labels, indices[k], name="labels")
            with tf.control_dependencies(after), tf.name_scope(scope):
                logits, prediction, _, _ = inference(x, config.init, config.seed)
                step_loss = loss(logits, y, config.loss, prediction)
                after = [training(step_loss, config.learning_rate, global_step)]
            losses.append(step_loss)
        with tf.control_dependencies(after):
            return indices, tf.stack(losses, name="losses")


def build(config=Config(), num_examples=None):
    """The book's graph in a graph of its own, plus the in-graph pipeline if ``num_examples``.

    Args:
      config: Config (learning_rate, batch_size, init, loss, seed and steps_per_run are used).
      num_examples: int or None; the size of the training set the in-graph pipeline stores.
    Returns:
      SoftmaxRegression.
    """
    config.check()
    g = tf.Graph()
    with g.as_default():
        v1.set_random_seed(config.seed)
        features = v1.placeholder(tf.float32, [None, IMAGE_PIXELS], name="features")
        labels = v1.placeholder(tf.float32, [None, NUM_CLASSES], name="labels")
        global_step = v1.train.create_global_step()
        epoch = v1.get_variable("epoch", [], tf.int64, v1.zeros_initializer(), trainable=False)
        new_epoch = v1.placeholder(tf.int64, [], name="new_epoch")
        set_epoch = epoch.assign(new_epoch, read_value=False, name="set_epoch")
        logits, prediction, weights, biases = inference(features, config.init, config.seed)
        loss_op = loss(logits, labels, config.loss, prediction)
        train_op = training(loss_op, config.learning_rate, global_step)
        accuracy = evaluation(prediction, labels)
        with tf.name_scope("summaries"):
            templates = tf.reshape(tf.transpose(weights), [NUM_CLASSES, IMAGE_SIZE, IMAGE_SIZE, 1])
            epoch_summaries = v1.summary.merge(
                [
                    v1.summary.histogram("weights", weights),
                    v1.summary.histogram("biases", biases),
                    # column k of weights is the template digit k is matched against
                    v1.summary.image("weight_templates", templates, max_outputs=NUM_CLASSES),
                ]
            )
            input_summary = v1.summary.image(
                "input_digits",
                tf.reshape(features, [-1, IMAGE_SIZE, IMAGE_SIZE, 1]),
                max_outputs=NUM_INPUT_DIGITS,
            )
        pipeline = {}
        if num_examples:
            with tf.name_scope("in_graph_pipeline"):
                data_images = v1.placeholder(
                    tf.float32, [num_examples, IMAGE_PIXELS], name="images"
                )
                data_labels = v1.placeholder(tf.float32, [num_examples, NUM_CLASSES], name="labels")
                # the data sits in variables set from placeholders: a 172 MB tf.constant would
                # be copied into the GraphDef (and every graph written for TensorBoard)
                local = [v1.GraphKeys.LOCAL_VARIABLES]
                images = v1.Variable(
                    data_images, trainable=False, collections=local, name="train_images"
                )
                stored_labels = v1.Variable(
                    data_labels, trainable=False, collections=local, name="train_labels"
                )
                data_init = v1.variables_initializer([images, stored_labels], name="data_init")
            run_indices, run_losses = _unrolled_steps(
                config, images, stored_labels, global_step, config.steps_per_run, "in_graph_steps"
            )
            step_indices, step_losses = _unrolled_steps(
                config, images, stored_labels, global_step, 1, "in_graph_step"
            )
            with tf.name_scope("in_graph_accuracy"):
                _, train_prediction, _, _ = inference(images, config.init, config.seed)
                data_accuracy = evaluation(train_prediction, stored_labels)
            pipeline = dict(
                data_images=data_images,
                data_labels=data_labels,
                data_init=data_init,
                run_indices=run_indices,
                run_losses=run_losses,
                step_indices=step_indices,
                step_losses=step_losses,
                data_accuracy=data_accuracy,
            )
        init_op = v1.global_variables_initializer()
        # keep every checkpoint (31 KB each): pruning old ones logs a deprecation warning
        saver = v1.train.Saver([weights, biases, global_step, epoch], max_to_keep=None)
    g.finalize()  # nothing is added while training: a bug that grows the graph fails at once
    return SoftmaxRegression(
        graph=g,
        features=features,
        labels=labels,
        weights=weights,
        biases=biases,
        logits=logits,
        prediction=prediction,
        loss=loss_op,
        train_op=train_op,
        accuracy=accuracy,
        global_step=global_step,
        epoch=epoch,
        new_epoch=new_epoch,
        set_epoch=set_epoch,
        init_op=init_op,
        saver=saver,
        epoch_summaries=epoch_summaries,
        input_summary=input_summary,
        steps_per_run=config.steps_per_run,
        **pipeline,
    )


# ------------------------------------------------------------------------------- the batches
def batch_indices(seed, num_examples, batch_size, first_step, num_steps):
    """Rows of the training set used by SGD steps ``first_step`` .. ``first_step + num_steps - 1``.

    The rows form one stream: pass p over the data is ``permutation(num_examples)`` drawn from
    ``np.random.default_rng([seed, p])``, and step s takes stream positions
    ``[s * batch_size, (s + 1) * batch_size)``. So, as with TensorFlow 1.x's ``next_batch``,
    every batch is full and a batch crossing the end of a pass is completed from the next pass;
    unlike it, any step's batch is known without replaying the steps before (resume).

    Args:
      seed: int; num_examples, batch_size: int; first_step: int >= 0; num_steps: int >= 0.
    Returns:
      int32 [num_steps, batch_size].
    """
    start, stop = first_step * batch_size, (first_step + num_steps) * batch_size
    passes = range(start // num_examples, -(-stop // num_examples))
    stream = np.concatenate(
        [np.random.default_rng([seed, p]).permutation(num_examples) for p in passes]
        or [np.zeros(0, np.int64)]
    )
    offset = passes.start * num_examples if len(passes) else start
    return stream[start - offset : stop - offset].astype(np.int32).reshape(num_steps, batch_size)


# ------------------------------------------------------------------------------ the training
@dataclasses.dataclass
class EpochResult:
    """What one epoch gave: the book's ``cost`` (mean loss of its steps) and accuracies."""

    epoch: int
    step: int
    cost: float
    train_accuracy: float | None = None
    validation_accuracy: float | None = None
    validation_loss: float | None = None


@dataclasses.dataclass
class TrainResult:
    """What ``train`` returns.

    Attributes:
      epochs: list of EpochResult (with a resumed run's earlier epochs, read from the run folder).
      test_accuracy: float; test_loss: float.
      steps: int, global step at the end; first_epoch: int, the first epoch run now (1-based).
      train_seconds: float, wall time of the epochs' step loops (batching, SGD steps, progress
        bar, loss summaries), without per-epoch evaluation, checkpoints and start-up.
      weights: float32 [IMAGE_PIXELS, NUM_CLASSES]; biases: float32 [NUM_CLASSES].
    """

    epochs: list
    test_accuracy: float
    test_loss: float
    steps: int
    first_epoch: int
    train_seconds: float
    weights: np.ndarray
    biases: np.ndarray


def _diverged_message(config, step, value):
    why = f"the loss became {value} at step {step}"
    if config.loss == "book":
        return (
            f"{why}: --loss book takes log(softmax(logits)), and a probability that "
            "underflowed to 0 gives log(0) = -inf; use --loss stable (the fused "
            "softmax_cross_entropy_with_logits), or a smaller --init"
        )
    return (
        f"{why}: the weights diverged; lower --learning-rate (now {config.learning_rate}) "
        f"or use a smaller --init (now {config.init})"
    )


def _scalar(tag, value):
    return v1.Summary(value=[v1.Summary.Value(tag=tag, simple_value=float(value))])


def _text(tag, markdown):
    from tensorboard.plugins.text import summary as text_summary

    return text_summary.pb(tag, markdown).SerializeToString()


def _hparams(config):
    """The hyperparameters for TensorBoard's HParams tab (one session per run)."""
    from tensorboard.plugins.hparams import summary_v2 as hp

    return hp.hparams_pb(dataclasses.asdict(config)).SerializeToString()


def hparams_markdown(config, num_examples):
    """The run's hyperparameters as a markdown table (TensorBoard's Text tab)."""
    rows = dataclasses.asdict(config) | {
        "training examples": num_examples,
        "steps per epoch": num_examples // config.batch_size,
    }
    return "| hyperparameter | value |\n|---|---|\n" + "\n".join(
        f"| {k} | {v} |" for k, v in rows.items()
    )


class _Writers:
    """The run folder's two TensorBoard runs, ``train/`` and ``validation/``, or nothing."""

    def __init__(self, run_dir, model, first_step):
        self.train = self.validation = None
        if run_dir is None:
            return
        with model.graph.as_default():  # FileWriter refuses to be made while eager is current
            self.train = v1.summary.FileWriter(str(Path(run_dir) / "train"), graph=model.graph)
            self.validation = v1.summary.FileWriter(str(Path(run_dir) / "validation"))
        if first_step:  # resumed: TensorBoard drops what a killed run wrote after the checkpoint
            start = v1.Event(
                session_log=v1.SessionLog(status=v1.SessionLog.START), step=first_step + 1
            )  # events at steps >= this one are purged
            for writer in (self.train, self.validation):
                writer.add_event(start)

    def __bool__(self):
        return self.train is not None

    def close(self):
        for writer in (self.train, self.validation):
            if writer is not None:
                writer.close()


def _restore(sess, model, run_dir):
    """Restore the last checkpoint of ``run_dir``; CheckpointError if none or unreadable."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)  # we say it in one line below, not in TF's two warnings
    try:
        path = v1.train.latest_checkpoint(str(run_dir))
    except Exception as e:  # an unreadable `checkpoint` index file
        path, reason = None, f" ({type(e).__name__}: {str(e).splitlines()[0]})"
    else:
        reason = ""
    finally:
        logger.setLevel(level)
    index = Path(run_dir) / "checkpoint"
    if path is None and index.exists():
        raise CheckpointError(
            f"cannot read checkpoint: {index} is not a readable checkpoint "
            f"index or names checkpoint files that are missing{reason}; "
            "delete the run folder or start a new run without --resume"
        )
    if path is None:
        raise CheckpointError(f"no checkpoint to resume from in {run_dir}")
    try:
        model.saver.restore(sess, path)
    except (tf.errors.OpError, ValueError) as e:
        reason = (getattr(e, "message", None) or str(e)).strip().splitlines()[0]
        raise CheckpointError(
            f"cannot read checkpoint {path}: {reason}; delete the run folder "
            "or start a new run without --resume"
        ) from None
    return path


def _history_path(run_dir):
    return Path(run_dir) / "history.json"


def _load_history(run_dir, epochs_done):
    path = _history_path(run_dir)
    if not path.is_file():
        return []
    rows = json.loads(path.read_text())
    return [EpochResult(**row) for row in rows if row["epoch"] <= epochs_done]


def _save_history(run_dir, history):
    tmp = _history_path(run_dir).with_suffix(".json.tmp")
    tmp.write_text(json.dumps([dataclasses.asdict(e) for e in history], indent=1))
    tmp.replace(_history_path(run_dir))


def _step_runner(sess, model, config, train_x, train_y):
    """``run(idx, options=None, run_metadata=None)``: SGD steps on rows ``idx`` (int32
    [k, batch]; k = 1, or ``steps_per_run`` in-graph), returning the k losses."""
    if config.input == "feed_dict":

        def run(idx, options=None, run_metadata=None):
            batch_x, batch_y = train_x[idx[0]], train_y[idx[0]]  # the book's next_batch
            return sess.run(
                [model.train_op, model.loss],
                {model.features: batch_x, model.labels: batch_y},
                options,
                run_metadata,
            )[1:]

        return run
    # a callable skips session.run's per-call parsing of fetches and feeds
    callables = {
        k: sess.make_callable(losses, [indices])
        for k, indices, losses in (
            (1, model.step_indices, model.step_losses),
            (model.steps_per_run, model.run_indices, model.run_losses),
        )
    }

    def run(idx, options=None, run_metadata=None):
        if options is None:
            return callables[len(idx)](idx)
        indices, losses = (
            (model.step_indices, model.step_losses)
            if len(idx) == 1
            else (model.run_indices, model.run_losses)
        )
        return sess.run(losses, {indices: idx}, options, run_metadata)

    return run


def _run_epoch(run, indices, chunk_size, step, config, writers, trace, bar):
    """Run the steps of one epoch (``indices``: int32 [steps, batch]) in chunks.

    Returns:
      (list of float losses, the global step after them).
    Raises:
      DivergedError at the first NaN/inf loss.
    """
    losses, i = [], 0
    while i < len(indices):
        chunk = chunk_size if len(indices) - i >= chunk_size else 1
        options = run_metadata = None
        if trace:  # compute time and memory per op of the first step, as mnist_with_summaries
            options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
            run_metadata = v1.RunMetadata()
        values = run(indices[i : i + chunk], options, run_metadata)
        if trace:
            writers.train.add_run_metadata(run_metadata, f"step_{step + 1}", step + 1)
            trace = False
        if not all(map(math.isfinite, values)):  # stop at once: no "cost = nan" epochs
            first = next(k for k, v in enumerate(values) if not math.isfinite(v))
            raise DivergedError(_diverged_message(config, step + first + 1, values[first]))
        for value in values:
            step += 1
            losses.append(value)
            if writers:
                writers.train.add_summary(_scalar("loss", value), step)
        i += chunk
        bar.update(chunk)
    return losses, step


def _evaluate(sess, model, data, in_graph, result):
    """Fill in ``result``'s accuracies: the whole training set and the validation set."""
    result.train_accuracy = float(
        sess.run(model.data_accuracy)
        if in_graph
        else sess.run(
            model.accuracy, {model.features: data.train.images, model.labels: data.train.labels}
        )
    )
    if data.validation.num_examples:
        val = {model.features: data.validation.images, model.labels: data.validation.labels}
        acc, val_loss = sess.run([model.accuracy, model.loss], val)
        result.validation_accuracy, result.validation_loss = float(acc), float(val_loss)


def _write_start(writers, sess, model, data, config):
    """Step 0: hyperparameters, a few input digits with their labels, the initial weights."""
    n = data.train.num_examples
    writers.train.add_summary(_text("hyperparameters", hparams_markdown(config, n)), 0)
    writers.train.add_summary(_hparams(config), 0)
    shown = data.validation if data.validation.num_examples else data.test
    digits = shown.images[:NUM_INPUT_DIGITS]
    writers.train.add_summary(sess.run(model.input_summary, {model.features: digits}), 0)
    labels = " ".join(str(int(k)) for k in shown.labels[:NUM_INPUT_DIGITS].argmax(1))
    writers.train.add_summary(
        _text("input_digits_labels", f"labels of input_digits/image/0..: {labels}"), 0
    )
    writers.train.add_summary(sess.run(model.epoch_summaries), 0)


def train(
    model,
    data,
    config,
    run_dir=None,
    resume=False,
    max_steps=None,
    on_epoch: Callable[[EpochResult], None] = None,
    show_progress=True,
    validate=True,
    on_start: Callable[[int, int], None] = None,
):
    """Train ``model`` with SGD as the book does, and evaluate it on the test set.

    Args:
      model: SoftmaxRegression from ``build(config, data.train.num_examples)`` (the in-graph
        pipeline needs ``num_examples``).
      data: ``tfbasics.mnist.read_data_sets(..., one_hot=True)`` (train, validation, test).
      config: Config.
      run_dir: str/Path or None; if given: TensorBoard events in ``train/`` and ``validation/``,
        a checkpoint per epoch, ``history.json``, and the PNGs ``weight_templates.png`` and
        ``curves.png``.
      resume: bool, continue from the last checkpoint in ``run_dir``.
      max_steps: int or None, stop after this global step (smoke tests).
      on_epoch: called with each EpochResult (the script prints it).
      on_start: called with (first epoch to run, global step) once the checkpoint is restored.
      show_progress: bool, a progress bar within each epoch.
      validate: bool, training and validation accuracy after every epoch.
    Returns:
      TrainResult.
    Raises:
      DivergedError: the loss became NaN or inf (training stops at that step).
      CheckpointError: ``resume`` but no readable checkpoint.
    """
    train_x, train_y = data.train.images, data.train.labels
    n = len(train_x)
    steps_per_epoch = n // config.batch_size
    if steps_per_epoch < 1:
        raise ValueError(f"batch size {config.batch_size} is larger than the {n} training examples")
    in_graph = config.input == "in_graph"
    if in_graph and model.data_init is None:
        raise ValueError("the in-graph pipeline needs build(config, num_examples)")
    if resume and run_dir is None:
        raise ValueError("resume needs the run folder (run_dir)")
    chunk_size = model.steps_per_run if in_graph else 1
    with v1.Session(graph=model.graph) as sess:
        sess.run(model.init_op)
        if resume:
            _restore(sess, model, run_dir)
        if in_graph:
            sess.run(model.data_init, {model.data_images: train_x, model.data_labels: train_y})
        step, done = (int(v) for v in sess.run([model.global_step, model.epoch]))
        history = _load_history(run_dir, done) if resume else []
        run = _step_runner(sess, model, config, train_x, train_y)
        writers = _Writers(run_dir, model, step)
        try:
            if writers and not resume:
                _write_start(writers, sess, model, data, config)
            trace = bool(writers) and not resume
            train_seconds = 0.0
            if on_start is not None:
                on_start(done + 1, step)
            for epoch in range(done + 1, config.epochs + 1):
                epoch_end = epoch * steps_per_epoch
                if max_steps is not None:
                    epoch_end = min(epoch_end, max_steps)
                if step >= epoch_end:
                    break
                t0 = time.perf_counter()
                # this epoch's batches as one index array: feed_dict gathers them in NumPy,
                # in_graph feeds only the indices and gathers in the graph
                indices = batch_indices(config.seed, n, config.batch_size, step, epoch_end - step)
                with progress(
                    total=len(indices), desc=f"Epoch {epoch}", disable=not show_progress
                ) as bar:
                    losses, step = _run_epoch(
                        run, indices, chunk_size, step, config, writers, trace, bar
                    )
                train_seconds += time.perf_counter() - t0
                trace = False
                result = EpochResult(epoch, step, float(np.mean(losses)))
                if validate:
                    _evaluate(sess, model, data, in_graph, result)
                history.append(result)
                if step == epoch * steps_per_epoch:  # a full epoch: checkpoint it
                    sess.run(model.set_epoch, {model.new_epoch: epoch})
                    if run_dir is not None:
                        model.saver.save(
                            sess,
                            str(Path(run_dir) / CHECKPOINT_NAME),
                            global_step=epoch,
                            write_meta_graph=False,
                        )
                        _save_history(run_dir, history)
                if writers:
                    _write_epoch(writers, sess, model, result)
                if on_epoch is not None:
                    on_epoch(result)
            test = {model.features: data.test.images, model.labels: data.test.labels}
            test_accuracy, test_loss = sess.run([model.accuracy, model.loss], test)
            weights, biases = sess.run([model.weights, model.biases])
        finally:
            writers.close()
    if run_dir is not None:
        from tfbasics import regression_plots

        regression_plots.save_weight_templates(Path(run_dir) / "weight_templates.png", weights)
        regression_plots.save_curves(Path(run_dir) / "curves.png", history)
    return TrainResult(
        epochs=history,
        test_accuracy=float(test_accuracy),
        test_loss=float(test_loss),
        steps=step,
        first_epoch=done + 1,
        train_seconds=train_seconds,
        weights=weights,
        biases=biases,
    )


def _write_epoch(writers, sess, model, result):
    """Per epoch: cost, accuracies (train/ and validation/ overlay), histograms, templates."""
    writers.train.add_summary(_scalar("cost", result.cost), result.step)
    writers.train.add_summary(sess.run(model.epoch_summaries), result.step)
    if result.train_accuracy is not None:
        writers.train.add_summary(_scalar("accuracy", result.train_accuracy), result.step)
    if result.validation_accuracy is not None:
        writers.validation.add_summary(_scalar("accuracy", result.validation_accuracy), result.step)
        writers.validation.add_summary(_scalar("loss", result.validation_loss), result.step)
    writers.train.flush()
    writers.validation.flush()

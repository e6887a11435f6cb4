"""The reusable parts of the chapter's Keras sections (8 and 9); the scripts train and evaluate.

Section 8 builds a Sequential stack and reads back the shapes Keras inferred; section 9 trains
the book's multilayer perceptron (MLP) on MNIST to about 98%. The scripts hold the book's code
(``model.compile``, ``model.fit``, ``model.evaluate``); this module holds what they reuse:

- ``build_model()``: the MNIST MLP, 784 -> 512 -> 512 -> 10, ReLU, Dropout 0.2, softmax.
- ``compile_model()``: rmsprop, categorical_crossentropy, accuracy (the book's ``compile``).
- ``prepare()`` and ``split_mnist()``: ``load_data()``'s uint8 arrays -> float32 [n, 784] in
  [0, 1] with one-hot labels [n, 10], split into train / validation / test.
- ``layer_shapes()``, ``summary_text()``, ``write_model_logs()``: what section 8 prints and logs.
- ``CtrlCBetweenSteps``: a callback that lets Ctrl-C stop ``fit`` between two batches.
- ``TensorBoard``: Keras' callback minus two logs that mislead here; ``write_test_scores()``:
  the test score and the run's hyperparameters, once, at the end.
- ``save_model()``: ``model.save`` through a temporary file; ``load_model()``: a saved MLP, or
  ``ModelFileError`` saying why not.

The book writes Keras 1/2 (``keras.layers.core``, ``np_utils``, ``nb_epoch``); this is Keras 3,
and the places where the names changed say so. Importing this module imports TensorFlow
(quietly) and Keras, and builds nothing.
"""

import signal
import threading
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfbasics._tf import keras, tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES
from tfbasics.runs import atomic

NUM_PIXELS = IMAGE_PIXELS  # an MNIST image flattened to one row
HIDDEN_UNITS = 512  # both hidden layers of the book's MLP
DROPOUT_RATE = 0.2  # the book's dropout after each hidden layer
BATCH_SIZE = 128  # the book's model.fit(batch_size=128)
EPOCHS = 4  # the book's nb_epoch=4
VALIDATION_SIZE = 5000  # the first 5,000 training images, as TF 1.x read_data_sets does


class ModelFileError(Exception):
    """A ``--load`` path that is missing, not a Keras model file, or not the MNIST MLP."""


class Split(NamedTuple):
    """One part of the data set.

    x: float32 [n, NUM_PIXELS] in [0, 1]; y: float32 [n, NUM_CLASSES] one-hot.
    """

    x: np.ndarray
    y: np.ndarray


class MNISTSplits(NamedTuple):
    """train, validation and test parts, each a ``Split``."""

    train: Split
    validation: Split
    test: Split


class LayerShape(NamedTuple):
    """One row of what section 8 prints: name, class, input and output shape, parameter count."""

    name: str
    kind: str
    input_shape: tuple
    output_shape: tuple
    params: int


# ------------------------------------------------------------------ section 9: the MLP
def build_model():
    """The book's MNIST MLP (uncompiled).

    Returns:
      keras.Sequential mapping float32 [batch, 784] -> softmax probabilities [batch, 10]:
      Dense(512), ReLU, Dropout(0.2), Dense(512), ReLU, Dropout(0.2), Dense(10), softmax;
      401,920 + 262,656 + 5,130 = 669,706 parameters.
    """
    layers = keras.layers  # the book imports these from keras.layers.core (Keras 1/2)
    # named as Keras 3 names them in a fresh process, so every run prints the same summary
    return keras.Sequential(
        [
            # the book's Dense(512, input_shape=(784,)) is Keras 2; Keras 3 warns, so: Input
            keras.Input(shape=(NUM_PIXELS,), name="pixels"),
            layers.Dense(HIDDEN_UNITS, name="dense"),
            layers.Activation("relu", name="activation"),
            layers.Dropout(DROPOUT_RATE, name="dropout"),  # training only; evaluate skips it
            layers.Dense(HIDDEN_UNITS, name="dense_1"),
            layers.Activation("relu", name="activation_1"),
            layers.Dropout(DROPOUT_RATE, name="dropout_1"),
            layers.Dense(NUM_CLASSES, name="dense_2"),
            layers.Activation("softmax", name="activation_2"),
        ],
        name="mnist_mlp",
    )


def compile_model(model):
    """Compile ``model`` as the book does: rmsprop, categorical_crossentropy, accuracy.

    Args:
      model: keras.Model whose output is softmax probabilities [batch, NUM_CLASSES].
    Returns:
      the same model, compiled.
    """
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def prepare(images, labels):
    """MNIST arrays as the MLP takes them, as the book prepares them.

    Args:
      images: uint8 [n, 28, 28], pixel values 0-255.
      labels: integer [n], digits 0-9.
    Returns:
      Split: x float32 [n, 784] scaled to [0, 1]; y float32 [n, 10] one-hot.
    """
    x = images.reshape(len(images), NUM_PIXELS).astype(np.float32) / 255.0
    # the book's np_utils.to_categorical (Keras 1/2) is keras.utils.to_categorical; it gives float64
    y = keras.utils.to_categorical(labels, NUM_CLASSES).astype(np.float32)
    return Split(x, y)


def split_mnist(
    train, test, validate_on_test=False, max_examples=None, validation_size=VALIDATION_SIZE
):
    """Split ``load_data()``'s arrays into train / validation / test ``Split``s.

    Args:
      train: (images uint8 [60000, 28, 28], labels uint8 [60000]) from ``mnist.load_data()``.
      test: (images uint8 [10000, 28, 28], labels uint8 [10000]).
      validate_on_test: bool. False: validation is the first ``validation_size`` training images
        and training uses the rest (55,000). True reproduces the book: train on all 60,000 and
        validate on the test set.
      max_examples: int or None; keep only the first this many training examples (fast runs).
      validation_size: int, size of the validation part when it comes from the training images.
    Returns:
      MNISTSplits of Split (x float32 [n, 784], y float32 [n, 10]).
    """
    images, labels = train
    if validate_on_test:
        # the book's validation_data=(X_test, y_test): watching test accuracy while choosing
        # epochs or settings leaks the test set into model selection, so the final score is biased
        validation = prepare(*test)
    else:
        validation = prepare(images[:validation_size], labels[:validation_size])
        images, labels = images[validation_size:], labels[validation_size:]
    if max_examples is not None:
        images, labels = images[:max_examples], labels[:max_examples]
    return MNISTSplits(prepare(images, labels), validation, prepare(*test))


# ------------------------------------------------------------------ section 8: shapes and graph
def layer_shapes(model):
    """Each layer's inferred shapes, as the book prints them.

    Args:
      model: a built keras.Sequential (one made with ``keras.Input``).
    Returns:
      list of LayerShape, one per layer; shapes are tuples with None for the batch axis.
    """
    # the book's `layer.output_shape` is Keras 2; Keras 3 keeps the shape on the symbolic output
    return [
        LayerShape(
            layer.name,
            type(layer).__name__,
            tuple(layer.input.shape),
            tuple(layer.output.shape),
            layer.count_params(),
        )
        for layer in model.layers
    ]


def summary_text(model):
    """``model.summary()`` as a string (the same table Keras prints).

    Args:
      model: a built keras.Model.
    Returns:
      str, several lines.
    """
    lines = []
    model.summary(print_fn=lambda line, **kwargs: lines.append(line))
    return "\n".join(lines)


def forward_graph(model):
    """The inference graph of a built Sequential ``model``, scoped ``<model>/<layer>/`` by name.

    Keras' ``__call__`` enters each layer's name scope twice (to build, to call) and TensorFlow
    renames the second (``dense`` -> ``dense_1``, ``dense_1`` -> ``dense_1_2``), so a traced
    ``model(x)`` names its layers differently from ``model.summary()``. This runs each layer's
    ``call`` (the same ops on the same weights, dropout off) under the name the summary prints.

    Args:
      model: a built keras.Sequential with one input.
    Returns:
      tf.Graph with a placeholder named like the model's input, ``[batch, ...]`` float32.
    """

    def forward(x):
        with tf.name_scope(model.name):
            for layer in model.layers:
                with tf.name_scope(layer.name):
                    x = layer.call(x)  # Dropout.call's training defaults to False
        return x

    spec = tf.TensorSpec(model.inputs[0].shape, tf.float32, name=model.inputs[0].name)
    return tf.function(forward).get_concrete_function(spec).graph


def write_model_logs(path, model):
    """Write ``model``'s summary (Text tab) and its forward graph (Graphs tab) for TensorBoard.

    Nothing is trained, so Keras' TensorBoard callback has nothing to log; the graph is
    ``forward_graph(model)``, whose scopes carry the layer names of the summary.

    Args:
      path: str or Path, the run folder.
      model: a built keras.Sequential with one input.
    """
    from tfbasics.runs.folders import write_graph

    writer = tf.summary.create_file_writer(str(path))
    with writer.as_default():
        # indented by four spaces: TensorBoard renders text as Markdown, this keeps the table
        table = "\n".join("    " + line for line in summary_text(model).splitlines())
        tf.summary.text("model_summary", table, step=0)
    writer.close()
    write_graph(path, forward_graph(model))


# ------------------------------------------------------------------ TensorBoard
class TensorBoard(keras.callbacks.TensorBoard):
    """Keras' TensorBoard callback, without two logs that mislead in this chapter.

    It writes ``<run>/train/`` (per-epoch ``epoch_loss``, ``epoch_accuracy``, weight histograms,
    the training graph) and ``<run>/validation/`` (per-epoch ``epoch_loss``, ``epoch_accuracy``).
    Left out: ``evaluation_<metric>_vs_iterations`` (the validation numbers again, on a step axis,
    easy to take for the test score) and ``epoch_learning_rate`` (rmsprop's constant 0.001, a
    flat line). The test score is ``write_test_scores``'s, written once at the end.

    Args:
      path: str or Path, the run folder.
    """

    def __init__(self, path):
        super().__init__(log_dir=str(path), histogram_freq=1)

    def on_test_end(self, logs=None):
        self._pop_writer()  # Keras writes evaluation_*_vs_iterations here first

    def _collect_learning_rate(self, logs):
        return logs  # Keras adds the learning rate to the epoch logs here


class CtrlCBetweenSteps(keras.callbacks.Callback):
    """Ctrl-C during ``fit`` takes effect between two batches, as a KeyboardInterrupt there.

    A SIGINT that lands while TensorFlow runs a Keras step can corrupt its memory: the process
    then dies with ``free(): invalid next size`` (seen in 3 of 6 interrupted runs here) before
    any message. With this callback the first Ctrl-C only sets a flag, which is checked after
    each training and validation batch; a second Ctrl-C interrupts at once.
    """

    def __init__(self):
        super().__init__()
        self._pressed = False
        self._previous = None

    def _on_sigint(self, signum, frame):
        if self._pressed:  # the second Ctrl-C: do not wait
            raise KeyboardInterrupt
        self._pressed = True

    def _restore(self):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _check(self, *args, **kwargs):
        if self._pressed:
            self._pressed = False
            self._restore()
            raise KeyboardInterrupt

    def on_train_begin(self, logs=None):
        if threading.current_thread() is threading.main_thread():  # signals go to the main thread
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)

    def on_train_end(self, logs=None):
        self._restore()

    on_train_batch_end = on_test_batch_end = on_epoch_end = _check


def write_test_scores(path, loss, accuracy, hparams, step):
    """Log the test score once, and the run as a TensorBoard HParams trial named by its folder.

    Writes scalars ``test/loss`` and ``test/accuracy`` to run folder ``path`` (beside Keras'
    ``train/`` and ``validation/``). The HParams tab lists the run with ``hparams`` as columns and
    every scalar of the run as metrics (last value): ``test/loss``, ``test/accuracy`` and the
    train and validation ``epoch_loss``, ``epoch_accuracy``.

    Args:
      path: str or Path, the run folder.
      loss, accuracy: floats, ``model.evaluate`` on the test set.
      hparams: dict of str -> bool, int, float or str (epochs, batch size, seed, ...).
      step: int, the x position of the two points (the last epoch's, so they line up).
    """
    from tensorboard.plugins.hparams import api as hp

    writer = tf.summary.create_file_writer(str(path))
    with writer.as_default():
        tf.summary.scalar("test/loss", loss, step=step)
        tf.summary.scalar("test/accuracy", accuracy, step=step)
        hp.hparams(hparams, trial_id=Path(path).name)
    writer.close()


# ------------------------------------------------------------------ model files
def save_model(model, path):
    """``model.save(path)`` through a temporary ``.keras`` file in the same folder, then rename.

    A full disk or an interrupt leaves no file under ``path`` (an existing one stays as it was)
    and no temporary file either: ``tfbasics.runs.atomic.atomic_path``, since Keras writes the file
    itself, to a name ending in ``.keras``.

    Args:
      model: keras.Model.
      path: str or Path ending in ``.keras``.
    Returns:
      Path written.
    Raises:
      OSError: the file could not be written; its ``filename`` is ``path``.
    """
    with atomic.atomic_path(path) as tmp:  # tmp ends in .keras too, as Keras insists
        model.save(tmp)
    return Path(path)


def load_model(path):
    """Load an MLP saved with ``model.save(path)`` (Keras 3 ``.keras`` format), ready to evaluate.

    Args:
      path: str or Path of a ``.keras`` file.
    Returns:
      compiled keras.Model, [batch, 784] -> [batch, 10].
    Raises:
      ModelFileError: the file is missing, is not a ``.keras`` archive Keras can read, or holds
        a model with other input or output sizes. The message is one line.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no saved model at {path}")
    if not zipfile.is_zipfile(path):  # Keras would call a corrupt file "File not found"
        raise ModelFileError(f"{path} is not a Keras .keras model file (not a zip archive)")
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # Keras raises ValueError, KeyError, OSError ... for bad archives
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ModelFileError(f"cannot load a Keras model from {path}: {first_line}") from error
    expected = ((None, NUM_PIXELS), (None, NUM_CLASSES))
    if (tuple(model.input_shape), tuple(model.output_shape)) != expected:
        raise ModelFileError(
            f"{path} holds a model for inputs {tuple(model.input_shape)} and "
            f"outputs {tuple(model.output_shape)}, not the MNIST MLP "
            f"(None, {NUM_PIXELS}) -> (None, {NUM_CLASSES})"
        )
    if not model.compiled:
        compile_model(model)
    return model

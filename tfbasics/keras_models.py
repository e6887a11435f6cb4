"""The chapter's two Keras models (sections 8-9), and how to train, evaluate and reload them.

Keras infers every layer's shape from the one shape it is given first. The book shows that with a
stack for 32x32 colour images, then trains a multilayer perceptron (MLP) on MNIST to about 98%:

- ``sequential_stack()``: Flatten -> Dense(100) -> ReLU -> Dense(60) -> ReLU on [32, 32, 3] images.
- ``layer_shapes()``, ``summary_text()``, ``write_model_logs()``: what section 8 prints and logs.
- ``build_model()``: the MNIST MLP, 784 -> 512 -> 512 -> 10, ReLU, Dropout 0.2, softmax.
- ``compile_model()``: rmsprop, categorical_crossentropy, accuracy (the book's ``compile``).
- ``prepare()`` and ``split_mnist()``: ``load_data()``'s uint8 arrays -> float32 [n, 784] in
  [0, 1] with one-hot labels [n, 10], split into train / validation / test.
- ``train()`` -> ``keras.callbacks.History``; ``evaluate()`` -> (loss, accuracy).
- ``load_model()``: a saved ``.keras`` MLP, or ``ModelFileError`` saying why not.

The book writes Keras 1/2 (``keras.layers.core``, ``np_utils``, ``nb_epoch``); this is Keras 3,
and the places where the names changed say so. Importing this module imports TensorFlow
(quietly) and Keras, and builds nothing.
"""

import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfbasics._tf import tf  # before Keras, so TensorFlow's start-up noise stays hidden
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES

# isort: split
import keras  # Keras 3, as shipped with TensorFlow 2.21

IMAGE_SHAPE = (32, 32, 3)  # section 8's example input: a 32x32 RGB image
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


def sequential_stack(input_shape=IMAGE_SHAPE):
    """The book's section-8 stack: Flatten, Dense(100), ReLU, Dense(60), ReLU.

    Args:
      input_shape: tuple of int, one example's shape without the batch axis ((32, 32, 3)).
    Returns:
      keras.Sequential mapping float32 [batch, 32, 32, 3] -> [batch, 60]; its layers' outputs are
      [batch, 3072], [batch, 100], [batch, 100], [batch, 60], [batch, 60], and the two Dense
      layers hold 3072*100 + 100 = 307,300 and 100*60 + 60 = 6,060 parameters.
    """
    return keras.Sequential(
        [
            # the book's Flatten(input_shape=(32, 32, 3)) is the Keras 2 way; Keras 3 warns, so: Input
            keras.Input(shape=input_shape, name="image"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(100, name="dense"),
            keras.layers.Activation("relu", name="activation"),
            keras.layers.Dense(60, name="dense_1"),
            keras.layers.Activation("relu", name="activation_1"),
        ],
        name="sequential",
    )


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


def write_model_logs(path, model):
    """Write ``model``'s summary (Text tab) and its forward graph (Graphs tab) for TensorBoard.

    Nothing is trained, so Keras' TensorBoard callback has nothing to log; this traces one call of
    the model into a graph instead.

    Args:
      path: str or Path, the run folder.
      model: a built keras.Model with one input.
    """
    from tfbasics.runs import write_graph

    writer = tf.summary.create_file_writer(str(path))
    with writer.as_default():
        # indented by four spaces: TensorBoard renders text as Markdown, this keeps the table
        table = "\n".join("    " + line for line in summary_text(model).splitlines())
        tf.summary.text("model_summary", table, step=0)
    writer.close()
    spec = tf.TensorSpec(model.inputs[0].shape, tf.float32, name=model.inputs[0].name)
    write_graph(path, tf.function(model).get_concrete_function(spec).graph)


def build_model():
    """The book's MNIST MLP (uncompiled).

    Returns:
      keras.Sequential mapping float32 [batch, 784] -> softmax probabilities [batch, 10]:
      Dense(512), ReLU, Dropout(0.2), Dense(512), ReLU, Dropout(0.2), Dense(10), softmax;
      401,920 + 262,656 + 5,130 = 669,706 parameters.
    """
    layers = keras.layers  # the book imports these from keras.layers.core (Keras 1/2)
    return keras.Sequential(
        [
            keras.Input(
                shape=(NUM_PIXELS,), name="pixels"
            ),  # the book: Dense(512, input_shape=(784,))
            layers.Dense(HIDDEN_UNITS, name="dense"),
            layers.Activation("relu", name="activation"),
            layers.Dropout(
                DROPOUT_RATE, name="dropout"
            ),  # only while training: Keras switches it off
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


def tensorboard_callback(path):
    """Keras' TensorBoard callback writing to run folder ``path``.

    It writes ``path/train/`` (per-epoch loss, accuracy, learning rate; weight histograms) and
    ``path/validation/`` (per-epoch validation loss and accuracy).

    Args:
      path: str or Path, the run folder.
    Returns:
      keras.callbacks.TensorBoard.
    """
    return keras.callbacks.TensorBoard(log_dir=str(path), histogram_freq=1)


def train(model, data, epochs=EPOCHS, batch_size=BATCH_SIZE, callbacks=(), verbose=1):
    """Fit ``model`` on ``data.train``, reporting ``data.validation`` after every epoch.

    Args:
      model: compiled keras.Model ([batch, 784] -> [batch, 10]).
      data: MNISTSplits.
      epochs: int, passes over the training set (the book's ``nb_epoch``, Keras 1).
      batch_size: int, examples per gradient step.
      callbacks: sequence of keras.callbacks.Callback (e.g. ``tensorboard_callback``).
      verbose: int, Keras' output: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.
    Returns:
      keras.callbacks.History; ``.history`` maps 'loss', 'accuracy', 'val_loss',
      'val_accuracy' to one float per epoch.
    """
    return model.fit(
        *data.train,
        batch_size=batch_size,
        epochs=epochs,
        verbose=verbose,
        validation_data=tuple(data.validation),
        callbacks=list(callbacks),
    )


def evaluate(model, split, batch_size=BATCH_SIZE):
    """Loss and accuracy of ``model`` on one ``Split`` (dropout off).

    Args:
      model: compiled keras.Model.
      split: Split (x float32 [n, 784], y float32 [n, 10]).
      batch_size: int; it changes only speed, not the result.
    Returns:
      (loss, accuracy): two floats; loss is the mean categorical cross-entropy (the book's
      "Test score").
    """
    loss, accuracy = model.evaluate(*split, batch_size=batch_size, verbose=0)
    return float(loss), float(accuracy)


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
    if tuple(model.input_shape) != (None, NUM_PIXELS) or tuple(model.output_shape) != (
        None,
        NUM_CLASSES,
    ):
        raise ModelFileError(
            f"{path} holds a model for inputs {tuple(model.input_shape)} and "
            f"outputs {tuple(model.output_shape)}, not the MNIST MLP "
            f"(None, {NUM_PIXELS}) -> (None, {NUM_CLASSES})"
        )
    if not model.compiled:
        compile_model(model)
    return model

"""The data and the model views of the chapter's Keras sections (8 and 9).

The lessons hold the book's code: section 8 its Sequential stack, section 9 its MLP, with
``model.compile``, ``model.fit`` and ``model.evaluate``. This module holds what they reuse:

- ``prepare()`` and ``split_mnist()``: ``load_data()``'s uint8 arrays -> float32 [n, 784] in
  [0, 1] with one-hot labels [n, 10], split into train / validation / test.
- ``layer_shapes()``, ``summary_text()``: what Keras inferred, as section 8 prints it;
  ``forward_graph()``, ``write_model_logs()``: the summary and graph for TensorBoard.

A Keras run's machinery (TensorBoard and Ctrl-C callbacks, model files, one-line errors) is in
``tfbasics.runs.keras_runs``. The book writes Keras 1/2 (``keras.layers.core``, ``np_utils``);
this is Keras 3. Importing this module imports neither TensorFlow nor Keras, and builds nothing.
"""

from typing import NamedTuple

import numpy as np

from tfbasics._tf import keras, tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES, VALIDATION_SIZE

NUM_PIXELS = IMAGE_PIXELS  # an MNIST image flattened to one row


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


# ------------------------------------------------------------------ section 9: the data
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

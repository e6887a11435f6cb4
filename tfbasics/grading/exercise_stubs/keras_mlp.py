"""Exercise 8, keras_mlp: the book's multilayer perceptron for MNIST, in Keras.

Chapter 1, "Handwritten number recognition with Keras and MNIST" ("Building the network" and
"Training the network"). Keras infers every layer's shape from the one shape it is given first:
here 784 pixels. Two hidden layers of 512 ReLU units, each followed by Dropout(0.2), then 10
softmax outputs; compiled with rmsprop and categorical cross-entropy, it reaches about 98%.

Tasks:
  1. ``build_model()`` maps float32 [batch, 784] to probabilities [batch, 10]
  2. the book's layers
  3. 669,706 parameters
  4. ``compile_model(model)`` as the book compiles it

Check your work with ``tfbasics check keras_mlp``; a hint: ``tfbasics check keras_mlp --hints``.
(This file is not called keras.py: that name would hide the real Keras from Python.)
"""

from tfbasics._tf import tf  # noqa: F401  (before Keras, so TensorFlow's start-up noise stays hidden)

import keras  # noqa: E402  (Keras 3: the book's keras.layers.core is keras.layers)

NUM_PIXELS = 28 * 28  # an MNIST image flattened to one row
NUM_CLASSES = 10  # digits 0-9
HIDDEN_UNITS = 512  # both hidden layers of the book's MLP
DROPOUT_RATE = 0.2  # the book's dropout after each hidden layer


def build_model():
    """The book's MNIST MLP (uncompiled).

    Returns:
      keras.Sequential mapping float32 [batch, 784] -> softmax probabilities [batch, 10]:
      Dense(512), ReLU, Dropout(0.2), Dense(512), ReLU, Dropout(0.2), Dense(10), softmax;
      401,920 + 262,656 + 5,130 = 669,706 parameters.
    """
    # TODO tasks 1-3: keras.Sequential([keras.Input(...), layers ...])
    raise NotImplementedError


def compile_model(model):
    """Compile ``model`` as the book does: rmsprop, categorical_crossentropy, accuracy.

    Args:
      model: keras.Model whose output is softmax probabilities [batch, NUM_CLASSES].
    Returns:
      the same model, compiled.
    """
    # TODO task 4
    raise NotImplementedError

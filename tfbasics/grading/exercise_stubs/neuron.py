"""Exercise 1, neuron: an artificial neuron in NumPy.

Chapter 1, "Building blocks of a neural network". A neuron computes a weighted sum of its inputs
plus a bias, ``z = w . x + b``, and passes it through an activation; the book's neuron has
weights [1, 2], bias 0 and a sigmoid, so ``forward([1, 1]) = sigmoid(3) = 0.9525741268``.

Tasks:
  1. ``sigmoid(z)``
  2. ``Neuron.forward(inputs)``
  3. ``Neuron.forward`` refuses a wrong number of inputs with ValueError

Check your work with ``tfbasics check neuron``; a hint: ``tfbasics check neuron --hints``.
"""

import numpy as np

BOOK_WEIGHTS = (1.0, 2.0)  # the book's example neuron
BOOK_BIAS = 0.0


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z).

    Args:
      z: float or array, any shape; integers are taken as float64.
    Returns:
      array (or scalar) of the same shape, in [0, 1]; float64, or z's float dtype. Finite for
      any finite z (sigmoid(-1000.0) is 0.0).
    """
    # TODO task 1: the logistic function, element-wise (NumPy's np.exp works on arrays too)
    raise NotImplementedError


class Neuron:
    """One neuron: ``activation(weights . inputs + bias)``.

    Args:
      weights: sequence of float, one per input (the book's [1.0, 2.0]).
      bias: float (the book's 0.0).
      activation: function from float to float (sigmoid by default).
    """

    def __init__(self, weights=BOOK_WEIGHTS, bias=BOOK_BIAS, activation=sigmoid):
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = float(bias)
        self.activation = activation

    def forward(self, inputs):
        """The neuron's output for one input vector.

        Args:
          inputs: sequence of float with as many entries as ``weights``.
        Returns:
          float, ``activation(weights . inputs + bias)``.
        Raises:
          ValueError: if ``inputs`` has the wrong length.
        """
        # TODO tasks 2 and 3: check the length, then the weighted sum, bias and activation
        raise NotImplementedError

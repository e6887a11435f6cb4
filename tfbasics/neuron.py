"""Section 1: an artificial neuron in NumPy.

A neuron computes a weighted sum of its inputs plus a bias, ``z = w . x + b``, and passes it
through an activation; the book's neuron has weights [1, 2], bias 0 and a sigmoid, so
``forward([1, 1]) = sigmoid(3) = 0.9525741268``.
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
    # (1 + tanh(z/2)) / 2 is the same function; 1 / (1 + exp(-z)) overflows for z < -710
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


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

    def weighted_sum(self, inputs):
        """``z = weights . inputs + bias`` for one input vector (float); see forward()."""
        x = np.asarray(inputs, dtype=np.float64)
        if x.shape != self.weights.shape:
            raise ValueError(
                f"Neuron expects {self.weights.shape[0]} inputs "
                f"(one per weight), got shape {x.shape}"
            )
        return float(np.dot(self.weights, x) + self.bias)

    def forward(self, inputs):
        """The neuron's output for one input vector.

        Args:
          inputs: sequence of float with as many entries as ``weights``.
        Returns:
          float, ``activation(weights . inputs + bias)``.
        Raises:
          ValueError: if ``inputs`` has the wrong length.
        """
        return float(self.activation(self.weighted_sum(inputs)))

"""Exercise 9, backprop: the backward pass of three layers, and a finite-difference check.

Chapter 1, "Understanding backpropagation". Each layer's ``forward`` caches what ``backward``
needs; ``backward(upstream)`` takes dL/d(output) and returns ``(dL/d(input), {param name:
dL/d(param)})``: the chain rule, one layer at a time. Batches are rows: x is [batch, n_in] and
z = x @ W + b with W [n_in, n_out] (the book writes one column vector, z = W x, so its W is our W.T).
``numerical_gradient`` is how you know a backward pass is right: nudge each input by +-eps and
watch the output; ``relative_error`` says how close the two gradients are.

Tasks:
  1. ``Sigmoid.backward``
  2. ``ReLU.backward``
  3. ``FullyConnected.backward``
  4. ``numerical_gradient``
  5. ``relative_error``: how far apart two gradients are, at any scale

Check your work with ``tfbasics check backprop``; a hint: ``tfbasics check backprop --hints``.
"""

import numpy as np


class FullyConnected:
    """z = x @ W + b. W: [n_in, n_out], b: [n_out]."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def params(self):
        return {"W": self.W, "b": self.b}

    def forward(self, x):
        """x: [batch, n_in] -> z: [batch, n_out]."""
        self.x = x
        return x @ self.W + self.b

    def backward(self, upstream):
        """upstream: dL/dz [batch, n_out] -> (dL/dx [batch, n_in], {"W": dL/dW, "b": dL/db})."""
        # TODO task 3: three matrix products and a sum, each the shape of what it is the gradient of
        raise NotImplementedError


class Sigmoid:
    """z = 1 / (1 + exp(-a)); dz/da = z * (1 - z), at most 1/4 (at a = 0)."""

    def params(self):
        return {}

    def forward(self, a):
        self.z = 0.5 * (1.0 + np.tanh(0.5 * a))  # = 1/(1+exp(-a)), no exp overflow for a << 0
        return self.z

    def backward(self, upstream):
        """upstream: dL/dz [batch, n] -> (dL/da [batch, n], {})."""
        # TODO task 1: dL/da = dL/dz * dz/da; return it with {} (no parameters)
        raise NotImplementedError


class ReLU:
    """z = max(a, 0); dz/da = 1 where a > 0, else 0: a unit that never fires never learns."""

    def params(self):
        return {}

    def forward(self, a):
        self.fired = a > 0
        return np.maximum(a, 0)

    def backward(self, upstream):
        """upstream: dL/dz [batch, n] -> (dL/da [batch, n], {})."""
        # TODO task 2
        raise NotImplementedError


def numerical_gradient(f, array, eps=1e-6):
    """Central differences (f(p + eps) - f(p - eps)) / 2eps of ``f()``, p each entry of ``array``.

    Args:
      f: callable returning a float that reads ``array``.
      array: float64 ndarray, changed in place one entry at a time and restored.
    Returns:
      float64 array of ``array``'s shape. Error O(eps**2) plus rounding O(1e-16 / eps).
    """
    # TODO task 4: for every index of array (np.ndindex), nudge, call f, restore
    raise NotImplementedError


def relative_error(a, b):
    """|a - b| / (|a| + |b|) with Euclidean norms; 0 when both are 0."""
    # TODO task 5
    raise NotImplementedError

"""Backpropagation from scratch in NumPy: each layer's forward and backward side by side.

In the order the chapter tells it:

- ``FullyConnected`` (alias ``Dense``), ``Sigmoid``, ``ReLU``, ``SoftmaxCrossEntropy``: ``forward``
  caches what ``backward`` needs; ``backward(upstream)`` takes dL/d(output) and returns
  ``(dL/d(input), {param name: dL/d(param)})``. ``Network`` chains them and takes SGD steps.
- ``init_weights`` / ``mlp``: a Network of given sizes with scaled or sloppy initial weights.
- ``book_local_gradients``: the book's formulas; ``ones_upstream_gradients``: the same numbers
  from ``backward`` with an upstream gradient of ones.
- ``chain_rule_example`` and ``Multiply``: F(x) = f(g(x)) and z = x * y, forward and backward.

Every backward here is checked against finite differences and ``tf.gradients`` by
``tfbasics.gradcheck``; ``tfbasics.backprop_experiments`` trains and breaks these networks.

Batches are rows: x is [batch, n_in] and z = x @ W + b with W [n_in, n_out], as ``tf.matmul(x, W)``
in the earlier sections. The book writes one column vector, z = W x, so its W is our ``W.T``.
NumPy only.
"""

import numpy as np

from tfbasics.neuron import sigmoid

SATURATED = 1e-3  # sigmoid units with z*(1-z) below this pass on < 1/250 of the best case, 1/4
INITS = ("scaled", "lecun", "rand", "randn")  # see init_weights


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
        grads = {"W": self.x.T @ upstream, "b": upstream.sum(axis=0)}
        return upstream @ self.W.T, grads


Dense = FullyConnected


class Sigmoid:
    """z = 1 / (1 + exp(-a)); dz/da = z * (1 - z), at most 1/4 (at a = 0)."""

    def params(self):
        return {}

    def forward(self, a):
        self.z = sigmoid(a)  # section 1's sigmoid: no exp overflow for a << 0
        return self.z

    def backward(self, upstream):
        return upstream * self.z * (1.0 - self.z), {}


class ReLU:
    """z = max(a, 0); dz/da = 1 where a > 0, else 0: a unit that never fires never learns."""

    def params(self):
        return {}

    def forward(self, a):
        self.fired = a > 0
        return np.maximum(a, 0)

    def backward(self, upstream):
        return upstream * self.fired, {}


class SoftmaxCrossEntropy:
    """L = batch mean of -log softmax(logits)[label]; dL/dlogits = (softmax - onehot) / batch."""

    def params(self):
        return {}

    def forward(self, logits, labels):
        """logits: [batch, classes]; labels: int [batch] or one-hot [batch, classes] -> float."""
        labels = np.asarray(labels)
        if labels.ndim == 1:
            labels = np.eye(logits.shape[1], dtype=logits.dtype)[labels]
        self.onehot = labels
        shifted = logits - logits.max(axis=1, keepdims=True)  # log-softmax: no overflow, no log(0)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.p = np.exp(log_p)
        return float(-(self.onehot * log_p).sum() / len(logits))

    def backward(self, upstream=1.0):
        """upstream: dL_total/dL (1 for the loss itself) -> (dL/dlogits [batch, classes], {})."""
        return upstream * (self.p - self.onehot) / len(self.p), {}


class Network:
    """``layers`` (FullyConnected, Sigmoid, ReLU in any order) followed by SoftmaxCrossEntropy."""

    def __init__(self, layers):
        self.layers = list(layers)
        self.loss = SoftmaxCrossEntropy()

    def params(self):
        """{"layer<i>.<name>": array} for every parameter (the arrays themselves, not copies)."""
        return {
            f"layer{i}.{name}": p
            for i, layer in enumerate(self.layers)
            for name, p in layer.params().items()
        }

    def logits(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x, labels):
        """x: [batch, n_in]; labels: int [batch] -> mean cross-entropy (float)."""
        return self.loss.forward(self.logits(x), labels)

    def backward(self):
        """After ``forward``, from the loss back to the input: (dL/dx, {"layer<i>.<name>": g})."""
        upstream, grads = self.loss.backward(1.0)
        for i in reversed(range(len(self.layers))):
            upstream, layer_grads = self.layers[i].backward(upstream)
            grads.update({f"layer{i}.{name}": g for name, g in layer_grads.items()})
        return upstream, grads

    def sgd_step(self, grads, learning_rate):
        """Plain SGD, in place: param -= learning_rate * grad."""
        params = self.params()
        for name, g in grads.items():
            params[name] -= learning_rate * g

    def predict(self, x):
        """x: [batch, n_in] -> int [batch], the class with the largest logit."""
        return self.logits(x).argmax(axis=1)


def init_weights(rng, n_in, n_out, activation, init):
    """Initial W [n_in, n_out] (float64) of a layer feeding ``activation`` (sigmoid, relu, None).

    "scaled" keeps each pre-activation near the steep part of its nonlinearity: std sqrt(2/n_in)
    (He) for ReLU; 4/sqrt(n_in) for sigmoid, whose slope is 1/4 where tanh's is 1 (Glorot and
    Bengio 2010); 1/sqrt(n_in) into the softmax. "lecun" is 1/sqrt(n_in) everywhere: right for
    tanh, but each sigmoid layer then shrinks the backward signal about 4x. The sloppy ones ignore
    the fan-in, as first attempts do: "rand" is np.random.rand (uniform [0, 1), all positive),
    "randn" np.random.randn.
    """
    if init == "rand":
        return rng.random((n_in, n_out))
    if init == "randn":
        return rng.standard_normal((n_in, n_out))
    if init not in ("scaled", "lecun"):
        raise ValueError(f"init must be one of {INITS}, not {init!r}")
    gain = {"relu": np.sqrt(2.0), "sigmoid": 4.0, None: 1.0}[activation]
    if init == "lecun":
        gain = 1.0
    return rng.normal(0.0, gain / np.sqrt(n_in), (n_in, n_out))


def mlp(sizes, activation="sigmoid", init="scaled", rng=None, dtype=np.float32):
    """A Network FullyConnected, activation, ..., FullyConnected of layer ``sizes``.

    Args:
      sizes: list of int: input size, hidden sizes, number of classes ([784, 128, 10]).
      activation: "sigmoid" or "relu", after every hidden layer.
      init: one of INITS (see ``init_weights``); biases start at 0.
      rng: np.random.Generator (default: seed 0).
      dtype: of every parameter (float32 to train, float64 to check gradients).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        hidden = i < len(sizes) - 2
        W = init_weights(rng, n_in, n_out, activation if hidden else None, init)
        layers.append(FullyConnected(W.astype(dtype), np.zeros(n_out, dtype)))
        if hidden:
            layers.append({"sigmoid": Sigmoid, "relu": ReLU}[activation]())
    return Network(layers)


def book_local_gradients(W, x, activation="sigmoid"):
    """The book's local gradients of z = f(W x) for one column vector x.

    Args:
      W: [n_out, n_in] (the book's layout, our FullyConnected.W.T); x: [n_in].
      activation: "sigmoid": dx = W.T @ (z*(1-z)), dW = outer(z*(1-z), x);
        "relu": dx = W.T @ (z > 0), dW = outer(z > 0, x).
    Returns:
      (dx [n_in], dW [n_out, n_in]).
    """
    a = W @ x
    if activation == "sigmoid":
        z = 1.0 / (1.0 + np.exp(-a))
        local = z * (1 - z)
    else:
        local = (a > 0).astype(W.dtype)
    return W.T @ local, np.outer(local, x)


def ones_upstream_gradients(W, x, activation="sigmoid"):
    """``book_local_gradients`` by FullyConnected(W.T, 0) + activation and ``backward(ones)``.

    Same arguments and returns: the book's formulas are backprop with dL/dz = 1 for every unit.
    """
    fc = FullyConnected(W.T, np.zeros(len(W), W.dtype))
    act = {"sigmoid": Sigmoid, "relu": ReLU}[activation]()
    z = act.forward(fc.forward(x[None, :]))
    da, _ = act.backward(np.ones_like(z))
    dx, grads = fc.backward(da)
    return dx[0], grads["W"].T


def chain_rule_example(x, h=1e-6):
    """F(x) = f(g(x)), g(x) = x**2 + 1, f(u) = sin(u): dF/dx = f'(g(x)) g'(x) = cos(x**2 + 1) 2x.

    Returns:
      dict of floats: u = g(x), F, dF/du (= f'(u)), du/dx (= g'(x)), dF/dx (their product) and
      "central difference", (F(x + h) - F(x - h)) / 2h, to compare with it.
    """
    u = x**2 + 1.0
    dF_du, du_dx = float(np.cos(u)), 2.0 * x
    numeric = (np.sin((x + h) ** 2 + 1.0) - np.sin((x - h) ** 2 + 1.0)) / (2 * h)
    return {
        "u": u,
        "F": float(np.sin(u)),
        "dF/du": dF_du,
        "du/dx": du_dx,
        "dF/dx": dF_du * du_dx,
        "central difference": float(numeric),
    }


class Multiply:
    """z = x * y. Backward swaps the inputs: dL/dx = dL/dz * y, dL/dy = dL/dz * x."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, upstream):
        """upstream: dL/dz -> (dL/dx, dL/dy)."""
        return upstream * self.y, upstream * self.x

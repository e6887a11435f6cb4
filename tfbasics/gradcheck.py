"""Gradient checks: ``backward`` of tfbasics.backprop against finite differences and TensorFlow.

- ``numerical_gradient``: central differences (f(p + eps) - f(p - eps)) / 2eps, float64.
- ``relative_error``: |a - b| / (|a| + |b|).
- ``build_tf_gradients`` / ``tf_gradients``: the same function built in a ``tf.compat.v1`` graph
  and differentiated by ``tf.gradients``.
- ``gradient_check``: one row per input and parameter of a layer, loss or network;
  ``check_all``: every layer and two whole networks.

What is differentiated: the loss for SoftmaxCrossEntropy and Network; for any other layer the
scalar sum(forward(x) * upstream), whose gradient is exactly what ``backward(upstream)`` returns.
TensorFlow is imported inside ``tf_gradients`` only.
"""

from typing import NamedTuple

import numpy as np

from tfbasics import backprop as bp

TOLERANCE = 1e-6  # float64 central differences with eps 1e-6 agree to about 1e-9


def numerical_gradient(f, array, eps=1e-6):
    """Central differences (f(p + eps) - f(p - eps)) / 2eps of ``f()``, p each entry of ``array``.

    Args:
      f: callable returning a float that reads ``array``.
      array: float64 ndarray, changed in place one entry at a time and restored.
    Returns:
      float64 array of ``array``'s shape. Error O(eps**2) plus rounding O(1e-16 / eps).
    """
    grad = np.zeros(array.shape)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + eps
        plus = f()
        array[idx] = old - eps
        minus = f()
        array[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """|a - b| / (|a| + |b|) with Euclidean norms; 0 when both are 0."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 0 else 0.0


def _objective(model, x, target):
    """The scalar differentiated: the loss of a loss or network, sum(forward(x) * upstream) else."""
    if isinstance(model, (bp.Network, bp.SoftmaxCrossEntropy)):
        return model.forward(x, target)
    return float((model.forward(x) * target).sum())


def analytic_gradients(model, x, target):
    """{"x": dL/dx, param name: dL/dparam} by ``backward``; target: labels or upstream gradient."""
    _objective(model, x, target)
    if isinstance(model, bp.Network):
        dx, grads = model.backward()
    elif isinstance(model, bp.SoftmaxCrossEntropy):
        dx, grads = model.backward(1.0)
    else:
        dx, grads = model.backward(target)
    return {"x": dx, **grads}


class TFGradients(NamedTuple):
    graph: object  # tf.Graph
    output: object  # the differentiated tensor: the loss, or the layer's output
    grads: dict  # {"x" or param name: tf.gradients tensor}


def build_tf_gradients(model, x, target):
    """The same computation as a tf.compat.v1 graph of float64 constants, and its tf.gradients.

    Args: as ``gradient_check``. For a layer, target goes to tf.gradients as ``grad_ys``:
    TensorFlow's name for the upstream gradient.
    Returns:
      TFGradients(graph, output, grads), grads keyed like ``analytic_gradients``.
    """
    from tfbasics._tf import tf

    g = tf.Graph()
    with g.as_default():
        h = tf.constant(x, name="features")
        wrt = {"x": h}
        layers = (
            model.layers
            if isinstance(model, bp.Network)
            else []
            if isinstance(model, bp.SoftmaxCrossEntropy)
            else [model]
        )
        for i, layer in enumerate(layers):
            prefix = f"layer{i}." if isinstance(model, bp.Network) else ""
            with tf.name_scope(f"layer{i}_{type(layer).__name__}"):
                if isinstance(layer, bp.FullyConnected):
                    W = tf.constant(layer.W, name="weights")
                    b = tf.constant(layer.b, name="biases")
                    wrt.update({prefix + "W": W, prefix + "b": b})
                    h = tf.matmul(h, W) + b
                elif isinstance(layer, bp.Sigmoid):
                    h = tf.sigmoid(h)
                else:
                    h = tf.nn.relu(h)
        if isinstance(model, (bp.Network, bp.SoftmaxCrossEntropy)):
            labels = tf.constant(np.asarray(target), name="labels")
            xent = (
                tf.nn.softmax_cross_entropy_with_logits
                if labels.shape.rank == 2
                else tf.nn.sparse_softmax_cross_entropy_with_logits
            )(labels=labels, logits=h)
            output = tf.reduce_mean(xent, name="cross_entropy")
            grads = tf.gradients(output, list(wrt.values()))
        else:
            output = h
            upstream = tf.constant(target, name="upstream")
            grads = tf.gradients(output, list(wrt.values()), grad_ys=upstream)
    return TFGradients(g, output, dict(zip(wrt, grads)))


def tf_gradients(model, x, target):
    """{"x" or param name: NumPy gradient} computed by TensorFlow (see ``build_tf_gradients``)."""
    from tfbasics._tf import tf

    built = build_tf_gradients(model, x, target)
    with tf.compat.v1.Session(graph=built.graph) as sess:
        return sess.run(built.grads)


class GradCheckRow(NamedTuple):
    wrt: str
    shape: tuple
    vs_finite_differences: float  # relative_error(backward, central differences)
    vs_tensorflow: float  # relative_error(backward, tf.gradients)


def gradient_check(model, x, target, eps=1e-6):
    """Check ``backward`` of a layer, SoftmaxCrossEntropy or Network against both references.

    Args:
      model: its parameters and x should be float64 for the errors to mean anything.
      x: [batch, n_in] input (logits for SoftmaxCrossEntropy).
      target: the upstream gradient (shape of the layer's output) or the labels.
    Returns:
      list of GradCheckRow, one for x and one per parameter.
    """
    analytic = analytic_gradients(model, x, target)
    from_tf = tf_gradients(model, x, target)
    arrays = {"x": x, **model.params()}
    rows = []
    for name, array in arrays.items():
        numeric = numerical_gradient(lambda: _objective(model, x, target), array, eps)
        rows.append(
            GradCheckRow(
                name,
                array.shape,
                relative_error(analytic[name], numeric),
                relative_error(analytic[name], from_tf[name]),
            )
        )
    return rows


def check_all(seed=0):
    """``gradient_check`` of each layer and of a sigmoid and a ReLU network, small float64 sizes.

    Returns:
      list of (model name, GradCheckRow).
    """
    rng = np.random.default_rng(seed)
    x, labels = rng.normal(size=(4, 6)), np.array([0, 2, 1, 2])
    cases = [
        (
            "FullyConnected",
            bp.FullyConnected(rng.normal(size=(6, 5)), rng.normal(size=5)),
            x,
            rng.normal(size=(4, 5)),
        ),
        ("Sigmoid", bp.Sigmoid(), x, rng.normal(size=x.shape)),
        ("ReLU", bp.ReLU(), x, rng.normal(size=x.shape)),
        ("SoftmaxCrossEntropy", bp.SoftmaxCrossEntropy(), x, np.array([0, 3, 5, 1])),
        (
            "Network 6-5-4-3 sigmoid",
            bp.mlp([6, 5, 4, 3], "sigmoid", rng=rng, dtype=np.float64),
            x,
            labels,
        ),
        ("Network 6-5-3 ReLU", bp.mlp([6, 5, 3], "relu", rng=rng, dtype=np.float64), x, labels),
    ]
    return [
        (name, row)
        for name, model, xin, target in cases
        for row in gradient_check(model, xin, target)
    ]

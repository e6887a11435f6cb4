"""Exercise checks: backprop (backward passes of Sigmoid, ReLU and FullyConnected; finite differences).

Expected gradients are the checks' own central differences of the layer's function (float64), so
a check never trusts the code it grades.
"""

import numpy as np

from .expect import TaskFailure, expect_close, show, task

EXERCISE = "backprop"
RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))  # a batch of 3 rows of 4 pre-activations
UPSTREAM = RNG.standard_normal((3, 4))  # dL/d(output), not all ones: it must be multiplied in


def _central(f, x, eps=1e-6):
    """d sum(f(x)) / dx by central differences, without touching ``x``."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (np.sum(f(x + step)) - np.sum(f(x - step))) / (2 * eps)
    return grad


def _backward(layer, upstream, call):
    out = layer.backward(upstream)
    if not isinstance(out, tuple) or len(out) != 2 or not isinstance(out[1], dict):
        raise TaskFailure(
            f"{call}\n  returned {show(out)}\n  expected the pair (dL/dinput, "
            "{parameter name: dL/dparameter}) ({} for a layer without parameters)"
        )
    return out


@task(1)
def test_sigmoid(ex):
    layer = ex.Sigmoid()
    layer.forward(A.copy())
    dx, grads = _backward(layer, UPSTREAM.copy(), "Sigmoid().backward(upstream)")
    want = _central(lambda a: UPSTREAM / (1 + np.exp(-a)), A)
    z = 1 / (1 + np.exp(-A))
    expect_close(
        dx,
        want,
        "Sigmoid().backward(upstream) after forward(a), a and upstream "
        "[3, 4] random  # dL/da = upstream * dz/da",
        atol=1e-6,
        mistakes=[
            (z * (1 - z), "that is dz/da alone: the chain rule multiplies it by upstream, dL/dz")
        ],
    )
    if grads:
        raise TaskFailure(
            f"Sigmoid().backward(upstream)\n  returned parameter gradients "
            f"{sorted(grads)}\n  expected {{}}: a sigmoid has no parameters"
        )


@task(2)
def test_relu(ex):
    a = A.copy()
    a[0, 0] = -1e-3  # just below and above the kink, away from 0 where the slope is undefined
    a[0, 1] = 1e-3
    layer = ex.ReLU()
    layer.forward(a.copy())
    dx, grads = _backward(layer, UPSTREAM.copy(), "ReLU().backward(upstream)")
    want = _central(lambda v: UPSTREAM * np.maximum(v, 0.0), a, eps=1e-4)
    expect_close(
        dx,
        want,
        "ReLU().backward(upstream) after forward(a), a and upstream [3, 4] random",
        atol=1e-6,
        mistakes=[
            (
                (a > 0).astype(float),
                "that is dz/da alone: the chain rule multiplies it by upstream, dL/dz",
            )
        ],
    )
    if grads:
        raise TaskFailure(
            f"ReLU().backward(upstream)\n  returned parameter gradients "
            f"{sorted(grads)}\n  expected {{}}: a ReLU has no parameters"
        )


@task(3)
def test_fully_connected(ex):
    x = RNG.standard_normal((3, 5))
    W = RNG.standard_normal((5, 4))
    b = RNG.standard_normal(4)
    layer = ex.FullyConnected(W.copy(), b.copy())
    layer.forward(x.copy())
    call = "FullyConnected(W [5, 4], b [4]).backward(upstream [3, 4]) after forward(x [3, 5])"
    dx, grads = _backward(layer, UPSTREAM.copy(), call)
    expect_close(dx, _central(lambda v: UPSTREAM * (v @ W + b), x), call + ": dL/dx", atol=1e-6)
    if set(grads) != {"W", "b"}:
        raise TaskFailure(
            f"{call}\n  returned parameter gradients for {sorted(grads)}\n  "
            "expected {'W': dL/dW, 'b': dL/db}"
        )
    expect_close(
        grads["W"], _central(lambda v: UPSTREAM * (x @ v + b), W), call + ": dL/dW", atol=1e-6
    )
    expect_close(
        grads["b"],
        _central(lambda v: UPSTREAM * (x @ W + v), b),
        call + ": dL/db  # summed over the batch",
        atol=1e-6,
    )


@task(4)
def test_numerical_gradient(ex):
    p = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = p.copy()
    # the learner's process makes f = lambda: float(np.sum(p ** 3)) around its own copy of p
    out = ex.recipe("numerical_gradient", p, doing="running numerical_gradient(f, p)")
    got, p = out["returned"], out["p_after"]
    call = f"numerical_gradient(lambda: np.sum(p ** 3), p) with p = {before.tolist()}"
    expect_close(got, 3 * before**2, call + "  # d/dp sum(p^3) = 3 p^2", atol=1e-4)
    if not np.array_equal(p, before):
        raise TaskFailure(
            f"{call}\n  left p = {np.asarray(p).tolist()}\n  expected p restored to "
            f"{before.tolist()}: put every entry back after nudging it"
        )


@task(5)
def test_relative_error(ex):
    a, b = np.array([3.0, 4.0]), np.array([3.0, 4.1])
    want = np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
    expect_close(
        ex.relative_error(a, b),
        want,
        "relative_error([3.0, 4.0], [3.0, 4.1])  # Euclidean norms: 0.1 / (5 + 5.0990)",
        atol=1e-12,
        mistakes=[
            (
                np.abs(a - b).sum() / (np.abs(a).sum() + np.abs(b).sum()),
                "that uses sums of absolute values; use Euclidean norms, np.linalg.norm",
            )
        ],
    )
    expect_close(
        ex.relative_error(1e-8 * a, 1e-8 * b),
        want,
        "relative_error(1e-8 * a, 1e-8 * b)"
        "  # the same relative error at any scale: that is why it is relative",
        atol=1e-12,
    )
    expect_close(
        ex.relative_error(np.zeros(3), np.zeros(3)),
        0.0,
        "relative_error(zeros(3), zeros(3))  # 0 / 0: two zero gradients agree",
        atol=0,
    )

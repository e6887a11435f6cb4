"""Exercise checks: neuron (an artificial neuron in NumPy)."""

import math

from tfbasics.grading.channel import Harness

from .expect import call_text, expect_close, expect_raises, expect_type, task

EXERCISE = "neuron"
IDENTITY = Harness("identity")  # lambda z: z, made in the learner's process


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


@task(1)
def test_sigmoid(ex):
    for z, want in [(0.0, 0.5), (3.0, 0.9525741268), (-2.0, _sigmoid(-2.0))]:
        expect_close(ex.sigmoid(z), want, call_text("sigmoid", z), atol=1e-9)
    zs = [-2.0, 0.0, 2.0]
    expect_close(ex.sigmoid(zs), [_sigmoid(z) for z in zs], call_text("sigmoid", zs), atol=1e-9)


@task(2)
def test_forward(ex):
    got = ex.Neuron().forward([1.0, 1.0])
    expect_close(
        got,
        0.9525741268,
        "Neuron().forward([1.0, 1.0])  # the book's neuron: sigmoid(3)",
        atol=1e-9,
    )
    got = ex.Neuron(weights=(0.5, -1.0), bias=0.25).forward([2.0, 1.0])
    expect_close(
        got,
        _sigmoid(0.25),
        "Neuron(weights=(0.5, -1.0), bias=0.25).forward([2.0, 1.0])  # z = 1 - 1 + 0.25",
        atol=1e-9,
    )
    got = ex.Neuron(activation=IDENTITY).forward([1.0, 1.0])
    expect_close(
        got,
        3.0,
        "Neuron(activation=lambda z: z).forward([1.0, 1.0])  # uses the neuron's own activation",
        atol=1e-9,
    )
    expect_type(
        got,
        float,
        "Neuron(activation=lambda z: z).forward([1.0, 1.0])",
        "forward returns a Python float: float(...) around the result",
    )


@task(3)
def test_forward_wrong_length(ex):
    neuron = ex.Neuron()
    expect_raises(
        ValueError,
        neuron.forward,
        [1.0, 2.0, 3.0],
        call="Neuron().forward([1.0, 2.0, 3.0])  # 3 inputs for 2 weights",
        why="one weight per input: a neuron with 2 weights cannot take 3 inputs",
    )

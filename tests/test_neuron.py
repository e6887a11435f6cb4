"""Section 1: the NumPy neuron and its graph twin."""

import math

import numpy as np
import pytest

from helpers import first_screen, graph_op_names
from tfbasics import neuron
from tfbasics._tf import tf
from tfbasics.chapters import ch01_01_neuron as lesson


def test_book_neuron_forward_is_sigmoid_3():
    assert neuron.Neuron().forward([1, 1]) == pytest.approx(0.9525741268, abs=1e-10)
    assert neuron.Neuron().forward([1, 1]) == pytest.approx(1 / (1 + math.exp(-3)), rel=1e-12)


def test_sigmoid_values_and_symmetry():
    assert neuron.sigmoid(0.0) == 0.5
    z = np.linspace(-6, 6, 13)
    np.testing.assert_allclose(neuron.sigmoid(z) + neuron.sigmoid(-z), 1.0, atol=1e-12)


def test_bias_and_weights_change_the_output():
    n = neuron.Neuron(weights=[0.5, -1.0], bias=0.25)
    assert n.weighted_sum([2.0, 1.0]) == pytest.approx(0.25)
    assert n.forward([2.0, 1.0]) == pytest.approx(neuron.sigmoid(0.25))


def test_wrong_number_of_inputs_is_a_clear_error():
    with pytest.raises(ValueError, match="expects 2 inputs"):
        neuron.Neuron().forward([1, 2, 3])


def test_graph_twin_matches_numpy():
    g = lesson.neuron_graph([1.0, 1.0])
    with tf.compat.v1.Session(graph=g.graph) as sess:
        assert sess.run(g.output) == pytest.approx(neuron.Neuron().forward([1, 1]), rel=1e-12)


def test_script_prints_and_writes_graph(tmp_path, capsys):
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    out = capsys.readouterr().out
    assert "forward([1.0, 1.0]) = sigmoid(3) = 0.9525741268" in out
    assert {"neuron/x", "neuron/W", "neuron/z", "neuron/output"} <= graph_op_names(
        tmp_path / "ch01_01_neuron" / "r"
    )


def test_script_writes_the_lessons_graph_and_prints_the_librarys_numbers(tmp_path, capsys):
    # the lesson shows the neuron's code; tfbasics.neuron stays the reference that tests and
    # the exercise checker use: the two must not drift apart
    argv = ["--logdir", str(tmp_path), "--run-name", "r", "--inputs", "-2.5", "0.75"]
    assert lesson.main(argv) == 0
    out = capsys.readouterr().out
    n = neuron.Neuron()
    z = n.weighted_sum([-2.5, 0.75])
    assert f"z = w . x + b = {z:g}\n" in out
    assert f"forward([-2.5, 0.75]) = sigmoid({z:g}) = {n.forward([-2.5, 0.75]):.10f}\n" in out
    graph = lesson.neuron_graph([-2.5, 0.75]).graph
    builder = {op.name for op in graph.get_operations()}
    assert graph_op_names(tmp_path / "ch01_01_neuron" / "r") == builder


def test_script_shows_the_neuron_first():
    screen = first_screen(lesson)
    for needle in ("np.dot(W, x) + b", "neuron.sigmoid(z)", "tf.Graph()", 'name="output"'):
        assert needle in screen, needle
    assert "argparse" not in screen and "add_argument" not in screen

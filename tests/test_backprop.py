"""Backpropagation by hand (section 10): every backward against finite differences and TensorFlow,
the book's formulas as the ones-upstream case, training, vanishing gradients, dead ReLUs, script."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import CHAPTER_RUN, event_files, graph_op_names, load_events
from tfbasics import backprop as bp
from tfbasics import backprop_experiments as ex
from tfbasics import gradcheck
from tfbasics.chapters import ch01_10_backpropagation as lesson
from tfbasics.data import mnist
from tfbasics.data.mnist_files import MNISTError

MNIST_TRAIN = "backprop"  # xdist group of the tests that share the module fixture mnist_train

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "ch01_10_backpropagation"


# ------------------------------------------------------------------ gradients, layer by layer
def _cases():
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(5, 7)), np.array([0, 2, 1, 2, 3])
    return {
        "FullyConnected": (
            bp.FullyConnected(rng.normal(size=(7, 4)), rng.normal(size=4)),
            x,
            rng.normal(size=(5, 4)),
        ),
        "Sigmoid": (bp.Sigmoid(), 3 * x, rng.normal(size=x.shape)),
        "ReLU": (bp.ReLU(), x, rng.normal(size=x.shape)),
        "SoftmaxCrossEntropy int labels": (bp.SoftmaxCrossEntropy(), x, np.array([0, 6, 5, 1, 3])),
        "SoftmaxCrossEntropy one-hot": (bp.SoftmaxCrossEntropy(), x, np.eye(7)[[4, 0, 2, 2, 6]]),
        "Network sigmoid 7-6-5-4": (
            bp.mlp([7, 6, 5, 4], "sigmoid", rng=rng, dtype=np.float64),
            x,
            labels,
        ),
        "Network relu 7-6-5-4": (
            bp.mlp([7, 6, 5, 4], "relu", rng=rng, dtype=np.float64),
            x,
            labels,
        ),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_backward_matches_finite_differences_and_tensorflow(name):
    model, x, target = _cases()[name]
    rows = gradcheck.gradient_check(model, x, target)
    expected = {"x"} | set(model.params())
    assert {r.wrt for r in rows} == expected
    for r in rows:
        assert r.vs_finite_differences < 1e-6, (name, r)
        assert r.vs_tensorflow < 1e-6, (name, r)


def test_check_all_covers_every_layer_and_passes():
    rows = gradcheck.check_all(seed=0)
    names = {name for name, _ in rows}
    assert {"FullyConnected", "Sigmoid", "ReLU", "SoftmaxCrossEntropy"} <= names
    assert sum(name.startswith("Network") for name in names) == 2
    assert max(max(r.vs_finite_differences, r.vs_tensorflow) for _, r in rows) < gradcheck.TOLERANCE


class _SigmoidMissingFactor(bp.Sigmoid):
    def backward(self, upstream):  # a classic slip: z instead of z * (1 - z)
        return upstream * self.z, {}


def test_gradient_check_catches_a_wrong_backward():
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    (row,) = gradcheck.gradient_check(_SigmoidMissingFactor(), x, g)
    assert row.vs_finite_differences > 0.1 and row.vs_tensorflow > 0.1


def test_numerical_gradient_of_a_known_function_and_restores_the_array():
    p = np.array([1.0, -2.0, 0.5])
    grad = gradcheck.numerical_gradient(lambda: float((p**3).sum()), p)
    np.testing.assert_allclose(grad, 3 * np.array([1.0, 4.0, 0.25]), rtol=1e-8)
    np.testing.assert_array_equal(p, [1.0, -2.0, 0.5])
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)


def test_tf_graph_names_the_books_tensors():
    net = bp.mlp([3, 2, 2], "sigmoid", dtype=np.float64)
    built = gradcheck.build_tf_gradients(net, np.ones((1, 3)), np.array([1]))
    names = {op.name for op in built.graph.get_operations()}
    assert {"features", "labels", "cross_entropy", "layer0_FullyConnected/weights"} <= names
    assert set(built.grads) == {"x", "layer0.W", "layer0.b", "layer2.W", "layer2.b"}


# ------------------------------------------------------------------ the book's formulas
def test_books_sigmoid_formulas_by_hand():
    W, x = np.array([[1.0, -1.0]]), np.array([2.0, 1.0])  # a = W x = 1
    s = 1 / (1 + np.exp(-1.0))
    local = s * (1 - s)  # 0.19661
    dx, dW = bp.book_local_gradients(W, x, "sigmoid")
    np.testing.assert_allclose(dx, [local, -local], rtol=1e-12)
    np.testing.assert_allclose(dW, [[2 * local, local]], rtol=1e-12)
    assert local == pytest.approx(0.196612, abs=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_books_formulas_are_backward_with_upstream_ones(activation):
    rng = np.random.default_rng(3)
    W, x = rng.normal(size=(5, 8)), rng.random(8)
    dx_book, dW_book = bp.book_local_gradients(W, x, activation)
    dx, dW = bp.ones_upstream_gradients(W, x, activation)
    np.testing.assert_allclose(dx, dx_book, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dW, dW_book, rtol=1e-12, atol=1e-15)
    # and only ones: a different upstream gives different gradients
    fc = bp.FullyConnected(W.T, np.zeros(5))
    act = bp.Sigmoid() if activation == "sigmoid" else bp.ReLU()
    z = act.forward(fc.forward(x[None]))
    _, grads = fc.backward(act.backward(np.full_like(z, 2.0))[0])
    np.testing.assert_allclose(grads["W"].T, 2 * dW_book, rtol=1e-12, atol=1e-15)


def test_relu_book_dW_is_outer_of_fired_and_x():
    W, x = np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([0.5, 2.0])  # unit 0 fires, unit 1 not
    _, dW = bp.book_local_gradients(W, x, "relu")
    np.testing.assert_array_equal(dW, [[0.5, 2.0], [0.0, 0.0]])


def test_unit_with_z_zero_gets_exactly_zero_weight_gradient():
    d = ex.dead_unit_gradients(seed=0)
    assert np.all(d["z"][:, 2] == 0)
    assert np.all(d["dW"][:, 2] == 0) and d["db"][2] == 0
    assert np.all(d["dW"][:, :2] != 0)


# ------------------------------------------------------------------ chain rule, z = x * y, values
def test_chain_rule_example():
    c = bp.chain_rule_example(1.5)
    assert c["u"] == 3.25
    assert c["dF/dx"] == pytest.approx(np.cos(3.25) * 3.0, rel=1e-12)
    assert c["dF/dx"] == pytest.approx(-2.98238903, abs=1e-8)
    assert c["central difference"] == pytest.approx(c["dF/dx"], abs=1e-8)


def test_multiply_gate_swaps_inputs():
    gate = bp.Multiply()
    assert gate.forward(3.0, -4.0) == -12.0
    assert gate.backward(2.0) == (-8.0, 6.0)


def test_softmax_cross_entropy_values():
    loss = bp.SoftmaxCrossEntropy()
    assert loss.forward(np.zeros((2, 10)), np.array([3, 7])) == pytest.approx(np.log(10), rel=1e-12)
    # the book's logits [2.0, 1.0, 0.1]: softmax [0.659, 0.242, 0.099]
    book = loss.forward(np.array([[2.0, 1.0, 0.1]]), np.array([0]))
    assert book == pytest.approx(0.417030, abs=1e-6)
    np.testing.assert_allclose(loss.backward()[0], [[0.659001 - 1, 0.242433, 0.098566]], atol=1e-6)
    # no overflow for huge logits
    assert loss.forward(np.array([[1000.0, 0.0]]), np.array([1])) == pytest.approx(1000.0)


def test_sigmoid_is_stable_and_relu_masks():
    z = bp.Sigmoid().forward(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(z, [0.0, 0.5, 1.0])
    relu = bp.ReLU()
    np.testing.assert_array_equal(relu.forward(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]]))[0], [[0.0, 0.0, 5.0]])


def test_init_weights():
    rng = np.random.default_rng(0)

    def std(activation, init):
        return bp.init_weights(rng, 784, 500, activation, init).std()

    assert std("relu", "scaled") == pytest.approx(np.sqrt(2 / 784), rel=0.02)
    assert std("sigmoid", "scaled") == pytest.approx(4 / 28, rel=0.02)
    assert std(None, "scaled") == pytest.approx(1 / 28, rel=0.02)
    assert std("sigmoid", "randn") == pytest.approx(1, rel=0.02)
    assert std("sigmoid", "lecun") == pytest.approx(1 / 28, rel=0.02)
    assert bp.init_weights(rng, 784, 500, "sigmoid", "rand").min() >= 0
    with pytest.raises(ValueError, match="init must be one of"):
        bp.init_weights(rng, 3, 2, "relu", "zeros")


# ------------------------------------------------------------------ training
def _fake():
    d = mnist.read_data_sets(fake_data=True, seed=0)
    return (
        d.train.images,
        d.train.labels.astype(np.int64),
        d.test.images,
        d.test.labels.astype(np.int64),
    )


def test_sgd_learns_fake_digits():
    x, y, xt, yt = _fake()
    rng = np.random.default_rng(0)
    net = bp.mlp([784, 32, 10], "sigmoid", "scaled", rng)
    assert ex.accuracy(net, xt, yt) < 0.5
    losses = []
    for _ in range(3):
        losses += list(lesson.train_epoch(net, x, y, 32, 0.5, rng))
    assert len(losses) == 3 * ex.steps_per_epoch(len(x), 32) == 3 * 35
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
    assert ex.accuracy(net, xt, yt) > 0.9


@pytest.mark.slow
@pytest.mark.xdist_group(CHAPTER_RUN)  # trained once, by the README's `tfbasics run all`
def test_two_layer_network_reaches_95_percent_on_mnist(chapter_run):
    # the section's defaults (3 epochs, batch 32, lr 0.5, seed 0), as `tfbasics run all` runs it:
    # its own BLAS setting (see the script), in a fork of the `tfbasics` process
    out = chapter_run.section(10)
    costs = [float(c) for c in re.findall(r"Epoch: \d cost = ([\d.]+)", out)]
    assert len(costs) == 3 and costs[0] > costs[1] > costs[2]
    accuracy = float(re.search(r"Test accuracy: ([\d.]+)", out).group(1))
    assert accuracy >= 0.95


# ------------------------------------------------------------------ vanishing gradients, dead ReLUs
@pytest.fixture(scope="module")
def mnist_train(mnist_dir):
    d = mnist.read_data_sets(mnist_dir, seed=0)
    return (
        d.train.images[:5000],
        d.train.labels[:5000].astype(np.int64),
        d.validation.images,
        d.validation.labels.astype(np.int64),
    )


@pytest.mark.xdist_group(MNIST_TRAIN)
def test_vanishing_gradients_collapse_for_sloppy_init_not_for_scaled(mnist_train):
    x, y, _, _ = mnist_train
    rows = ex.vanishing_gradients(x, y, seed=0)
    table = {(r.depth, r.init, r.layer): r for r in rows}
    for depth in (2, 5):
        last = table[(depth, "rand", depth)].grad_norm
        for layer in range(1, depth):
            sloppy, scaled = table[(depth, "rand", layer)], table[(depth, "scaled", layer)]
            assert sloppy.saturated > 0.99 and sloppy.grad_norm < 1e-5 * last, sloppy
            assert scaled.saturated < 0.05, scaled
            assert scaled.grad_norm > 0.02 * table[(depth, "scaled", depth)].grad_norm, scaled
            assert table[(depth, "randn", layer)].saturated > 0.3
    assert all(table[(5, "rand", layer)].grad_norm == 0.0 for layer in range(1, 5))
    # lecun: nothing saturates, yet each sigmoid layer passes back at most 1/4: shrinks with depth
    lecun = [table[(5, "lecun", layer)] for layer in range(1, 5)]
    assert all(r.saturated < 0.01 for r in lecun)
    assert all(a.grad_norm < 0.6 * b.grad_norm for a, b in zip(lecun, lecun[1:]))
    assert lecun[0].grad_norm < 0.05 * lecun[-1].grad_norm
    assert table[(5, "scaled", 1)].grad_norm > 0.2 * table[(5, "scaled", 4)].grad_norm
    # a sloppy init starts far from the blind guess ln 10 = 2.30; the scaled one near it
    assert table[(2, "randn", 1)].loss > 8 and table[(2, "scaled", 1)].loss < 2.6


@pytest.mark.xdist_group(MNIST_TRAIN)
def test_dead_relus_after_oversized_update_not_after_healthy_training(mnist_train):
    x, y, xv, yv = mnist_train
    rows, unchanged = ex.dead_relu_experiment(x, y, xv, yv, lesson.train_epoch, seed=0)
    dead = {r.case.strip(): r.dead for r in rows}
    assert dead["He init (healthy)"] == 0.0
    assert dead["+ 1 epoch SGD, lr 0.1"] == 0.0
    assert dead["He init + one SGD step, lr 30"] > 0.1
    assert dead["then 1 epoch SGD, lr 0.1"] >= dead["He init + one SGD step, lr 30"]
    assert dead["He init + 1 epoch SGD, lr 1"] > 0.2
    assert unchanged
    assert rows[1].accuracy > 0.8


def test_never_fired_counts_units():
    layer = bp.FullyConnected(np.array([[1.0, -1.0, 0.0]]), np.array([0.0, 0.0, -1.0]))
    dead = ex.never_fired(layer, np.array([[0.5], [2.0]]))
    np.testing.assert_array_equal(dead, [False, True, True])


# ------------------------------------------------------------------ the script
@pytest.mark.slow
def test_script_smoke(tmp_path, capsys):
    code = lesson.main(
        [
            "--fake-data",
            "--epochs",
            "1",
            "--max-examples",
            "600",
            "--no-progress",
            "--logdir",
            str(tmp_path),
            "--run-name",
            "smoke",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for text in (
        "backward(ones): dx",
        "dL/dW[:, 2] = [0., 0., 0., 0.]",
        "dL/dx = dL/dz * y = -8",
        "all below 1e-06",
        "Epoch: 1 cost =",
        "Test accuracy:",
        "mean |dL/dW|",
        "never fire",
        "kept exactly their weights through the next epoch: True",
    ):
        assert text in out, text
    run = tmp_path / SCRIPT / "smoke"
    assert event_files(run)
    acc = load_events(run)
    tags = set(acc.Tags()["tensors"])  # tf.summary (TF 2) stores scalars and text as tensors
    assert {
        "epoch/cost",
        "epoch/validation_accuracy",
        "test/accuracy",
        "train/loss",
        "gradient_check",
        "vanishing_gradients",
        "dead_relu",
    } <= tags

    def plugin(tag):
        return acc.SummaryMetadata(tag).plugin_data.plugin_name

    # only what happens over training time is a scalar; the experiments by layer or by case
    # are a table (Text tab) and one picture (Images tab), never a step axis
    scalars = {tag for tag in tags if plugin(tag) == "scalars"}
    assert scalars == {"epoch/cost", "epoch/validation_accuracy", "test/accuracy", "train/loss"}
    for tag in ("vanishing_gradients", "dead_relu"):
        events = acc.Tensors(tag)
        assert plugin(tag) == "text" and len(events) == 1, tag
        table = events[0].tensor_proto.string_val[0].decode()
        assert table.startswith("| ") and "\n|---|" in table, table[:200]
    assert (
        "| 5 | rand |" in acc.Tensors("vanishing_gradients")[0].tensor_proto.string_val[0].decode()
    )
    images = {tag for tag in acc.Tags()["tensors"] if plugin(tag) == "images"}
    assert images == {"vanishing_gradients_by_layer", "dead_relu_by_case"}, images
    assert "features" in graph_op_names(run)


def test_script_one_part_and_errors(tmp_path, capsys, monkeypatch):
    assert lesson.main(["--part", "gradients", "--logdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Gradient check" in out and "Training" not in out

    assert lesson.main(["--epochs", "0", "--logdir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{SCRIPT}.py: error: --epochs must be at least 1, got 0"]

    assert (
        lesson.main(
            [
                "--part",
                "train",
                "--fake-data",
                "--activation",
                "relu",
                "--learning-rate",
                "1e6",
                "--no-progress",
                "--logdir",
                str(tmp_path),
            ]
        )
        == 3
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "training diverged at epoch 1" in err[0] and "learning-rate" in err[0]

    def broken(*args, **kwargs):
        raise MNISTError("train-images-idx3-ubyte: truncated")

    monkeypatch.setattr(mnist, "read_data_sets", broken)
    assert lesson.main(["--part", "train", "--logdir", str(tmp_path)]) == 1
    assert (
        capsys.readouterr().err.strip() == f"{SCRIPT}.py: error: train-images-idx3-ubyte: truncated"
    )


def test_importing_the_modules_imports_no_tensorflow():
    code = (
        "import sys, tfbasics.backprop, tfbasics.gradcheck, tfbasics.backprop_experiments; "
        "import tfbasics.chapters.ch01_10_backpropagation; "
        "sys.exit('tensorflow' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0

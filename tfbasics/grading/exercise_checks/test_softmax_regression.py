"""Exercise checks: softmax_regression (inference, loss, training, evaluation as tf.compat.v1 graph ops).

The learner's process builds a small graph around the learner's functions
(tfbasics.grading.worker_recipes) and sends its GraphDef; each check runs that graph here, on tiny
synthetic data: nothing is trained to convergence.
"""

import math

import numpy as np

from tfbasics.grading.replay import Runner, load_graph, run_graph

from .expect import TaskFailure, expect_close, expect_graph, show, task

EXERCISE = "softmax_regression"
PIXELS, CLASSES = 784, 10


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _data(batch=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((batch, PIXELS), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, batch)]
    return x, y


def _inference_returned(out, call):
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        raise TaskFailure(
            f"{call}\n  returned {show(out)}\n  expected the 4-tuple "
            "(logits, prediction, weights, biases)"
        )
    for label, value in zip(("logits", "prediction", "weights", "biases"), out):
        expect_graph(value, f"{call}: its {label}", kinds=("tensor", "variable"))
    return out


def _need(names, keys, call):
    missing = [k for k in keys if k not in names]
    if missing:
        raise TaskFailure(
            f"{call}\n  gave weights or biases that cannot be set or read\n  expected "
            "tf.compat.v1.Variable objects (weights [784, 10], biases [10])"
        )


@task(1)
def test_inference(ex):
    x, _ = _data()
    rng = np.random.default_rng(1)
    W = (rng.standard_normal((PIXELS, CLASSES)) * 0.05).astype(np.float32)
    b = rng.standard_normal(CLASSES).astype(np.float32)
    call = "inference(features)"
    bundle = ex.recipe("inference", {}, doing="running inference(features)")
    logits, prediction, weights, biases = _inference_returned(bundle["returned"], call)
    for name, var, shape in [
        ("weights", weights, [PIXELS, CLASSES]),
        ("biases", biases, [CLASSES]),
    ]:
        if var.shape is None or list(var.shape) != shape:
            raise TaskFailure(
                f"inference(features)\n  made {name} of shape "
                f"{None if var.shape is None else list(var.shape)}\n  expected {shape}"
            )
    names = bundle["names"]
    _need(names, ["assign_weights", "assign_biases", "set_weights", "set_biases"], call)
    runner = Runner(load_graph(bundle["graph_def"], call))
    try:
        runner.run(names["init"], what=call)
        feed = {names["features"]: x}
        zeros = runner.run(prediction.name, feed, what=call)
        runner.run(
            [names["assign_weights"], names["assign_biases"]],
            {names["set_weights"]: W, names["set_biases"]: b},
            what=call,
        )
        got_logits, got_prediction = runner.run([logits.name, prediction.name], feed, what=call)
    finally:
        runner.close()
    expect_close(
        zeros,
        np.full((4, CLASSES), 0.1),
        "prediction for 4 images with the default init='zeros'  # all logits 0: every class 1/10",
        atol=1e-6,
    )
    expect_close(
        got_logits,
        x.astype(np.float64) @ W + b,
        "logits after setting weights and biases  # features @ weights + biases",
        atol=1e-4,
    )
    expect_close(
        got_prediction,
        _softmax(x.astype(np.float64) @ W + b),
        "prediction after setting weights and biases  # softmax(logits), one row per image",
        atol=1e-5,
    )


@task(2)
def test_loss(ex):
    z = np.array([[2.0, 1.0, 0.1] + [0.0] * 7, [0.0] * 9 + [3.0]], np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[[0, 3]]
    big = np.array([[1000.0] + [0.0] * 9, [0.0] * 10], np.float32)
    bundle = ex.recipe("loss", doing="running loss(logits, labels)")
    stable, book = bundle["returned"]["stable"], bundle["returned"]["book"]
    expect_graph(stable, "loss(logits, labels)")
    expect_graph(book, "loss(logits, labels, kind='book', prediction=prediction)")
    names = bundle["names"]
    runner = Runner(load_graph(bundle["graph_def"], "loss(logits, labels)"))
    try:
        feed = {names["logits"]: z, names["labels"]: y}
        got_stable, got_book = runner.run([stable.name, book.name], feed, what="loss")
        big_feed = {names["logits"]: big, names["labels"]: y[::-1]}
        got_big = runner.run(stable.name, big_feed, what="loss")
    finally:
        runner.close()
    want = float(np.mean(-np.log(_softmax(z.astype(np.float64))[[0, 1], [0, 3]])))
    expect_close(
        got_stable, want, "loss(logits, labels) for 2 examples  # mean over the batch", atol=1e-5
    )
    expect_close(
        got_book, want, "loss(logits, labels, kind='book', prediction=softmax(logits))", atol=1e-5
    )
    expect_close(
        got_big,
        (1000.0 + math.log(10.0)) / 2,
        "loss(logits, labels) with a logit of 1000  # the fused op stays finite",
        atol=1e-2,
    )


@task(3)
def test_training(ex):
    x, y = _data()
    lr = 0.5
    call = "training(loss, 0.5, global_step)"
    bundle = ex.recipe("training", lr, doing=f"running {call}")
    _inference_returned(bundle["returned"]["inference"], "inference(features)")
    train_op = bundle["returned"]["train_op"]
    expect_graph(
        train_op,
        "training(loss, 0.5, global_step)  # the train op, what optimizer.minimize returns",
        kinds=("op", "tensor"),
    )
    names = bundle["names"]
    _need(names, ["read_weights", "read_biases", "step"], call)
    runner = Runner(load_graph(bundle["graph_def"], call))
    try:
        runner.run(names["init"], what=call)
        runner.run(train_op.name, {names["features"]: x, names["labels"]: y}, what=call)
        W, b, step = runner.run(
            [names["read_weights"], names["read_biases"], names["step"]], what=call
        )
    finally:
        runner.close()
    grad = (_softmax(np.zeros((4, CLASSES))) - y) / 4  # d loss / d logits, from all-zero weights
    expect_close(
        b,
        -lr * grad.sum(axis=0),
        "biases after one step of training(loss, 0.5, "
        "global_step) from zero weights  # b -= 0.5 * d loss / d b",
        atol=1e-5,
    )
    expect_close(
        W,
        -lr * x.T.astype(np.float64) @ grad,
        "weights after that step  # W -= 0.5 * features.T @ d loss / d logits",
        atol=1e-5,
    )
    expect_close(step, 1, "global_step after one step  # minimize(..., global_step=global_step)")


@task(4)
def test_evaluation(ex):
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.5, 0.1, 0.4]], np.float32)
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]
    bundle = ex.recipe("evaluation", p, y, doing="running evaluation(prediction, labels)")
    accuracy = bundle["returned"]
    expect_graph(accuracy, "evaluation(prediction, labels)")
    graph = load_graph(bundle["graph_def"], "evaluation(prediction, labels)")
    got = run_graph(graph, accuracy.name, what="evaluation(prediction, labels)")
    expect_close(
        got,
        0.75,
        f"evaluation(prediction={p.tolist()}, labels={y.tolist()})  # 3 of 4 argmaxes agree",
        atol=1e-6,
    )

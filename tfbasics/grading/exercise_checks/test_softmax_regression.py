"""Exercise checks: softmax_regression (inference, loss, training, evaluation as tf.compat.v1 graph ops).

Each check builds a small graph of its own around the learner's functions, on tiny synthetic data,
and runs it in a session: nothing is trained to convergence.
"""

import math

import numpy as np

from .expect import TaskFailure, expect_close, expect_graph, show, task

EXERCISE = "softmax_regression"
PIXELS, CLASSES = 784, 10


def _tf():
    from tfbasics._tf import tf

    return tf


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _data(batch=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((batch, PIXELS), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, batch)]
    return x, y


def _inference(ex, features, **kwargs):
    call = "inference(features" + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")"
    out = ex.inference(features, **kwargs)
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        raise TaskFailure(
            f"{call}\n  returned {show(out)}\n  expected the 4-tuple "
            "(logits, prediction, weights, biases)"
        )
    for label, value in zip(("logits", "prediction", "weights", "biases"), out):
        expect_graph(value, f"{call}: its {label}", kinds=("tensor", "variable"))
    return out


@task(1)
def test_inference(ex):
    tf = _tf()
    x, _ = _data()
    rng = np.random.default_rng(1)
    W = (rng.standard_normal((PIXELS, CLASSES)) * 0.05).astype(np.float32)
    b = rng.standard_normal(CLASSES).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        features = tf.compat.v1.placeholder(tf.float32, [None, PIXELS], name="features")
        logits, prediction, weights, biases = _inference(ex, features)
        for name, var, shape in [
            ("weights", weights, [PIXELS, CLASSES]),
            ("biases", biases, [CLASSES]),
        ]:
            if list(var.shape) != shape:
                raise TaskFailure(
                    f"inference(features)\n  made {name} of shape {list(var.shape)}\n"
                    f"  expected {shape}"
                )
        init = tf.compat.v1.global_variables_initializer()
        assign = [weights.assign(W), biases.assign(b)]
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        zeros = sess.run(prediction, {features: x})
        sess.run(assign)
        got_logits, got_prediction = sess.run([logits, prediction], {features: x})
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
    tf = _tf()
    z = np.array([[2.0, 1.0, 0.1] + [0.0] * 7, [0.0] * 9 + [3.0]], np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[[0, 3]]
    big = np.array([[1000.0] + [0.0] * 9, [0.0] * 10], np.float32)
    g = tf.Graph()
    with g.as_default():
        logits = tf.compat.v1.placeholder(tf.float32, [None, CLASSES])
        labels = tf.compat.v1.placeholder(tf.float32, [None, CLASSES])
        prediction = tf.nn.softmax(logits)
        stable = ex.loss(logits, labels)
        expect_graph(stable, "loss(logits, labels)")
        book = ex.loss(logits, labels, kind="book", prediction=prediction)
        expect_graph(book, "loss(logits, labels, kind='book', prediction=prediction)")
    want = float(np.mean(-np.log(_softmax(z.astype(np.float64))[[0, 1], [0, 3]])))
    with tf.compat.v1.Session(graph=g) as sess:
        got_stable, got_book = sess.run([stable, book], {logits: z, labels: y})
        got_big = sess.run(stable, {logits: big, labels: y[::-1]})
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
    tf = _tf()
    x, y = _data()
    lr = 0.5
    g = tf.Graph()
    with g.as_default():
        features = tf.compat.v1.placeholder(tf.float32, [None, PIXELS])
        labels = tf.compat.v1.placeholder(tf.float32, [None, CLASSES])
        global_step = tf.compat.v1.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        logits, _, weights, biases = _inference(ex, features)
        loss_op = tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        )
        train_op = ex.training(loss_op, lr, global_step)
        expect_graph(
            train_op,
            "training(loss, 0.5, global_step)  # the train op, what optimizer.minimize returns",
            kinds=("op", "tensor"),
        )
        init = tf.compat.v1.global_variables_initializer()
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        sess.run(train_op, {features: x, labels: y})
        W, b, step = sess.run([weights, biases, global_step])
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
    tf = _tf()
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.5, 0.1, 0.4]], np.float32)
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]
    g = tf.Graph()
    with g.as_default():
        accuracy = ex.evaluation(tf.constant(p), tf.constant(y))
        expect_graph(accuracy, "evaluation(prediction, labels)")
    with tf.compat.v1.Session(graph=g) as sess:
        got = sess.run(accuracy)
    expect_close(
        got,
        0.75,
        f"evaluation(prediction={p.tolist()}, labels={y.tolist()})  # 3 of 4 argmaxes agree",
        atol=1e-6,
    )

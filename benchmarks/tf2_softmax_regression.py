"""Benchmark: the TensorFlow 2 softmax regression loop beside the TF1 book loop and NumPy (not a test).

    python benchmarks/tf2_softmax_regression.py [--repeats 3] [--epochs 10] [--data-dir DIR]

The same data (55,000 MNIST training examples), hyperparameters (learning rate 0.5, batch 128,
10 epochs, zero initial weights) and batches (``softmax_regression.batch_indices``' stream, seed 0)
for every implementation, so all end with the same weights (the test accuracies agree):

- ``TF1 book loop``: the book's graph in ``tf.compat.v1``, ``sess.run([train_op, loss],
  feed_dict=...)`` per step: the baseline (``x TF1``);
- ``NumPy``: the same SGD by hand (``x NumPy``);
- ``TF2 eager``: the twin's ``train_step`` (GradientTape, ``assign_sub``) run op by op, batches
  from the twin's ``tf.data`` pipeline;
- ``TF2 tf.function``: the same step compiled by ``tf.function(input_signature=...)``;
- ``TF2 tf.function, NumPy batches``: compiled, fed NumPy slices as the book feeds ``feed_dict``
  (no ``tf.data``);
- ``TF2 tf.function, N steps/call``: one call runs N steps (a ``tf.range`` loop in the graph
  gathering each batch from the data held in TensorFlow), as the TF1 script's in-graph pipeline does.

"training s" is the wall time of the training loop only: no data loading or graph building, but
a ``tf.function``'s tracing on its first call is included (it happens inside the loop). Every run
is a fresh process (``--worker NAME``), rounds interleaved; medians of ``--repeats``. NumPy runs
without TensorFlow imported and, as in benchmarks/softmax_regression.py, with one OpenBLAS thread.
"""

import argparse
import datetime
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from tfbasics.data import mnist  # no TensorFlow: imported only by the implementations that use it

LEARNING_RATE, BATCH_SIZE, SEED = 0.5, 128, 0  # the book's, and the batch order's seed
STEPS_PER_CALL = (13, 429)  # 429 steps per epoch = 33 x 13 (the TF1 script's in-graph default)


def batch_rows(n, steps):
    """``softmax_regression.batch_indices(SEED, n, BATCH_SIZE, 0, steps)`` without TensorFlow."""
    passes = -(-steps * BATCH_SIZE // n)
    stream = np.concatenate(
        [np.random.default_rng([SEED, p]).permutation(n) for p in range(passes)]
    )
    return stream[: steps * BATCH_SIZE].reshape(steps, BATCH_SIZE).astype(np.int32)


def tf1_book_loop(data, steps):
    """The book's graph and loop in tf.compat.v1, with nothing else (zero init)."""
    from tfbasics._tf import tf

    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        features = v1.placeholder(tf.float32, [None, 784])
        labels = v1.placeholder(tf.float32, [None, 10])
        weights = tf.Variable(tf.zeros((784, 10)))
        biases = tf.Variable(tf.zeros(10))
        logits = tf.matmul(features, weights) + biases
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        train_op = v1.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        init = v1.global_variables_initializer()
    x, y = data.train.images, data.train.labels
    rows = batch_rows(len(x), steps)
    with v1.Session(graph=g) as sess:
        sess.run(init)
        start = time.perf_counter()
        for r in rows:
            sess.run([train_op, loss], feed_dict={features: x[r], labels: y[r]})
        seconds = time.perf_counter() - start
        w, b = sess.run([weights, biases])
    return seconds, w, b


def numpy_sgd(data, steps):
    x_all, y_all = data.train.images, data.train.labels
    w, b = np.zeros((784, 10), np.float32), np.zeros(10, np.float32)
    lr = np.float32(LEARNING_RATE / BATCH_SIZE)
    rows = batch_rows(len(x_all), steps)
    start = time.perf_counter()
    for r in rows:
        x, y = x_all[r], y_all[r]
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))  # stable softmax
        p /= p.sum(axis=1, keepdims=True)
        g = p - y  # d(mean cross-entropy)/d logits, times the batch size
        w -= lr * (x.T @ g)
        b -= lr * g.sum(axis=0)
    return time.perf_counter() - start, w, b


def tf2_loop(data, steps, compiled=True, feed="tf.data"):
    from tfbasics._tf import tf
    from tfbasics.chapters.tf2 import ch01_07_single_layer_mnist as twin

    model = twin.SoftmaxRegression()
    train_step = twin.make_train_step(model, LEARNING_RATE)
    if compiled:
        train_step = tf.function(train_step, input_signature=twin.batch_signature())
    if feed == "tf.data":
        batches = twin.batches(data.train, SEED, BATCH_SIZE, 0, steps)
    else:  # NumPy slices, as feed_dict
        x, y = data.train.images, data.train.labels
        batches = ((x[r], y[r]) for r in batch_rows(len(x), steps))
    start = time.perf_counter()
    for features, labels in batches:
        train_step(features, labels)
    seconds = time.perf_counter() - start
    return seconds, model.W.numpy(), model.b.numpy()


def tf2_steps_per_call(data, steps, per_call):
    """``per_call`` SGD steps per call of one tf.function, each gathering its batch by index."""
    from tfbasics._tf import tf
    from tfbasics.chapters.tf2 import ch01_07_single_layer_mnist as twin

    model = twin.SoftmaxRegression()
    train_step = twin.make_train_step(model, LEARNING_RATE)
    images, labels = tf.constant(data.train.images), tf.constant(data.train.labels)

    @tf.function(input_signature=[tf.TensorSpec([None, BATCH_SIZE], tf.int32)])
    def train_steps(rows):
        losses = tf.TensorArray(tf.float32, size=tf.shape(rows)[0])
        for k in tf.range(tf.shape(rows)[0]):  # autograph: a while loop in the graph
            losses = losses.write(
                k, train_step(tf.gather(images, rows[k]), tf.gather(labels, rows[k]))
            )
        return losses.stack()

    rows = batch_rows(data.train.num_examples, steps)
    if steps % per_call:
        raise SystemExit(f"{steps} steps do not split into calls of {per_call}")
    start = time.perf_counter()
    for chunk in rows.reshape(-1, per_call, BATCH_SIZE):
        train_steps(chunk)
    seconds = time.perf_counter() - start
    return seconds, model.W.numpy(), model.b.numpy()


IMPLEMENTATIONS = {
    "TF1 book loop (feed_dict)": tf1_book_loop,
    "NumPy": numpy_sgd,
    "TF2 eager": lambda d, s: tf2_loop(d, s, compiled=False),
    "TF2 tf.function": tf2_loop,
    "TF2 tf.function, NumPy batches": lambda d, s: tf2_loop(d, s, feed="numpy"),
    **{
        f"TF2 tf.function, {k} steps/call": functools.partial(tf2_steps_per_call, per_call=k)
        for k in STEPS_PER_CALL
    },
}
BASELINE = "TF1 book loop (feed_dict)"


def _worker(name, epochs, data_dir):
    data = mnist.read_data_sets(data_dir, one_hot=True)
    steps = epochs * (data.train.num_examples // BATCH_SIZE)
    seconds, w, b = IMPLEMENTATIONS[name](data, steps)
    test = float(np.mean((data.test.images @ w + b).argmax(1) == data.test.labels.argmax(1)))
    print(json.dumps({"seconds": seconds, "steps": steps, "test": test}))
    return 0


def _run_in_fresh_process(name, epochs, data_dir):
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        name,
        "--epochs",
        str(epochs),
    ]
    command += ["--data-dir", data_dir] if data_dir else []
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # see benchmarks/softmax_regression.py
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per implementation")
    parser.add_argument("--epochs", type=int, default=10, help="epochs per run (the book: 10)")
    parser.add_argument("--data-dir", type=str, default=None, help="MNIST folder")
    parser.add_argument(
        "--only", type=str, nargs="*", default=None, help="substrings of implementation names"
    )
    parser.add_argument(
        "--worker", type=str, default=None, choices=tuple(IMPLEMENTATIONS), help="(internal)"
    )
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args.worker, args.epochs, args.data_dir)
    if args.repeats < 1 or args.epochs < 1:
        parser.error("--repeats and --epochs must be at least 1")
    mnist.read_data_sets(args.data_dir)  # fetched and verified once, before any timing
    names = [
        n
        for n in IMPLEMENTATIONS
        if not args.only or any(s.lower() in n.lower() for s in args.only)
    ]
    load_before = os.getloadavg()
    runs = {name: [] for name in names}
    for r in range(args.repeats):  # interleaved: load from elsewhere hits every implementation
        for name in names:
            result = _run_in_fresh_process(name, args.epochs, args.data_dir)
            runs[name].append(result)
            print(
                f"# round {r + 1} {name}: {result['seconds']:.2f} s, test {result['test']:.4f}",
                file=sys.stderr,
                flush=True,
            )
    load_after = os.getloadavg()
    median = {name: statistics.median(x["seconds"] for x in runs[name]) for name in names}
    from importlib.metadata import version

    print(
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPU "
        f"cores ({platform.machine()}), TensorFlow {version('tensorflow')}, NumPy {np.__version__}; "
        f"{args.epochs} epochs, median of {args.repeats}; load average (1 min) "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after\n"
    )
    print("| implementation | training s | ms/step | test accuracy | x TF1 book loop | x NumPy |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        seconds, steps = median[name], runs[name][0]["steps"]
        tests = sorted({f"{x['test']:.4f}" for x in runs[name]})
        ratio = [f"{seconds / median[b]:.2f}" if b in median else "-" for b in (BASELINE, "NumPy")]
        print(
            f"| {name} | {seconds:.2f} | {seconds / steps * 1e3:.3f} | {', '.join(tests)} "
            f"| {ratio[0]} | {ratio[1]} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

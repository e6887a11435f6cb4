"""Benchmark: the same SGD softmax regression on MNIST, five ways (not a test).

    python benchmarks/softmax_regression.py [--repeats 3] [--epochs 10] [--data-dir DIR]

Same data (tfbasics.mnist, 55,000 training examples), same hyperparameters (learning rate 0.5,
batch 128, 10 epochs, zero initial weights), each timed ``--repeats`` times; medians are printed
as a markdown table. The five:

- ``tfbasics feed_dict``: ``softmax_regression.train`` with ``--input feed_dict``;
- ``tfbasics in_graph``: the same with ``--input in_graph`` (the default);
- ``book loop``: the book's notebook code ported to ``tf.compat.v1`` (placeholders, ``next_batch``,
  ``sess.run(feed_dict=...)``) with nothing else changed but the zero init;
- ``NumPy``: the same SGD by hand (matrix products, stable softmax, the same update);
- ``Keras fit``: Keras 3 ``Sequential([Dense(10, softmax)])``, ``SGD(0.5)``, ``fit``.

"Training seconds" is the wall time of the training loop only: no data loading, graph building,
session start-up or evaluation (Keras' ``fit`` includes its tracing/compilation of the step).
"""
import argparse
import datetime
import os
import platform
import statistics
import sys
import time

import numpy as np

from tfbasics import mnist
from tfbasics import softmax_regression as sr
from tfbasics._tf import tf

v1 = tf.compat.v1
LEARNING_RATE, BATCH_SIZE = 0.5, 128  # the book's


def tfbasics_path(data, epochs, input_kind):
    config = sr.Config(epochs=epochs, input=input_kind, seed=0)
    model = sr.build(config, data.train.num_examples)
    result = sr.train(model, data, config, show_progress=False, validate=False)
    return result.train_seconds, result.steps, result.test_accuracy


def book_loop(data, epochs):
    """The book's notebook, ported to tf.compat.v1 in a graph of its own; zero init."""
    g = tf.Graph()
    with g.as_default():
        features = v1.placeholder(tf.float32, [None, 784])
        labels = v1.placeholder(tf.float32, [None, 10])
        weights = tf.Variable(tf.zeros((784, 10)))  # the book: tf.truncated_normal((784, 10))
        biases = tf.Variable(tf.zeros(10), name="biases")
        logits = tf.add(tf.matmul(features, weights), biases)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
        optimizer = v1.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        prediction = tf.nn.softmax(logits)
        is_correct_prediction = tf.equal(tf.argmax(prediction, 1), tf.argmax(labels, 1))
        accuracy = tf.reduce_mean(tf.cast(is_correct_prediction, tf.float32))
        init = v1.global_variables_initializer()
    train = mnist.DataSet(data.train.images, data.train.labels, seed=0)
    with v1.Session(graph=g) as sess:
        sess.run(init)
        total_batch = int(len(train.labels) / BATCH_SIZE)
        start = time.perf_counter()
        for epoch in range(epochs):
            avg_cost = 0
            for i in range(total_batch):
                batch_x, batch_y = train.next_batch(batch_size=BATCH_SIZE)
                _, c = sess.run([optimizer, loss], feed_dict={features: batch_x, labels: batch_y})
                avg_cost += c / total_batch
        seconds = time.perf_counter() - start
        test = sess.run(accuracy, feed_dict={features: data.test.images,
                                             labels: data.test.labels})
    return seconds, epochs * total_batch, float(test)


def numpy_sgd(data, epochs):
    """Plain NumPy: the same batches as tfbasics, the same update, float32."""
    x_all, y_all = data.train.images, data.train.labels
    n = len(x_all)
    steps = epochs * (n // BATCH_SIZE)
    w = np.zeros((784, 10), np.float32)
    b = np.zeros(10, np.float32)
    lr = np.float32(LEARNING_RATE / BATCH_SIZE)
    start = time.perf_counter()
    indices = sr.batch_indices(0, n, BATCH_SIZE, 0, steps)
    for idx in indices:
        x, y = x_all[idx], y_all[idx]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)  # stable softmax
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = p - y  # d(mean cross-entropy)/d logits, times the batch size
        w -= lr * (x.T @ g)
        b -= lr * g.sum(axis=0)
    seconds = time.perf_counter() - start
    test = float(np.mean((data.test.images @ w + b).argmax(1) == data.test.labels.argmax(1)))
    return seconds, steps, test


def keras_fit(data, epochs):
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((784,)),
                              keras.layers.Dense(10, activation="softmax",
                                                 kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(data.train.images, data.train.labels, batch_size=BATCH_SIZE, epochs=epochs,
              shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    test = model.evaluate(data.test.images, data.test.labels, verbose=0)[1]
    steps = epochs * -(-data.train.num_examples // BATCH_SIZE)  # fit also runs the last 88
    return seconds, steps, float(test)


IMPLEMENTATIONS = {
    "tfbasics feed_dict": lambda d, e: tfbasics_path(d, e, "feed_dict"),
    "tfbasics in_graph": lambda d, e: tfbasics_path(d, e, "in_graph"),
    "book loop (tf.compat.v1)": book_loop,
    "NumPy": numpy_sgd,
    "Keras 3 fit": keras_fit,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per implementation")
    parser.add_argument("--epochs", type=int, default=10, help="epochs per run (the book: 10)")
    parser.add_argument("--data-dir", type=str, default=None, help="MNIST folder")
    parser.add_argument("--only", type=str, nargs="*", default=None,
                        help="substrings of implementation names to run (default: all)")
    args = parser.parse_args(argv)
    data = mnist.read_data_sets(args.data_dir, one_hot=True)
    names = [n for n in IMPLEMENTATIONS
             if not args.only or any(s.lower() in n.lower() for s in args.only)]
    load_before = os.getloadavg()
    rows = {}
    # interleaved (round r of every implementation, then round r + 1) so a burst of load
    # from elsewhere hits them all alike
    runs = {name: [] for name in names}
    for r in range(args.repeats):
        for name in names:
            seconds, steps, test = IMPLEMENTATIONS[name](data, args.epochs)
            runs[name].append((seconds, steps, test))
            print(f"# round {r + 1} {name}: {seconds:.2f} s, {steps} steps, test {test:.4f}",
                  file=sys.stderr, flush=True)
    for name in names:
        seconds = statistics.median(s for s, _, _ in runs[name])
        steps = runs[name][0][1]
        test = statistics.median(t for _, _, t in runs[name])
        rows[name] = (seconds, steps, test)
    load_after = os.getloadavg()
    base_np = rows.get("NumPy", (None,))[0]
    base_fd = rows.get("tfbasics feed_dict", (None,))[0]
    print(f"{datetime.date.today()}, {os.cpu_count()} CPU cores ({platform.machine()}), "
          f"TensorFlow {tf.__version__}, NumPy {np.__version__}; {args.epochs} epochs, "
          f"median of {args.repeats}; load average (1 min) {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after")
    print()
    print("| implementation | training s | ms/step | examples/s | test accuracy "
          "| x NumPy | x feed_dict |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (seconds, steps, test) in rows.items():
        ratio_np = f"{seconds / base_np:.2f}" if base_np else "-"
        ratio_fd = f"{seconds / base_fd:.2f}" if base_fd else "-"
        print(f"| {name} | {seconds:.2f} | {seconds / steps * 1e3:.3f} | "
              f"{steps * BATCH_SIZE / seconds:,.0f} | {test:.4f} | {ratio_np} | {ratio_fd} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the same SGD softmax regression on MNIST, five ways, and ch01_07 as whole processes
(not a test).

    python benchmarks/softmax_regression.py [--repeats 3] [--epochs 10] [--process-epochs 20]
        [--tables both|training|process] [--only SUBSTRING ...] [--data-dir DIR]
    python benchmarks/softmax_regression.py --tables process     # the two whole-process ratios
    python benchmarks/softmax_regression.py --tables training --only in_graph NumPy "book loop"
                                                                 # ms per SGD step
    python benchmarks/softmax_regression.py --tables ops         # where an in-graph step goes

Each table ends with issue 22's targets and the load average the table ran under: the
whole-process ratios (feed_dict at most 1.15x, in_graph at most 0.8x the bare book loop) and the
in-graph loop's milliseconds per SGD step (at most 0.1 ms), beside NumPy's and the book loop's.

**Training loop only** (``--epochs``, default 10). Same data (tfbasics.data.mnist, 55,000 training
examples), same hyperparameters (learning rate 0.5, batch 128, zero initial weights), each timed
``--repeats`` times; medians are printed as a markdown table. The five:

- ``tfbasics feed_dict``: ch01_07's ``run_training`` loop (library model functions,
  ``BatchStream.next_batch``, ``sess.run([train_op, loss], feed_dict=...)``) without its logging;
- ``tfbasics in_graph``: section 7's ``run_training_in_graph`` loop
  (``chapters/in_graph_training.py``, ``tfbasics.in_graph``: 13 steps per ``session.run``)
  without its logging;
- ``book loop``: the book's notebook code ported to ``tf.compat.v1`` (placeholders, ``next_batch``,
  ``sess.run(feed_dict=...)``) with nothing else changed but the zero init;
- ``NumPy``: the same SGD by hand (matrix products, stable softmax, the same update);
- ``Keras fit``: Keras 3 ``Sequential([Dense(10, softmax)])``, ``SGD(0.5)``, ``fit``.

"Training seconds" is the wall time of the training loop only: no data loading, graph building,
session start-up or evaluation (Keras' ``fit`` includes its tracing/compilation of the step).
Every run is a fresh process (``--worker NAME``), rounds interleaved, so no implementation
inherits another's threads or warm caches, and NumPy runs without TensorFlow imported (on this
machine, importing TensorFlow made NumPy's multi-threaded OpenBLAS matmuls 40x slower). Workers
get ``OPENBLAS_NUM_THREADS=1`` unless it is set.

**Whole process** (``--process-epochs``, default 20): wall and CPU seconds from process start to
exit of the bare book loop (the book's code ported to ``tf.compat.v1``, printing the cost and
test accuracy every epoch as the book does, nothing else) against
``chapters/ch01_07_single_layer_mnist.py --seed 0`` with ``--input feed_dict`` (the book's loop
with all its extras: TensorBoard summaries, a checkpoint per epoch, evaluation, PNGs) and with
``--input in_graph``. Processes alternated, medians of ``--repeats``; ratios to the bare loop,
also paired by round (each round's process over the bare loop's of the same round).

**Where an in-graph step's time goes** (``--tables ops``): TensorFlow's own trace
(``RunOptions.FULL_TRACE``, the step stats TensorBoard's profile shows) of ``--repeats`` runs of
13 SGD steps each, after a warm-up epoch, on MNIST with section 7's graph: microseconds per
step by op, largest first, and what the executor's other ops add up to.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

# no TensorFlow: imported only by the implementations that use it
from tfbasics.data import mnist, mnist_fetch

LEARNING_RATE, BATCH_SIZE = 0.5, 128  # the book's
SEED = 0
# issue 22's targets: the in-graph loop's ms per SGD step; whole processes against the bare loop
STEP_TARGET_MS = 0.1
PROCESS_TARGETS = {"feed_dict": 1.15, "in_graph": 0.8}


def _library_graph(config, in_graph_steps=None):
    """The graph ch01_07 builds (library model functions), and the in-graph pipeline if asked."""
    from tfbasics import in_graph
    from tfbasics import softmax_regression as sr
    from tfbasics._tf import tf

    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        v1.set_random_seed(config.seed)
        features = v1.placeholder(tf.float32, [None, 784], name="features")
        labels = v1.placeholder(tf.float32, [None, 10], name="labels")
        global_step = v1.train.create_global_step()
        logits, prediction, _, _ = sr.inference(features, config.init, config.seed)
        loss = sr.loss(logits, labels, config.loss, prediction)
        train_op = sr.training(loss, config.learning_rate, global_step)
        accuracy = sr.evaluation(prediction, labels)
        pipeline = in_graph.build(config, in_graph_steps, global_step) if in_graph_steps else None
        init = v1.global_variables_initializer()
    return g, features, labels, loss, train_op, accuracy, pipeline, init


def tfbasics_path(data, epochs, input_kind):
    """Section 7's training loop (run_training or run_training_in_graph) without its logging."""
    from tfbasics import in_graph
    from tfbasics import softmax_regression as sr
    from tfbasics._tf import tf
    from tfbasics.data.batches import BatchStream, batch_indices

    config = sr.Config(epochs=epochs, input=input_kind, seed=SEED)
    n = data.train.num_examples
    g, features, labels, loss, train_op, accuracy, pipeline, init = _library_graph(
        config, n if input_kind == "in_graph" else None
    )
    total_batch = n // BATCH_SIZE
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        if pipeline:
            sess.run(
                pipeline.load,
                {pipeline.images: data.train.images, pipeline.labels: data.train.labels},
            )
            run_steps = in_graph.step_runner(sess, pipeline)
        train = BatchStream(data.train, SEED, batch_size=BATCH_SIZE)
        step, start = 0, time.perf_counter()
        for _epoch in range(epochs):
            avg_cost = 0.0
            if pipeline:
                indices = batch_indices(SEED, n, BATCH_SIZE, step, total_batch)
                for chunk in in_graph.chunks(indices, config.steps_per_run):
                    for c in run_steps(chunk):
                        step += 1
                        sr.check_finite(c, step, config)
                        avg_cost += c / total_batch
            else:
                for _ in range(total_batch):
                    batch_x, batch_y = train.next_batch(BATCH_SIZE)
                    _, c = sess.run([train_op, loss], {features: batch_x, labels: batch_y})
                    step += 1
                    sr.check_finite(c, step, config)
                    avg_cost += c / total_batch
        seconds = time.perf_counter() - start
        test = sess.run(accuracy, {features: data.test.images, labels: data.test.labels})
    return seconds, step, float(test)


def book_loop(data, epochs, as_printed=False):
    """The book's notebook, ported to tf.compat.v1 in a graph of its own; zero init.

    ``as_printed``: also what the book prints every epoch, the cost and the test accuracy (the
    whole-process comparison runs the book's code complete).
    """
    from tfbasics._tf import tf

    v1 = tf.compat.v1
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
    train = mnist.DataSet(data.train.images, data.train.labels, seed=SEED)
    with v1.Session(graph=g) as sess:
        sess.run(init)
        total_batch = int(len(train.labels) / BATCH_SIZE)
        start = time.perf_counter()
        for _epoch in range(epochs):
            avg_cost = 0
            for _ in range(total_batch):
                batch_x, batch_y = train.next_batch(batch_size=BATCH_SIZE)
                _, c = sess.run([optimizer, loss], feed_dict={features: batch_x, labels: batch_y})
                avg_cost += c / total_batch
            if as_printed:
                print("Epoch:", (_epoch + 1), "cost =", f"{avg_cost:.3f}")
                test_feed = {features: data.test.images, labels: data.test.labels}
                print("Test accuracy:", sess.run(accuracy, feed_dict=test_feed), flush=True)
        seconds = time.perf_counter() - start
        test = sess.run(accuracy, feed_dict={features: data.test.images, labels: data.test.labels})
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
    # softmax_regression.batch_indices' stream (that module imports TensorFlow): pass p is
    # permutation(n) from default_rng([seed, p]), cut into consecutive batches
    passes = -(-steps * BATCH_SIZE // n)
    stream = np.concatenate(
        [np.random.default_rng([SEED, p]).permutation(n) for p in range(passes)]
    )
    for idx in stream[: steps * BATCH_SIZE].reshape(steps, BATCH_SIZE):
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

    from tfbasics._tf import tf  # noqa: F401  (quiet import before Keras imports TensorFlow)

    keras.utils.set_random_seed(SEED)
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(LEARNING_RATE),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(
        data.train.images,
        data.train.labels,
        batch_size=BATCH_SIZE,
        epochs=epochs,
        shuffle=True,
        verbose=0,
    )
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
BOOK_SCRIPT = "book script"  # the whole-process baseline: book_loop, printing as the book does
WORKERS = {**IMPLEMENTATIONS, BOOK_SCRIPT: lambda d, e: book_loop(d, e, as_printed=True)}
SCRIPT = Path(__file__).resolve().parents[1] / "chapters" / "ch01_07_single_layer_mnist.py"
PROCESSES = {  # whole-process comparison: name -> (command after the interpreter, is baseline)
    "bare book loop (the book's code, tf.compat.v1)": [
        str(Path(__file__).resolve()),
        "--worker",
        BOOK_SCRIPT,
    ],
    "ch01_07 --input feed_dict (the book's loop + all extras)": [
        str(SCRIPT),
        "--input",
        "feed_dict",
    ],
    "ch01_07 --input in_graph (+ all extras)": [str(SCRIPT), "--input", "in_graph"],
}


def _worker(name, epochs, data_dir):
    data = mnist.read_data_sets(data_dir, one_hot=True)
    seconds, steps, test = WORKERS[name](data, epochs)
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
    ] + (["--data-dir", data_dir] if data_dir else [])
    # OpenBLAS' threads wait on each other on a busy 2-core machine: NumPy took 10-19 s with
    # 2 threads against 1.3 s with 1 (TensorFlow's own kernels do not use OpenBLAS)
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["steps"], result["test"]


def _time_process(name, epochs, data_dir, logdir):
    """Wall and CPU seconds of one whole process (start-up, data, graph, training, logging)."""
    command = [sys.executable, *PROCESSES[name], "--epochs", str(epochs)]
    if "--worker" not in command:  # the chapter script: its defaults, but a fixed seed
        command += ["--seed", str(SEED), "--no-progress", "--logdir", str(logdir)]
    command += ["--data-dir", data_dir] if data_dir else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-2000:]}")
    last = [line for line in done.stdout.splitlines() if line.startswith("Test accuracy:")][-1]
    return seconds, cpu, float(last.split()[-1])


def _selected(names, only):
    return [n for n in names if not only or any(s.lower() in n.lower() for s in only)]


def _header(epochs, repeats, load_before, what):
    from importlib.metadata import version

    load_after = os.getloadavg()
    print(
        f"{what}: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPU cores ({platform.machine()}), TensorFlow {version('tensorflow')}, "
        f"Keras {version('keras')}, NumPy {np.__version__}; {epochs} epochs, median of "
        f"{repeats}; load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print()


def training_table(args):
    """Training-loop seconds of the five implementations, each run in a fresh process."""
    names = _selected(IMPLEMENTATIONS, args.only)
    load_before = os.getloadavg()
    runs = {name: [] for name in names}
    # interleaved (round r of every implementation, then round r + 1) so a burst of load
    # from elsewhere hits them all alike
    for r in range(args.repeats):
        for name in names:
            seconds, steps, test = _run_in_fresh_process(name, args.epochs, args.data_dir)
            runs[name].append((seconds, steps, test))
            print(
                f"# round {r + 1} {name}: {seconds:.2f} s, {steps} steps, test {test:.4f}",
                file=sys.stderr,
                flush=True,
            )
    rows = {
        name: (
            statistics.median(s for s, _, _ in runs[name]),
            runs[name][0][1],
            statistics.median(t for _, _, t in runs[name]),
        )
        for name in names
    }
    base_np = rows.get("NumPy", (None,))[0]
    base_fd = rows.get("tfbasics feed_dict", (None,))[0]
    _header(args.epochs, args.repeats, load_before, "Training loop only")
    print(
        "| implementation | training s | ms/step | examples/s | test accuracy "
        "| x NumPy | x feed_dict |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (seconds, steps, test) in rows.items():
        ratio_np = f"{seconds / base_np:.2f}" if base_np else "-"
        ratio_fd = f"{seconds / base_fd:.2f}" if base_fd else "-"
        print(
            f"| {name} | {seconds:.2f} | {seconds / steps * 1e3:.3f} | "
            f"{steps * BATCH_SIZE / seconds:,.0f} | {test:.4f} | {ratio_np} | {ratio_fd} |"
        )
    print()
    per_step = {name: seconds / steps * 1e3 for name, (seconds, steps, _) in rows.items()}
    if "tfbasics in_graph" in per_step:
        ms = per_step["tfbasics in_graph"]
        beside = ", ".join(
            f"{name} {per_step[name]:.3f} ms"
            for name in ("NumPy", "book loop (tf.compat.v1)")
            if name in per_step
        )
        verdict = "meets it" if ms <= STEP_TARGET_MS else "MISSES it"
        print(
            f"in-graph SGD step: {ms:.3f} ms ({beside}); target: at most {STEP_TARGET_MS} ms "
            f"({verdict}); load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
        )
        print()


def op_table(args):
    """Microseconds per in-graph SGD step by op, from TensorFlow's trace of whole runs."""
    import collections

    from tfbasics import in_graph
    from tfbasics import softmax_regression as sr
    from tfbasics._tf import tf
    from tfbasics.data.batches import batch_indices

    v1 = tf.compat.v1
    data = mnist.read_data_sets(args.data_dir, one_hot=True)
    config = sr.Config(seed=SEED)
    n = data.train.num_examples
    load_before = os.getloadavg()
    g, *_, pipeline, init = _library_graph(config, n)
    rows = batch_indices(SEED, n, BATCH_SIZE, 0, n // BATCH_SIZE)
    micros, count, traced = collections.Counter(), collections.Counter(), 0
    with v1.Session(graph=g) as sess:
        sess.run(init)
        sess.run(
            pipeline.load, {pipeline.images: data.train.images, pipeline.labels: data.train.labels}
        )
        run_steps = in_graph.step_runner(sess, pipeline)
        for chunk in in_graph.chunks(rows, config.steps_per_run):  # warm-up: one epoch
            run_steps(chunk)
        for r in range(args.repeats):
            chunk = rows[r * config.steps_per_run : (r + 1) * config.steps_per_run]
            metadata = v1.RunMetadata()
            options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
            run_steps(chunk, options=options, run_metadata=metadata)
            traced += len(chunk)
            for device in metadata.step_stats.dev_stats:
                for node in device.node_stats:
                    name = node.node_name.replace(f"{in_graph.SCOPE}/sgd_steps/", "")
                    micros[name] += node.all_end_rel_micros
                    count[name] += 1
    total = sum(micros.values()) / traced
    from importlib.metadata import version

    print(
        f"In-graph step, traced: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} "
        f"UTC, {os.cpu_count()} CPU cores, TensorFlow {version('tensorflow')}; {traced} steps "
        f"({args.repeats} runs of {config.steps_per_run}) after a warm-up epoch; load average "
        f"(1 min) {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print()
    print("| op (in the loop's body) | us per step | share | runs per step |")
    print("|---|---:|---:|---:|")
    top = micros.most_common(6)
    for name, us in top:
        print(
            f"| {name} | {us / traced:.1f} | {us / traced / total:.0%} | {count[name] / traced:.1f} |"
        )
    rest = sum(micros.values()) - sum(us for _, us in top)
    others = sum(count.values()) - sum(count[name] for name, _ in top)
    print(
        f"| the other {len(micros) - len(top)} ops (loop control, slices, updates, constants) "
        f"| {rest / traced:.1f} | {rest / traced / total:.0%} | {others / traced:.1f} |"
    )
    print(f"| all | {total:.1f} | 100% | {sum(count.values()) / traced:.1f} |")
    print()
    print(
        "Tracing times every op, which adds its own cost to each: the untraced step is "
        "`--tables training --only in_graph`'s figure."
    )
    print()


def process_table(args):
    """Whole-process wall seconds: the bare book loop against ch01_07's two loops with extras."""
    import tempfile

    names = _selected(PROCESSES, args.only)
    load_before = os.getloadavg()
    runs = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="bench_ch01_07_") as logdir:
        for r in range(args.repeats):  # alternated, as the training table
            for name in names:
                run = _time_process(name, args.process_epochs, args.data_dir, logdir)
                runs[name].append(run)
                print(
                    f"# round {r + 1} {name}: {run[0]:.2f} s wall, {run[1]:.2f} s CPU, "
                    f"test {run[2]:.4f}",
                    file=sys.stderr,
                    flush=True,
                )
    rows = {
        name: [statistics.median(run[k] for run in v) for k in range(3)] + [v]
        for name, v in runs.items()
    }
    base = rows.get(next(iter(PROCESSES)))
    base_runs = runs.get(next(iter(PROCESSES)))

    def paired(v):
        """Each round's wall seconds over the bare loop's of the same round: (median, min, max).
        On a shared machine a whole process varies by 20% from one round to the next; a round's
        processes ran one after the other, so their ratio drifts less than the medians do."""
        ratios = [run[0] / bare[0] for run, bare in zip(v, base_runs)]
        return statistics.median(ratios), min(ratios), max(ratios)

    _header(args.process_epochs, args.repeats, load_before, "Whole process")
    print(
        "| process | wall s | x bare book loop (wall) | x bare, paired by round (min-max) | CPU s "
        "| x bare book loop (CPU) | test accuracy | wall s per round |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, (seconds, cpu, test, v) in rows.items():
        wall_ratio = f"{seconds / base[0]:.2f}" if base else "-"
        cpu_ratio = f"{cpu / base[1]:.2f}" if base else "-"
        pair = "{:.2f} ({:.2f}-{:.2f})".format(*paired(v)) if base else "-"
        rounds = ", ".join(f"{run[0]:.1f}" for run in v)
        print(
            f"| {name} | {seconds:.2f} | {wall_ratio} | {pair} | {cpu:.2f} | {cpu_ratio} "
            f"| {test:.4f} | {rounds} |"
        )
    print()
    if base:
        for kind, target in PROCESS_TARGETS.items():
            name = next((n for n in rows if f"--input {kind}" in n), None)
            if name is None:
                continue
            ratio, low, high = paired(runs[name])
            verdict = "meets it" if ratio <= target else "MISSES it"
            print(
                f"ch01_07 --input {kind}, whole process: {ratio:.2f}x the bare book loop (wall, "
                f"median of the rounds' ratios, {low:.2f}-{high:.2f}; ratio of the medians "
                f"{rows[name][0] / base[0]:.2f}x; {args.process_epochs} epochs); target: at most "
                f"{target}x ({verdict}); load average {load_before[0]:.1f} before, "
                f"{os.getloadavg()[0]:.1f} after"
            )
        print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per implementation")
    parser.add_argument(
        "--epochs", type=int, default=10, help="epochs per training-loop run (the book: 10)"
    )
    parser.add_argument(
        "--process-epochs", type=int, default=20, help="epochs per whole-process run"
    )
    parser.add_argument(
        "--tables",
        choices=("both", "training", "process", "ops"),
        default="both",
        help="training: the training loops only; process: whole processes; both; ops: where "
        "an in-graph step's time goes (TensorFlow's trace)",
    )
    parser.add_argument("--data-dir", type=str, default=None, help="MNIST folder")
    parser.add_argument(
        "--only",
        type=str,
        nargs="*",
        default=None,
        help="substrings of implementation or process names to run (default: all)",
    )
    parser.add_argument(
        "--worker",
        type=str,
        default=None,
        choices=tuple(WORKERS),
        help="(internal) run one implementation once, print JSON",
    )
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args.worker, args.epochs, args.data_dir)
    mnist_fetch.fetch(args.data_dir)
    if args.tables in ("both", "training"):
        training_table(args)
    if args.tables in ("both", "process"):
        process_table(args)
    if args.tables == "ops":
        op_table(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Backpropagation by hand in NumPy, checked, trained on MNIST, and broken two ways.

The book's local gradients are ``backward()`` with an upstream gradient of ones; every backward
is checked against central differences and ``tf.gradients``; a 784-128-10 sigmoid network learns
MNIST with them and plain SGD; then vanishing gradients and dead ReLUs. The run folder gets the
training curves, the experiments' tables and bar charts, and the gradient check's graph.
"""

import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from tfbasics import backprop as bp
from tfbasics import backprop_experiments as ex
from tfbasics import backprop_plots as plots
from tfbasics import gradcheck
from tfbasics._tf import tf
from tfbasics.data import mnist
from tfbasics.data.flags import add_data_flags
from tfbasics.data.mnist_files import MNISTError
from tfbasics.runs import folders
from tfbasics.runs.script_errors import script_main

# On batches of 32 BLAS threads mostly wait on each other (training took 5 s single-threaded, over
# 100 s with two threads on a busy 2-core machine): one thread, unless OPENBLAS_NUM_THREADS says
if __name__ == "__main__" and "OPENBLAS_NUM_THREADS" not in os.environ:
    threadpool_limits(limits=1, user_api="blas")

SCRIPT = "ch01_10_backpropagation"  # its run folders: logs/ch01_10_backpropagation/<run>/
LOG_EVERY = 50  # SGD steps between two train/loss points in TensorBoard

# %% [markdown]
# # 1.10 Backpropagation by hand
#
# Training needs dL/dW for every weight. Backpropagation gets all of them in one backward
# sweep: each layer receives the gradient of the loss with respect to its output (the
# *upstream* gradient), multiplies it by its own local derivative, and hands the result to the
# layer below. `tfbasics/backprop.py` writes each layer's `forward` next to its `backward`.
# This lesson checks those gradients, trains a network with them, and then breaks them.
#
# Everything a run logs goes to one folder, opened here.


# %%
class Run(NamedTuple):
    """A run folder and its TensorBoard writer."""

    path: Path  # logs/ch01_10_backpropagation/<run name>
    writer: object  # the tf.summary file writer of that folder


def start_run(logdir=folders.DEFAULT_LOGDIR, run_name=None):
    """Claim ``<logdir>/ch01_10_backpropagation/<run_name>`` and open its writer (a Run)."""
    path = folders.run_dir(logdir, SCRIPT, run_name)
    return Run(path, tf.summary.create_file_writer(str(path)))


def heading(text):
    """Print a part's title: ``== text ==`` after a blank line."""
    print(f"\n== {text} ==", flush=True)


def fmt(a):
    """An array as one short line: 4 decimals, tiny values as 0 (str)."""
    return np.array2string(np.asarray(a), precision=4, suppress_small=True, separator=", ")


# %% active="ipynb"
# run = start_run()

# %% [markdown]
# ## The book's formulas are one special case
#
# The book gives the gradients of z = sigmoid(W x) as `dx = W.T @ (z*(1-z))` and
# `dW = outer(z*(1-z), x)`. Those are what `backward` returns when the upstream gradient is 1
# for every unit. In a network the upstream gradient is dL/dz, and it multiplies in.


# %%
def show_book_formulas(seed=0):
    """Print the book's local gradients next to ``backward(ones)`` for sigmoid and ReLU."""
    heading("1. The book's local gradients are backward() with an upstream gradient of ones")
    rng = np.random.default_rng(seed)
    W, x = rng.normal(size=(3, 4)), rng.random(4)
    print(f"z = f(W x), W [3, 4] (the book's layout), x = {fmt(x)}")
    for activation, local in (("sigmoid", "z*(1-z)"), ("relu", "z > 0")):
        dx_book, dW_book = bp.book_local_gradients(W, x, activation)
        dx, dW = bp.ones_upstream_gradients(W, x, activation)
        print(f"{activation:<7}  book:           dx = W.T @ ({local}) = {fmt(dx_book)}")
        print(f"{'':<7}  backward(ones): dx = {fmt(dx)}")
        print(
            f"{'':<7}  book dW = outer({local}, x) vs backward(ones) dW: "
            f"max |difference| = {np.abs(dW_book - dW).max():.1e}"
        )
    print(
        "With a real upstream gradient g = dL/dz, backward multiplies the local gradient by g:\n"
        "dx = W.T @ (g * z*(1-z)), dW = outer(g * z*(1-z), x). The book's formulas are g = 1."
    )


# %% active="ipynb"
# show_book_formulas()

# %% [markdown]
# A ReLU passes the upstream gradient only where it fired (z > 0). A unit that is zero on every
# example therefore gets a weight gradient of exactly zero, and gradient descent never moves it.


# %%
def show_dead_unit(seed=0):
    """Print the weight gradient of a ReLU unit that is zero on every example: exactly 0."""
    heading("2. Why a unit with z = 0 gets no weight gradient")
    d = ex.dead_unit_gradients(seed)
    print(
        "FullyConnected(4 -> 3) + ReLU on 5 examples; unit 2 has bias -100, so z[:, 2] = "
        f"{fmt(d['z'][:, 2])}"
    )
    print("dL/dW = x.T @ (upstream * (z > 0)): each column is the inputs weighted by that unit's")
    print("upstream gradient where it fired. Unit 2 fired nowhere:")
    print(
        f"  dL/dW[:, 2] = {fmt(d['dW'][:, 2])}   dL/db[2] = {d['db'][2]:g}"
        f"   (unit 0: dL/dW[:, 0] = {fmt(d['dW'][:, 0])})"
    )
    print("SGD never moves its weights, so it stays at z = 0 for good: a dead ReLU (part 4).")


# %% active="ipynb"
# show_dead_unit()

# %% [markdown]
# ## The chain rule, and a gate that multiplies
#
# The derivative of f(g(x)) is f'(g(x)) times g'(x): one factor per step, multiplied on the way
# back. For z = x * y, the gradient reaching x is the upstream gradient times y, and the one
# reaching y is times x: the multiply gate swaps its inputs.


# %%
def show_chain_rule():
    """Print F(x) = sin(x**2 + 1) at 1.5 by the chain rule, and z = x * y forward and back."""
    heading("3. Chain rule: F(x) = f(g(x)) with g(x) = x**2 + 1, f(u) = sin(u), at x = 1.5")
    c = bp.chain_rule_example(1.5)
    print(f"forward:  u = g(x) = {c['u']:g}   F = f(u) = sin(u) = {c['F']:.6f}")
    print(f"backward: dF/du = cos(u) = {c['dF/du']:.6f}   du/dx = 2x = {c['du/dx']:g}")
    print(
        f"          dF/dx = dF/du * du/dx = {c['dF/dx']:.9f}   "
        f"(central difference: {c['central difference']:.9f})"
    )

    heading("4. z = f(x, y) = x * y: forward, then backward from dL/dz")
    gate, x, y, dL_dz = bp.Multiply(), 3.0, -4.0, 2.0
    z = gate.forward(x, y)
    dL_dx, dL_dy = gate.backward(dL_dz)
    print(f"forward:  x = {x:g}, y = {y:g} -> z = {z:g}")
    print(
        f"backward: dL/dz = {dL_dz:g} -> dL/dx = dL/dz * y = {dL_dx:g}, "
        f"dL/dy = dL/dz * x = {dL_dy:g}"
    )


# %% active="ipynb"
# show_chain_rule()

# %% [markdown]
# ## Checking every backward
#
# A backward pass can be wrong and still train a little. Two independent references catch
# that: central differences (nudge one number by +-1e-6 and watch the loss) and TensorFlow's
# `tf.gradients` on the same computation. In float64 both should agree with `backward` to
# better than one part in a million.


# %%
def show_gradient_check(run, seed=0):
    """Print and log the gradient check of every layer; True if all errors are below TOLERANCE."""
    heading(
        "5. Gradient check in float64: backward vs central differences (eps 1e-6) and vs "
        "tf.gradients (relative error)"
    )
    rows = gradcheck.check_all(seed)
    lines = plots.gradient_check_lines(rows)
    print("\n".join(lines))
    worst = max(max(r.vs_finite_differences, r.vs_tensorflow) for _, r in rows)
    ok = worst < gradcheck.TOLERANCE
    print(
        f"largest relative error {worst:.1e}: "
        f"{'all below' if ok else 'NOT all below'} {gradcheck.TOLERANCE:g}"
    )
    net = bp.mlp([6, 5, 4, 3], "sigmoid", rng=np.random.default_rng(seed), dtype=np.float64)
    x = np.random.default_rng(seed).normal(size=(4, 6))
    folders.write_graph(
        run.path, gradcheck.build_tf_gradients(net, x, np.array([0, 2, 1, 2])).graph
    )
    with run.writer.as_default():
        tf.summary.text("gradient_check", "\n".join("    " + line for line in lines), step=0)
    return ok


# %% active="ipynb"
# all_below_tolerance = show_gradient_check(run)

# %% [markdown]
# ## Training with these gradients
#
# The training loop is the whole algorithm: shuffle, then for each minibatch run the network
# forward to the loss, backward to every gradient, and move each weight a small step against
# its gradient (plain SGD). A 784-128-10 sigmoid network reaches about 97% in 3 epochs.


# %%
def load_data(data_dir=None, fake_data=False, max_examples=None, seed=0):
    """MNIST as the experiments take it: float32 images [n, 784] in [0, 1], int64 labels [n].

    Returns:
      dict "train", "validation", "test" -> (images, labels); train keeps ``max_examples``.
    """
    data = mnist.read_data_sets(data_dir, seed=seed, fake_data=fake_data)
    n = min(max_examples or data.train.num_examples, data.train.num_examples)

    def arrays(split, n=None):
        return split.images[:n], split.labels[:n].astype(np.int64)  # labels are uint8

    return {
        "train": arrays(data.train, n),
        "validation": arrays(data.validation),
        "test": arrays(data.test),
    }


def train_epoch(net, images, labels, batch_size, learning_rate, rng):
    """One pass over the data in a random order, one SGD step per batch.

    Args:
      net: backprop.Network, updated in place.
      images: float [N, 784]; labels: int [N].
      batch_size: int; learning_rate: float.
      rng: np.random.Generator for the order.
    Yields:
      float, the mean cross-entropy of each batch before its step (``steps_per_epoch`` of them).
    """
    order = rng.permutation(len(images))
    for start in range(0, len(images), batch_size):
        batch = order[start : start + batch_size]
        loss = net.forward(images[batch], labels[batch])  # forward, down to the loss
        _, grads = net.backward()  # backward: dL/dW and dL/db of every layer
        net.sgd_step(grads, learning_rate)  # W -= learning_rate * dL/dW
        yield loss


class Diverged(Exception):
    """The loss became inf or NaN: one line on stderr, exit status 3."""


def bar(progress):
    """``wrap(iterable, total, desc)``: a progress bar, or the iterable itself."""
    if not progress:
        return lambda iterable, total, desc: iterable
    return lambda iterable, total, desc: folders.progress(iterable, total=total, desc=desc)


def train(
    data,
    run,
    epochs=3,
    batch_size=32,
    learning_rate=0.5,
    hidden=128,
    activation="sigmoid",
    seed=0,
    progress=True,
):
    """Train a 784-``hidden``-10 network with ``train_epoch``; print and log cost and accuracy.

    Args:
      data: ``load_data()``'s dict; run: ``start_run()``'s Run.
      activation: "sigmoid" or "relu", the hidden layer's.
      progress: bool, a progress bar per epoch.
    Returns:
      float, the test accuracy.
    Raises:
      Diverged: the loss became inf or NaN.
    """
    (x, y), (xv, yv), (xt, yt) = data["train"], data["validation"], data["test"]
    sizes = [x.shape[1], hidden, 10]
    heading(
        f"6. Training {'-'.join(map(str, sizes))} {activation} with these gradients, "
        f"plain SGD (lr {learning_rate:g}, batch {batch_size}, {len(x):,} examples)"
    )
    rng = np.random.default_rng(seed)
    net = bp.mlp(sizes, activation, "scaled", rng)
    steps, step, start = ex.steps_per_epoch(len(x), batch_size), 0, time.perf_counter()
    for epoch in range(1, epochs + 1):
        losses = []
        epoch_steps = train_epoch(net, x, y, batch_size, learning_rate, rng)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run is reported below
            for loss in bar(progress)(epoch_steps, steps, f"Epoch {epoch}"):
                if not np.isfinite(loss):
                    raise Diverged(
                        f"training diverged at epoch {epoch}, step {step + 1} "
                        f"(loss {loss}): try a smaller --learning-rate than {learning_rate:g}"
                    )
                losses.append(loss)
                step += 1
                if step == 1 or step % LOG_EVERY == 0:
                    with run.writer.as_default():
                        tf.summary.scalar("train/loss", loss, step=step)
        cost, val_acc = float(np.mean(losses)), ex.accuracy(net, xv, yv)
        print(f"Epoch: {epoch} cost = {cost:.3f}  validation accuracy = {val_acc:.4f}", flush=True)
        with run.writer.as_default():
            tf.summary.scalar("epoch/cost", cost, step=epoch)
            tf.summary.scalar("epoch/validation_accuracy", val_acc, step=epoch)
    seconds = time.perf_counter() - start
    test_acc = ex.accuracy(net, xt, yt)
    with run.writer.as_default():
        tf.summary.scalar("test/accuracy", test_acc, step=epochs)
    print(f"Test accuracy: {test_acc:.4f}  ({epochs} epoch(s) in {seconds:.1f} s)")
    return test_acc


# %% active="ipynb"
# data = load_data()
# test_accuracy = train(data, run, progress=False)

# %% [markdown]
# ## Vanishing gradients
#
# A sigmoid's slope z*(1-z) is at most 1/4, and close to 0 when the unit is saturated (z near 0
# or 1). Each layer multiplies the gradient by it on the way back, so with careless initial
# weights the layers near the input get almost nothing. The table measures this on untrained
# networks of 2 and 5 layers, for four ways of drawing the initial weights.

# %%
INIT_NAMES = {
    "scaled": "std 4/sqrt(fan_in) into a sigmoid, 1/sqrt(fan_in) into the softmax",
    "lecun": "std 1/sqrt(fan_in) everywhere (right for tanh, 4x too small for sigmoid)",
    "rand": "sloppy: np.random.rand, uniform [0, 1), all positive",
    "randn": "sloppy: np.random.randn, N(0, 1)",
}


def vanishing(data, run, hidden=128, seed=0):
    """Print and log ``ex.vanishing_gradients`` on the training images; return its rows."""
    x, y = data["train"]
    heading(
        "7. Vanishing gradients: untrained sigmoid networks, loss and |dL/dW| averaged over "
        "10 batches of 100"
    )
    rows = ex.vanishing_gradients(x, y, hidden=hidden, seed=seed)
    print("\n".join(plots.vanishing_lines(rows)))
    for init, name in INIT_NAMES.items():
        print(f"  {init:<6} {name}")
    randn = [r.saturated for r in rows if r.init == "randn" and not np.isnan(r.saturated)]
    print(
        f"rand: every hidden unit is saturated, z*(1-z) rounds to 0, and the gradient of every\n"
        f"layer below the output collapses (to exactly 0 in the 5-layer net): only the last\n"
        f"layer can learn. scaled: almost no unit saturates and every layer gets a gradient.\n"
        f"lecun: nothing saturates, but each sigmoid layer passes back at most 1/4 of the\n"
        f"gradient: it shrinks layer by layer towards the input (the textbook vanishing\n"
        f"gradient).\n"
        f"randn saturates {min(randn):.0%}-{max(randn):.0%} of the units, yet its std-1 weights "
        f"multiply the gradient\nthat gets through back up: saturation hurts (see its loss) "
        f"without vanishing in a net this wide."
    )
    # not over time: a table and one picture, never scalars with the layer on the step axis
    with run.writer.as_default():
        tf.summary.text("vanishing_gradients", plots.vanishing_markdown(rows), step=0)
        tf.summary.image("vanishing_gradients_by_layer", plots.vanishing_chart(rows)[None], step=0)
    return rows


# %% active="ipynb"
# vanishing_rows = vanishing(data, run)

# %% [markdown]
# The same numbers as bars, one panel per network (log scale; layer 1 is next to the input).
# With `rand` the bars below the output layer all but disappear.

# %% active="ipynb"
# import matplotlib.pyplot as plt
#
# plt.figure(figsize=(13, 6))
# plt.imshow(plots.vanishing_chart(vanishing_rows))
# plt.axis("off")
# plt.show()

# %% [markdown]
# ## Dead ReLUs
#
# One oversized update can push a ReLU unit's bias so low that it never fires again on any
# image. From then on its gradient is zero (part 2) and it is dead for good. The experiment
# counts the hidden units that never fire, after a healthy start and after too large a step.


# %%
def dead_relu(data, run, hidden=128, seed=0, progress=True):
    """Print and log ``ex.dead_relu_experiment`` (trained with ``train_epoch``); return its rows."""
    (x, y), (xv, yv) = data["train"], data["validation"]
    heading(
        f"8. Dead ReLUs: units of the {hidden}-unit ReLU layer that fire on none of the "
        f"{len(x):,} training images"
    )
    rows, unchanged = ex.dead_relu_experiment(
        x, y, xv, yv, train_epoch, hidden=hidden, seed=seed, progress=bar(progress)
    )
    print("\n".join(plots.dead_relu_lines(rows)))
    print(
        f"The units killed by the oversized step kept exactly their weights through the next "
        f"epoch: {unchanged} (part 2: zero gradient).\nThe book cites about 40% dead with too "
        f"high a learning rate."
    )
    with run.writer.as_default():  # cases, not time: a table and one bar chart
        tf.summary.text("dead_relu", plots.dead_relu_markdown(rows), step=0)
        tf.summary.image("dead_relu_by_case", plots.dead_relu_chart(rows)[None], step=0)
    return rows


# %% active="ipynb"
# dead_rows = dead_relu(data, run, progress=False)

# %% active="ipynb"
# import matplotlib.pyplot as plt
#
# plt.figure(figsize=(10, 4))
# plt.imshow(plots.dead_relu_chart(dead_rows))
# plt.axis("off")
# plt.show()

# %% [markdown]
# In TensorBoard: the training loss, cost and accuracy (Scalars), the three tables (Text), both
# bar charts (Images) and the gradient check's graph (Graphs). If TensorBoard does not start
# here, run `tfbasics tensorboard` (or `tensorboard --logdir logs/ch01_10_backpropagation`) in a
# terminal.

# %% active="ipynb"
# run.writer.flush()
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_10_backpropagation


# %% active="py"
PARTS = ("gradients", "train", "vanishing", "dead-relu")


def parse_args(argv):
    parser = folders.base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        type=str,
        choices=("all",) + PARTS,
        default="all",
        help="which part of the section to run",
    )
    parser.add_argument("--epochs", type=int, default=3, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, default=32, help="examples per SGD step")
    parser.add_argument("--learning-rate", type=float, default=0.5, help="plain SGD step size")
    parser.add_argument(
        "--hidden",
        type=int,
        default=128,
        help="units per hidden layer (training, vanishing and dead-relu nets)",
    )
    parser.add_argument(
        "--activation",
        type=str,
        choices=("sigmoid", "relu"),
        default="sigmoid",
        help="hidden nonlinearity of the trained network",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds initial weights, batch order and the gradient-check inputs",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_data_flags(parser)
    parser.add_argument(
        "--max-examples",
        type=int,
        default=None,
        help="use only the first this many training examples (fast runs)",
    )
    return parser.parse_args(argv)


def check_args(args):
    """The first problem with the flag values, as one line, or None."""
    for flag, value in (
        ("--epochs", args.epochs),
        ("--batch-size", args.batch_size),
        ("--hidden", args.hidden),
        ("--max-examples", args.max_examples),
    ):
        if value is not None and value < 1:
            return f"{flag} must be at least 1, got {value}"
    if not args.learning_rate > 0:
        return f"--learning-rate must be positive, got {args.learning_rate}"
    return None


def run_parts(args):
    """The parts ``--part`` names, in order, in one run folder; True if the gradient check passed."""
    parts = PARTS if args.part == "all" else (args.part,)
    progress = not args.no_progress
    data = None
    if set(parts) - {"gradients"}:  # before the run folder: a data problem leaves no folder
        data = load_data(args.data_dir, args.fake_data, args.max_examples, args.seed)
    run, ok = start_run(args.logdir, args.run_name), True
    try:
        if "gradients" in parts:
            show_book_formulas(args.seed)
            show_dead_unit(args.seed)
            show_chain_rule()
            ok = show_gradient_check(run, args.seed)
        if "train" in parts:
            train(
                data,
                run,
                args.epochs,
                args.batch_size,
                args.learning_rate,
                args.hidden,
                args.activation,
                args.seed,
                progress,
            )
        if "vanishing" in parts:
            vanishing(data, run, args.hidden, args.seed)
        if "dead-relu" in parts:
            dead_relu(data, run, args.hidden, args.seed, progress)
    finally:
        run.writer.close()
    view = folders.view_command(Path(args.logdir) / SCRIPT)
    print(f"\nThis run: {run.path}; view it with: {view}")
    return ok


def error(message, code):
    print(f"{SCRIPT}.py: error: {message}", file=sys.stderr)
    return code


def main(argv=None):
    args = parse_args(argv)
    problem = check_args(args)
    if problem:
        return error(problem, 2)
    try:
        return 0 if run_parts(args) else 1
    except MNISTError as e:
        return error(e, 1)
    except Diverged as e:
        return error(e, 3)


if __name__ == "__main__":
    sys.exit(script_main(main))

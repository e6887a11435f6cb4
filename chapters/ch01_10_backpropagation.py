"""Backpropagation by hand in NumPy, checked, trained on MNIST, and broken two ways.

Parts (``--part``, default all):

- gradients: the book's local gradients as backward() with an upstream of ones; why a unit with
  z = 0 gets no weight gradient; the chain rule and z = x * y; every backward checked against
  central differences and tf.gradients.
- train: a 784-128-10 sigmoid network trained with those gradients and plain SGD (about 0.97 test
  accuracy after 3 epochs).
- vanishing: per-layer gradient norms and saturated sigmoids of 2- and 5-layer networks under
  scaled, LeCun and two sloppy initial weights.
- dead-relu: the fraction of ReLU units that fire on no training image, healthy vs broken.

Writes TensorBoard scalars of training, the experiments' tables (Text tab) and bar charts (Images
tab), and the graph of the tf.gradients check under ``logs/ch01_10_backpropagation/<run name>/``.
"""

import os

# Before NumPy loads: on batches of 32 BLAS threads mostly wait on each other (training took
# 5 s single-threaded, over 100 s with two threads on a busy 2-core machine).
if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402 (after the BLAS setting above)
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from tfbasics import backprop as bp  # noqa: E402
from tfbasics import backprop_experiments as ex  # noqa: E402
from tfbasics import backprop_plots as plots  # noqa: E402
from tfbasics import gradcheck
from tfbasics.data import mnist
from tfbasics.runs import folders  # noqa: E402

SCRIPT = Path(__file__).stem
PARTS = ("gradients", "train", "vanishing", "dead-relu")
LOG_EVERY = 50  # SGD steps between two train/loss points in TensorBoard


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
    mnist.add_data_flags(parser)
    parser.add_argument(
        "--max-examples",
        type=int,
        default=None,
        help="use only the first this many training examples (fast runs)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
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


def markdown_table(header, rows):
    """A Markdown table (str), as TensorBoard's Text tab draws it."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def heading(text):
    print(f"\n== {text} ==", flush=True)


def fmt(a):
    return np.array2string(np.asarray(a), precision=4, suppress_small=True, separator=", ")


def show_book_formulas(seed):
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


def show_dead_unit(seed):
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


def show_chain_rule():
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


def show_gradient_check(seed, run, writer, tf):
    heading(
        "5. Gradient check in float64: backward vs central differences (eps 1e-6) and vs "
        "tf.gradients (relative error)"
    )
    rows = gradcheck.check_all(seed)
    lines = [
        f"{'model':<24} {'wrt':<9} {'shape':<8} {'vs finite diff':>15} {'vs tf.gradients':>16}"
    ]
    for name, r in rows:
        shape = "x".join(map(str, r.shape))
        lines.append(
            f"{name:<24} {r.wrt:<9} {shape:<8} {r.vs_finite_differences:>15.2e} "
            f"{r.vs_tensorflow:>16.2e}"
        )
    print("\n".join(lines))
    worst = max(max(r.vs_finite_differences, r.vs_tensorflow) for _, r in rows)
    ok = worst < gradcheck.TOLERANCE
    print(
        f"largest relative error {worst:.1e}: "
        f"{'all below' if ok else 'NOT all below'} {gradcheck.TOLERANCE:g}"
    )
    net = bp.mlp([6, 5, 4, 3], "sigmoid", rng=np.random.default_rng(seed), dtype=np.float64)
    x = np.random.default_rng(seed).normal(size=(4, 6))
    folders.write_graph(run, gradcheck.build_tf_gradients(net, x, np.array([0, 2, 1, 2])).graph)
    with writer.as_default():
        tf.summary.text("gradient_check", "\n".join("    " + line for line in lines), step=0)
    return ok


def load_data(args):
    data = mnist.read_data_sets(args.data_dir, seed=args.seed, fake_data=args.fake_data)
    n = min(args.max_examples or data.train.num_examples, data.train.num_examples)

    def arrays(split, n=None):
        return split.images[:n], split.labels[:n].astype(np.int64)  # labels are uint8

    return {
        "train": arrays(data.train, n),
        "validation": arrays(data.validation),
        "test": arrays(data.test),
    }


def bar(args):
    if args.no_progress:
        return lambda iterable, total, desc: iterable
    return lambda iterable, total, desc: folders.progress(iterable, total=total, desc=desc)


class Diverged(Exception):
    """The loss became inf or NaN: one line on stderr, exit status 3."""


def train(args, data, writer, tf):
    (x, y), (xv, yv), (xt, yt) = data["train"], data["validation"], data["test"]
    sizes = [x.shape[1], args.hidden, 10]
    heading(
        f"6. Training {'-'.join(map(str, sizes))} {args.activation} with these gradients, "
        f"plain SGD (lr {args.learning_rate:g}, batch {args.batch_size}, {len(x):,} examples)"
    )
    rng = np.random.default_rng(args.seed)
    net = bp.mlp(sizes, args.activation, "scaled", rng)
    steps, step, start = ex.steps_per_epoch(len(x), args.batch_size), 0, time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        losses = []
        epoch_steps = ex.train_epoch(net, x, y, args.batch_size, args.learning_rate, rng)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run is reported below
            for loss in bar(args)(epoch_steps, steps, f"Epoch {epoch}"):
                if not np.isfinite(loss):
                    raise Diverged(
                        f"training diverged at epoch {epoch}, step {step + 1} "
                        f"(loss {loss}): try a smaller --learning-rate than "
                        f"{args.learning_rate:g}"
                    )
                losses.append(loss)
                step += 1
                if step == 1 or step % LOG_EVERY == 0:
                    with writer.as_default():
                        tf.summary.scalar("train/loss", loss, step=step)
        cost, val_acc = float(np.mean(losses)), ex.accuracy(net, xv, yv)
        print(f"Epoch: {epoch} cost = {cost:.3f}  validation accuracy = {val_acc:.4f}", flush=True)
        with writer.as_default():
            tf.summary.scalar("epoch/cost", cost, step=epoch)
            tf.summary.scalar("epoch/validation_accuracy", val_acc, step=epoch)
    seconds = time.perf_counter() - start
    test_acc = ex.accuracy(net, xt, yt)
    with writer.as_default():
        tf.summary.scalar("test/accuracy", test_acc, step=args.epochs)
    print(f"Test accuracy: {test_acc:.4f}  ({args.epochs} epoch(s) in {seconds:.1f} s)")
    return test_acc


INIT_NAMES = {
    "scaled": "std 4/sqrt(fan_in) into a sigmoid, 1/sqrt(fan_in) into the softmax",
    "lecun": "std 1/sqrt(fan_in) everywhere (right for tanh, 4x too small for sigmoid)",
    "rand": "sloppy: np.random.rand, uniform [0, 1), all positive",
    "randn": "sloppy: np.random.randn, N(0, 1)",
}


def vanishing(args, data, writer, tf):
    x, y = data["train"]
    heading(
        "7. Vanishing gradients: untrained sigmoid networks, loss and |dL/dW| averaged over "
        "10 batches of 100"
    )
    rows = ex.vanishing_gradients(x, y, hidden=args.hidden, seed=args.seed)
    lines = [
        f"{'layers':>6} {'init':<6} {'loss':>6} {'layer':>5} {'W shape':<9} "
        f"{'mean |dL/dW|':>13} {'saturated z*(1-z)<1e-3':>23}"
    ]
    for r in rows:
        loss = f"{r.loss:6.2f}" if r.layer == 1 else ""
        sat = "-" if np.isnan(r.saturated) else f"{r.saturated:.1%}"
        lines.append(
            f"{r.depth:>6} {r.init:<6} {loss:>6} {r.layer:>5} "
            f"{'x'.join(map(str, r.shape)):<9} {r.grad_norm:>13.2e} {sat:>23}"
        )
    print("\n".join(lines))
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
    table = markdown_table(
        ["layers", "init", "loss", "layer", "W shape", "mean ‖dL/dW‖", "saturated"],
        [
            [
                r.depth,
                r.init,
                f"{r.loss:.2f}",
                r.layer,
                "x".join(map(str, r.shape)),
                f"{r.grad_norm:.2e}",
                "-" if np.isnan(r.saturated) else f"{r.saturated:.1%}",
            ]
            for r in rows
        ],
    )
    with writer.as_default():
        tf.summary.text("vanishing_gradients", table, step=0)
        tf.summary.image("vanishing_gradients_by_layer", plots.vanishing_chart(rows)[None], step=0)
    return rows


def dead_relu(args, data, writer, tf):
    (x, y), (xv, yv) = data["train"], data["validation"]
    heading(
        f"8. Dead ReLUs: units of the {args.hidden}-unit ReLU layer that fire on none of the "
        f"{len(x):,} training images"
    )
    rows, unchanged = ex.dead_relu_experiment(
        x, y, xv, yv, hidden=args.hidden, seed=args.seed, progress=bar(args)
    )
    lines = [f"{'case':<36} {'never fire':>10} {'validation accuracy':>20}"]
    for r in rows:
        acc = "-" if np.isnan(r.accuracy) else f"{r.accuracy:.4f}"
        lines.append(f"{r.case:<36} {r.dead:>10.1%} {acc:>20}")
    print("\n".join(lines))
    print(
        f"The units killed by the oversized step kept exactly their weights through the next "
        f"epoch: {unchanged} (part 2: zero gradient).\nThe book cites about 40% dead with too "
        f"high a learning rate."
    )
    table = markdown_table(
        ["case", "never fire", "validation accuracy"],
        [
            [r.case.strip(), f"{r.dead:.1%}", "-" if np.isnan(r.accuracy) else f"{r.accuracy:.4f}"]
            for r in rows
        ],
    )
    with writer.as_default():  # cases, not time: a table and one bar chart
        tf.summary.text("dead_relu", table, step=0)
        tf.summary.image("dead_relu_by_case", plots.dead_relu_chart(rows)[None], step=0)
    return rows


def main(argv=None):
    args = parse_args(argv)
    problem = check_args(args)
    if problem:
        print(f"{SCRIPT}: error: {problem}", file=sys.stderr)
        return 2
    parts = PARTS if args.part == "all" else (args.part,)
    data = None
    if set(parts) - {"gradients"}:
        try:
            data = load_data(args)
        except mnist.MNISTError as e:
            print(f"{SCRIPT}: error: {e}", file=sys.stderr)
            return 1
    from tfbasics._tf import tf  # for tf.gradients and the TensorBoard writer

    run = folders.run_dir(args.logdir, SCRIPT, args.run_name)
    writer = tf.summary.create_file_writer(str(run))
    ok = True
    if "gradients" in parts:
        show_book_formulas(args.seed)
        show_dead_unit(args.seed)
        show_chain_rule()
        ok = show_gradient_check(args.seed, run, writer, tf)
    if "train" in parts:
        try:
            train(args, data, writer, tf)
        except Diverged as e:
            writer.close()
            print(f"{SCRIPT}: error: {e}", file=sys.stderr)
            return 3
    if "vanishing" in parts:
        vanishing(args, data, writer, tf)
    if "dead-relu" in parts:
        dead_relu(args, data, writer, tf)
    writer.close()
    print(f"\nThis run: {run}; view it with: {folders.view_command(Path(args.logdir) / SCRIPT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(folders.script_main(main))

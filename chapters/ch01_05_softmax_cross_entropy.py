"""Softmax, one-hot labels, cross-entropy by hand and fused, and numerical stability.

Prints the book's numbers (softmax of [2.0, 1.0, 0.1], cross-entropy 0.6931 = -ln 0.5), shows that
cross-entropy is not symmetric, and why the fused op is the one to train with. Read top to bottom,
``softmax_graph``, ``cross_entropy_graph`` and ``stability_graph`` each build their graph, run it
in a ``Session``, print what they got and return the graph with its named tensors; the NumPy
parts call ``tfbasics.softmax``.
"""

import math
import sys
from collections import namedtuple

import numpy as np

from tfbasics import softmax as sm
from tfbasics._tf import tf
from tfbasics.constants import NUM_CLASSES
from tfbasics.runs.folders import base_parser, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_05_softmax_cross_entropy"  # its run folders: logs/ch01_05_softmax_cross_entropy/
BOOK_LABELS = [4, 0, 9]  # digit labels shown one-hot

# %% [markdown]
# # 1.5 Softmax and cross-entropy
#
# A classifier ends with one raw score per class, the logits. Softmax turns them into
# probabilities: it takes `exp` of each score and divides by the sum, so every result is positive
# and together they add up to 1. The largest score still gets the largest share.


# %%
Softmax = namedtuple("Softmax", "graph logits prediction naive_prediction value")


def fmt(values):
    """Four decimals, fixed: [0.6590 0.2424 0.0986]."""
    return np.array2string(np.asarray(values), precision=4, floatmode="fixed")


def softmax_graph():
    """tf.nn.softmax of the book's logits [2.0, 1.0, 0.1], beside the hand-written softmax.

    Returns:
      Softmax(graph, logits, prediction, naive_prediction, value): the tf.Graph, the float32
      [None] placeholder, tf.nn.softmax(logits), exp(logits) / sum(exp(logits)), and the float32
      [3] value of prediction: [0.6590, 0.2424, 0.0986].
    """
    with tf.Graph().as_default() as g:  # a graph of its own: eager mode stays on outside
        logits = tf.compat.v1.placeholder(tf.float32, shape=[None], name="logits")
        prediction = tf.nn.softmax(logits, name="prediction")
        with tf.name_scope("naive_softmax"):  # the hand-written one, beside it in TensorBoard
            exp = tf.exp(logits)
            naive_prediction = tf.divide(exp, tf.reduce_sum(exp), name="prediction")

    with tf.compat.v1.Session(graph=g) as sess:
        p = sess.run(prediction, feed_dict={logits: sm.BOOK_LOGITS})
    print(f"tf.nn.softmax({sm.BOOK_LOGITS}) = {fmt(p)}")
    return Softmax(g, logits, prediction, naive_prediction, p)


# %% active="ipynb"
# softmax = softmax_graph()

# %% [markdown]
# A label such as "this digit is a 4" becomes a probability distribution too: one-hot encoding
# writes it as ten numbers, all 0 except a 1 at index 4.


# %%
def one_hot_labels(labels):
    """One-hot encode digit labels (NumPy): 4 -> a 1 at index 4 of ten.

    Args:
      labels: list of int in 0..9.
    Returns:
      float32 NumPy array [len(labels), 10].
    """
    rows = sm.one_hot(labels)
    for label, row in zip(labels, rows):
        print(f"one-hot({label}) = {row.astype(int).tolist()}")
    return rows


# %% active="ipynb"
# one_hot = one_hot_labels(BOOK_LABELS)

# %% [markdown]
# Cross-entropy measures how far a predicted distribution is from the label's:
# `-sum(label * log(prediction))`. With a one-hot label only the true class counts, so it is
# minus the log of the probability given to the right answer: here 0.5, so `-ln 0.5 = 0.6931`.
# TensorFlow's fused op computes the same number from logits.


# %%
CrossEntropy = namedtuple(
    "CrossEntropy", "graph softmax onehot_encoding cross_entropy fused values"
)


def cross_entropy_graph():
    """The book's cross-entropy by hand, beside TensorFlow's fused op.

    Returns:
      CrossEntropy(graph, softmax, onehot_encoding, cross_entropy, fused, values): the tf.Graph,
      two float32 [None] placeholders, the float32 [] losses by hand and fused, and their values
      for the book's softmax [0.1, 0.5, 0.4] and one-hot [0, 1, 0] (both 0.6931).
    """
    with tf.Graph().as_default() as g:
        softmax = tf.compat.v1.placeholder(tf.float32, shape=[None], name="softmax")
        onehot = tf.compat.v1.placeholder(tf.float32, shape=[None], name="onehot_encoding")
        # the book's tf.log is tf.math.log now
        cross_entropy = tf.negative(
            tf.reduce_sum(onehot * tf.math.log(softmax)), name="cross_entropy"
        )
        # the fused op takes logits; log(softmax) is one (softmax(log p) = p): the same number
        fused = tf.nn.softmax_cross_entropy_with_logits(
            labels=onehot, logits=tf.math.log(softmax), name="fused_cross_entropy"
        )

    with tf.compat.v1.Session(graph=g) as sess:
        feed = {softmax: sm.BOOK_SOFTMAX, onehot: sm.BOOK_ONEHOT}
        by_hand, fused_value = sess.run([cross_entropy, fused], feed_dict=feed)
    print(f"cross-entropy of softmax {sm.BOOK_SOFTMAX} against one-hot {sm.BOOK_ONEHOT}:")
    print(f"  by hand, -reduce_sum(onehot * log(softmax))             = {by_hand:.4f}")
    print(f"  fused, softmax_cross_entropy_with_logits(log(softmax))  = {fused_value:.4f}")
    print(f"  -ln 0.5                                                 = {-math.log(0.5):.4f}")
    return CrossEntropy(g, softmax, onehot, cross_entropy, fused, (by_hand, fused_value))


# %% active="ipynb"
# cross_entropy = cross_entropy_graph()

# %% [markdown]
# The order of the two distributions matters. Swapped, the label's zeros go into the log, and
# `log 0` is minus infinity. Keras avoids that by clipping probabilities to at least `1e-7`.


# %%
def asymmetry():
    """Cross-entropy is not symmetric: D(S, L) is finite, D(L, S) takes log 0 (NumPy).

    Returns:
      (D(S, L), D(L, S), D(L, S) with L clipped as Keras clips): floats 0.6931, inf, 8.0590.
    """
    d_sl = sm.cross_entropy(sm.BOOK_SOFTMAX, sm.BOOK_ONEHOT)
    d_ls = sm.cross_entropy(sm.BOOK_ONEHOT, sm.BOOK_SOFTMAX)
    d_ls_clipped = sm.cross_entropy(np.clip(sm.BOOK_ONEHOT, sm.KERAS_EPSILON, 1.0), sm.BOOK_SOFTMAX)
    print("cross-entropy is not symmetric:")
    print(f"  D(S, L) = -sum(L * log S) = {d_sl:.4f}")
    print(f"  D(L, S) = -sum(S * log L) = {d_ls}: L has zeros and log 0 = -inf")
    print(f"  D(L, S) with L clipped to {sm.KERAS_EPSILON:g} as Keras does = {d_ls_clipped:.4f}")
    return d_sl, d_ls, d_ls_clipped


# %% active="ipynb"
# distances = asymmetry()

# %% [markdown]
# Written by hand, softmax breaks on large logits: `exp(1000)` is infinite in float32, and
# infinity divided by infinity is not a number (NaN), which then spoils the loss. The fused op
# works with the logits directly and subtracts the largest before taking `exp`, so it stays
# finite. That is why training uses the fused op on logits.


# %%
Stability = namedtuple("Stability", "graph logits labels naive_loss fused_loss values")


def stability_graph():
    """The loss on logits [1000, 0]: hand-written softmax + log (NaN), and the fused op.

    Returns:
      Stability(graph, logits, labels, naive_loss, fused_loss, values): the tf.Graph, two float32
      [None] placeholders, the float32 [] losses, and their values for label [0, 1]: nan, 1000.0.
    """
    with tf.Graph().as_default() as g:
        logits = tf.compat.v1.placeholder(tf.float32, shape=[None], name="logits")
        labels = tf.compat.v1.placeholder(tf.float32, shape=[None], name="labels")
        with tf.name_scope("naive"):  # the book's way: exp(1000) = inf, inf / inf = nan
            exp = tf.exp(logits)
            prediction = exp / tf.reduce_sum(exp)
            naive_loss = tf.negative(tf.reduce_sum(labels * tf.math.log(prediction)), name="loss")
        fused_loss = tf.nn.softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="fused_loss"
        )

    with tf.compat.v1.Session(graph=g) as sess:
        feed = {logits: sm.UNSTABLE_LOGITS, labels: [0.0, 1.0]}
        naive, fused = sess.run([naive_loss, fused_loss], feed_dict=feed)
    print(f"logits {sm.UNSTABLE_LOGITS}, label [0, 1]:")
    print(
        f"  hand-written softmax          = {fmt(sm.softmax_naive(sm.UNSTABLE_LOGITS))}: exp(1000) = inf, inf/inf = nan"
    )
    print(f"  loss through it               = {naive}")
    print(f"  fused op (log-sum-exp inside) = {fused:.4f}")
    return Stability(g, logits, labels, naive_loss, fused_loss, (naive, fused))


# %% active="ipynb"
# stability = stability_graph()

# %% [markdown]
# TensorBoard shows the three graphs as runs `softmax`, `cross_entropy` and `stability`. The next
# cell writes them into a run folder under `logs/ch01_05_softmax_cross_entropy/`, as the script
# does.

# %% active="ipynb"
# out = run_dir("logs", SCRIPT)
# write_graph(out / "softmax", softmax.graph)
# write_graph(out / "cross_entropy", cross_entropy.graph)
# write_graph(out / "stability", stability.graph)

# %% [markdown]
# If TensorBoard does not start inside the notebook, run `tfbasics tensorboard` (or
# `tensorboard --logdir logs/ch01_05_softmax_cross_entropy`) in a terminal and open the address
# it prints.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_05_softmax_cross_entropy


# %% active="py"
import argparse  # noqa: E402 (the command line's own cell: the notebook never parses flags)


def digit(text):
    """argparse type for --labels: an int in 0..NUM_CLASSES-1, checked before any work."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < NUM_CLASSES:
        raise argparse.ArgumentTypeError(f"a digit label is 0-{NUM_CLASSES - 1}, got {value}")
    return value


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--labels",
        type=digit,
        nargs="+",
        default=BOOK_LABELS,
        help="digit labels (0-9) to one-hot encode",
    )
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    write_graph(out / "softmax", softmax_graph().graph)
    one_hot_labels(args.labels)
    write_graph(out / "cross_entropy", cross_entropy_graph().graph)
    asymmetry()
    write_graph(out / "stability", stability_graph().graph)
    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

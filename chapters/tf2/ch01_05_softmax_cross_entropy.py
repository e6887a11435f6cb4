"""Softmax and cross-entropy in TensorFlow 2: eager calls, and tf.function graphs for TensorBoard.

The TensorFlow 2 twin of ch01_05_softmax_cross_entropy.py: the same numbers (softmax of
[2.0, 1.0, 0.1], cross-entropy 0.6931 = -ln 0.5, the NaN of the hand-written softmax on
[1000, 0]) from functions whose placeholders are ``input_signature`` arguments.
"""

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfbasics import softmax as sm
from tfbasics._tf import tf
from tfbasics.constants import NUM_CLASSES
from tfbasics.runs.folders import base_parser, run_dir, view_command
from tfbasics.runs.traces import trace_graph

SCRIPT = Path(__file__).stem + "_tf2"  # logs/ch01_05_softmax_cross_entropy_tf2/<run>/
PROG = Path(__file__).name  # what its error lines start with, as argparse's


class SoftmaxFunctions(NamedTuple):
    """The TF1 script's three graphs as tf.functions of float32 vectors."""

    softmax: Callable  # softmax(logits [n]) -> prediction [n]
    cross_entropy: Callable  # cross_entropy(softmax [n], onehot [n]) -> (by hand, fused), []
    stability: Callable  # stability(logits [n], labels [n]) -> (naive loss, fused loss), []


def make_softmax_functions():
    """Softmax, cross-entropy and the stability check as tf.functions.

    Returns:
      SoftmaxFunctions; each argument is a float32 vector of any length (TF1: a placeholder).
    """
    vector = tf.TensorSpec([None], tf.float32)  # TF1: placeholder(tf.float32, shape=[None])

    @tf.function(input_signature=[vector])
    def softmax(logits):
        return tf.nn.softmax(logits, name="prediction")

    @tf.function(input_signature=[vector, vector])
    def cross_entropy(softmax, onehot_encoding):
        """The book's cross-entropy by hand, and the fused op on log(softmax) (the same number)."""
        by_hand = tf.negative(
            tf.reduce_sum(onehot_encoding * tf.math.log(softmax)), name="cross_entropy"
        )
        fused = tf.nn.softmax_cross_entropy_with_logits(
            labels=onehot_encoding, logits=tf.math.log(softmax), name="fused_cross_entropy"
        )
        return by_hand, fused

    @tf.function(input_signature=[vector, vector])
    def stability(logits, labels):
        """The loss on raw logits through a hand-written softmax (NaN for [1000, 0]) and fused."""
        with tf.name_scope("naive"):
            exp = tf.exp(logits)
            prediction = exp / tf.reduce_sum(exp)
            naive_loss = tf.negative(tf.reduce_sum(labels * tf.math.log(prediction)), name="loss")
        fused_loss = tf.nn.softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="fused_loss"
        )
        return naive_loss, fused_loss

    return SoftmaxFunctions(softmax, cross_entropy, stability)


def fmt(values):
    return np.array2string(np.asarray(values), precision=4, floatmode="fixed")


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--labels", type=int, nargs="+", default=[4, 0, 9], help="digit labels (0-9) to one-hot"
    )
    args = parser.parse_args(argv)
    if any(not 0 <= label < NUM_CLASSES for label in args.labels):
        print(f"{PROG}: error: --labels must be digits 0-9, got {args.labels}", file=sys.stderr)
        return 2
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    softmax, cross_entropy, stability = make_softmax_functions()
    prediction = trace_graph(out / "softmax", "softmax", softmax, sm.BOOK_LOGITS)
    print(f"tf.nn.softmax({sm.BOOK_LOGITS}) = {fmt(prediction)}")

    # TF1 had no op for this in the script; TF2's tf.one_hot runs eagerly like any op
    for label, row in zip(args.labels, tf.one_hot(args.labels, NUM_CLASSES)):
        print(f"one-hot({label}) = {row.numpy().astype(int).tolist()}")

    by_hand, fused = trace_graph(
        out / "cross_entropy", "cross_entropy", cross_entropy, sm.BOOK_SOFTMAX, sm.BOOK_ONEHOT
    )
    print(f"cross-entropy of softmax {sm.BOOK_SOFTMAX} against one-hot {sm.BOOK_ONEHOT}:")
    print(f"  by hand, -reduce_sum(onehot * log(softmax))             = {by_hand:.4f}")
    print(f"  fused, softmax_cross_entropy_with_logits(log(softmax))  = {fused:.4f}")
    print(f"  -ln 0.5                                                 = {-math.log(0.5):.4f}")
    with tf.summary.create_file_writer(str(out / "cross_entropy")).as_default():
        tf.summary.scalar("cross_entropy/by_hand", by_hand, step=0)
        tf.summary.scalar("cross_entropy/fused", fused, step=0)

    naive, fused = trace_graph(
        out / "stability", "stability", stability, sm.UNSTABLE_LOGITS, [0.0, 1.0]
    )
    print(f"logits {sm.UNSTABLE_LOGITS}, label [0, 1]:")
    print(f"  loss through the hand-written softmax = {naive}: exp(1000) = inf, inf/inf = nan")
    print(f"  fused op (log-sum-exp inside)         = {fused:.4f}")
    with tf.summary.create_file_writer(str(out / "stability")).as_default():
        tf.summary.scalar("fused_loss", fused, step=0)  # the NaN one would only draw a gap

    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

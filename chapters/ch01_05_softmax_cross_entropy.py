"""Softmax, one-hot labels, cross-entropy by hand and fused, and numerical stability.

Prints the book's numbers (softmax of [2.0, 1.0, 0.1], cross-entropy 0.6931 = -ln 0.5), shows that
cross-entropy is not symmetric, and why the fused op is the one to train with.
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from tfbasics import softmax as sm
from tfbasics._tf import tf
from tfbasics.runs import base_parser, run_dir, script_main, view_command, write_graph

SCRIPT = Path(__file__).stem


def fmt(values):
    return np.array2string(np.asarray(values), precision=4, floatmode="fixed")


def digit(text):
    """argparse type for --labels: an int in 0..NUM_CLASSES-1, checked before any work."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < sm.NUM_CLASSES:
        raise argparse.ArgumentTypeError(f"a digit label is 0-{sm.NUM_CLASSES - 1}, got {value}")
    return value


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--labels",
        type=digit,
        nargs="+",
        default=[4, 0, 9],
        help="digit labels (0-9) to one-hot encode",
    )
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    s = sm.build_softmax()
    with tf.compat.v1.Session(graph=s.graph) as sess:
        print(
            f"tf.nn.softmax({sm.BOOK_LOGITS}) = "
            f"{fmt(sess.run(s.prediction, {s.logits: sm.BOOK_LOGITS}))}"
        )
    write_graph(out / "softmax", s.graph)

    encoded = sm.one_hot(args.labels)
    for label, row in zip(args.labels, encoded):
        print(f"one-hot({label}) = {row.astype(int).tolist()}")

    c = sm.build_cross_entropy()
    feed = {c.softmax: sm.BOOK_SOFTMAX, c.onehot_encoding: sm.BOOK_ONEHOT}
    with tf.compat.v1.Session(graph=c.graph) as sess:
        by_hand, fused = sess.run([c.cross_entropy, c.fused], feed)
    print(f"cross-entropy of softmax {sm.BOOK_SOFTMAX} against one-hot {sm.BOOK_ONEHOT}:")
    print(f"  by hand, -reduce_sum(onehot * log(softmax))             = {by_hand:.4f}")
    print(f"  fused, softmax_cross_entropy_with_logits(log(softmax))  = {fused:.4f}")
    print(f"  -ln 0.5                                                 = {-math.log(0.5):.4f}")
    write_graph(out / "cross_entropy", c.graph)

    d_sl = sm.cross_entropy(sm.BOOK_SOFTMAX, sm.BOOK_ONEHOT)
    d_ls = sm.cross_entropy(sm.BOOK_ONEHOT, sm.BOOK_SOFTMAX)
    d_ls_clipped = sm.cross_entropy(np.clip(sm.BOOK_ONEHOT, sm.KERAS_EPSILON, 1.0), sm.BOOK_SOFTMAX)
    print("cross-entropy is not symmetric:")
    print(f"  D(S, L) = -sum(L * log S) = {d_sl:.4f}")
    print(f"  D(L, S) = -sum(S * log L) = {d_ls}: L has zeros and log 0 = -inf")
    print(f"  D(L, S) with L clipped to {sm.KERAS_EPSILON:g} as Keras does = {d_ls_clipped:.4f}")

    st = sm.build_stability()
    feed = {st.logits: sm.UNSTABLE_LOGITS, st.labels: [0.0, 1.0]}
    with tf.compat.v1.Session(graph=st.graph) as sess:
        naive, fused = sess.run([st.naive_loss, st.fused_loss], feed)
    print(f"logits {sm.UNSTABLE_LOGITS}, label [0, 1]:")
    print(
        f"  hand-written softmax          = {fmt(sm.softmax_naive(sm.UNSTABLE_LOGITS))}: exp(1000) = inf, inf/inf = nan"
    )
    print(f"  loss through it               = {naive}")
    print(f"  fused op (log-sum-exp inside) = {fused:.4f}")
    write_graph(out / "stability", st.graph)

    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

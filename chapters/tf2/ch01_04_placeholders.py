"""Placeholders in TensorFlow 2: function arguments with an input_signature, and seeded weights.

The TensorFlow 2 twin of ch01_04_placeholders.py. A placeholder becomes an argument of a
``tf.function`` whose ``input_signature`` gives its dtype and shape; ``sess.run(y, feed_dict=...)``
becomes the call ``doubler(x)``, and a value of the wrong dtype or shape is refused at the call.
The book's truncated-normal weights come from a seeded ``tf.random.Generator``, not a graph seed.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfbasics import placeholders
from tfbasics._tf import tf
from tfbasics.runs.folders import base_parser, run_dir, view_command
from tfbasics.runs.traces import trace_graph

SCRIPT = Path(__file__).stem + "_tf2"  # logs/ch01_04_placeholders_tf2/<run>/


class Feeds(NamedTuple):
    """The book's placeholders as arguments of tf.functions (each a ``tf.function``)."""

    feed_one: Callable  # feed_one(x: string []) -> x
    feed_three: Callable  # feed_three(s: string [], i: int32 [], f: float32 []) -> (s, i, f)
    doubler: Callable  # doubler(x: float32 [None, 3]) -> y = x * 2, float32 [None, 3]


def make_feeds():
    """The three feeds of the TF1 script as tf.functions; their signatures are the placeholders.

    Returns:
      Feeds. A value of another dtype or shape than the signature's is refused at the call.
    """

    # TF1: x = placeholder(tf.string); sess.run(x, feed_dict={x: 'Hello World'})
    @tf.function(input_signature=[tf.TensorSpec([], tf.string, name="x")])
    def feed_one(x):
        return tf.identity(x, name="fed_x")

    # TF1: three placeholders filled by one feed_dict -> three arguments of one call
    @tf.function(
        input_signature=[
            tf.TensorSpec([], tf.string, name="s"),
            tf.TensorSpec([], tf.int32, name="i"),
            tf.TensorSpec([], tf.float32, name="f"),
        ]
    )
    def feed_three(s, i, f):
        return (
            tf.identity(s, name="fed_s"),
            tf.identity(i, name="fed_i"),
            tf.identity(f, name="fed_f"),
        )

    # TF1: x = placeholder(tf.float32, shape=[None, 3]); y = x * 2
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
    def doubler(x):
        return tf.multiply(x, 2.0, name="y")

    return Feeds(feed_one, feed_three, doubler)


def truncated_normal_weights(
    seed, n_features=placeholders.N_FEATURES, n_labels=placeholders.N_LABELS
):
    """The book's ``truncated_normal((5, 2))`` weights, drawn from a generator of their own.

    ``tf.random.set_seed`` would change every later random op of the program; a
    ``tf.random.Generator`` seeds only its own draws. The numbers differ from the TF1 script's
    (another random algorithm), the distribution is the same.

    Returns:
      tf.Variable float32 [n_features, n_labels], every value in [-2, 2].
    """
    generator = tf.random.Generator.from_seed(seed)
    return tf.Variable(generator.truncated_normal((n_features, n_labels)), name="weights")


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the truncated_normal draw")
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    feed_one, feed_three, doubler = make_feeds()
    print(trace_graph(out / "feeds", "feed_one", feed_one, "Hello World").numpy())
    values = feed_three("Welcome to CNN", 123, 123.45)
    print(
        "one call, three arguments: "
        + ", ".join(f"{name} ({v.dtype.name}) = {v.numpy()!s}" for name, v in zip("sif", values))
    )

    doubled = trace_graph(out / "doubler", "doubler", doubler, [[1, 2, 3], [4, 5, 6]])
    print("x * 2 for x = [[1, 2, 3], [4, 5, 6]]:", doubled.numpy().tolist())
    with tf.summary.create_file_writer(str(out / "doubler")).as_default():
        tf.summary.scalar("sum_of_y", tf.reduce_sum(doubled), step=0)
    for bad in (["abc", "def", "ghi"], [1, 2]):  # wrong dtype, then wrong shape
        try:
            doubler(bad)
        except (TypeError, ValueError) as err:  # TF1: a FeedError we raised before sess.run
            reason = str(err).split("`")[1] if "`" in str(err) else str(err).splitlines()[0]
            print(f"bad argument {bad!r}: {reason}")

    weights = truncated_normal_weights(args.seed)
    w = weights.numpy()
    print(
        f"truncated_normal(({placeholders.N_FEATURES}, {placeholders.N_LABELS})), seed {args.seed}:"
    )
    print(np.array2string(w, precision=4))
    print(
        f"shape {w.shape}, largest |value| {np.abs(w).max():.4f} (never beyond 2 standard deviations)"
    )
    with tf.summary.create_file_writer(str(out / "weights")).as_default():
        tf.summary.scalar("largest_abs_weight", tf.reduce_max(tf.abs(weights)), step=0)

    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

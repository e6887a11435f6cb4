"""Placeholders and feed_dict, two bad feeds, and truncated_normal weights.

Feeds the book's placeholders, shows what a value of the wrong dtype or shape does (one readable
line, and the script goes on), and draws the book's 5x2 truncated-normal weights. Each of
``feed_placeholders``, ``feed_doubler`` and ``truncated_normal_weights`` builds its graph, runs it
in a ``Session`` and prints what it got.
"""

import sys
from pathlib import Path

import numpy as np

from tfbasics import placeholders
from tfbasics._tf import tf
from tfbasics.placeholders import N_FEATURES, N_LABELS
from tfbasics.runs.folders import base_parser, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = Path(__file__).stem


def feed_placeholders():
    """A string placeholder fed 'Hello World', then three fed in one feed_dict. -> tf.Graph"""
    with tf.Graph().as_default() as g:  # a graph of its own: eager mode stays on outside
        # the book's tf.placeholder is tf.compat.v1.placeholder now
        x = tf.compat.v1.placeholder(tf.string, name="x")
        s = tf.compat.v1.placeholder(tf.string, name="s")
        i = tf.compat.v1.placeholder(tf.int32, name="i")
        f = tf.compat.v1.placeholder(tf.float32, name="f")

    with tf.compat.v1.Session(graph=g) as sess:
        print(sess.run(x, feed_dict={x: "Hello World"}))
        values = sess.run([s, i, f], feed_dict={s: "Welcome to CNN", i: 123, f: 123.45})
    print(
        "one feed_dict, three placeholders: "
        + ", ".join(
            f"{t.op.name} ({t.dtype.name}) = {np.asarray(v)[()]!s}"
            for t, v in zip((s, i, f), values)
        )
    )
    return g


def feed_doubler():
    """x * 2 for a [None, 3] float32 placeholder, then two feeds that do not fit. -> tf.Graph"""
    with tf.Graph().as_default() as g:
        x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3], name="x")  # any number of rows
        y = tf.multiply(x, 2.0, name="y")

    with tf.compat.v1.Session(graph=g) as sess:
        x_data = [[1, 2, 3], [4, 5, 6]]
        print("x * 2 for x = [[1, 2, 3], [4, 5, 6]]:", sess.run(y, feed_dict={x: x_data}).tolist())
        for bad in (["abc", "def", "ghi"], [1, 2]):  # wrong dtype, then wrong shape
            try:
                # not the book: run_feed checks the feed first, so TensorFlow's long
                # ValueError becomes one line naming the placeholder
                placeholders.run_feed(sess, y, {x: bad})
            except placeholders.FeedError as err:
                print(f"bad feed: {err}")
    return g


def truncated_normal_weights(seed):
    """The book's 5x2 weights drawn from a truncated normal. seed: int. -> tf.Graph"""
    with tf.Graph().as_default() as g:
        tf.compat.v1.set_random_seed(seed)  # graph-level: only this graph is affected
        # the book's tf.truncated_normal is tf.random.truncated_normal now
        weights = tf.Variable(tf.random.truncated_normal((N_FEATURES, N_LABELS)), name="weights")
        init = tf.compat.v1.global_variables_initializer()

    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        w = sess.run(weights)
    print(f"truncated_normal(({N_FEATURES}, {N_LABELS})), seed {seed}:")
    print(np.array2string(w, precision=4))
    print(
        f"shape {w.shape}, largest |value| {np.abs(w).max():.4f} (never beyond 2 standard deviations)"
    )
    return g


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="graph seed for truncated_normal")
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    write_graph(out / "feeds", feed_placeholders())
    write_graph(out / "doubler", feed_doubler())
    write_graph(out / "weights", truncated_normal_weights(args.seed))
    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

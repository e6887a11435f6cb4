"""Placeholders and feed_dict, two bad feeds, and truncated_normal weights.

Feeds the book's placeholders, shows what a value of the wrong dtype or shape does (one readable
line, and the script goes on), and draws the book's 5x2 truncated-normal weights. Each of
``feed_placeholders``, ``feed_doubler`` and ``truncated_normal_weights`` builds its graph, runs it
in a ``Session``, prints what it got and returns the graph with its named tensors.
"""

import sys
from collections import namedtuple

import numpy as np

from tfbasics import placeholders
from tfbasics._tf import tf
from tfbasics.placeholders import N_FEATURES, N_LABELS
from tfbasics.runs.folders import base_parser, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_04_placeholders"  # its run folders: logs/ch01_04_placeholders/<run>/

# %% [markdown]
# # 1.4 Placeholders: values given when the graph runs
#
# A constant fixes its value when the graph is built. A placeholder only promises one: it has a
# data type, and perhaps a shape, and each `sess.run` call passes its value in a `feed_dict`, a
# dictionary from placeholder to value. So one graph can run on many inputs, which is how a
# model is later fed batch after batch of training data.


# %%
Feeds = namedtuple("Feeds", "graph x s i f values")


def feed_placeholders():
    """A string placeholder fed 'Hello World', then three fed in one feed_dict.

    Returns:
      Feeds(graph, x, s, i, f, values): the tf.Graph, its scalar placeholders x and s (string),
      i (int32) and f (float32), and what sess.run([s, i, f]) gave.
    """
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
    return Feeds(g, x, s, i, f, values)


# %% active="ipynb"
# feeds = feed_placeholders()

# %% [markdown]
# A shape of `[None, 3]` means: any number of rows, each of three numbers. The placeholder checks
# what it is fed. Letters where it expects float32, or a list of the wrong shape, do not fit; the
# lesson catches each one and shows the reason in one line.


# %%
Doubler = namedtuple("Doubler", "graph x y doubled")


def feed_doubler():
    """x * 2 for a [None, 3] float32 placeholder, then two feeds that do not fit.

    Returns:
      Doubler(graph, x, y, doubled): the tf.Graph, the float32 [None, 3] placeholder x, y = x * 2,
      and the float32 [2, 3] NumPy value y had for x = [[1, 2, 3], [4, 5, 6]].
    """
    with tf.Graph().as_default() as g:
        x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3], name="x")  # any number of rows
        y = tf.multiply(x, 2.0, name="y")

    with tf.compat.v1.Session(graph=g) as sess:
        x_data = [[1, 2, 3], [4, 5, 6]]
        doubled = sess.run(y, feed_dict={x: x_data})
        print("x * 2 for x = [[1, 2, 3], [4, 5, 6]]:", doubled.tolist())
        for bad in (["abc", "def", "ghi"], [1, 2]):  # wrong dtype, then wrong shape
            try:
                # not the book: run_feed checks the feed first, so TensorFlow's long
                # ValueError becomes one line naming the placeholder
                placeholders.run_feed(sess, y, {x: bad})
            except placeholders.FeedError as err:
                print(f"bad feed: {err}")
    return Doubler(g, x, y, doubled)


# %% active="ipynb"
# doubler = feed_doubler()

# %% [markdown]
# Weights start as small random numbers. `truncated_normal` draws from a normal distribution
# with mean 0 and standard deviation 1, and draws again whenever a number lands more than two
# standard deviations from the mean, so no starting weight is extreme. A seed makes the draw the
# same on every run.


# %%
Weights = namedtuple("Weights", "graph weights init value")


def truncated_normal_weights(seed=0, n_features=N_FEATURES, n_labels=N_LABELS):
    """The book's weights drawn from a truncated normal, initialised in a Session.

    Args:
      seed: int, the graph-level seed; n_features, n_labels: int, the shape (the book's 5 x 2).
    Returns:
      Weights(graph, weights, init, value): the tf.Graph, the float32 Variable
      [n_features, n_labels], its initializer, and the float32 NumPy value it got (all in [-2, 2]).
    """
    with tf.Graph().as_default() as g:
        tf.compat.v1.set_random_seed(seed)  # graph-level: only this graph is affected
        # the book's tf.truncated_normal is tf.random.truncated_normal now
        weights = tf.Variable(tf.random.truncated_normal((n_features, n_labels)), name="weights")
        init = tf.compat.v1.global_variables_initializer()

    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        w = sess.run(weights)
    print(f"truncated_normal(({n_features}, {n_labels})), seed {seed}:")
    print(np.array2string(w, precision=4))
    print(
        f"shape {w.shape}, largest |value| {np.abs(w).max():.4f} (never beyond 2 standard deviations)"
    )
    return Weights(g, weights, init, w)


# %% active="ipynb"
# weights = truncated_normal_weights(seed=0)

# %% [markdown]
# TensorBoard shows the three graphs as runs `feeds`, `doubler` and `weights`. The next cell
# writes them into a run folder under `logs/ch01_04_placeholders/`, as the script does.

# %% active="ipynb"
# out = run_dir("logs", SCRIPT)
# write_graph(out / "feeds", feeds.graph)
# write_graph(out / "doubler", doubler.graph)
# write_graph(out / "weights", weights.graph)

# %% [markdown]
# If TensorBoard does not start inside the notebook, run `tfbasics tensorboard` (or
# `tensorboard --logdir logs/ch01_04_placeholders`) in a terminal and open the address it prints.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_04_placeholders


# %% active="py"
def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="graph seed for truncated_normal")
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    write_graph(out / "feeds", feed_placeholders().graph)
    write_graph(out / "doubler", feed_doubler().graph)
    write_graph(out / "weights", truncated_normal_weights(args.seed).graph)
    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

"""Basic math: add, subtract, multiply, divide and reduce_sum over an axis.

``run_basic_math`` is the section's code: the book's examples built in one graph, then run in a
``Session``, each result printed next to the call that made it.
"""

import sys
from collections import namedtuple

from tfbasics._tf import tf
from tfbasics.basic_math import ONES_2X3
from tfbasics.runs.folders import base_parser, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_03_basic_math"  # its run folders: logs/ch01_03_basic_math/<run>/

# %% [markdown]
# # 1.3 Basic math in a graph
#
# Arithmetic in TensorFlow is a set of operations such as `tf.add` and `tf.divide`. In a graph
# each call is a node; the numbers appear only when a session runs the node.
#
# `tf.reduce_sum` adds up the elements of a tensor. Without an axis it adds everything. With
# `axis=0` it adds down each column of a table, so one number per column is left; with `axis=1`
# it adds along each row, one number per row. Dividing two integers with `tf.divide` gives a
# float (2.5 for 10 / 4), as Python 3's `/` does.


# %%
BasicMath = namedtuple("BasicMath", "graph values")


def show(call, value):
    """Print the book's call and what sess.run gave for it (a NumPy scalar or array); return it."""
    print(f"{call:<40} = {value.tolist()}")
    return value


def run_basic_math():
    """Build the book's arithmetic and reduce_sum examples, run them, print them.

    Returns:
      BasicMath(graph, values): the tf.Graph, and a dict from each op's name ('add', 'subtract',
      'multiply', 'divide', 'sum_all', 'sum_axis0', 'sum_axis1', in the order printed) to its
      NumPy value: 3, -1, 10, 2.5 (float64), 6, [2, 2, 2] and [3, 3].
    """
    # a graph of its own, not the book's global default graph: eager mode stays on outside
    with tf.Graph().as_default() as g:
        with tf.name_scope("arithmetic"):
            add = tf.add(1, 2, name="add")
            subtract = tf.subtract(1, 2, name="subtract")
            multiply = tf.multiply(2, 5, name="multiply")
            divide = tf.divide(10, 4, name="divide")  # ints -> float64; tf.math.floordiv gives 2
        with tf.name_scope("reduce_sum"):
            sum_all = tf.reduce_sum([1, 2, 3], name="sum_all")
            x = tf.constant(ONES_2X3, name="x")  # ones((2, 3))
            sum_axis0 = tf.reduce_sum(x, 0, name="sum_axis0")  # down the columns
            sum_axis1 = tf.reduce_sum(x, 1, name="sum_axis1")  # along each row

    # the book's tf.Session is tf.compat.v1.Session now
    with tf.compat.v1.Session(graph=g) as sess:
        values = {
            "add": show("tf.add(1, 2)", sess.run(add)),
            "subtract": show("tf.subtract(1, 2)", sess.run(subtract)),
            "multiply": show("tf.multiply(2, 5)", sess.run(multiply)),
            "divide": show("tf.divide(10, 4)", sess.run(divide)),
            "sum_all": show("tf.reduce_sum([1, 2, 3])", sess.run(sum_all)),
            "sum_axis0": show("tf.reduce_sum(x, 0)  # x = ones((2, 3))", sess.run(sum_axis0)),
            "sum_axis1": show("tf.reduce_sum(x, 1)", sess.run(sum_axis1)),
        }
    return BasicMath(g, values)


# %% active="ipynb"
# basic_math = run_basic_math()

# %% [markdown]
# In TensorBoard the graph has two boxes, `arithmetic` and `reduce_sum`, one per group of
# examples. The next cell writes the graph into a run folder under `logs/ch01_03_basic_math/`,
# as the script does.

# %% active="ipynb"
# write_graph(run_dir("logs", SCRIPT), basic_math.graph)

# %% [markdown]
# If TensorBoard does not start inside the notebook, run `tfbasics tensorboard` (or
# `tensorboard --logdir logs/ch01_03_basic_math`) in a terminal and open the address it prints.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_03_basic_math


# %% active="py"
def main(argv=None):
    args = base_parser(__doc__.splitlines()[0]).parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    write_graph(out, run_basic_math().graph)
    print(f"Graph written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

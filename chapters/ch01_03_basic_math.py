"""Basic math: add, subtract, multiply, divide and reduce_sum over an axis.

``run_basic_math`` is the section's code: the book's examples built in one graph, then run in a
``Session``, each result printed next to the call that made it.
"""

import sys
from pathlib import Path

from tfbasics._tf import tf
from tfbasics.basic_math import ONES_2X3
from tfbasics.runs.folders import base_parser, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = Path(__file__).stem


def show(call, value):
    """Print the book's call and what sess.run gave for it (a NumPy scalar or array)."""
    print(f"{call:<40} = {value.tolist()}")


def run_basic_math():
    """Build the book's arithmetic and reduce_sum examples, run them, print them. -> tf.Graph"""
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
        show("tf.add(1, 2)", sess.run(add))
        show("tf.subtract(1, 2)", sess.run(subtract))
        show("tf.multiply(2, 5)", sess.run(multiply))
        show("tf.divide(10, 4)", sess.run(divide))
        show("tf.reduce_sum([1, 2, 3])", sess.run(sum_all))
        show("tf.reduce_sum(x, 0)  # x = ones((2, 3))", sess.run(sum_axis0))
        show("tf.reduce_sum(x, 1)", sess.run(sum_axis1))
    return g


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    graph = run_basic_math()
    write_graph(out, graph)
    print(f"Graph written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

"""Basic math in TensorFlow 2: the same ops, run eagerly, then once more as one tf.function graph.

The TensorFlow 2 twin of ch01_03_basic_math.py: each call returns its value at once (no session);
the same calls inside a ``tf.function`` make the graph TensorBoard shows, and their scalar results
are written as TensorBoard scalars.
"""

import sys
from pathlib import Path

from tfbasics import basic_math
from tfbasics._tf import tf
from tfbasics.runs.folders import base_parser, run_dir, view_command
from tfbasics.runs.traces import trace_graph

CALLS = {  # what the book writes, for each result
    "add": "tf.add(1, 2)",
    "subtract": "tf.subtract(1, 2)",
    "multiply": "tf.multiply(2, 5)",
    "divide": "tf.divide(10, 4)",
    "sum_all": "tf.reduce_sum([1, 2, 3])",
    "sum_axis0": "tf.reduce_sum(x, 0)  # x = ones((2, 3))",
    "sum_axis1": "tf.reduce_sum(x, 1)",
}

SCRIPT = Path(__file__).stem + "_tf2"  # logs/ch01_03_basic_math_tf2/<run>/


def make_basic_math_graph():
    """The book's examples as one tf.function (TF1: ops added to a tf.Graph, then sess.run).

    Returns:
      a tf.function of no arguments -> dict of the results by name: int32 scalars, ``divide``
      float64 [] 2.5, ``sum_axis0`` int32 [3], ``sum_axis1`` int32 [2].
    """

    @tf.function(input_signature=[])
    def basic_math_graph():
        with tf.name_scope("arithmetic"):
            add = tf.add(1, 2, name="add")
            subtract = tf.subtract(1, 2, name="subtract")
            multiply = tf.multiply(2, 5, name="multiply")
            divide = tf.divide(10, 4, name="divide")  # ints -> float64 2.5, as in TF1
        with tf.name_scope("reduce_sum"):
            sum_all = tf.reduce_sum([1, 2, 3], name="sum_all")
            x = tf.constant(basic_math.ONES_2X3, name="x")
            sum_axis0 = tf.reduce_sum(x, 0, name="sum_axis0")  # down the columns
            sum_axis1 = tf.reduce_sum(x, 1, name="sum_axis1")  # along each row
        return dict(
            add=add,
            subtract=subtract,
            multiply=multiply,
            divide=divide,
            sum_all=sum_all,
            sum_axis0=sum_axis0,
            sum_axis1=sum_axis1,
        )

    return basic_math_graph


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    # eager: every line is computed where it stands; .numpy() is the value sess.run returned
    x = tf.ones((2, 3), dtype=tf.int32)
    eager = dict(
        add=tf.add(1, 2),
        subtract=tf.subtract(1, 2),
        multiply=tf.multiply(2, 5),
        divide=tf.divide(10, 4),
        sum_all=tf.reduce_sum([1, 2, 3]),
        sum_axis0=tf.reduce_sum(x, 0),
        sum_axis1=tf.reduce_sum(x, 1),
    )
    for name, value in eager.items():
        print(f"{CALLS[name]:<40} = {value.numpy().tolist()}")

    graph_values = trace_graph(out, "basic_math", make_basic_math_graph())
    with tf.summary.create_file_writer(str(out)).as_default():
        for name, value in graph_values.items():
            if value.shape.rank == 0:  # a scalar summary holds one number
                tf.summary.scalar(name, tf.cast(value, tf.float32), step=0)
    same = all((eager[name].numpy() == graph_values[name].numpy()).all() for name in eager)
    print(f"the tf.function graph gives the same values: {same}")
    print(f"Graph and scalars written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

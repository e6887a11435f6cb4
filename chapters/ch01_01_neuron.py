"""An artificial neuron in NumPy (weights [1, 2], bias 0, sigmoid).

``run_neuron`` is the section's code: the weighted sum ``z = w . x + b`` and the sigmoid, printed
for the book's forward([1, 1]) = sigmoid(3) (or the ``--inputs`` given). ``neuron_graph`` writes
the same computation as a small TensorFlow graph, so TensorBoard has something to show.
"""

import sys
from pathlib import Path

import numpy as np

from tfbasics import neuron
from tfbasics._tf import tf
from tfbasics.runs.folders import (
    base_parser,
    finite_float,
    run_dir,
    view_command,
    write_graph,
)
from tfbasics.runs.script_errors import script_main

SCRIPT = Path(__file__).stem


def run_neuron(inputs):
    """The book's neuron, forward: print z and sigmoid(z). inputs: two floats -> float output."""
    W = np.asarray(neuron.BOOK_WEIGHTS)  # the book's weights [1, 2] ...
    b = neuron.BOOK_BIAS  # ... and bias 0
    print(f"Neuron: weights = {W.tolist()}, bias = {b}, activation = sigmoid")
    x = np.asarray(inputs, dtype=np.float64)
    z = float(np.dot(W, x) + b)  # the weighted sum
    print(f"z = w . x + b = {z:g}")
    # 1 / (1 + np.exp(-z)) overflows (a warning) for z below about -710; neuron.sigmoid never does
    output = float(neuron.sigmoid(z))
    print(f"forward({inputs}) = sigmoid({z:g}) = {output:.10f}")
    return output


def neuron_graph(inputs):
    """The same neuron as a tf.compat.v1 graph, for TensorBoard. -> tf.Graph"""
    with tf.Graph().as_default() as g, tf.name_scope("neuron"):
        x = tf.constant(inputs, dtype=tf.float64, name="x")
        W = tf.constant(neuron.BOOK_WEIGHTS, dtype=tf.float64, name="W")
        b = tf.constant(neuron.BOOK_BIAS, dtype=tf.float64, name="b")
        z = tf.add(tf.tensordot(W, x, axes=1), b, name="z")
        tf.sigmoid(z, name="output")  # sess.run(output) is run_neuron's output
    return g


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--inputs",
        type=finite_float,
        nargs=2,
        default=[1.0, 1.0],
        help="the two inputs x1 x2 to feed the neuron",
    )
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    run_neuron(args.inputs)
    write_graph(out, neuron_graph(args.inputs))
    print(f"Graph written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

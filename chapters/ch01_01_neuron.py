"""An artificial neuron in NumPy (weights [1, 2], bias 0, sigmoid), and the same neuron as a graph.

``run_neuron`` is the section's code: the weighted sum ``z = w . x + b`` and the sigmoid, printed
for the book's forward([1, 1]) = sigmoid(3) (or the ``--inputs`` given). ``neuron_graph`` builds
the same computation as a small TensorFlow graph and runs it in a Session; the script writes that
graph for TensorBoard.
"""

import sys
from collections import namedtuple

import numpy as np

from tfbasics import neuron
from tfbasics._tf import tf
from tfbasics.runs.folders import base_parser, finite_float, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_01_neuron"  # its run folders: logs/ch01_01_neuron/<run>/
BOOK_INPUTS = [1.0, 1.0]  # the book feeds its neuron x1 = x2 = 1

# %% [markdown]
# # 1.1 An artificial neuron
#
# A neuron takes a few numbers in, multiplies each by a weight, adds them up with a bias, and
# squashes the total with an activation function. With the sigmoid as activation the output
# always lies between 0 and 1: a large weighted sum gives nearly 1, a very negative one nearly 0.
#
# The book's neuron has two inputs, weights 1 and 2, bias 0. Fed the inputs 1 and 1 its weighted
# sum is `z = 1*1 + 2*1 + 0 = 3`, and its output is `sigmoid(3)`.


# %%
def run_neuron(inputs):
    """The book's neuron, forward, in NumPy: print z and sigmoid(z).

    Args:
      inputs: two floats x1, x2.
    Returns:
      float, sigmoid(w . x + b) in [0, 1].
    """
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


# %% active="ipynb"
# output = run_neuron(BOOK_INPUTS)

# %% [markdown]
# The same neuron in TensorFlow. Here nothing is computed where the operations are written: they
# are added to a graph, and a session runs the graph afterwards. Its answer is the NumPy one.


# %%
NeuronGraph = namedtuple("NeuronGraph", "graph x z output value")


def neuron_graph(inputs):
    """The same neuron as a tf.compat.v1 graph of its own, run in a Session.

    Args:
      inputs: two floats x1, x2.
    Returns:
      NeuronGraph(graph, x, z, output, value): the tf.Graph; its tensors x (float64 [2], the
      inputs), z (float64 [], W . x + b) and output (float64 [], sigmoid(z)); and value, the
      float sess.run(output) gave, which is run_neuron(inputs).
    """
    with tf.Graph().as_default() as g, tf.name_scope("neuron"):
        x = tf.constant(inputs, dtype=tf.float64, name="x")
        W = tf.constant(neuron.BOOK_WEIGHTS, dtype=tf.float64, name="W")
        b = tf.constant(neuron.BOOK_BIAS, dtype=tf.float64, name="b")
        z = tf.add(tf.tensordot(W, x, axes=1), b, name="z")
        output = tf.sigmoid(z, name="output")

    with tf.compat.v1.Session(graph=g) as sess:
        value = float(sess.run(output))
    print(f"the same neuron as a graph, run in a Session: sess.run(output) = {value:.10f}")
    return NeuronGraph(g, x, z, output, value)


# %% active="ipynb"
# in_tensorflow = neuron_graph(BOOK_INPUTS)

# %% [markdown]
# TensorBoard draws the graph: the inputs `x`, the weights `W` and the bias `b` flow into `z` and
# then into `output`, all inside the box `neuron`. The next cell writes the graph into a run
# folder under `logs/ch01_01_neuron/`, as the script does.

# %% active="ipynb"
# out = run_dir("logs", SCRIPT)
# write_graph(out, in_tensorflow.graph)

# %% [markdown]
# If TensorBoard does not start inside the notebook, run `tfbasics tensorboard` (or
# `tensorboard --logdir logs/ch01_01_neuron`) in a terminal and open the address it prints.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_01_neuron


# %% active="py"
def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--inputs",
        type=finite_float,
        nargs=2,
        default=BOOK_INPUTS,
        help="the two inputs x1 x2 to feed the neuron",
    )
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    run_neuron(args.inputs)
    write_graph(out, neuron_graph(args.inputs).graph)
    print(f"Graph written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

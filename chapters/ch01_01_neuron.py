"""An artificial neuron in NumPy (weights [1, 2], bias 0, sigmoid).

Prints the neuron's output for a few inputs, starting with the book's forward([1, 1]) = sigmoid(3),
and writes the same computation as a small TensorFlow graph so TensorBoard has something to show.
"""

import sys
from pathlib import Path

from tfbasics import neuron
from tfbasics.runs import base_parser, finite_float, run_dir, script_main, view_command, write_graph

SCRIPT = Path(__file__).stem


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

    n = neuron.Neuron()
    print(f"Neuron: weights = {n.weights.tolist()}, bias = {n.bias}, activation = sigmoid")
    z = n.weighted_sum(args.inputs)
    print(f"z = w . x + b = {z:g}")
    print(f"forward({args.inputs}) = sigmoid({z:g}) = {n.forward(args.inputs):.10f}")

    out = run_dir(args.logdir, SCRIPT, args.run_name)
    write_graph(out, neuron.build_graph(args.inputs).graph)
    print(f"Graph written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

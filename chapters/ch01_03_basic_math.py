"""Basic math: add, subtract, multiply, divide and reduce_sum over an axis.

Runs the book's examples in one graph and prints each result next to the call that made it.
"""

import sys
from pathlib import Path

from tfbasics import basic_math
from tfbasics.runs import base_parser, run_dir, script_main, view_command, write_graph

SCRIPT = Path(__file__).stem

CALLS = {  # what the book writes, for each result of basic_math.run_basic_math()
    "add": "tf.add(1, 2)",
    "subtract": "tf.subtract(1, 2)",
    "multiply": "tf.multiply(2, 5)",
    "divide": "tf.divide(10, 4)",
    "sum_all": "tf.reduce_sum([1, 2, 3])",
    "sum_axis0": "tf.reduce_sum(x, 0)  # x = ones((2, 3))",
    "sum_axis1": "tf.reduce_sum(x, 1)",
}


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)

    graph = basic_math.build_basic_math()
    for name, value in basic_math.run_basic_math(graph).items():
        shown = value.tolist() if hasattr(value, "tolist") else value
        print(f"{CALLS[name]:<40} = {shown}")

    out = run_dir(args.logdir, SCRIPT, args.run_name)
    write_graph(out, graph.graph)
    print(f"Graph written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

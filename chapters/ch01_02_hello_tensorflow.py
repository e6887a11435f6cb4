"""Graphs and sessions: Hello World, tensor ranks, and the lazy Variable.

Builds the book's graphs, runs them in tf.compat.v1 sessions and prints what the book prints.
Each graph goes to TensorBoard as its own run: <run>/hello, <run>/ranks, <run>/variable.
"""

import sys
from pathlib import Path

from tfbasics import hello
from tfbasics._tf import tf
from tfbasics.runs import base_parser, run_dir, script_main, view_command, write_graph

SCRIPT = Path(__file__).stem


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    h = hello.build_hello()
    with tf.compat.v1.Session(
        graph=h.graph
    ) as sess:  # the book's tf.Session() is tf.compat.v1.Session now
        print(sess.run(h.hello_constant))
    write_graph(out / "hello", h.graph)

    r = hello.build_ranks()
    with tf.compat.v1.Session(graph=r.graph) as sess:
        for name, tensor in (("A", r.A), ("B", r.B), ("C", r.C)):
            dtype, rank, shape = hello.describe(tensor)
            value = sess.run(tensor).tolist()
            print(f"{name} = {value}: dtype {dtype}, rank {rank}, shape {shape}")
        # the same ranks computed by the graph's Rank ops (which also make A, B, C show in
        # TensorBoard: it draws a constant only beside the op that reads it)
        ranks = sess.run([r.rank_A, r.rank_B, r.rank_C])
        print(f"sess.run([rank_A, rank_B, rank_C]) = {[int(k) for k in ranks]}")
    write_graph(out / "ranks", r.graph)

    v = hello.build_lazy_variable()
    print("constant_x = 5; variable_y = tf.Variable(constant_x + 5)")
    print(f"print(variable_y) shows the Variable, not its value: {v.variable_y}")
    with tf.compat.v1.Session(graph=v.graph) as sess:
        try:
            sess.run(v.variable_y)
        except tf.errors.FailedPreconditionError as err:
            print(
                "sess.run(variable_y) before the initializer -> FailedPreconditionError: "
                f"{hello.error_summary(err)}"
            )
            print(
                "  A Variable has no value until an initializer op has run in this session: "
                "run tf.compat.v1.global_variables_initializer() first."
            )
        sess.run(v.init)
        print(
            f"after sess.run(global_variables_initializer()): variable_y = {sess.run(v.variable_y)}"
        )
    write_graph(out / "variable", v.graph)

    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

"""Graphs and sessions: Hello World, tensor ranks, and the lazy Variable.

Builds the book's graphs, runs them in tf.compat.v1 sessions and prints what the book prints.
Each of ``hello_world``, ``tensor_ranks`` and ``lazy_variable`` builds its graph, runs it in a
``Session`` and prints what it got; each graph goes to TensorBoard as its own run:
<run>/hello, <run>/ranks, <run>/variable.
"""

import sys
from pathlib import Path

from tfbasics import hello
from tfbasics._tf import tf
from tfbasics.runs.folders import base_parser, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = Path(__file__).stem


def hello_world():
    """The book's first graph: a string constant, run in a Session. -> tf.Graph"""
    with tf.Graph().as_default() as g:  # a graph of its own: eager mode stays on outside
        hello_constant = tf.constant("Hello World!", name="hello_constant")
        # not the book: TensorBoard draws a constant only beside an op that reads it
        tf.identity(hello_constant, name="output")

    # the book's tf.Session is tf.compat.v1.Session now
    with tf.compat.v1.Session(graph=g) as sess:
        print(sess.run(hello_constant))
    return g


def tensor_ranks():
    """The book's constants of rank 0, 1 and 2, and the Rank ops that read them. -> tf.Graph"""
    with tf.Graph().as_default() as g:
        A = tf.constant(123, name="A")
        B = tf.constant([123, 456, 789], name="B")
        C = tf.constant([[123, 456, 789], [222, 333, 444]], name="C")
        # tf.rank folds a known shape into a new constant (nothing would read A); the raw op doesn't
        rank_A = tf.raw_ops.Rank(input=A, name="rank_A")
        rank_B = tf.raw_ops.Rank(input=B, name="rank_B")
        rank_C = tf.raw_ops.Rank(input=C, name="rank_C")

    with tf.compat.v1.Session(graph=g) as sess:
        for name, tensor in (("A", A), ("B", B), ("C", C)):
            dtype, rank, shape = hello.describe(tensor)  # known before anything runs
            print(
                f"{name} = {sess.run(tensor).tolist()}: dtype {dtype}, rank {rank}, shape {shape}"
            )
        ranks = sess.run([rank_A, rank_B, rank_C])
        print(f"sess.run([rank_A, rank_B, rank_C]) = {[int(k) for k in ranks]}")
    return g


def lazy_variable():
    """The book's Variable: no value until initialised, then 10. -> tf.Graph"""
    with tf.Graph().as_default() as g:
        constant_x = tf.constant(5, name="constant_x")
        # the book writes tf.Variable(x + 5) with x never defined: it means constant_x
        variable_y = tf.Variable(constant_x + 5, name="variable_y")
        init = tf.compat.v1.global_variables_initializer()

    print("constant_x = 5; variable_y = tf.Variable(constant_x + 5)")
    print(f"print(variable_y) shows the Variable, not its value: {variable_y}")
    with tf.compat.v1.Session(graph=g) as sess:
        try:
            sess.run(variable_y)
        except tf.errors.FailedPreconditionError as err:
            print(
                "sess.run(variable_y) before the initializer -> FailedPreconditionError: "
                f"{hello.error_summary(err)}"
            )
            print(
                "  A Variable has no value until an initializer op has run in this session: "
                "run tf.compat.v1.global_variables_initializer() first."
            )
        sess.run(init)
        print(
            f"after sess.run(global_variables_initializer()): variable_y = {sess.run(variable_y)}"
        )
    return g


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    write_graph(out / "hello", hello_world())
    write_graph(out / "ranks", tensor_ranks())
    write_graph(out / "variable", lazy_variable())
    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

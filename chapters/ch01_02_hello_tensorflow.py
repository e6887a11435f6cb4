"""Graphs and sessions: Hello World, tensor ranks, and the lazy Variable.

Each of ``hello_world``, ``tensor_ranks`` and ``lazy_variable`` builds the book's graph, runs it
in a ``tf.compat.v1.Session``, prints what the book prints and returns the graph with its named
tensors. The script writes each graph to TensorBoard as its own run: <run>/hello, <run>/ranks,
<run>/variable.
"""

import sys
from collections import namedtuple

from tfbasics import hello
from tfbasics._tf import tf
from tfbasics.runs.folders import base_parser, run_dir, view_command, write_graph
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_02_hello_tensorflow"  # its run folders: logs/ch01_02_hello_tensorflow/<run>/

# %% [markdown]
# # 1.2 Hello TensorFlow: first a graph, then a session
#
# TensorFlow 1.x works in two steps. Code like `tf.constant(...)` computes nothing: it adds an
# operation to a graph. Values exist only once a session runs that graph. TensorFlow 2 computes
# each operation at once ("eager" mode); `tf.compat.v1.Session` still offers the two steps. Each
# example below builds a `tf.Graph` of its own and runs it in a session made for that graph, so
# eager mode stays on everywhere else.


# %%
HelloWorld = namedtuple("HelloWorld", "graph hello_constant output")


def hello_world():
    """The book's first graph: a string constant, run in a Session.

    Returns:
      HelloWorld(graph, hello_constant, output): the tf.Graph, its string constant (the bytes
      b'Hello World!' when run) and the op that reads it (the same value).
    """
    with tf.Graph().as_default() as g:  # a graph of its own: eager mode stays on outside
        hello_constant = tf.constant("Hello World!", name="hello_constant")
        # not the book: TensorBoard draws a constant only beside an op that reads it
        output = tf.identity(hello_constant, name="output")

    # the book's tf.Session is tf.compat.v1.Session now
    with tf.compat.v1.Session(graph=g) as sess:
        print(sess.run(hello_constant))
    return HelloWorld(g, hello_constant, output)


# %% active="ipynb"
# greeting = hello_world()

# %% [markdown]
# The `b` in front means bytes: a TensorFlow string holds bytes, not Python text.
#
# Every tensor has a data type and a rank, its number of dimensions: a single number has rank 0,
# a list rank 1, a table rank 2. Both are known when the graph is built, before anything runs;
# the `Rank` operations compute the same ranks inside the session.


# %%
TensorRanks = namedtuple("TensorRanks", "graph A B C rank_A rank_B rank_C")


def tensor_ranks():
    """The book's constants of rank 0, 1 and 2, and the Rank ops that read them.

    Returns:
      TensorRanks(graph, A, B, C, rank_A, rank_B, rank_C): the tf.Graph, the int32 constants
      A [], B [3] and C [2, 3], and the int32 [] Rank ops that read them (0, 1, 2 when run).
    """
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
    return TensorRanks(g, A, B, C, rank_A, rank_B, rank_C)


# %% active="ipynb"
# ranks = tensor_ranks()

# %% [markdown]
# A `Variable` holds a value that training will change, such as a weight. Building one puts only
# a recipe for its first value in the graph. Until an initializer has run in the session the
# Variable has no value at all, and reading it is an error.


# %%
LazyVariable = namedtuple("LazyVariable", "graph constant_x variable_y init")


def lazy_variable():
    """The book's Variable: no value until initialised, then 10.

    Returns:
      LazyVariable(graph, constant_x, variable_y, init): the tf.Graph, the int32 constant 5, the
      int32 Variable (constant_x + 5 once initialised; running it before ``init`` raises
      FailedPreconditionError) and the initializer op.
    """
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
    return LazyVariable(g, constant_x, variable_y, init)


# %% active="ipynb"
# lazy = lazy_variable()

# %% [markdown]
# TensorBoard shows each of the three graphs as its own run: `hello`, `ranks` and `variable`. The
# next cell writes them into a run folder under `logs/ch01_02_hello_tensorflow/`, as the script
# does.

# %% active="ipynb"
# out = run_dir("logs", SCRIPT)
# write_graph(out / "hello", greeting.graph)
# write_graph(out / "ranks", ranks.graph)
# write_graph(out / "variable", lazy.graph)

# %% [markdown]
# If TensorBoard does not start inside the notebook, run `tfbasics tensorboard` (or
# `tensorboard --logdir logs/ch01_02_hello_tensorflow`) in a terminal and open the address it
# prints.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_02_hello_tensorflow


# %% active="py"
def main(argv=None):
    args = base_parser(__doc__.splitlines()[0]).parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    write_graph(out / "hello", hello_world().graph)
    write_graph(out / "ranks", tensor_ranks().graph)
    write_graph(out / "variable", lazy_variable().graph)
    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

"""Hello World, tensor ranks and a Variable in TensorFlow 2: eager tensors and tf.function graphs.

The TensorFlow 2 twin of ch01_02_hello_tensorflow.py. An op runs when it is called and its value is
there at once; a graph is what ``tf.function`` traces from Python code. Each traced graph goes to
TensorBoard as its own run: <run>/hello, <run>/ranks, <run>/variable.
"""

import sys
from pathlib import Path

from tfbasics import hello
from tfbasics._tf import tf
from tfbasics.runs.folders import base_parser, run_dir, view_command
from tfbasics.runs.traces import trace_graph

SCRIPT = Path(__file__).stem + "_tf2"  # logs/ch01_02_hello_tensorflow_tf2/<run>/


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    # TF1: build tf.constant in a graph, then sess.run it. TF2: the constant is its value.
    hello_constant = tf.constant(hello.HELLO, name="hello_constant")
    print(hello_constant.numpy())

    @tf.function(input_signature=[])  # the same constant as a graph, for TensorBoard
    def hello_graph():
        return tf.constant(hello.HELLO, name="hello_constant")

    trace_graph(out / "hello", "hello", hello_graph)

    for name, value in (("A", hello.BOOK_A), ("B", hello.BOOK_B), ("C", hello.BOOK_C)):
        tensor = tf.constant(value, name=name)
        dtype, rank, shape = tensor.dtype.name, tensor.shape.rank, tuple(tensor.shape)
        print(f"{name} = {tensor.numpy().tolist()}: dtype {dtype}, rank {rank}, shape {shape}")

    @tf.function(input_signature=[])
    def ranks():
        A = tf.constant(hello.BOOK_A, name="A")
        B = tf.constant(hello.BOOK_B, name="B")
        C = tf.constant(hello.BOOK_C, name="C")
        return A, B, C

    trace_graph(out / "ranks", "ranks", ranks)

    # TF1: variable_y has no value until global_variables_initializer() runs in a session.
    # TF2: tf.Variable computes its initial value when it is made; there is no initializer op.
    constant_x = tf.constant(5, name="constant_x")
    variable_y = tf.Variable(constant_x + 5, name="variable_y")
    print("constant_x = 5; variable_y = tf.Variable(constant_x + 5)")
    print(f"variable_y = {variable_y.numpy()} at once: no initializer, no session")

    @tf.function(input_signature=[])
    def read_variable():  # a tf.function reads the Variable it captures each time it runs
        return tf.identity(variable_y, name="variable_y_value")

    value = trace_graph(out / "variable", "variable", read_variable)
    with tf.summary.create_file_writer(str(out / "variable")).as_default():
        tf.summary.scalar("variable_y", value, step=0)
    print(f"read in a tf.function: variable_y = {value.numpy()}")

    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

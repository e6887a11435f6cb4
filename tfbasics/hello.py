"""Section 2: TensorFlow's graph and session model, the 1.x way.

Building ops only describes a computation (a ``tf.Graph``); nothing runs until a
``tf.compat.v1.Session`` runs it. The lesson (chapters/ch01_02_hello_tensorflow.py) builds the
book's graphs. Here: the book's values (the TF2 twin uses them), ``run_constant`` (the reference
of exercise 2), and two helpers the lesson prints with: ``describe`` (dtype, rank and shape of a
tensor) and ``error_summary`` (the one line of a TensorFlow error that says what went wrong).
"""

from tfbasics._tf import tf

HELLO = "Hello World!"
BOOK_A = 123  # rank 0
BOOK_B = [123, 456, 789]  # rank 1
BOOK_C = [[123, 456, 789], [222, 333, 444]]  # rank 2


def run_constant(value):
    """Hold ``value`` in a ``tf.constant`` in a graph of its own, run it in a session.

    Args:
      value: a Python/NumPy scalar, nested list, array or str.
    Returns:
      what the session returns: a NumPy value, or bytes for a str (TensorFlow strings are bytes).
    """
    g = tf.Graph()
    with g.as_default():
        constant = tf.constant(value, name="constant")
    with tf.compat.v1.Session(graph=g) as sess:
        return sess.run(constant)


def describe(tensor):
    """``(dtype name, rank, shape)`` of a graph tensor, known before anything runs.

    Args:
      tensor: tf.Tensor with a fully known static shape.
    Returns:
      (str, int, tuple of int), e.g. ('int32', 2, (2, 3)).
    """
    return tensor.dtype.name, tensor.shape.rank, tuple(tensor.shape.as_list())


def error_summary(err):
    """The one line of a TensorFlow runtime error that says what went wrong.

    TF 2.x messages start with "Graph execution error:" and the Python stack of the failing op;
    the reason is the first line after the ``Node: '...'`` line, cut at its first sentence.

    Args:
      err: tf.errors.OpError.
    Returns:
      str, e.g. "Could not find variable variable_y."
    """
    lines = [line.strip() for line in err.message.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if line.startswith("Node:") and i + 1 < len(lines):
            return lines[i + 1].split(". ")[0].rstrip(".") + "."
    return lines[0] if lines else type(err).__name__

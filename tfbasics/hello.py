"""Section 2: TensorFlow's graph and session model, the 1.x way.

Building ops only describes a computation (a ``tf.Graph``); nothing runs until a
``tf.compat.v1.Session`` runs it. Three builders, each with a graph of its own:

- ``build_hello()``: the book's ``tf.constant('Hello World!')``, read by an ``output`` op;
- ``build_ranks()``: constants of rank 0, 1 and 2 (the book's A, B, C), each read by a ``Rank`` op;
- ``build_lazy_variable()``: ``variable_y = constant_x + 5``, which is 10 only once initialised.
"""

from __future__ import annotations  # NamedTuple fields name tf types; no TF import for that

from typing import NamedTuple

from tfbasics._tf import tf

HELLO = "Hello World!"
BOOK_A = 123  # rank 0
BOOK_B = [123, 456, 789]  # rank 1
BOOK_C = [[123, 456, 789], [222, 333, 444]]  # rank 2


class HelloGraph(NamedTuple):
    graph: tf.Graph
    hello_constant: tf.Tensor  # string [], b'Hello World!' when run
    output: tf.Tensor  # string [], the same value, read from hello_constant


def build_hello(text=HELLO):
    """The book's first graph: one string constant named ``hello_constant``, and an op reading it.

    TensorBoard's Graphs tab draws a ``Const`` only as a small circle beside the op that consumes
    it, so a graph of one unconsumed constant is drawn empty. ``output`` (``tf.identity``) is
    that consumer: the picture is hello_constant -> output, and the book's
    ``sess.run(hello_constant)`` is unchanged.

    Args:
      text: str to hold.
    Returns:
      HelloGraph; ``Session(graph=g).run(hello_constant)`` gives bytes, e.g. b'Hello World!', and
      so does ``run(output)``.
    """
    g = tf.Graph()
    with g.as_default():
        hello_constant = tf.constant(text, name="hello_constant")
        output = tf.identity(hello_constant, name="output")  # a longer name is cut off in the view
    return HelloGraph(g, hello_constant, output)


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


class RankGraph(NamedTuple):
    graph: tf.Graph
    A: tf.Tensor  # int32 [], 123
    B: tf.Tensor  # int32 [3]
    C: tf.Tensor  # int32 [2, 3]
    rank_A: tf.Tensor  # int32 [], 0 when run
    rank_B: tf.Tensor  # int32 [], 1
    rank_C: tf.Tensor  # int32 [], 2


def build_ranks():
    """The book's constants A (rank 0), B (rank 1) and C (rank 2), all int32, and their ranks.

    Each constant is read by a ``Rank`` op, computed when the session runs; TensorBoard draws a
    constant only beside its consumer (see ``build_hello``), so these ops are what makes A, B
    and C visible in the Graphs tab.

    Returns:
      RankGraph with tensors named ``A``, ``B``, ``C`` and ``rank_A``, ``rank_B``, ``rank_C``.
    """
    g = tf.Graph()
    with g.as_default():
        A = tf.constant(BOOK_A, name="A")
        B = tf.constant(BOOK_B, name="B")
        C = tf.constant(BOOK_C, name="C")
        # tf.rank folds a known shape into a new constant (nothing would read A); the raw op doesn't
        ranks = [tf.raw_ops.Rank(input=t, name=f"rank_{t.op.name}") for t in (A, B, C)]
    return RankGraph(g, A, B, C, *ranks)


def describe(tensor):
    """``(dtype name, rank, shape)`` of a graph tensor, known before anything runs.

    Args:
      tensor: tf.Tensor with a fully known static shape.
    Returns:
      (str, int, tuple of int), e.g. ('int32', 2, (2, 3)).
    """
    return tensor.dtype.name, tensor.shape.rank, tuple(tensor.shape.as_list())


class VariableGraph(NamedTuple):
    graph: tf.Graph
    constant_x: tf.Tensor  # int32 [], 5
    variable_y: tf.Variable  # int32 [], constant_x + 5 once initialised
    init: tf.Operation  # global_variables_initializer()


def build_lazy_variable():
    """The book's lazy example: ``variable_y = constant_x + 5``.

    # the book writes `y = tf.Variable(x + 5)` with `x` never defined; here x is constant_x = 5

    Returns:
      VariableGraph. Printing ``variable_y`` shows a Variable, not 10; running it before ``init``
      raises ``tf.errors.FailedPreconditionError``; after ``sess.run(init)`` it is 10.
    """
    g = tf.Graph()
    with g.as_default():
        constant_x = tf.constant(5, name="constant_x")
        variable_y = tf.Variable(constant_x + 5, name="variable_y")
        init = tf.compat.v1.global_variables_initializer()
    return VariableGraph(g, constant_x, variable_y, init)


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

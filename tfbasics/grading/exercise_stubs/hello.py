"""Exercise 2, hello: a constant in a graph of its own, run in a session.

Chapter 1, "TensorFlow basics". Building ops only describes a computation (a ``tf.Graph``);
nothing runs until a ``tf.compat.v1.Session`` runs it. The book's first program holds
'Hello World!' in a ``tf.constant`` and prints what the session returns: b'Hello World!'.

Tasks:
  1. ``run_constant('Hello World!')`` returns b'Hello World!'
  2. ``run_constant`` of numbers (ranks 0, 1 and 2) returns NumPy values
  3. ``run_constant`` runs the constant in a ``tf.compat.v1.Session``

Check your work with ``tfbasics check hello``; a hint: ``tfbasics check hello --hints``.
"""

from tfbasics._tf import tf  # TensorFlow, imported without its start-up noise


def run_constant(value):
    """Hold ``value`` in a ``tf.constant`` in a graph of its own, run it in a session.

    Args:
      value: a Python/NumPy scalar, nested list, array or str.
    Returns:
      what the session returns: a NumPy value, or bytes for a str (TensorFlow strings are bytes).
    """
    # TODO tasks 1-3: a new tf.Graph, a tf.constant in it, a tf.compat.v1.Session to run it
    raise NotImplementedError

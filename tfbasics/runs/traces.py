"""TensorBoard's Graphs tab for TensorFlow 2 code: the graph a ``tf.function`` traces.

TF1 code hands its ``tf.Graph`` to a ``FileWriter`` (``folders.write_graph``). In TensorFlow 2 there is
no graph until a ``tf.function`` is traced; ``tf.summary.trace_on(graph=True)`` records the graphs
traced from then on and ``tf.summary.trace_export`` writes them as a summary TensorBoard draws.
"""

from tfbasics._tf import tf


def trace_graph(path, name, function, *args):
    """Call ``function(*args)`` with graph tracing on and write the traced graph to ``path``.

    Only a call that traces records a graph, and a ``tf.function`` traces once per input
    signature in a process; so a fresh copy of ``function`` is traced and called here, and a
    second run in the same process (a notebook, a test) writes its graph too.

    Args:
      path: str or Path, a run folder (an event file is written into it).
      name: str, the summary's tag in TensorBoard.
      function: a ``tf.function``; args: its arguments.
    Returns:
      what ``function(*args)`` returns.
    """
    fresh = tf.function(function.python_function, input_signature=function.input_signature)
    writer = tf.summary.create_file_writer(str(path))
    tf.summary.trace_on(graph=True)
    try:
        result = fresh(*args)
        with writer.as_default():
            tf.summary.trace_export(name, step=0)
    finally:
        tf.summary.trace_off()  # a no-op after trace_export; stops tracing if the call failed
        writer.close()
    return result

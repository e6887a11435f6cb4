"""The TensorFlow 2 twins of sections 2-7: the same code written the way TensorFlow 2 is meant to be.

``tf2/ch01_NN_name.py`` is the twin of ``chapters/ch01_NN_name.py``: eager tensors instead of a
graph run in a session, ``tf.function`` (with an ``input_signature``) where the book builds a graph
and feeds placeholders, a ``tf.GradientTape`` loop instead of ``optimizer.minimize``. Each computes
what its TF1 twin computes (``tests/test_tf2_twins.py`` proves it) and writes to
``logs/<script>_tf2/<run>/``. Run one with ``tfbasics run tf2/7`` (``tfbasics list`` shows them);
``tfbasics run all`` runs only the TF1 chapter.

A twin's ``tf.function``s are made inside a function its ``main`` calls (``make_feeds()``), not at
module level: ``tf.TensorSpec`` and ``tf.function`` import TensorFlow, and importing a twin (as
``--help`` does) imports none.
"""

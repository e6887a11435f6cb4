"""tfbasics: chapter 1 of *Practical Convolutional Neural Networks* on today's TensorFlow.

The book teaches TensorFlow 1.x (graphs, sessions, placeholders, feed_dict). This package keeps
that style through ``tf.compat.v1``: every builder makes its own ``tf.Graph`` and is run in a
``tf.compat.v1.Session(graph=...)``, so eager mode stays on and nothing global is switched.

Importing ``tfbasics`` imports no TensorFlow, prints nothing and downloads nothing; each
module below is imported on its own (``from tfbasics import neuron``).
"""

__version__ = "0.1.0"

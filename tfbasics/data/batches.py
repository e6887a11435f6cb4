"""The batches SGD sees: TensorFlow 1.x's ``next_batch`` rule, and a resumable stream of it.

TensorFlow 1.x's ``DataSet.next_batch`` shuffles once per pass over the data, and a batch that
crosses the end of a pass is completed from the next, reshuffled pass, so every batch is full:
``take`` is that rule, the one ``next_batch`` of this package (``mnist.DataSet`` and
``BatchStream`` serve their batches with it). TF 1.x's order depends on every draw made before,
so a run resumed from a checkpoint cannot see the batches an uninterrupted run would have seen.
Here pass p's order is ``default_rng([seed, p]).permutation(num_examples)``: the same rule, but
any step's batch is known without replaying the steps before it.

- ``batch_indices(...)``: the rows of any range of steps (the in-graph pipeline feeds these);
- ``BatchStream``: the book's ``data.train.next_batch(batch_size)`` on that stream, starting at
  any step (the book's loop calls it).

NumPy only: importing this module does not import TensorFlow.
"""

import numpy as np


def take(order, start, batch_size, next_order):
    """One batch's rows: ``order[start:start + batch_size]``, completed from the next pass.

    Args:
      order: int [N], this pass's order of the examples; start: int in [0, N], where the batch
        starts in it; batch_size: int in [1, N].
      next_order: a function of no arguments giving the next pass's order, int [N]; called only
        when the batch crosses the end of this pass.
    Returns:
      (rows int [batch_size], the order the batch ends in, the position after it in that order).
    """
    if start + batch_size <= len(order):
        return order[start : start + batch_size], order, start + batch_size
    rest = order[start:]
    order = next_order()
    end = batch_size - len(rest)
    return np.concatenate([rest, order[:end]]), order, end


def pass_order(seed, num_examples, p):
    """int64 [num_examples]: the order of pass ``p`` (0-based) over the data."""
    return np.random.default_rng([seed, p]).permutation(num_examples)


def batch_indices(seed, num_examples, batch_size, first_step, num_steps):
    """Rows of the training set used by SGD steps ``first_step`` .. ``first_step + num_steps - 1``.

    The rows form one stream: pass p over the data is ``pass_order(seed, num_examples, p)``,
    and step s takes stream positions ``[s * batch_size, (s + 1) * batch_size)``.

    Args:
      seed: int; num_examples, batch_size: int; first_step: int >= 0; num_steps: int >= 0.
    Returns:
      int32 [num_steps, batch_size].
    """
    start, stop = first_step * batch_size, (first_step + num_steps) * batch_size
    passes = range(start // num_examples, -(-stop // num_examples))
    stream = np.concatenate(
        [pass_order(seed, num_examples, p) for p in passes] or [np.zeros(0, np.int64)]
    )
    offset = passes.start * num_examples if len(passes) else start
    return stream[start - offset : stop - offset].astype(np.int32).reshape(num_steps, batch_size)


class BatchStream:
    """``next_batch`` over a dataset's images and labels, following ``batch_indices``' stream.

    ``BatchStream(data.train, seed, first_step=s).next_batch(b)`` returns the batch of step s
    (batch size b), the next call that of step s + 1, and so on: what ``batch_indices(seed, n,
    b, s, ...)`` lists, row for row.

    Args:
      dataset: an object with ``images`` [N, ...] and ``labels`` [N, ...] (a ``mnist.DataSet``).
      seed: int, the stream's seed.
      first_step: int >= 0, the step the first ``next_batch`` serves.
      batch_size: int, the batch size used to place ``first_step`` in the stream (the book's
        128); every ``next_batch`` must then ask for this size.
    """

    def __init__(self, dataset, seed, first_step=0, batch_size=128):
        self.images, self.labels = dataset.images, dataset.labels
        self.num_examples = len(self.images)
        self.seed, self.batch_size = seed, batch_size
        self._position = first_step * batch_size  # in the endless stream of passes
        self._pass, self._order = None, None

    def _order_of(self, p):
        if self._pass != p:
            self._pass, self._order = p, pass_order(self.seed, self.num_examples, p)
        return self._order

    def next_batch(self, batch_size):
        """The next ``batch_size`` examples: (images [batch_size, ...], labels [batch_size, ...])."""
        if batch_size != self.batch_size:
            raise ValueError(f"this stream serves batches of {self.batch_size}, not {batch_size}")
        p, i = divmod(self._position, self.num_examples)
        rows, _, _ = take(self._order_of(p), i, batch_size, lambda: self._order_of(p + 1))
        self._position += batch_size
        return self.images[rows], self.labels[rows]

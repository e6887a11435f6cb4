"""Exercise 6, mnist: read MNIST's IDX format, and serve it in batches with next_batch.

Chapter 1, "Introduction to the MNIST dataset". An IDX file is a 4-byte magic number, then one
big-endian uint32 size per dimension, then the data in C order::

    magic = 0x00 0x00 <type code> <number of dimensions>
    train-images-idx3-ubyte: 0x00000803, 60000, 28, 28, then 47,040,000 pixels (uint8)
    train-labels-idx1-ubyte: 0x00000801, 60000, then 60,000 labels (uint8)

TensorFlow 1.x's ``DataSet.next_batch`` then hands out the examples ``batch_size`` at a time,
shuffled once per epoch; the training loop of the next section calls it at every step.

Tasks:
  1. ``parse_idx`` of a labels file
  2. ``parse_idx`` of an images file, and of big-endian int32 data
  3. ``parse_idx`` refuses a malformed file with ``IDXError``
  4. ``DataSet.next_batch(batch_size, shuffle=False)``
  5. ``DataSet.next_batch`` shuffles every epoch

Check your work with ``tfbasics check mnist``; a hint: ``tfbasics check mnist --hints``.
"""

import numpy as np

# type code (third magic byte) -> big-endian dtype, from the format's definition
DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IDXError(ValueError):
    """A file that is not a well-formed IDX file (bad magic, sizes that disagree with its length)."""


def header_size(ndim):
    """Bytes before the data: 4 (magic) + 4 per dimension (16 for images, 8 for labels)."""
    return 4 + 4 * ndim


def parse_idx(data, name="<bytes>", expect_ndim=None):
    """Parse the bytes of an (uncompressed) IDX file.

    Args:
      data: bytes of the whole file.
      name: str, the file's name for error messages.
      expect_ndim: int or None; if given, the number of dimensions the file must have
        (3 for images, 1 for labels).
    Returns:
      np.ndarray in native byte order with the header's shape (uint8 for MNIST); it does not
      share memory with ``data``.
    Raises:
      IDXError: wrong magic number, unknown type code, wrong dimension count, or a length that
        disagrees with the header (truncated file or trailing bytes).
    """
    # TODO tasks 1-3: check the magic number, read the sizes, check the length, then the data
    raise NotImplementedError


class DataSet:
    """Images and labels with TensorFlow 1.x's ``next_batch``.

    Args:
      images: np.ndarray [N, ...]; labels: np.ndarray [N] or [N, NUM_CLASSES].
      seed: int, np.random.SeedSequence or None; the DataSet owns its generator (no global RNG).
    """

    def __init__(self, images, labels, seed=None):
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self._images, self._labels = images, labels
        self._num_examples = len(images)
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(self._num_examples)  # the current epoch's order of the examples
        self._epochs_completed = 0
        self._index_in_epoch = 0  # where in self._order the next batch starts

    images = property(lambda self: self._images, doc="all images, in file order")
    labels = property(lambda self: self._labels, doc="all labels, in file order")
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)
    index_in_epoch = property(
        lambda self: self._index_in_epoch,
        doc="position in ``permutation`` where the next batch starts",
    )

    def next_batch(self, batch_size, shuffle=True):
        """The next ``batch_size`` examples, as TensorFlow 1.x's ``DataSet.next_batch``.

        Shuffled at the start of the first epoch; a batch that crosses the end of an epoch is
        completed with the start of the next (reshuffled) one, so every batch has exactly
        ``batch_size`` examples.

        Args:
          batch_size: int, 1 to ``num_examples``.
          shuffle: bool.
        Returns:
          (images [batch_size, ...], labels [batch_size, ...]), new arrays.
        """
        # TODO task 4: take self._order[start:start + batch_size]; past the end, count the epoch
        #   and complete the batch from the start of the next one
        # TODO task 5: shuffle self._order (self._rng) at the start of each epoch
        raise NotImplementedError

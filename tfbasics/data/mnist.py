"""MNIST as TensorFlow 1.x and Keras serve it: ``read_data_sets``, ``DataSet``, ``load_data``.

- ``read_data_sets(train_dir=None, one_hot=False, dtype=np.float32, reshape=True,
  validation_size=VALIDATION_SIZE, seed=None, fake_data=False)`` -> ``Datasets(train,
  validation, test)`` of ``DataSet`` (``images``, ``labels``, ``num_examples``,
  ``epochs_completed``, ``next_batch``), with TensorFlow 1.x's semantics (tensorflow r1.15,
  ``contrib/learn/python/learn/datasets/mnist.py``) in this package's own argument order.
  TensorFlow 1.x's exact signatures are ``tfbasics.data.input_data``, built on this module.
- ``load_data(path=None)`` -> ``((x_train, y_train), (x_test, y_test))`` uint8, like
  ``keras.datasets.mnist.load_data()``.
- ``fake_arrays()``: small generated digits for smoke tests.

Beneath it: ``mnist_fetch.fetched_arrays`` (the four files, verified, fetched if missing, as
arrays) and ``batches.take`` (the ``next_batch`` rule). The scripts' ``--data-dir`` and
``--fake-data`` are ``tfbasics.data.flags``.
"""

from typing import NamedTuple

import numpy as np

from tfbasics.constants import IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES, NUM_TRAIN, VALIDATION_SIZE
from tfbasics.data import batches, mnist_fetch
from tfbasics.data import mnist_files as files

FAKE_SIZES = (1100, 100, 200)  # train, validation, test examples of fake_data=True


def load_data(path=None):
    """MNIST as ``keras.datasets.mnist.load_data()`` returns it.

    Args:
      path: None (the data folder, fetched if needed), a folder of the IDX files, or a Keras
        ``mnist.npz`` file.
    Returns:
      ((x_train uint8 [60000, 28, 28], y_train uint8 [60000]),
       (x_test uint8 [10000, 28, 28], y_test uint8 [10000])).
    """
    is_npz = path is not None and str(path).endswith(".npz")
    a = files.npz_arrays(path) if is_npz else mnist_fetch.fetched_arrays(path)
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])


# ---------------------------------------------------------------- DataSet
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
        self._order = np.arange(self._num_examples)
        self._epochs_completed = 0
        self._index_in_epoch = 0

    images = property(lambda self: self._images, doc="all images, in file order")
    labels = property(lambda self: self._labels, doc="all labels, in file order")
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)
    index_in_epoch = property(
        lambda self: self._index_in_epoch,
        doc="position in ``permutation`` where the next batch starts",
    )

    @property
    def permutation(self):
        """int64 [N]: the current epoch's order; batch k of it is ``images[permutation[...]]``."""
        return self._order.copy()

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
        n = self._num_examples
        if isinstance(batch_size, bool) or not 1 <= int(batch_size) <= n:
            raise ValueError(f"batch_size must be between 1 and num_examples={n}, got {batch_size}")
        batch_size = int(batch_size)
        # TF 1.x copies the whole shuffled array each epoch; we shuffle an index order and gather
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._rng.shuffle(self._order)

        def next_order():
            self._epochs_completed += 1
            # TF 1.x permutes the already shuffled order: so do we, same draws
            return self._order[self._rng.permutation(n)] if shuffle else self._order

        picked, self._order, self._index_in_epoch = batches.take(
            self._order, start, batch_size, next_order
        )
        return self._images[picked], self._labels[picked]


class Datasets(NamedTuple):
    """The three splits, as TensorFlow 1.x's ``read_data_sets`` returns them."""

    train: DataSet
    validation: DataSet
    test: DataSet


def _image_dtype(dtype):
    dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))  # also accepts tf.float32
    if dtype != np.uint8 and dtype.kind != "f":
        raise TypeError(
            f"dtype must be uint8 (pixels 0-255) or a float type (pixels scaled to "
            f"[0, 1]), got {dtype}"
        )
    return dtype


def scale_images(images, dtype):
    """Pixels 0-255 as ``dtype``: uint8 unchanged, a float type scaled to [0, 1].

    TensorFlow 1.x's conversion, bit for bit: ``images.astype(float32) * (1.0 / 255.0)`` (a
    multiplication, not a division: the two differ in the last bit of about 6 million of the
    47 million training pixels). ``tfbasics.data.input_data`` uses this function too.

    Args:
      images: uint8 np.ndarray of any shape.
      dtype: np.uint8 or a float type (np.float32 ...).
    Returns:
      np.ndarray of ``dtype``, same shape (the input itself for uint8).
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        return images
    return np.multiply(images.astype(dtype), dtype.type(1.0 / 255.0))


def dense_to_one_hot(labels, num_classes=NUM_CLASSES, dtype=np.float32):
    """Digits as one-hot rows: 5 -> [0, 0, 0, 0, 0, 1, 0, 0, 0, 0].

    Args:
      labels: int array [N] with values in [0, num_classes); num_classes: int; dtype: np dtype.
    Returns:
      ``dtype`` [N, num_classes]: float32 by default (``tfbasics.data.input_data`` asks for
      TF 1.x's float64).
    """
    return np.eye(num_classes, dtype=dtype)[np.asarray(labels).ravel()]


def _check_validation_size(validation_size, n):
    if (
        isinstance(validation_size, bool)
        or not isinstance(validation_size, (int, np.integer))
        or not 0 <= validation_size <= n
    ):
        raise ValueError(
            f"validation_size must be an integer between 0 and {n}, got {validation_size!r}"
        )


def make_datasets(
    train_images,
    train_labels,
    test_images,
    test_labels,
    one_hot=False,
    dtype=np.float32,
    reshape=True,
    validation_size=VALIDATION_SIZE,
    seed=None,
):
    """Split and convert uint8 arrays as ``read_data_sets`` does (works for any N).

    Args:
      train_images, test_images: uint8 [N, 28, 28]; train_labels, test_labels: uint8 [N].
      one_hot: bool, labels as float32 [N, 10] instead of uint8 [N].
      dtype: np.uint8 (0-255) or a float type (scaled to [0, 1]).
      reshape: bool, images [N, 784] if True, else [N, 28, 28, 1].
      validation_size: int in [0, len(train_images)]: the first examples become validation.
      seed: int or None, seeds the three DataSets' shuffling.
    Returns:
      Datasets(train, validation, test).
    """
    dtype = _image_dtype(dtype)
    _check_validation_size(validation_size, len(train_images))

    def images(x):
        x = x.reshape(len(x), IMAGE_PIXELS) if reshape else x.reshape(len(x), *x.shape[1:], 1)
        return scale_images(x.astype(np.uint8), dtype)

    def labels(y):
        return dense_to_one_hot(y) if one_hot else y.astype(np.uint8)

    x, y = images(train_images), labels(train_labels)
    seeds = np.random.SeedSequence(seed).spawn(3)
    return Datasets(
        DataSet(x[validation_size:], y[validation_size:], seeds[0]),
        DataSet(x[:validation_size], y[:validation_size], seeds[1]),
        DataSet(images(test_images), labels(test_labels), seeds[2]),
    )


def fake_arrays(seed=0):
    """Small deterministic MNIST-like arrays: digit k is a bright 6x6 square at its own place
    on a noisy background, so any classifier learns it quickly.

    Returns:
      dict ``x_train`` uint8 [1200, 28, 28], ``y_train`` uint8 [1200], ``x_test`` uint8
      [200, 28, 28], ``y_test`` uint8 [200] (every digit equally often).
    """
    rng = np.random.default_rng(seed)
    n_train, n_test = FAKE_SIZES[0] + FAKE_SIZES[1], FAKE_SIZES[2]
    labels = (np.arange(n_train + n_test) % NUM_CLASSES).astype(np.uint8)
    rng.shuffle(labels)
    images = rng.integers(0, 96, (len(labels), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    for i, k in enumerate(labels):
        r, c = 2 + 8 * (k // 4), 1 + 7 * (k % 4)
        images[i, r : r + 6, c : c + 6] = rng.integers(160, 256, (6, 6), dtype=np.uint8)
    return {
        "x_train": images[:n_train],
        "y_train": labels[:n_train],
        "x_test": images[n_train:],
        "y_test": labels[n_train:],
    }


def read_data_sets(
    train_dir=None,
    one_hot=False,
    dtype=np.float32,
    reshape=True,
    validation_size=VALIDATION_SIZE,
    seed=None,
    fake_data=False,
):
    """MNIST split as TensorFlow 1.x's ``input_data.read_data_sets`` does (fetched if needed).

    Args:
      train_dir: str/Path data folder, or None for ``$TFBASICS_DATA_DIR`` or the cache.
      one_hot: bool, labels float32 [N, 10] instead of uint8 [N].
      dtype: np.float32 (pixels in [0, 1]; any float type, or tf.float32) or np.uint8 (0-255).
      reshape: bool, images [N, 784] if True, else [N, 28, 28, 1].
      validation_size: int in [0, 60000]; the first training examples become validation.
      seed: int or None, makes ``next_batch`` reproducible.
      fake_data: bool, no files: 1100/100/200 examples of ``fake_arrays()`` (validation_size
        is checked but the split is fixed).
    Returns:
      Datasets(train, validation, test): 55000/5000/10000 examples by default.
    Raises:
      ValueError: validation_size outside [0, 60000]; TypeError: a bad dtype;
      MNISTError: missing or corrupt data.
    """
    _image_dtype(dtype)  # bad arguments fail before any download
    _check_validation_size(validation_size, NUM_TRAIN)
    if fake_data:
        a, validation_size = fake_arrays(), FAKE_SIZES[1]
    else:
        a = mnist_fetch.fetched_arrays(train_dir)
    return make_datasets(
        a["x_train"],
        a["y_train"],
        a["x_test"],
        a["y_test"],
        one_hot=one_hot,
        dtype=dtype,
        reshape=reshape,
        validation_size=validation_size,
        seed=seed,
    )

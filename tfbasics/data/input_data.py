"""TensorFlow 1.x's MNIST ``input_data``, for code written against it: change the header.

    from tensorflow.examples.tutorials.mnist import input_data   # TensorFlow 1.x, gone in 2.x
    from tfbasics.data import input_data                             # this module

(and ``import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()`` for a whole TF 1.x program:
the README's "TensorFlow 1.x code").

Same names, signatures, defaults, positional order, dtypes, conversions, fake data and errors
as TensorFlow r1.15's ``tensorflow/contrib/learn/python/learn/datasets/mnist.py`` (which
``input_data`` re-exported): ``read_data_sets``, ``DataSet``, ``Datasets``, ``extract_images``,
``extract_labels``, ``dense_to_one_hot``, ``load_mnist``, ``DEFAULT_SOURCE_URL``.

Built on ``tfbasics.data.mnist`` (one implementation: the files, the pixel conversion, the
one-hot labels and the batching are that module's). Where we differ from TensorFlow 1.x, on
purpose:

- with MNIST's ``source_url`` (the default) the files are this package's verified ones
  (``tfbasics.data.mnist_fetch``: SHA-256 checked, copied from our cache or fetched, written
  atomically); with another ``source_url``, or a folder of Fashion-MNIST, the folder's files
  are used and missing ones fetched from ``source_url``, as TF 1.x did, after digest or IDX
  format checks (``tfbasics.data.idx_folder``);
- a ``DataSet`` made with a ``seed`` (or under a graph-level seed) draws its shuffles from its
  own ``np.random.RandomState`` seeded as TF 1.x seeded numpy's global generator: TF 1.x's
  batches, numpy's global state left alone. Without a seed it shuffles with numpy's global
  generator as TF 1.x did, so ``np.random.seed(0)`` reproduces the batches (TF 1.x's
  constructor first reseeded that generator at random, undoing such a seed; we do not);
  ``images``/``labels`` stay in file order (TF 1.x reordered them in place each epoch; the
  batches are the same);
- bad arguments fail before any file is read, with a message that says what to pass; nothing is
  printed for MNIST (TF 1.x printed ``Extracting <file>``), one line for other data.
"""

import operator

import numpy as np

from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES, NUM_TRAIN, VALIDATION_SIZE
from tfbasics.data import idx, idx_folder, mnist, mnist_fetch, mnist_sources

DEFAULT_SOURCE_URL = mnist_sources.TF_MIRROR  # TF 1.x's name for MNIST's mirror
IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
FAKE_NUM_EXAMPLES = 10000  # num_examples of every fake DataSet, as in TF 1.x

Datasets = mnist.Datasets  # (train, validation, test), TF 1.x's base.Datasets


def _read_idx_stream(f, magic, kind):
    """The array of a gzip-packed IDX stream ``f`` whose magic number must be ``magic``."""
    import gzip
    import zlib

    name = getattr(f, "name", "<stream>")
    try:
        with gzip.GzipFile(fileobj=f) as stream:
            head = stream.read(4)
            found = int.from_bytes(head, "big") if len(head) == 4 else None
            if found != magic:
                raise ValueError(f"Invalid magic number {found} in MNIST {kind} file: {name}")
            ndim = magic & 0xFF
            sizes = stream.read(4 * ndim)
            shape = [int.from_bytes(sizes[4 * i : 4 * i + 4], "big") for i in range(ndim)]
            data = stream.read(int(np.prod(shape, dtype=np.int64)))  # what the header announces
    except (OSError, EOFError, zlib.error) as e:
        raise idx.IDXError(f"{name}: not a valid gzip file ({e})") from None
    return idx.parse_idx(head + sizes + data, str(name), expect_ndim=ndim)


def extract_images(f):
    """Extract the images into a 4D uint8 numpy array [index, y, x, depth].

    Args:
      f: a binary file object of a gzip-packed IDX images file (``open(path, "rb")``).
    Returns:
      uint8 np.ndarray [N, rows, cols, 1].
    Raises:
      ValueError: the stream does not start with 2051 (TF 1.x's message), or is truncated.
    """
    return _read_idx_stream(f, IMAGES_MAGIC, "image")[..., np.newaxis]


def extract_labels(f, one_hot=False, num_classes=10):
    """Extract the labels into a 1D uint8 numpy array [index].

    Args:
      f: a binary file object of a gzip-packed IDX labels file.
      one_hot: bool; True gives ``dense_to_one_hot(labels, num_classes)``, float64 [N, classes].
      num_classes: int, for the one-hot encoding.
    Returns:
      uint8 np.ndarray [N], or float64 [N, num_classes] if ``one_hot``.
    Raises:
      ValueError: the stream does not start with 2049 (TF 1.x's message), or is truncated.
    """
    labels = _read_idx_stream(f, LABELS_MAGIC, "label")
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def dense_to_one_hot(labels_dense, num_classes):
    """Convert class labels from scalars to one-hot vectors.

    Args:
      labels_dense: int np.ndarray [N]; num_classes: int.
    Returns:
      float64 [N, num_classes] (numpy's default float, as TF 1.x returned).
    """
    return mnist.dense_to_one_hot(labels_dense, num_classes, np.float64)


def _image_dtype(dtype):
    """TF 1.x's check: ``uint8`` or ``float32`` (any spelling TensorFlow accepts), else TypeError."""
    dtype = tf.as_dtype(dtype).base_dtype
    if dtype not in (tf.uint8, tf.float32):
        raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
    return dtype


class DataSet(mnist.DataSet):
    """TensorFlow 1.x's ``DataSet``: converts the images, then serves ``next_batch``.

    Args:
      images: uint8 np.ndarray [N, rows, cols, 1] (ignored with ``fake_data``).
      labels: np.ndarray [N] or [N, num_classes].
      fake_data: bool; True makes a DataSet of 10,000 examples with no data, whose
        ``next_batch(n, fake_data=True)`` gives ``[1] * 784`` images.
      one_hot: bool, the fake labels' form: ``[1] + [0] * 9`` if True, else ``0``.
      dtype: tf.float32 (pixels times 1/255 as float32 [0, 1]) or tf.uint8 (0-255 unchanged).
      reshape: bool; True flattens [N, rows, cols, 1] to [N, rows * cols].
      seed: int or None; seeds this DataSet's shuffles exactly as TF 1.x seeded numpy's
        (``tf.compat.v1.random.get_seed``, so a graph-level seed counts too). None, with no
        graph-level seed: numpy's global generator, as TF 1.x (``np.random.seed`` fixes it).
    Raises:
      TypeError: a dtype other than uint8 or float32.
      ValueError: images and labels of different lengths, or ``reshape`` of images that are not
        [N, rows, cols, 1].
    """

    def __init__(
        self,
        images,
        labels,
        fake_data=False,
        one_hot=False,
        dtype=tf.float32,
        reshape=True,
        seed=None,
    ):
        dtype = _image_dtype(dtype)
        self.one_hot = one_hot
        self._fake = bool(fake_data)
        if not fake_data:
            images, labels = np.asarray(images), np.asarray(labels)
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError(
                        f"images must be [N, rows, cols, 1] to be reshaped, got shape "
                        f"{list(images.shape)}; pass reshape=False to keep them as they are"
                    )
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            images = mnist.scale_images(images, dtype.as_numpy_dtype)
        super().__init__(images, labels)
        if fake_data:
            self._num_examples = FAKE_NUM_EXAMPLES
        seed1, seed2 = tf.compat.v1.random.get_seed(seed)
        seed = seed1 if seed is None else seed2
        # unseeded: np.random's shuffle and permutation, the global generator TF 1.x drew from
        self._rng = np.random if seed is None else np.random.RandomState(seed)

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Return the next ``batch_size`` examples from this data set.

        Args:
          batch_size: int, 1 to ``num_examples``.
          fake_data: bool; True returns TF 1.x's fake batch: a list of ``batch_size`` lists
            ``[1] * 784``, and a list of ``batch_size`` labels (``[1] + [0] * 9`` if the DataSet
            was made with ``one_hot``, else ``0``).
          shuffle: bool; shuffled at the start of every epoch if True.
        Returns:
          (images, labels): np.ndarrays [batch_size, ...], or the lists above.
        """
        if fake_data:
            batch_size = operator.index(batch_size)
            image = [1] * IMAGE_PIXELS
            label = [1] + [0] * (NUM_CLASSES - 1) if self.one_hot else 0
            return [image for _ in range(batch_size)], [label for _ in range(batch_size)]
        if self._fake:
            raise ValueError(
                "this DataSet holds fake data (read_data_sets(..., fake_data=True)) and no "
                "examples; ask for batches with next_batch(batch_size, fake_data=True)"
            )
        return super().next_batch(batch_size, shuffle=shuffle)


def _validation_size_error(validation_size, n):
    """TF 1.x's ValueError for a validation_size outside [0, n], with its message."""
    return ValueError(f"Validation size should be between 0 and {n}. Received: {validation_size}.")


def read_data_sets(
    train_dir,
    fake_data=False,
    one_hot=False,
    dtype=tf.float32,
    reshape=True,
    validation_size=VALIDATION_SIZE,
    seed=None,
    source_url=DEFAULT_SOURCE_URL,
):
    """MNIST as TensorFlow 1.x's ``input_data.read_data_sets``: train, validation, test.

    Args:
      train_dir: str or Path, the data folder (the book's ``"MNIST_data/"``); missing files are
        copied from our verified cache or fetched (``tfbasics.data.mnist_fetch``); None means
        ``$TFBASICS_DATA_DIR`` or ``~/.cache/tfbasics/mnist``.
      fake_data: bool; True gives three fake DataSets (no files read; see ``DataSet``).
      one_hot: bool; labels float64 [N, 10] instead of uint8 [N].
      dtype: tf.float32 (float32 pixels in [0, 1]) or tf.uint8 (0-255).
      reshape: bool; images [N, 784] if True, else [N, 28, 28, 1].
      validation_size: int in [0, 60000]; the first training examples become validation.
      seed: int or None, seeds each DataSet's shuffles (see ``DataSet``).
      source_url: str; MNIST's (the default): our verified files. Another (Fashion-MNIST's
        ``http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/``): the files in
        ``train_dir``, missing ones fetched from ``source_url + NAME.gz``, after digest or
        IDX format checks (``tfbasics.data.idx_folder``; one line says they are not MNIST).
    Returns:
      Datasets(train, validation, test): 55000 / 5000 / 10000 examples by default.
    Raises:
      TypeError: a dtype other than uint8 or float32; ValueError: validation_size outside
      [0, training examples]; mnist_files.MNISTError: the files are missing or damaged and
      cannot be fetched.
    """
    if fake_data:
        return Datasets(
            *(
                DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
                for _ in range(3)
            )
        )
    _image_dtype(dtype)  # bad arguments fail before any file is read or fetched
    if validation_size < 0:
        raise _validation_size_error(validation_size, NUM_TRAIN)
    other = idx_folder.use_folder(train_dir, source_url)  # another dataset: its own size
    if not other and validation_size > NUM_TRAIN:
        raise _validation_size_error(validation_size, NUM_TRAIN)
    validation_size = operator.index(validation_size)
    if other:
        a = idx_folder.folder_arrays(train_dir, source_url)
        if validation_size > len(a["y_train"]):
            raise _validation_size_error(validation_size, len(a["y_train"]))
    else:
        a = mnist_fetch.fetched_arrays(train_dir)

    def labels(y):
        return dense_to_one_hot(y, NUM_CLASSES) if one_hot else y

    train_images, train_labels = a["x_train"][..., np.newaxis], labels(a["y_train"])
    options = dict(one_hot=one_hot, dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(
        DataSet(train_images[validation_size:], train_labels[validation_size:], **options),
        DataSet(train_images[:validation_size], train_labels[:validation_size], **options),
        DataSet(a["x_test"][..., np.newaxis], labels(a["y_test"]), **options),
    )


def load_mnist(train_dir="MNIST-data"):
    """``read_data_sets(train_dir)`` with TF 1.x's defaults (float32 images, uint8 labels)."""
    return read_data_sets(train_dir)

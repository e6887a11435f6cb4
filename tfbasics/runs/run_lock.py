"""One process at a time in a folder: an OS file lock that the kernel releases when we die.

A run folder (and ``tfbasics grade --out``) holds a lock file, ``.tfbasics-lock``. Whoever writes
into the folder holds ``fcntl.flock(LOCK_EX)`` on it: a live run from the moment its folder is
claimed (``folders.run_dir``, ``run_records.open_run`` for ``--resume``) until it ends, and
``tfbasics clean-logs`` while it removes the folder. The kernel drops the lock when the process
dies, however it dies, so a crash never leaves a stale lock. The holder writes its process id
into the file, for the one line that refuses a second writer.

    hold(run)            # this process writes into ``run`` from now on (RunLocked if another does)
    with locked(run):    # a short job (clean-logs): the lock is released at the end of the block
        ...

The lock file is the one file not written through ``atomic``: a lock must stay on one inode.
"""

import contextlib
import errno
import os
import time
from pathlib import Path

LOCK_FILE = ".tfbasics-lock"

_held = {}  # resolved folder -> fd: the folders this process holds (released when it exits)


class RunLocked(Exception):
    """Another live process holds the folder's lock; ``pid`` is its process id (or None)."""

    def __init__(self, folder, pid):
        self.folder, self.pid = Path(folder), pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"{folder} is in use by {who}")


def _holder_pid(fd):
    """The process id the holder wrote into the lock file (None if not written yet)."""
    for _ in range(50):  # the holder writes its id right after taking the lock
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        time.sleep(0.01)
    return None


def acquire(folder, create=True):
    """Take the lock of ``folder`` without waiting; return the open file descriptor (int).

    Args:
      folder: str or Path of an existing folder.
      create: bool; False: a folder without a lock file was never locked, FileNotFoundError.
    Raises:
      RunLocked: another process holds it.
      FileNotFoundError: the folder is gone (or was removed while the lock was taken).
    """
    import fcntl

    path = Path(folder) / LOCK_FILE
    flags = os.O_RDWR | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    fd = os.open(path, flags, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(folder, _holder_pid(fd)) from None
        # clean-logs renames a folder away under the lock: the file we locked must still be here
        st = os.fstat(fd)
        try:
            now = os.stat(path)
        except FileNotFoundError:
            now = None
        if now is None or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            raise FileNotFoundError(errno.ENOENT, "the folder was removed", str(folder))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def locked(folder, create=True):
    """``acquire(folder)`` for the length of a ``with`` block (RunLocked if another holds it)."""
    fd = acquire(folder, create)
    try:
        yield Path(folder)
    finally:
        os.close(fd)


def hold(folder):
    """Lock ``folder`` for as long as this process writes to it (no-op if it already holds it).

    Raises:
      RunLocked: another process holds it.
    """
    key = Path(folder).resolve()
    if key not in _held:
        _held[key] = acquire(folder)


def release(folder):
    """Let go of a folder ``hold`` took (the run is over; nothing more is written)."""
    fd = _held.pop(Path(folder).resolve(), None)
    if fd is not None:
        os.close(fd)


def holds(path):
    """The folder this process holds that ``path`` (a Path) is inside of, or None."""
    path = Path(path).resolve()
    for folder in _held:
        if folder == path or folder in path.parents:
            return folder
    return None


def holder(folder):
    """The process id holding ``folder``'s lock now (0 if unknown), or None if it is free or
    held by this process (its own run, e.g. a notebook's: done with once it is cleaned)."""
    import fcntl

    if Path(folder).resolve() in _held:
        return None
    try:  # a look only: a shared lock, taken and dropped, and nothing written
        fd = os.open(Path(folder) / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None  # no lock file: never locked (a run from before locks)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder_pid(fd) or 0
    finally:
        os.close(fd)
    return None

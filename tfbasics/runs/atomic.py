"""Write a file whole or not at all: a temporary name in the same folder, then a rename.

Every file this package writes goes through here (IDX files, run markers, models, PNGs, JSON):
a crash, Ctrl-C or a full disk leaves at most a hidden ``.<name>.<pid>.<random>.tmp<suffix>`` that is
removed on the way out, never a half-written file under the real name. ``os.replace`` within one
folder is atomic on POSIX and Windows.

    atomic_write(path, [b"bytes", ...])        # bytes you have
    atomic_write_text(path, "text")            # text (UTF-8)
    with atomic_path("model.keras") as tmp:     # a library that writes by file name
        model.save(tmp)                         # tmp keeps the suffix (.keras) such tools check

An ``OSError`` from the write names the real ``path`` (a full disk's ``ENOSPC`` otherwise names
no file), so the one-line message of ``script_errors.script_main`` can say which file failed.
``stale_temporaries`` finds the temporaries a killed writer left (SIGKILL, power cut): the name
format is written and parsed here only.
"""

import contextlib
import errno
import os
from pathlib import Path

from tfbasics.runs import run_lock

TMP_SUFFIX = ".tmp"  # a temporary is .<name>.<writer pid>.<random>.tmp<suffix of name>


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary Path beside ``path``; on a clean exit rename it to ``path``.

    The temporary file exists (empty) when yielded; write it by name. On any exception
    (KeyboardInterrupt included) it is removed and ``path`` is untouched.

    Args:
      path: str or Path of the file to write; its folder is created if missing, unless it is
        in a run folder this process holds (``run_lock.hold``) that was removed.
    Yields:
      pathlib.Path ``.<name>.<pid>.<random>.tmp<suffix>`` in the same folder.
    Raises:
      OSError naming ``path`` (errno kept: ENOSPC, EROFS, EACCES, ...).
    """
    path = Path(path)
    tmp = None
    try:
        run = run_lock.holds(path.parent)
        if run is not None and not run.is_dir():  # never re-create a run folder behind a delete
            raise FileNotFoundError(errno.ENOENT, "the run folder was removed", str(run))
        path.parent.mkdir(parents=True, exist_ok=True)
        # the writer's process id is in the name, so a later run can tell a temporary left
        # by a killed process (stale_temporaries) from one being written now. The name is
        # known before the file exists, so a signal at any point leaves nothing behind
        while tmp is None:
            name = f"{temporary_prefix(path)}{os.urandom(4).hex()}{TMP_SUFFIX}{path.suffix}"
            tmp = path.parent / name
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
            except FileExistsError:
                tmp = None  # another writer's: try another name
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # made 0600 above; ours are as readable as any file
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        if err.filename is None or (tmp is not None and err.filename == str(tmp)):
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def atomic_write(path, chunks):
    """Write the byte chunks to ``path`` through a temporary file in the same folder, then rename.

    Args:
      path: str or Path.
      chunks: iterable of bytes.
    Returns:
      ``path`` as a Path.
    Raises:
      OSError naming ``path``; ``path`` is then as it was before the call.
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    return Path(path)


def atomic_write_text(path, text):
    """Write ``text`` (str, UTF-8) to ``path`` atomically; returns the Path."""
    return atomic_write(path, [text.encode("utf-8")])


def temporary_prefix(path):
    """``.<name>.<this process id>.``: how every temporary for ``path`` (a Path) starts."""
    return f".{path.name}.{os.getpid()}."


def process_alive(pid):
    """True if a process with id ``pid`` exists on this machine (it may be another user's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # exists, but belongs to another user
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    return True


def stale_temporaries(folder, names):
    """Temporaries of ``names`` in ``folder`` whose writer is gone (killed): safe to delete.

    Args:
      folder: str or Path; names: the final file names whose temporaries to look for.
    Returns:
      sorted list of Path.
    """
    stale = []
    for name in names:
        for tmp in Path(folder).glob(f".{name}.*{TMP_SUFFIX}{Path(name).suffix}"):
            pid = tmp.name[len(name) + 2 :].split(".", 1)[0]
            if not pid.isdigit() or not process_alive(int(pid)):
                stale.append(tmp)
    return sorted(stale)

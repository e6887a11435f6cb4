"""What the file system allows where a run goes: the longest folder name, links that go nowhere.

``folders`` asks these before it makes anything, so a flag the file system would refuse is one
line naming it (``--run-name``, ``--logdir``) instead of ``[Errno 36]`` or ``[Errno 40]``.
"""

import errno
import os
from pathlib import Path


def name_max(folder):
    """The longest file name, in bytes, the file system of ``folder`` allows (NAME_MAX: 255 on
    most). ``folder`` (str or Path) need not exist: the nearest folder above it that does counts.
    """
    path = Path(folder).absolute()
    while not path.is_dir() and path != path.parent:
        path = path.parent
    try:
        return os.pathconf(path, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows) or no answer
        return 255


def check_name_length(name, folder):
    """Raise ValueError unless file name ``name`` (str) fits the file system of ``folder``."""
    size, limit = len(os.fsencode(name)), name_max(folder)
    if size > limit:
        raise ValueError(
            f"is {size} bytes long ({name[:12]!r}...), longer than the {limit} bytes a folder "
            "name may have on this file system; pass a shorter name"
        )


def broken_link(path):
    """The first symlink on ``path`` (str or Path) that leads nowhere, as an OSError naming it,
    or None: ELOOP "is a symlink loop" (``ln -s loop loop``, or two links to each other), or
    EEXIST "is a symlink to ..., which does not exist" (what ``mkdir`` would say there)."""
    path = Path(path)
    for part in (*reversed(path.parents), path):
        try:
            os.stat(part)
        except OSError as e:
            if e.errno == errno.ELOOP:
                return OSError(e.errno, "is a symlink loop (it leads back to itself)", str(part))
            if part.is_symlink():
                target = f"is a symlink to {os.readlink(part)}, which does not exist"
                return OSError(errno.EEXIST, target, str(part))
            return None  # missing, or not ours to look into: the caller's next checks say so
    return None

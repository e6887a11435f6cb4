"""What the file system allows where a run goes: the longest folder name, links that lead nowhere.

``folders`` asks these before it makes anything, so a flag the file system would refuse is one
line naming it (``--run-name``, ``--logdir``) instead of ``[Errno 36]`` or ``[Errno 40]``.
"""

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

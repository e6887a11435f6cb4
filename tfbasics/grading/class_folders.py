"""What a class folder holds: the student folders to grade, and every other entry with why not.

``find_students(class_dir)`` sorts each visible entry of the class folder (names starting with
"." are not students: ``.git``, ``.DS_Store``) into a student folder to grade, or a ``Skipped``
with the reason: a file, a broken symlink, an empty folder, a folder with only a notebook or no
exercise files, a folder that cannot be read, or a symlink to a folder already graded under
another name (``symlink to alice``: one folder is graded once, whatever points at it).
``submitted_at(folder)`` is when its exercise files last changed.
"""

import os
from pathlib import Path

from tfbasics.grading import exercise_list
from tfbasics.grading.grade_results import Skipped, utc_stamp


def submitted_at(folder, names=None):
    """The newest modification time of the exercise files in ``folder`` (``<name>.py`` and
    ``<name>.ipynb``, symlinks not followed) and of any other notebook there.

    Args:
      folder: Path; names: exercise names (default: all).
    Returns:
      ISO 8601 UTC str (``utc_stamp``), or "" when there is none.
    """
    folder = Path(folder)
    candidates = [
        folder / f"{n}{ext}" for n in names or exercise_list.names() for ext in (".py", ".ipynb")
    ]
    try:
        candidates += list(folder.glob("*.ipynb"))
    except OSError:
        pass
    times = []
    for path in candidates:
        try:
            times.append(os.lstat(path).st_mtime)
        except OSError:
            continue
    return utc_stamp(max(times)) if times else ""


def _why_not(path, names):
    """Why ``path`` is not a student's folder (str), or "" when it is one."""
    if path.is_symlink() and not path.exists():
        return f"a broken symlink (to {os.readlink(path)})"
    if not path.is_dir():
        return "a file, not a student's folder"
    try:
        inside = [p for p in path.iterdir() if not p.name.startswith(".")]
        # a notebook named for its exercise is graded as the .py would be
        if any((path / f"{n}.py").is_file() or (path / f"{n}.ipynb").is_file() for n in names):
            return ""
    except OSError as err:  # a folder readable but not searchable: is_file() raises
        return f"cannot be read: {err.strerror}"
    if not inside:
        return "no exercise files: the folder is empty"
    notebooks = sorted(p.name for p in inside if p.suffix == ".ipynb")
    if notebooks:
        some = ", ".join(notebooks[:3]) + (", ..." if len(notebooks) > 3 else "")
        return f"no exercise files: only a notebook ({some}), no neuron.py, hello.py, ..."
    return "no exercise files (neuron.py, hello.py, ...) in it"


def find_students(class_dir, names=None):
    """Sort the entries of ``class_dir`` into student folders and skipped entries.

    Args:
      class_dir: Path of the folder of student folders; names: exercise names (default: all).
    Returns:
      (students, skipped): student folder Paths in name order, each a distinct folder once
      resolved (a real folder wins over a symlink to it, else the first name); ``Skipped``
      for every other visible entry, in name order.
    """
    names = names or exercise_list.names()
    entries = sorted(p for p in Path(class_dir).iterdir() if not p.name.startswith("."))
    graded, skipped = {}, []  # resolved folder -> the entry graded for it
    for path in sorted(entries, key=lambda p: (p.is_symlink(), p.name)):  # real folders first
        reason = _why_not(path, names)
        if not reason:
            key = path.resolve()
            if key in graded:
                reason = f"symlink to {graded[key].name}"
            else:
                graded[key] = path
                continue
        skipped.append(Skipped(path.name, reason, submitted_at(path) if path.is_dir() else ""))
    students = sorted(graded.values(), key=lambda p: p.name)
    return students, sorted(skipped, key=lambda s: s.name)

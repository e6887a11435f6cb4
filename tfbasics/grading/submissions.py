"""What a submission is: the source of one exercise in a learner's folder, copied to be graded.

``prepare(folder, "softmax", dest)`` writes the source the grader imports to
``dest/softmax.py``, never importing anything from the learner's folder itself:
``<folder>/softmax.py`` as its bytes (read through the file, even a symlink), or else the code
cells of ``<folder>/softmax.ipynb`` (``notebook_source``). What it met on the way is reported,
not judged, as short flags: a symlink, a file that resolves outside the learner's folder, a
notebook set aside for the .py, and what ``source_scan`` finds in the code. ``scan_folder``
flags the links anywhere in a learner's folder.
"""

import ast
import functools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from tfbasics.grading import notebook_source, source_scan
from tfbasics.grading.exercise_list import stub_path

MAX_SOURCE_BYTES = 1 << 20  # an exercise file is a few KB; past 1 MiB it is not a solution
MAX_NOTEBOOK_BYTES = 32 << 20  # a notebook carries its outputs (pictures) too
MAX_SCANNED_ENTRIES = 5000  # scan_folder stops there (a learner's folder is small)
MAX_LINK_FLAGS = 20  # then one line says how many more
REFERENCE = Path(__file__).resolve().parents[1]  # tfbasics/: the reference implementation
SKIPPED_FOLDERS = {"__pycache__", ".git", ".ipynb_checkpoints", "node_modules"}


@dataclass
class Prepared:
    """One exercise of one learner, ready for the grader (or why it is not)."""

    exercise: str  # "softmax"
    source: str  # the learner's file as they see it, for messages: "alice/softmax.py"
    kind: str  # "py", "ipynb" or "missing"
    path: Path = None  # dest/<exercise>.py as written; None when there is nothing to grade
    flags: list = field(default_factory=list)  # short lines for the instructor
    reference_names: frozenset = frozenset()  # the exercise's names taken from tfbasics
    problem: str = ""  # one line when nothing can be graded (missing, unreadable, bad notebook)


@functools.cache
def exercise_names(exercise_name):
    """The names an exercise asks for: the stub's top-level functions and classes, error
    classes left out (one may come from anywhere: it solves nothing by itself).

    Args:
      exercise_name: "softmax", ...
    Returns:
      frozenset of str, e.g. {"softmax", "one_hot", "cross_entropy", "fused_cross_entropy"}.
    """
    tree = ast.parse(stub_path(exercise_name).read_bytes())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            bases = [getattr(b, "id", getattr(b, "attr", "")) for b in node.bases]
            if not any(b.endswith(("Error", "Exception")) for b in bases):
                found.add(node.name)
    return frozenset(found)


def display(path):
    """``path`` as the learner names it: relative to the current folder when below it, else
    absolute (str). Unlike ``exercise_list.display`` no link is followed: a symlinked file is
    named as the learner's, not as the file it points to."""
    path = Path(path).absolute()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _shown(target, folder):
    """``target`` (resolved) as a short path from the learner's folder: "../bob/softmax.py",
    "lib/x.py"; absolute when it is outside the class folder."""
    base = Path(folder).absolute().parent.resolve() / Path(folder).name
    rel = os.path.relpath(target, base)
    return str(target) if rel.startswith(os.pardir + os.sep + os.pardir) else rel


def _inside(target, folder):
    try:
        target.relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def link_flags(path, folder):
    """What is odd about one entry of a learner's folder.

    Args:
      path: a file or folder inside ``folder`` (Path, not resolved).
      folder: the learner's folder.
    Returns:
      list of str: a symlink (and where to, "(outside the student's folder)" or "(the
      reference in tfbasics/)"), a file resolving outside the folder, a file with other hard
      links; [] for an ordinary entry.
    """
    name = os.path.relpath(Path(os.path.realpath(path.parent)) / path.name, Path(folder).resolve())
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return [f"{name} is a symlink that cannot be resolved"]
    outside = not _inside(target, folder)
    where = " (outside the student's folder)" if outside else ""
    if _inside(target, REFERENCE):
        where = " (the reference in tfbasics/)"
    if path.is_symlink():
        broken = "" if os.path.exists(target) else ", which does not exist"
        return [f"{name} is a symlink to {_shown(target, folder)}{broken}{where}"]
    flags = [f"{name} resolves outside the student's folder: {target}"] if outside else []
    try:
        links = path.stat().st_nlink
    except OSError:
        links = 1
    if path.is_file() and links > 1:
        flags.append(f"{name} has {links} hard links: the same file may be in another folder")
    return flags


def _read(path, limit):
    """(bytes, "") of a regular file read through any symlink, or (None, one-line reason)."""
    shown = display(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the grader
    except FileNotFoundError:
        return None, f"{shown} is a symlink to a file that does not exist"
    except OSError as e:
        return None, f"{shown} cannot be read: {e.strerror}"
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, f"{shown} is not a regular file"
        if info.st_size > limit:
            return None, f"{shown} is {info.st_size / 2**20:.1f} MiB: over {limit >> 20} MiB"
        try:
            data = f.read(limit + 1)
        except OSError as e:
            return None, f"{shown} cannot be read: {e.strerror}"
    if len(data) > limit:  # it grew while being read
        return None, f"{shown} is over {limit >> 20} MiB"
    return data, ""


def read_submission(folder, exercise_name):
    """The source of ``exercise_name`` in ``folder``, without writing anything.

    Args:
      folder: the learner's folder (str or Path).
      exercise_name: "softmax", ...
    Returns:
      (Prepared with path None, source bytes or None); the bytes are the .py's, or the module
      made of the notebook's code cells.
    """
    folder = Path(folder)
    py, nb = folder / f"{exercise_name}.py", folder / f"{exercise_name}.ipynb"
    has_py, has_nb = (os.path.lexists(p) for p in (py, nb))
    where = None
    if has_py:
        found = Prepared(exercise_name, display(py), "py", flags=link_flags(py, folder))
        if has_nb:
            found.flags.append(f"{nb.name} ignored: {py.name} is graded")
        data, found.problem = _read(py, MAX_SOURCE_BYTES)
    elif has_nb:
        found = Prepared(exercise_name, display(nb), "ipynb", flags=link_flags(nb, folder))
        data, found.problem = _read(nb, MAX_NOTEBOOK_BYTES)
        if data is not None:
            try:
                converted = notebook_source.convert(data, display(nb))
                data, where = converted.source.encode("utf-8"), converted.where
            except notebook_source.NotebookError as e:
                data, found.problem = None, str(e)
    else:
        problem = f"there is no {display(py)} (nor {nb.name})"
        return Prepared(exercise_name, display(py), "missing", problem=problem), None
    if data is not None:
        scanned = source_scan.scan(data, exercise_names(exercise_name), where)
        found.flags.extend(scanned.flags)
        found.reference_names = scanned.reference_names
    return found, data


def prepare(folder, exercise_name, dest):
    """Write the source of ``exercise_name`` from ``folder`` to ``dest/<exercise_name>.py``.

    Nothing of the learner's folder is imported or run. A stale ``dest/<exercise_name>.py`` is
    removed first, so a learner with nothing to grade leaves nothing there.

    Args:
      folder: the learner's folder (str or Path).
      exercise_name: "softmax", ... (a name of exercise_list.EXERCISES).
      dest: the work folder the grader's sandboxed process imports from (made if missing).
    Returns:
      Prepared: ``path`` is the written file, or None with ``problem`` saying why.
    """
    found, data = read_submission(folder, exercise_name)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"{exercise_name}.py"
    target.unlink(missing_ok=True)
    if data is not None:
        target.write_bytes(data)
        found.path = target
    return found


def scan_folder(folder):
    """Flags for the links in a learner's folder: the folder itself a symlink, and every
    symlinked file or folder inside it (not followed), and a file resolving outside it.

    Args:
      folder: the learner's folder (str or Path).
    Returns:
      list of str, e.g. ["softmax.py is a symlink to ../bob/softmax.py (outside the student's
      folder)"]; caches (__pycache__, .git, virtual environments) are not looked into.
    """
    folder = Path(folder)
    flags = []
    if folder.is_symlink():
        flags.append(f"the folder is a symlink to {_shown(folder.resolve(), folder)}")
    seen = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIPPED_FOLDERS and not (Path(root) / d / "pyvenv.cfg").exists()
        )
        for name in sorted(files) + dirs:
            seen += 1
            path = Path(root) / name
            if path.is_symlink() or name.endswith((".py", ".ipynb")):
                flags.extend(link_flags(path, folder))
        if seen > MAX_SCANNED_ENTRIES:
            flags.append(f"scanned the first {MAX_SCANNED_ENTRIES} entries only")
            break
    if len(flags) > MAX_LINK_FLAGS:
        flags[MAX_LINK_FLAGS:] = [f"and {len(flags) - MAX_LINK_FLAGS} more like these"]
    return flags

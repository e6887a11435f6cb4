"""The chapter's sections: find them and name them, without importing a script.

- ``discover_sections()`` -> the ``Section`` list in chapter order (``twins=True``: the
  TensorFlow 2 twins in ``chapters/tf2/``), read without importing a script (no TensorFlow).
- ``resolve_sections(names, sections, twins)``: the names given to ``tfbasics run`` (``3``,
  ``03``, ``ch01_03``, ``ch01_03_basic_math``, ``basic_math``, ``tf2/3``, ``all``) -> sections.

Running them is ``tfbasics.cli.section_runner``'s job.
"""

import ast
import re
from pathlib import Path

from tfbasics.cli.common import PROG, CliError

SCRIPT_GLOB = "ch01_*.py"  # chapter 1's sections; the number after ch01_ orders them
SCRIPT_RE = re.compile(r"^ch(\d\d)_(\d\d)_(\w+)$")
TWINS = "tf2"  # chapters/tf2/ holds the TensorFlow 2 twins, named tf2/<section> on the command line


# ---------------------------------------------------------------------------------------------
# finding and naming the sections


class Section:
    """One chapter script: ``chapters/ch01_NN_name.py``.

    Attributes:
      name: str, the module name (``ch01_03_basic_math``); ``tf2/ch01_03_basic_math`` for a twin.
      stem: str, the file name without ``.py``.
      module: str, what ``python -m`` runs (``tfbasics.chapters.tf2.ch01_03_basic_math``).
      twin: bool, a TensorFlow 2 twin (chapters/tf2/).
      number: int, the section number within the chapter (3).
      short: str, the name after the number (``basic_math``).
      path: Path of the script.
      description: str, the first line of the script's docstring.
    """

    def __init__(self, path, twin=False):
        self.path = Path(path)
        self.stem, self.twin = self.path.stem, twin
        self.name = f"{TWINS}/{self.stem}" if twin else self.stem
        self.module = f"tfbasics.chapters.{TWINS + '.' if twin else ''}{self.stem}"
        match = SCRIPT_RE.match(self.stem)
        self.number = int(match.group(2))
        self.short = match.group(3)
        self.description = _first_docstring_line(self.path)

    def __repr__(self):
        return f"Section({self.name!r})"


def _first_docstring_line(path):
    """The first line of a script's module docstring, read without importing it (no TensorFlow)."""
    try:
        doc = ast.get_docstring(ast.parse(Path(path).read_text(encoding="utf-8")))
    except (SyntaxError, OSError, UnicodeDecodeError):
        doc = None
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else "(no description)"


def chapters_dir():
    """The folder of the chapter scripts, installed as ``tfbasics.chapters`` (a Path)."""
    import tfbasics.chapters

    return Path(tfbasics.chapters.__file__).resolve().parent


def discover_sections(folder=None, twins=False):
    """The chapter's sections in order, or their TensorFlow 2 twins.

    Args:
      folder: Path of the scripts, or None for the installed ``chapters`` package.
      twins: bool; True lists the twins in ``folder/tf2/`` instead.
    Returns:
      list of Section, sorted by section number.
    """
    folder = Path(folder) if folder is not None else chapters_dir()
    if twins:
        folder = folder / TWINS
    paths = [p for p in folder.glob(SCRIPT_GLOB) if SCRIPT_RE.match(p.stem)]
    return sorted((Section(p, twins) for p in paths), key=lambda s: (s.number, s.name))


def resolve_sections(names, sections, twins=()):
    """Turn the names given on the command line into sections, in chapter order.

    Args:
      names: list of str; ``all``, a number (``3``, ``03``), ``ch01_03``, the full script name or
        the name after the number (``basic_math``; ``basic-math`` works too); any of these after
        ``tf2/`` names a TensorFlow 2 twin (``tf2/all``: every twin; ``all`` runs no twin).
      sections: list of Section, from ``discover_sections()``.
      twins: list of Section, from ``discover_sections(twins=True)``.
    Returns:
      list of Section without repeats, in chapter order.
    Raises:
      CliError for a name that matches no section.
    """
    chosen = set()
    for raw in names:
        key = raw.strip().lower().replace("-", "_")
        if key.endswith(".py"):
            key = key[:-3]
        pool, prefix = sections, ""
        if key.startswith(f"{TWINS}/"):
            pool, prefix, key = list(twins), f"{TWINS}/", key[len(TWINS) + 1 :]
        if key == "all":
            chosen.update(s.name for s in pool)
            continue
        matches = [
            s
            for s in pool
            if key in (s.stem, s.short, s.stem[: len("ch01_NN")])
            or (key.isdigit() and int(key) == s.number)
        ]
        if not matches:
            known = ", ".join(f"{prefix}{s.number} ({s.short})" for s in pool) or "none found"
            raise CliError(f"unknown section {raw!r}; the sections are: {known} (see: {PROG} list)")
        chosen.update(s.name for s in matches)
    return [s for s in [*sections, *twins] if s.name in chosen]

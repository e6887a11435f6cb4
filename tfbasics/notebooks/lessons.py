"""Lessons and their notebooks: which files are lessons, and the notebook jupytext makes of each.

A lesson is ``chapters/ch01_NN_<name>.py`` in jupytext's percent format (``# %%`` code cells,
``# %% [markdown]`` cells, a script-only ``# %% active="py"`` cell, notebook-only
``# %% active="ipynb"`` cells); its notebook is ``notebooks/ch01_NN_<name>.ipynb``. In the
notebook the script-only cell is a raw cell (never run) and the notebook-only cells are code.

- ``to_notebook(lesson)``: the notebook of a lesson, cells and metadata, before execution;
- ``drift(lesson, notebook)``: what differs between a committed notebook and its lesson;
- ``cell_lines(lesson)``: the line where each cell starts, for error messages.

jupytext and nbformat are imported inside the functions: ``--help`` needs neither.
"""

import hashlib
from pathlib import Path

CHAPTERS = "chapters"  # the lessons, relative to the repository root
NOTEBOOKS = "notebooks"  # their notebooks, committed executed
CELL_MARKER = "# %%"  # jupytext's percent format starts every cell with it
FORMAT = "py:percent"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class LessonError(ValueError):
    """A lesson or a notebook that cannot be used; the message is one line naming the file."""


def repository_root():
    """The checkout this package runs from: the folder holding chapters/ and notebooks/ (Path)."""
    return Path(__file__).resolve().parents[2]


def find_lessons(root):
    """The lessons of ``root``'s chapters/, in chapter order (list of cli.sections.Section)."""
    from tfbasics.cli.sections import discover_sections

    return discover_sections(Path(root) / CHAPTERS)


def notebook_for(root, lesson):
    """Where the notebook of ``lesson`` (a Section) lives: notebooks/<lesson>.ipynb (a Path)."""
    return Path(root) / NOTEBOOKS / f"{lesson.stem}.ipynb"


def shown(path):
    """``path`` as messages show it: relative to the working folder when inside it (str)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_lesson(path):
    """The text of a lesson (str).

    Raises:
      LessonError if it cannot be read or is not in jupytext's percent format.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise LessonError(f"{shown(path)}: cannot read the lesson ({err})") from None
    if not any(line.startswith(CELL_MARKER) for line in text.splitlines()):
        raise LessonError(
            f"{shown(path)}: not a notebook lesson yet: no `{CELL_MARKER}` cell marker "
            "(a lesson is a jupytext percent-format script; see CONVENTIONS.md)"
        )
    return text


def to_notebook(path):
    """The notebook jupytext makes of the lesson at ``path``, not executed.

    Args:
      path: str or Path of chapters/ch01_NN_<name>.py.
    Returns:
      nbformat.NotebookNode (nbformat 4) with the Python 3 kernel set, so that JupyterLab
      opens it without asking, and cell ids made from the cells' text (a rebuild changes only
      what changed); jupytext's cell metadata (``active``, blank lines) is kept, so
      ``jupytext --to py:percent`` of the notebook gives the lesson back.
    Raises:
      LessonError (see ``read_lesson``).
    """
    import jupytext

    nb = jupytext.reads(read_lesson(path), fmt=FORMAT)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    seen = set()
    for cell in nb.cells:  # nbformat draws random cell ids: every rebuild would change them all
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
        cell.id = digest if digest not in seen else f"{digest}-{len(seen)}"
        seen.add(cell.id)
    return nb


def cells(nb):
    """What the drift check compares: ``[(cell_type, source), ...]`` of a notebook."""
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def read_notebook(path):
    """The notebook at ``path`` (nbformat.NotebookNode, version 4).

    Raises:
      LessonError if it is missing or is not a notebook.
    """
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise LessonError(f"{shown(path)}: missing") from None
    except (OSError, ValueError, UnicodeDecodeError) as err:  # JSON and nbformat errors included
        raise LessonError(
            f"{shown(path)}: not a readable notebook ({type(err).__name__})"
        ) from None


def drift(lesson_path, notebook_path):
    """What is wrong with a committed notebook, compared with its lesson.

    Args:
      lesson_path, notebook_path: str or Path.
    Returns:
      list of str, one line each; empty when the notebook's cells (type and source) are the
      lesson's and every code cell has been executed.
    """
    try:
        want = cells(to_notebook(lesson_path))
        nb = read_notebook(notebook_path)
    except LessonError as err:
        return [str(err)]
    have = cells(nb)
    problems = []
    lesson_path, notebook_path = shown(lesson_path), shown(notebook_path)
    starts = cell_lines(read_lesson(lesson_path))
    for index, (wanted, found) in enumerate(zip(want, have)):
        if wanted != found:
            where = f"{lesson_path}:{starts[index]}" if index < len(starts) else str(lesson_path)
            problems.append(
                f"{notebook_path}: cell {index + 1} ({found[0]}) differs from the lesson's "
                f"({wanted[0]}, {where}): {first_difference(found[1], wanted[1])}"
            )
            break  # after one difference the rest is usually shifted: one line says enough
    if not problems and len(want) != len(have):
        problems.append(
            f"{notebook_path}: {len(have)} cells, its lesson {lesson_path} has {len(want)}"
        )
    if not problems:
        unrun = [
            i + 1
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None
        ]
        if unrun:
            problems.append(
                f"{notebook_path}: not executed (code cells {', '.join(map(str, unrun[:5]))}"
                f"{', ...' if len(unrun) > 5 else ''} have no output count)"
            )
    return problems


def orphans(root, lessons):
    """The notebooks in notebooks/ that belong to no lesson (list of Path)."""
    stems = {lesson.stem for lesson in lessons}
    folder = Path(root) / NOTEBOOKS
    return sorted(p for p in folder.glob("*.ipynb") if p.stem not in stems)


def cell_lines(text):
    """The line (1-based) where each cell of a lesson starts, in notebook order (list of int).

    The first cell has no marker when the lesson starts with its docstring (jupytext makes a
    cell of what comes before the first ``# %%``).
    """
    lines = text.splitlines()
    starts = [i + 1 for i, line in enumerate(lines) if line.startswith(CELL_MARKER)]
    first = next((i + 1 for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and (not starts or first < starts[0]):
        starts.insert(0, first)
    return starts


def first_difference(found, wanted):
    """Where two cells' sources part: the notebook's line and the lesson's, cut (str)."""
    pairs = zip(found.splitlines() + [""], wanted.splitlines() + [""])
    for number, (have, want) in enumerate(pairs, 1):
        if have != want:
            return f"line {number}: {first_line(have)!r} vs {first_line(want)!r}"
    return "they differ in blank lines"


def first_line(source):
    """The first non-blank line of a cell's source, cut to 60 characters (str)."""
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."

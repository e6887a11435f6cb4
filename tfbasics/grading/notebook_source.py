"""A notebook handed in for an exercise, as the Python module it is graded as.

The code cells, in order, become one module; each starts with a ``# %% cell N`` line (N counts
every cell from 1, as the learner scrolls), so a line of the module can be traced back to its
cell (``Converted.where``). IPython's lines that are not Python (``%magic``, ``!shell``,
``x = !ls``, ``help?``) are commented out in place, and a ``%%cell_magic`` cell entirely; cells
jupytext marks notebook-only (``active`` without ``py``) are commented out as jupytext writes
them in a .py, and raw cells it marks active in py are code. Line count and order are kept, so
the graded module is the .py the learner would have written.
"""

import ast
import re
from bisect import bisect_right
from dataclasses import dataclass

SHELL_ASSIGN = re.compile(r"^\s*[\w.]+\s*=\s*[!%]")  # files = !ls   /   t = %timeit -o f()
HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.]+\?\??)\s*$")  # np.exp?   ??softmax


class NotebookError(Exception):
    """A notebook that cannot be read; the message is one line naming what is wrong."""


@dataclass
class Converted:
    """A notebook's code as one module, and where each cell starts in it."""

    source: str
    starts: list  # (first line of the cell's code in ``source``, cell number), ascending

    def where(self, lineno):
        """'cell 3, line 2' for line ``lineno`` of ``source`` ('line N' before any cell)."""
        i = bisect_right([s for s, _ in self.starts], lineno) - 1
        if i < 0:
            return f"line {lineno}"
        first, number = self.starts[i]
        return f"cell {number}, line {lineno - first + 1}"


def _is_ipython(line):
    stripped = line.lstrip()
    return stripped.startswith(("%", "!")) or bool(SHELL_ASSIGN.match(line) or HELP.match(line))


def _python_lines(text, active):
    """The cell's lines as they stand in the module: IPython-only ones commented out."""
    lines = text.splitlines()
    if not active or (lines and lines[0].lstrip().startswith("%%")):
        return [f"# {line}" if line else "#" for line in lines]
    try:
        ast.parse(text)
        return lines  # Python as it stands (a '%' or '!' line inside a string stays as it is)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    out = []
    for line in lines:
        if not _is_ipython(line):
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        # a commented line alone in a block would leave it empty: `pass` keeps it a statement
        out.append(f"{indent}pass  # {line.lstrip()}" if indent else f"# {line}")
    return out


def _active_in_py(cell):
    metadata = cell.get("metadata")
    active = metadata.get("active") if isinstance(metadata, dict) else None
    if active is None:
        return cell.get("cell_type") == "code"
    return "py" in str(active).split(",")


def convert(text, name="notebook.ipynb"):
    """The code cells of a notebook as one module.

    Args:
      text: str or bytes, the .ipynb file's content (nbformat 4, or an older one it upgrades).
      name: the file's name, for messages.
    Returns:
      Converted: the module's text and the first line of each cell in it.
    Raises:
      NotebookError: one line, for content that is not JSON or not a notebook.
    """
    import nbformat  # only a grader that meets a notebook pays for importing it

    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        nb = nbformat.reads(text, as_version=4)
        cells = list(nb.cells)
    except Exception as e:  # nbformat raises JSON, validation and key errors of many kinds
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise NotebookError(f"{name} is not a notebook nbformat can read: {first}") from None
    lines, starts = [], []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        active = _active_in_py(cell)
        if kind not in ("code", "raw") or (kind == "raw" and not active):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        lines.append(f"# %% cell {number}")
        starts.append((len(lines) + 1, number))
        lines.extend(_python_lines(source, active))
        lines.append("")
    return Converted("\n".join(lines) + "\n", starts)

"""Helpers for tests: read back what a run wrote, with TensorBoard's own event reader; read a
lesson's first screen; run the README's chapter command once and split its output by section."""

import ast
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHAPTER_RUN = "chapter_run"  # xdist group of the tests that read the one ``ChapterRun``


def event_files(path):
    """All TensorBoard event files below ``path`` (a list of Path)."""
    return sorted(Path(path).rglob("events.out.tfevents.*"))


def load_events(path):
    """TensorBoard's EventAccumulator for the run folder ``path``, fully loaded.

    ``acc.Tags()`` then lists 'graph', 'scalars', 'histograms', 'images', 'tensors'.
    """
    from tensorboard.backend.event_processing import event_accumulator

    acc = event_accumulator.EventAccumulator(
        str(path),
        size_guidance={
            event_accumulator.TENSORS: 0,
            event_accumulator.SCALARS: 0,
            event_accumulator.IMAGES: 0,
            event_accumulator.HISTOGRAMS: 0,
        },
    )
    acc.Reload()
    return acc


def graph_op_names(path):
    """Names of the ops in the graph written to run folder ``path`` (a set of str)."""
    acc = load_events(path)
    return {node.name for node in acc.Graph().node}


def first_screen(module, lines=60):
    """The teaching code a reader meets first: up to ``lines`` non-blank code lines (docstrings
    left out) after the module docstring and imports, cut at the command line.

    A lesson is a jupytext percent-format script: its markdown cells (``# %% [markdown]``) and
    notebook-only cells (``# %% active="ipynb"``) are comments in the .py and are left out; the
    command line is ONE script-only cell (``# %% active="py"``), the last cell, holding ``main``,
    the last function. A script without cells is cut at ``def main(``.
    """
    source = Path(module.__file__).read_text(encoding="utf-8")
    body = ast.parse(source).body
    functions = [node for node in body if isinstance(node, ast.FunctionDef)]
    assert functions[-1].name == "main", f"main() is not the last function of {module.__file__}"
    source_lines = source.splitlines()
    markers = [(n, line) for n, line in enumerate(source_lines, 1) if line.startswith("# %%")]
    if markers:
        script_only = [n for n, line in markers if line == '# %% active="py"']
        assert len(script_only) == 1 and markers[-1][0] == script_only[0], (
            f"{module.__file__}: the command line is not one script-only cell at the bottom"
        )
        assert script_only[0] < functions[-1].lineno, "main() is above the script-only cell"
    docstrings = {
        n
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node)
        for n in range(node.body[0].lineno, node.body[0].end_lineno + 1)
    }
    skip = (ast.Expr, ast.Import, ast.ImportFrom)
    start = next(node for node in body if not isinstance(node, skip)).lineno
    code, in_code_cell = [], True
    for n, line in enumerate(source_lines[start - 1 :], start):
        if line.startswith("# %%"):
            if line == '# %% active="py"':
                break
            in_code_cell = line == "# %%"  # markdown, raw and notebook-only cells are left out
        elif in_code_cell and line.strip() and n not in docstrings:
            code.append(line)
    return "\n".join(code[:lines]).split("def main(")[0]


def quick_start_commands():
    """The commands of the README's Quick start code block, without their comments."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)^## ", text, re.S | re.M)
    assert section, "README.md has no '## Quick start' section"
    blocks = re.findall(r"```bash\n(.*?)```", section.group(1), re.S)
    assert blocks, "the Quick start has no ```bash block"
    lines = [line.split("#")[0].strip() for line in blocks[-1].splitlines()]
    return [line for line in lines if line]


SECTION_LINE = re.compile(r"^\[(\d+)/\d+\] (ch01_\w+)(: | \.\.\. )", re.M)


class ChapterRun:
    """The README's chapter command (``pip install -e . && tfbasics run all``), run once.

    Attributes:
      install: str, the command before ``&&``; command: str, the one after it.
      folder: Path the command ran in (its ``logs/`` is there).
      returncode: int; stdout, stderr: str.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        install, _, self.command = quick_start_commands()[0].partition("&&")
        self.install = install.strip()
        # the install is the one this test suite already runs under; it needs the checkout as cwd
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-e", "."], cwd=REPO, check=True
        )
        done = subprocess.run(
            self.command, shell=True, cwd=self.folder, capture_output=True, text=True, timeout=1200
        )
        self.returncode, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr

    def section(self, number):
        """What section ``number`` printed: the lines between its ``[N/10] name: ...`` header and
        its ``[N/10] name ... ok`` line (str); fails the test if the section did not run."""
        marks = [(int(m.group(1)), m.start(), m.end()) for m in SECTION_LINE.finditer(self.stdout)]
        mine = [(start, end) for n, start, end in marks if n == number]
        assert len(mine) == 2, f"section {number} did not run:\n{self.stdout[-3000:]}{self.stderr}"
        (_, header_end), (footer_start, _) = mine
        return self.stdout[self.stdout.index("\n", header_end) + 1 : footer_start]

    def run_folders(self, script):
        """The run folders the command wrote for ``script`` (a sorted list of Path)."""
        return sorted(p for p in (self.folder / "logs" / script).iterdir() if p.is_dir())

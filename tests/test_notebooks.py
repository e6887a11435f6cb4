"""The notebooks: built from the lessons, committed executed, and showing the book's numbers.

- drift (fast): each committed notebooks/ch01_NN_*.ipynb has exactly the cells (type and source)
  jupytext makes of its lesson chapters/ch01_NN_*.py, and has been executed; every lesson has a
  notebook and every notebook a lesson. A lesson not yet in percent format fails, by name.
- cells (fast): a lesson survives the trip to a notebook and back; its script-only cell is a raw
  cell in the notebook (never run), its notebook-only cells are commented out in the script (never
  run there), and no notebook cell reads the command line.
- execution (slow): every notebook run from a fresh kernel by nbclient, in a temporary folder
  (its runs go to that folder's logs/), shows the numbers the script tests assert, its pictures,
  and a TensorBoard that was started and is stopped afterwards.
- the build command (``python -m tfbasics.notebooks``) on a small lesson in a temporary checkout:
  one-line errors, the timeout, ``--check``, ``--no-execute``.
"""

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tfbasics.notebooks import build, kernels, lessons

ROOT = Path(__file__).resolve().parent.parent
LESSONS = lessons.find_lessons(ROOT)
IDS = [lesson.stem for lesson in LESSONS]
REBUILD = "python -m tfbasics.notebooks"
TIMEOUT = build.DEFAULT_TIMEOUT  # seconds per notebook, as the build allows

# what each section's notebook must show (section number -> checks), as the script tests assert
BOOK_TEXT = {2: ["Hello World!"], 5: ["0.6590"]}
BOOK_ACCURACY = {7: 0.92, 9: 0.975, 10: 0.95}  # the lowest `Test accuracy` the book's runs reach
BOOK_IMAGES = (6, 7)  # sections whose notebook draws pictures inline (image/png outputs)
ACCURACY = re.compile(r"Test accuracy\W*([01]\.\d+)")
# the notebook never reads the command line (the kernel's argv is not the reader's) nor exits:
# these belong in the script-only cell
ARGV_USE = re.compile(r"\bsys\.argv\b|\bparse_args\(|\bargparse\b|(?<![\w.])main\(|\bsys\.exit\(")


def lesson_text(lesson):
    """The lesson's text; a lesson not yet in jupytext's percent format fails the test by name."""
    text = lesson.path.read_text(encoding="utf-8")
    if not any(line.startswith("# %%") for line in text.splitlines()):
        pytest.fail(
            f"chapters/{lesson.path.name} is not a notebook lesson yet: no `# %%` cell marker "
            "(see CONVENTIONS.md: a lesson is a jupytext percent-format script)"
        )
    return text


def converted(lesson):
    """jupytext's notebook of the lesson, as the tests see it (independent of the build)."""
    import jupytext

    return jupytext.reads(lesson_text(lesson), fmt="py:percent")


def committed(lesson):
    """The committed notebook of a lesson (nbformat 4); fails if it is missing."""
    import nbformat

    lesson_text(lesson)  # a lesson not yet in percent format says so, not "build it"
    path = ROOT / "notebooks" / f"{lesson.stem}.ipynb"
    if not path.exists():
        pytest.fail(f"notebooks/{path.name} is missing: build it with `{REBUILD} {lesson.number}`")
    return nbformat.read(str(path), as_version=4)


def cells_of(nb):
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def text_of(nb):
    """Everything a notebook printed or showed as text (str)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out and "text/plain" in out.data:
                parts.append(out.data["text/plain"])
    return "\n".join(parts)


def images_of(nb):
    """The number of PNG pictures among a notebook's outputs."""
    return sum(
        "image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", [])
    )


def tensorboard_cells(nb):
    """``[(cell index, outputs' HTML and text), ...]`` of the cells running ``%tensorboard``."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "%tensorboard" in cell.source:
            shown = []
            for out in cell.get("outputs", []):
                shown.append(out.get("text", ""))
                shown += [out.get("data", {}).get(k, "") for k in ("text/html", "text/plain")]
            found.append((index, "\n".join(shown)))
    return found


def assert_book_numbers(lesson, nb, where):
    """The section's book numbers and pictures are in ``nb``'s outputs."""
    text = text_of(nb)
    for needle in BOOK_TEXT.get(lesson.number, []):
        assert needle in text, f"{where}: `{needle}` not in the outputs:\n{text[-2000:]}"
    if lesson.number in BOOK_ACCURACY:
        found = ACCURACY.findall(text)
        assert found, f"{where}: no `Test accuracy` line in the outputs:\n{text[-2000:]}"
        accuracy, want = float(found[-1]), BOOK_ACCURACY[lesson.number]
        assert accuracy >= want, f"{where}: Test accuracy {accuracy} < the book's {want}"
    if lesson.number in BOOK_IMAGES:
        assert images_of(nb) > 0, f"{where}: no picture (image/png output)"


# ------------------------------------------------------------------------------ drift (fast)


def test_every_section_is_a_lesson_with_a_notebook_and_every_notebook_has_a_lesson():
    assert [lesson.number for lesson in LESSONS] == list(range(1, 11))
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(IDS), (
        f"notebooks/ and chapters/ disagree: without a notebook "
        f"{sorted(set(IDS) - set(notebooks))}, without a lesson {sorted(set(notebooks) - set(IDS))}"
        f" (rebuild with `{REBUILD}`)"
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_committed_notebook_has_the_lessons_cells(lesson):
    want, have = cells_of(converted(lesson)), cells_of(committed(lesson))
    fix = f"the lesson changed since its notebook was built: `{REBUILD} {lesson.number}`"
    for index, (w, h) in enumerate(zip(want, have)):
        assert h == w, f"notebooks/{lesson.stem}.ipynb cell {index + 1}: {h!r} != {w!r}; {fix}"
    assert len(have) == len(want), f"notebooks/{lesson.stem}.ipynb: cell count; {fix}"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_committed_notebook_is_executed_and_shows_the_books_numbers(lesson):
    import nbformat

    nb = committed(lesson)
    unrun = [
        index + 1
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None
    ]
    assert not unrun, f"notebooks/{lesson.stem}.ipynb: cells {unrun} not executed (`{REBUILD}`)"
    errors = [out for cell in nb.cells for out in cell.get("outputs", [])]
    errors = [f"{o.ename}: {o.evalue}" for o in errors if o.output_type == "error"]
    assert not errors, f"notebooks/{lesson.stem}.ipynb: errors in its outputs: {errors}"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    nbformat.validate(nb)  # JupyterLab opens it without a repair
    assert_book_numbers(lesson, nb, f"notebooks/{lesson.stem}.ipynb")


def test_drift_check_passes_on_the_committed_notebooks():
    # the build's own --check (tfbasics.notebooks.lessons.drift) agrees with the tests above
    problems = [
        line
        for lesson in LESSONS
        for line in lessons.drift(lesson.path, lessons.notebook_for(ROOT, lesson))
    ]
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------ cells (fast)


def cell_blocks(text):
    """The lesson split at its cell markers: ``[(marker line, [body lines]), ...]``."""
    blocks = []
    for line in text.splitlines():
        if line.startswith("# %%"):
            blocks.append((line, []))
        elif blocks:
            blocks[-1][1].append(line)
    return blocks


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_round_trips_through_its_notebook(lesson):
    import jupytext

    text = lesson_text(lesson)
    back = jupytext.writes(converted(lesson), fmt="py:percent")
    # a lesson may start with its docstring; jupytext then marks that first cell with `# %%`
    if not text.startswith("# %%"):
        back = back.removeprefix("# %%\n")
    assert back == text, f"chapters/{lesson.path.name} changes on its way through a notebook"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_script_only_cell_is_raw_in_the_notebook_and_last(lesson):
    nb = converted(lesson)
    script_only = [i for i, c in enumerate(nb.cells) if c.metadata.get("active") == "py"]
    assert script_only == [len(nb.cells) - 1], (
        f'chapters/{lesson.path.name}: want one script-only cell (# %% active="py") at the '
        f"bottom; script-only cells at {[i + 1 for i in script_only]} of {len(nb.cells)}"
    )
    cell = nb.cells[-1]
    assert cell.cell_type == "raw", "a script-only cell must be a raw cell: nbclient skips it"
    assert "def main(" in cell.source and '__name__ == "__main__"' in cell.source


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_notebook_never_reads_the_command_line(lesson):
    nb = converted(lesson)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        found = ARGV_USE.findall(cell.source)
        assert not found, (
            f"chapters/{lesson.path.name}, notebook cell {index + 1}: {found} belong in the "
            "script-only cell (the kernel's argv is not the reader's)"
        )


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_notebook_only_cells_are_code_in_the_notebook_and_comments_in_the_script(lesson):
    text = lesson_text(lesson)
    blocks = [(m, body) for m, body in cell_blocks(text) if 'active="ipynb"' in m]
    for marker, body in blocks:
        live = [line for line in body if line.strip() and not line.startswith("#")]
        assert not live, f"chapters/{lesson.path.name}: {marker} cell runs in the script: {live}"
    nb = converted(lesson)
    notebook_only = [c for c in nb.cells if c.metadata.get("active") == "ipynb"]
    assert len(notebook_only) == len(blocks)
    assert notebook_only, f"chapters/{lesson.path.name}: no notebook-only cell runs the lesson"
    for cell in notebook_only:
        assert cell.cell_type == "code" and not cell.source.startswith("# "), cell.source


# -------------------------------------------------------------------------- execution (slow)


def port_is_open(port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
@pytest.mark.xdist_group("notebooks")  # one worker: %tensorboard reuses a TensorBoard on 6006
@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_notebook_executes_from_a_fresh_kernel_with_the_books_numbers(lesson, tmp_path):
    nb = committed(lesson)
    for cell in nb.cells:  # what is asserted below comes from this run, not from the commit
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    (tmp_path / "logs").mkdir()  # the lessons write their runs to logs/ under the working folder
    name = f"notebooks/{lesson.stem}.ipynb"
    kernels.execute(nb, cwd=tmp_path, timeout=TIMEOUT, name=name)
    assert_book_numbers(lesson, nb, f"{name}, executed")
    for index, shown in tensorboard_cells(nb):
        assert "ERROR" not in shown, f"{name} cell {index + 1}: TensorBoard did not start: {shown}"
        port = re.search(r"const port = (\d+);", shown)
        assert port, f"{name} cell {index + 1}: no TensorBoard frame in the output: {shown}"
        assert not port_is_open(int(port.group(1))), f"TensorBoard on {port.group(1)} still runs"


# ----------------------------------------------------- the build command on a small lesson

TINY = '''"""A tiny lesson."""

X = 21  # the answer, halved

# %% [markdown]
# # 1.1 Tiny

# %%
def double(x):
    return 2 * x


# %% active="ipynb"
# print("double:", double(X))

# %% active="py"
def main(argv=None):
    print(double(X))
    return 0
'''


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A checkout with one tiny lesson (chapters/ch01_01_tiny.py) that the build works on."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "chapters" / "ch01_01_tiny.py").write_text(TINY)
    monkeypatch.setattr(lessons, "repository_root", lambda: tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_help_answers_without_jupyter_or_tensorflow():
    code = (
        "import sys; from tfbasics.notebooks import build; build.parser().format_help(); "
        "print(sorted(m for m in ('jupytext', 'nbclient', 'nbformat', 'tensorflow') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "tfbasics.notebooks", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "--check" in done.stdout and "--timeout" in done.stdout


@pytest.mark.slow
def test_build_writes_an_executed_notebook_that_passes_the_check(checkout, capsys):
    assert build.main(["1"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"\[1/1\] ch01_01_tiny \.\.\. ok \(\d+\.\d s\) -> notebooks/ch01_01_tiny\.ipynb\n", out
    ), out
    nb = json.loads((checkout / "notebooks" / "ch01_01_tiny.ipynb").read_text())
    assert [c["cell_type"] for c in nb["cells"]] == ["code", "markdown", "code", "code", "raw"]
    assert "".join(nb["cells"][3]["outputs"][0]["text"]) == "double: 42\n"
    assert "outputs" not in nb["cells"][4]  # the script-only cell was never run
    assert build.main(["--check"]) == 0
    assert capsys.readouterr().out == "1 notebooks match their lessons\n"
    # a rebuild of an unchanged lesson writes the same bytes: no random cell ids, no timestamps
    first = (checkout / "notebooks" / "ch01_01_tiny.ipynb").read_bytes()
    assert build.main(["1"]) == 0
    assert (checkout / "notebooks" / "ch01_01_tiny.ipynb").read_bytes() == first


def test_check_names_a_drifted_missing_or_unexecuted_notebook(checkout, capsys):
    assert build.main(["--check"]) == 1
    assert "notebooks/ch01_01_tiny.ipynb: missing" in capsys.readouterr().err
    assert build.main(["--no-execute"]) == 0
    assert "converted, not executed" in capsys.readouterr().out
    assert build.main(["--check"]) == 1
    assert "ch01_01_tiny.ipynb: not executed (code cells 1, 3, 4" in capsys.readouterr().err
    lesson = checkout / "chapters" / "ch01_01_tiny.py"
    lesson.write_text(TINY.replace("return 2 * x", "return x + x"))
    assert build.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "notebooks/ch01_01_tiny.ipynb: cell 3 (code) differs" in err
    assert (
        "chapters/ch01_01_tiny.py:8" in err and "rebuild with: python -m tfbasics.notebooks" in err
    )
    (checkout / "notebooks" / "ch01_00_gone.ipynb").write_text("{}")
    assert build.main(["--check"]) == 1
    assert "ch01_00_gone.ipynb: no lesson chapters/ch01_00_gone.py" in capsys.readouterr().err


def test_a_failing_cell_is_one_line_and_keeps_the_old_notebook(checkout, capsys):
    target = checkout / "notebooks" / "ch01_01_tiny.ipynb"
    target.write_text("old")
    lesson = checkout / "chapters" / "ch01_01_tiny.py"
    lesson.write_text(TINY.replace('# print("double:", double(X))', "# double(X) / 0"))
    assert build.main([]) == 1
    out, err = capsys.readouterr()
    assert out == "[1/1] ch01_01_tiny ... failed\n"
    assert err == (
        "python -m tfbasics.notebooks: error: notebooks/ch01_01_tiny.ipynb: cell 4 "
        "('double(X) / 0', lesson line 13): ZeroDivisionError: division by zero\n"
    )
    assert target.read_text() == "old"
    assert list(target.parent.iterdir()) == [target]  # no temporary file left


@pytest.mark.slow
def test_a_notebook_over_its_timeout_is_stopped_with_one_line(checkout, capsys):
    lesson = checkout / "chapters" / "ch01_01_tiny.py"
    lesson.write_text(
        TINY.replace('# print("double:", double(X))', "# import time; time.sleep(600)")
    )
    assert build.main(["--timeout", "15"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cell 4 ('import time; time.sleep(600)', lesson line 13)" in err
    assert "still running when the notebook's 15 s were up (raise it with --timeout)" in err


def test_a_lesson_not_in_percent_format_is_refused_by_name(checkout, capsys):
    (checkout / "chapters" / "ch01_02_plain.py").write_text('"""Plain."""\nprint(1)\n')
    assert build.main([]) == 1
    err = capsys.readouterr().err
    assert err == (
        "python -m tfbasics.notebooks: error: chapters/ch01_02_plain.py: not a notebook lesson "
        "yet: no `# %%` cell marker (a lesson is a jupytext percent-format script; see "
        "CONVENTIONS.md)\n"
    )
    assert not list((checkout / "notebooks").iterdir())  # refused before any work


def test_unknown_lesson_and_bad_timeout_are_one_line_errors(checkout, capsys):
    assert build.main(["77"]) == 2
    assert capsys.readouterr().err.startswith(
        "python -m tfbasics.notebooks: error: unknown section '77'; the sections are: 1 (tiny)"
    )
    with pytest.raises(SystemExit) as info:
        build.main(["--timeout", "-3"])
    assert info.value.code == 2
    assert "--timeout: must be a number of seconds above 0" in capsys.readouterr().err

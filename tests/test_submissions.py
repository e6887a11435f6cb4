"""What a submission is (tfbasics.grading.submissions): the copy graded, and what is flagged."""

import ast
import json
import os
from pathlib import Path

import pytest

from tfbasics.grading import notebook_source, source_scan
from tfbasics.grading.exercise_list import stub_path
from tfbasics.grading.submissions import exercise_names, prepare, scan_folder

REFERENCE_SOFTMAX = Path(__file__).resolve().parents[1] / "tfbasics" / "softmax.py"

SOLUTION = '''"""Softmax by hand."""

import numpy as np


def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[labels]
'''


@pytest.fixture
def klass(tmp_path):
    """A class folder with alice and bob, each with a softmax.py of their own."""
    for name in ("alice", "bob"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "softmax.py").write_text(SOLUTION)
    return tmp_path


def notebook(cells, path):
    """Write a notebook of ``cells`` ((kind, source) pairs) to ``path``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    nb.cells = [make[kind](source) for kind, source in cells]
    path.write_text(nbformat.writes(nb))


def code_lines(text):
    """The code of a module, cell headers and blank lines left out (list of str)."""
    return [line for line in text.splitlines() if line.strip() and not line.startswith("# %%")]


def test_an_own_file_is_copied_byte_for_byte_with_no_flags(klass, tmp_path):
    found = prepare(klass / "alice", "softmax", tmp_path / "work")
    assert (found.kind, found.flags, found.problem) == ("py", [], "")
    assert found.path == tmp_path / "work" / "softmax.py" and not found.path.is_symlink()
    assert found.path.read_text() == SOLUTION
    assert scan_folder(klass / "alice") == []


def test_a_symlinked_file_is_graded_through_the_link_and_flagged(klass, tmp_path):
    (klass / "alice" / "softmax.py").unlink()
    (klass / "alice" / "softmax.py").symlink_to("../bob/softmax.py")
    found = prepare(klass / "alice", "softmax", tmp_path / "work")
    expected = "softmax.py is a symlink to ../bob/softmax.py (outside the student's folder)"
    assert found.flags == [expected]
    assert found.path.read_text() == SOLUTION and not found.path.is_symlink()
    assert scan_folder(klass / "alice") == [expected]


def test_a_symlink_to_the_reference_says_so(klass, tmp_path):
    (klass / "alice" / "softmax.py").unlink()
    (klass / "alice" / "softmax.py").symlink_to(REFERENCE_SOFTMAX)
    flag = prepare(klass / "alice", "softmax", tmp_path / "work").flags[0]  # then its imports
    assert flag.startswith("softmax.py is a symlink to ") and "(the reference in tfbasics/)" in flag


def test_a_file_resolving_outside_the_folder_is_flagged(klass, tmp_path):
    # alice's softmax.py is a real file in a folder linked from inside hers
    (klass / "alice" / "softmax.py").unlink()
    (klass / "alice" / "lib").symlink_to(klass / "bob")
    (klass / "alice" / "softmax.py").symlink_to("lib/softmax.py")
    found = prepare(klass / "alice", "softmax", tmp_path / "work")
    assert found.flags == [
        "softmax.py is a symlink to ../bob/softmax.py (outside the student's folder)"
    ]
    assert scan_folder(klass / "alice") == [
        "softmax.py is a symlink to ../bob/softmax.py (outside the student's folder)",
        "lib is a symlink to ../bob (outside the student's folder)",
    ]


def test_a_hard_link_and_a_symlinked_student_folder_are_flagged(klass, tmp_path):
    (klass / "alice" / "softmax.py").unlink()
    os.link(klass / "bob" / "softmax.py", klass / "alice" / "softmax.py")
    [flag] = prepare(klass / "alice", "softmax", tmp_path / "work").flags
    assert flag == "softmax.py has 2 hard links: the same file may be in another folder"
    (klass / "carol").symlink_to("bob")
    assert scan_folder(klass / "carol")[0] == "the folder is a symlink to ../bob"


def test_nothing_to_grade_is_one_line_and_leaves_no_stale_copy(klass, tmp_path):
    work = tmp_path / "work"
    prepare(klass / "alice", "softmax", work)
    (klass / "alice" / "softmax.py").unlink()
    found = prepare(klass / "alice", "softmax", work)
    assert (found.kind, found.path) == ("missing", None)
    assert found.problem.startswith("there is no ") and "softmax.ipynb" in found.problem
    assert not (work / "softmax.py").exists()
    os.mkfifo(klass / "alice" / "softmax.py")  # opening it must not hang the grader
    assert prepare(klass / "alice", "softmax", work).problem.endswith("is not a regular file")


def test_a_notebook_is_graded_as_the_py_of_its_code_cells(klass, tmp_path):
    folder = klass / "alice"
    (folder / "softmax.py").unlink()
    head, rest = SOLUTION.split("\n\n\ndef softmax", 1)
    cells = [
        ("markdown", "# Softmax"),
        ("code", head),
        ("code", "def softmax" + rest.split("\n\n\ndef one_hot")[0]),
        ("code", "def one_hot" + rest.split("\n\n\ndef one_hot")[1]),
        ("code", "%matplotlib inline\n!pip install numpy\nprobs = softmax([2.0, 1.0, 0.1])"),
        ("code", "%%timeit\nsoftmax([1.0, 2.0])"),
    ]
    notebook(cells, folder / "softmax.ipynb")
    found = prepare(folder, "softmax", tmp_path / "work")
    assert (found.kind, found.flags, found.problem) == ("ipynb", [], "")
    module = found.path.read_text()
    graded = [line for line in code_lines(module) if not line.startswith("#")]
    assert graded == code_lines(SOLUTION) + ["probs = softmax([2.0, 1.0, 0.1])"]
    names = {}
    exec(compile(module, str(found.path), "exec"), names)  # it compiles and defines them
    assert callable(names["softmax"]) and callable(names["one_hot"])
    assert names["softmax"]([2.0, 1.0, 0.1]) == pytest.approx([0.6590, 0.2424, 0.0986], abs=1e-4)


def test_a_notebooks_lines_point_back_to_its_cells():
    cells = [("markdown", "x"), ("code", "a = 1\nb = eval('2')")]
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(cells[0][1]), nbformat.v4.new_code_cell(cells[1][1])]
    converted = notebook_source.convert(nbformat.writes(nb))
    scanned = source_scan.scan(converted.source, where=converted.where)
    assert scanned.flags == ["uses eval (cell 2, line 2)"]


def test_a_notebook_only_cell_is_left_out_as_jupytext_would(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("train()")]
    nb.cells[1].metadata["active"] = "ipynb"
    source = notebook_source.convert(nbformat.writes(nb)).source
    assert [line for line in code_lines(source) if not line.startswith("#")] == ["x = 1"]


def test_the_py_wins_over_a_notebook_and_a_bad_notebook_is_one_line(klass, tmp_path):
    folder = klass / "alice"
    (folder / "softmax.ipynb").write_text("{not json")
    found = prepare(folder, "softmax", tmp_path / "work")
    assert found.kind == "py" and found.flags == ["softmax.ipynb ignored: softmax.py is graded"]
    (folder / "softmax.py").unlink()
    found = prepare(folder, "softmax", tmp_path / "work")
    assert (found.kind, found.path) == ("ipynb", None)
    assert found.problem.startswith("alice/softmax.ipynb is not a notebook") or (
        "softmax.ipynb is not a notebook nbformat can read: " in found.problem
    )
    assert "\n" not in found.problem
    (folder / "softmax.ipynb").write_text(json.dumps({"cells": 3}))
    assert "\n" not in prepare(folder, "softmax", tmp_path / "work").problem


def test_the_exercise_names_come_from_the_stub_without_error_classes():
    assert exercise_names("softmax") == {
        "softmax",
        "one_hot",
        "cross_entropy",
        "fused_cross_entropy",
    }
    assert exercise_names("placeholders") == {"run_doubler"}  # FeedError may come from anywhere
    assert "DataSet" in exercise_names("mnist") and "IDXError" not in exercise_names("mnist")


def test_an_untouched_stub_has_no_flags():
    for name in ("softmax", "hello", "keras_mlp", "backprop", "mnist"):
        assert source_scan.scan(stub_path(name).read_bytes()).flags == [], name


PATTERNS = {  # source -> the flag it must raise
    "from tfbasics.softmax import softmax, one_hot": "imports softmax, one_hot from tfbasics.softmax",
    "import tfbasics.neuron as ref": "imports tfbasics.neuron",
    "exec(open('x').read())": "uses exec",
    "y = eval('1')": "uses eval",
    "c = compile('1', 'f', 'eval')": "uses compile",
    "m = __import__('tfbasics.softmax')": "uses __import__",
    "import importlib": "imports importlib",
    "from importlib import import_module": "imports importlib",
    "import runpy": "imports runpy",
    "open(__file__ + '/../../handwritten/softmax.py')": "open() of a path built from __file__",
    "from pathlib import Path\nsrc = Path(__file__).parent.parent / 'ref.py'\ntext = src.read_text()": (
        "read_text() of a path built from __file__"
    ),
    "data = open('../bob/softmax.py').read()": "open() of a path built from __file__",
    "data = open('/work/main/tfbasics/softmax.py').read()": "open() of a path built from",
    "import functools\nfrom tfbasics import softmax as s\nf = functools.partial(s.softmax)": (
        "wraps tfbasics.softmax.softmax with functools.partial"
    ),
    "from tfbasics.backprop import Sigmoid as S\nclass Sigmoid(S): pass": (
        "class Sigmoid subclasses tfbasics.backprop.Sigmoid"
    ),
    "import sys\nsys.setprofile(None)": "uses sys.setprofile",
    "import sys as s\ns.settrace(None)": "uses sys.settrace",
    "import ctypes": "imports ctypes",
    "import gc\ngc.get_referrers(1)": "uses gc.get_referrers",
    "import inspect\ninspect.stack()": "uses inspect.stack",
    "import sys\nf = sys._getframe(1)": "uses sys._getframe",
    "def f(frame):\n    return frame.f_back": "reads .f_back: frame walking",
    "import socket": "imports socket",
    "import subprocess": "imports subprocess",
    "import os\nos.fork()": "uses os.fork",
    "from os import system\nsystem('ls')": "uses os.system",
    "import sys\nsys.path.insert(0, '..')": "touches sys.path",
}


@pytest.mark.parametrize("source", PATTERNS, ids=lambda s: s.splitlines()[-1][:40])
def test_each_pattern_is_flagged_with_its_line(source):
    flags = source_scan.scan(source).flags
    line = len(source.splitlines())
    wanted = PATTERNS[source]
    assert any(f.startswith(wanted) for f in flags), flags
    first = next(f for f in flags if f.startswith(wanted))
    assert first.endswith(")") and "(line " in first
    if "import" not in wanted:
        assert first.endswith(f"(line {line})")


def test_the_names_taken_from_the_reference_are_those_the_exercise_asks_for():
    source = (
        "from tfbasics._tf import tf\n"  # the stubs' lazy tf: allowed
        "from tfbasics.softmax import softmax as sm, NUM_CLASSES\n"
        "import tfbasics.softmax as ref\n"
        "def softmax(x):\n    return sm(x)\n"
        "def one_hot(labels):\n    return ref.one_hot(labels)\n"
        "def cross_entropy(p, y):\n    return -(y * tf.math.log(p))\n"
    )
    found = source_scan.scan(source, exercise_names("softmax"))
    # a from-import takes the name; a wrapper that calls the reference is reported, not judged
    assert found.reference_names == {"softmax"}
    assert "imports tfbasics.softmax (line 3)" in found.flags
    assert not any("tfbasics._tf" in f for f in found.flags)
    star = source_scan.scan("from tfbasics.softmax import *", exercise_names("softmax"))
    assert star.reference_names == exercise_names("softmax")


def test_source_that_does_not_parse_is_not_scanned():
    assert source_scan.scan("def f(:\n    exec('x')") == source_scan.Scan()


def test_the_scan_never_runs_the_code(tmp_path):
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').write('x')\nraise SystemExit(3)"
    assert source_scan.scan(source).flags  # an absolute path is flagged
    assert not marker.exists()
    ast.parse(source)  # (it is valid Python: the scan read it and did nothing else)

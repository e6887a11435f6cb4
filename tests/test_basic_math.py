"""Section 3: the book's arithmetic and reduce_sum results."""

import numpy as np
import pytest

from helpers import first_screen, graph_op_names
from tfbasics import basic_math
from tfbasics.chapters import ch01_03_basic_math as lesson


def test_book_results_in_one_graph():
    v = lesson.run_basic_math().values
    assert v["add"] == 3
    assert v["subtract"] == -1
    assert v["multiply"] == 10
    assert v["divide"] == pytest.approx(2.5, abs=1e-12)
    assert v["sum_all"] == 6
    assert v["sum_axis0"].tolist() == [2, 2, 2]
    assert v["sum_axis1"].tolist() == [3, 3]


def test_single_op_helpers():
    assert basic_math.add(1, 2) == 3
    assert basic_math.subtract(1, 2) == -1
    assert basic_math.multiply(2, 5) == 10
    assert basic_math.divide(10, 4) == pytest.approx(2.5)
    x = np.arange(6).reshape(2, 3)
    assert basic_math.reduce_sum(x) == 15
    assert basic_math.reduce_sum(x, 0).tolist() == [3, 5, 7]
    assert basic_math.reduce_sum(x, 1).tolist() == [3, 12]


def test_script(tmp_path, capsys):
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("= 3") and lines[3].endswith("= 2.5")
    assert lines[5].endswith("= [2, 2, 2]") and lines[6].endswith("= [3, 3]")
    ops = graph_op_names(tmp_path / "ch01_03_basic_math" / "r")
    assert {"arithmetic/add", "arithmetic/divide", "reduce_sum/sum_axis0"} <= ops


def test_script_writes_the_lessons_graph_and_prints_its_numbers(tmp_path, capsys):
    # main() writes the graph run_basic_math builds, and prints what it computes
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    lines = capsys.readouterr().out.splitlines()
    lesson_math = lesson.run_basic_math()
    expected = lesson_math.values
    assert len(lines) == len(expected) + 1
    for line, value in zip(lines, expected.values()):
        assert line.endswith(f" = {value.tolist()}"), (line, value)
    builder = {op.name for op in lesson_math.graph.get_operations()}
    assert graph_op_names(tmp_path / "ch01_03_basic_math" / "r") == builder


def test_script_shows_graph_and_session_first():
    screen = first_screen(lesson)
    for needle in (
        "tf.Graph().as_default()",
        "tf.add(1, 2",
        "tf.reduce_sum(x, 1",
        "tf.compat.v1.Session(graph=g)",
        "sess.run(add)",
    ):
        assert needle in screen, needle
    assert "argparse" not in screen and "add_argument" not in screen

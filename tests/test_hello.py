"""Section 2: Hello World, ranks and the lazy Variable."""

import pytest

from helpers import graph_op_names
from tfbasics import hello
from tfbasics._tf import tf
from tfbasics.chapters import ch01_02_hello_tensorflow


def test_hello_constant_runs_to_bytes():
    h = hello.build_hello()
    assert h.hello_constant.op.name == "hello_constant"
    with tf.compat.v1.Session(graph=h.graph) as sess:
        assert sess.run(h.hello_constant) == b"Hello World!"


def test_builders_do_not_touch_the_default_graph_or_eager_mode():
    before = len(tf.compat.v1.get_default_graph().get_operations())
    hello.build_hello(), hello.build_ranks(), hello.build_lazy_variable()
    assert len(tf.compat.v1.get_default_graph().get_operations()) == before
    assert tf.executing_eagerly()


@pytest.mark.parametrize(
    "name, value, rank, shape",
    [
        ("A", 123, 0, ()),
        ("B", [123, 456, 789], 1, (3,)),
        ("C", [[123, 456, 789], [222, 333, 444]], 2, (2, 3)),
    ],
)
def test_ranks(name, value, rank, shape):
    r = hello.build_ranks()
    tensor = getattr(r, name)
    assert hello.describe(tensor) == ("int32", rank, shape)
    with tf.compat.v1.Session(graph=r.graph) as sess:
        assert sess.run(tensor).tolist() == value


def test_run_constant():
    assert hello.run_constant("Hello World!") == b"Hello World!"
    assert hello.run_constant([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]


def test_variable_is_lazy_then_fails_then_is_10():
    v = hello.build_lazy_variable()
    assert "Variable" in repr(v.variable_y) and "10" not in repr(v.variable_y)
    with tf.compat.v1.Session(graph=v.graph) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            sess.run(v.variable_y)
        assert hello.error_summary(info.value) == "Could not find variable variable_y."
        sess.run(v.init)
        assert sess.run(v.variable_y) == 10
        assert sess.run(v.constant_x) == 5


def test_script_prints_the_book_and_writes_three_graphs(tmp_path, capsys):
    assert ch01_02_hello_tensorflow.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "b'Hello World!'"
    assert "C = [[123, 456, 789], [222, 333, 444]]: dtype int32, rank 2, shape (2, 3)" in out
    assert "FailedPreconditionError: Could not find variable variable_y." in out
    assert "variable_y = 10" in out
    run = tmp_path / "ch01_02_hello_tensorflow" / "r"
    assert "hello_constant" in graph_op_names(run / "hello")
    assert {"A", "B", "C"} <= graph_op_names(run / "ranks")
    assert {"constant_x", "variable_y"} <= graph_op_names(run / "variable")

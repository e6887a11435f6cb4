"""Section 2: Hello World, ranks and the lazy Variable."""

import pytest

from helpers import first_screen, graph_op_names, load_events
from tfbasics import hello
from tfbasics._tf import tf
from tfbasics.chapters import ch01_02_hello_tensorflow as lesson


def test_hello_constant_runs_to_bytes():
    h = lesson.hello_world()
    assert h.hello_constant.op.name == "hello_constant"
    with tf.compat.v1.Session(graph=h.graph) as sess:
        assert sess.run(h.hello_constant) == b"Hello World!"
        assert sess.run(h.output) == b"Hello World!"


def consumers(graph, name):
    """Names of the ops that read an output of op ``name`` in ``graph`` (a set of str)."""
    return {op.name for op in graph.get_operations() for t in op.inputs if t.op.name == name}


def test_every_constant_is_read_by_an_op_so_tensorboard_draws_it():
    # TensorBoard's Graphs tab draws a Const only beside the op that consumes it: a graph of
    # unconsumed constants is blank (tests/test_tensorboard_browser.py looks at the real page)
    h, r = lesson.hello_world(), lesson.tensor_ranks()
    assert consumers(h.graph, "hello_constant") == {"output"}
    assert h.output.op.type == "Identity"
    for name in ("A", "B", "C"):
        assert consumers(r.graph, name) == {f"rank_{name}"}
        assert r.graph.get_operation_by_name(f"rank_{name}").type == "Rank"
    with tf.compat.v1.Session(graph=r.graph) as sess:
        assert sess.run([r.rank_A, r.rank_B, r.rank_C]) == [0, 1, 2]


def test_lessons_do_not_touch_the_default_graph_or_eager_mode():
    before = len(tf.compat.v1.get_default_graph().get_operations())
    lesson.hello_world(), lesson.tensor_ranks(), lesson.lazy_variable()
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
    r = lesson.tensor_ranks()
    tensor = getattr(r, name)
    assert hello.describe(tensor) == ("int32", rank, shape)
    with tf.compat.v1.Session(graph=r.graph) as sess:
        assert sess.run(tensor).tolist() == value


def test_run_constant():
    assert hello.run_constant("Hello World!") == b"Hello World!"
    assert hello.run_constant([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]


def test_variable_is_lazy_then_fails_then_is_10():
    v = lesson.lazy_variable()
    assert "Variable" in repr(v.variable_y) and "10" not in repr(v.variable_y)
    with tf.compat.v1.Session(graph=v.graph) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            sess.run(v.variable_y)
        assert hello.error_summary(info.value) == "Could not find variable variable_y."
        sess.run(v.init)
        assert sess.run(v.variable_y) == 10
        assert sess.run(v.constant_x) == 5


def test_script_prints_the_book_and_writes_three_graphs(tmp_path, capsys):
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "b'Hello World!'"
    assert "C = [[123, 456, 789], [222, 333, 444]]: dtype int32, rank 2, shape (2, 3)" in out
    assert "sess.run([rank_A, rank_B, rank_C]) = [0, 1, 2]" in out
    assert "FailedPreconditionError: Could not find variable variable_y." in out
    assert "variable_y = 10" in out
    run = tmp_path / "ch01_02_hello_tensorflow" / "r"
    assert {"hello_constant", "output"} <= graph_op_names(run / "hello")
    assert {"A", "B", "C", "rank_A", "rank_B", "rank_C"} <= graph_op_names(run / "ranks")
    assert {"constant_x", "variable_y"} <= graph_op_names(run / "variable")


def test_script_writes_the_lessons_graphs_and_prints_their_values(tmp_path, capsys):
    # main() writes the graphs the lesson's functions build, and prints what they compute
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    lines = capsys.readouterr().out.splitlines()
    h, r, v = lesson.hello_world(), lesson.tensor_ranks(), lesson.lazy_variable()
    with tf.compat.v1.Session(graph=h.graph) as sess:
        assert lines[0] == str(sess.run(h.hello_constant))
    with tf.compat.v1.Session(graph=r.graph) as sess:
        for line, name in zip(lines[1:4], "ABC"):
            tensor = getattr(r, name)
            dtype, rank, shape = hello.describe(tensor)
            value = sess.run(tensor).tolist()
            assert line == f"{name} = {value}: dtype {dtype}, rank {rank}, shape {shape}"
        assert lines[4].endswith(f" = {[int(k) for k in sess.run([r.rank_A, r.rank_B, r.rank_C])]}")
    with tf.compat.v1.Session(graph=v.graph) as sess:
        sess.run(v.init)
        assert lines[-2].endswith(f"variable_y = {sess.run(v.variable_y)}")
    run = tmp_path / "ch01_02_hello_tensorflow" / "r"
    for folder, builder in [("hello", h), ("ranks", r), ("variable", v)]:
        ops = {(op.name, op.type) for op in builder.graph.get_operations()}
        assert {(node.name, node.op) for node in load_events(run / folder).Graph().node} == ops
        assert graph_op_names(run / folder) == {name for name, _ in ops}, folder


def test_script_shows_graph_and_session_first():
    screen = first_screen(lesson)
    for needle in (
        "tf.Graph().as_default()",
        'hello_constant = tf.constant("Hello World!", name="hello_constant")',
        "tf.compat.v1.Session(graph=g)",
        "print(sess.run(hello_constant))",
        'C = tf.constant([[123, 456, 789], [222, 333, 444]], name="C")',
        "sess.run([rank_A, rank_B, rank_C])",
        "variable_y = tf.Variable(constant_x + 5",
        "tf.errors.FailedPreconditionError",
        "sess.run(init)",
    ):
        assert needle in screen, needle
    assert "argparse" not in screen and "add_argument" not in screen

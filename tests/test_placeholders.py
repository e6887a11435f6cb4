"""Section 4: feeds, bad feeds and truncated_normal."""

import numpy as np
import pytest

from helpers import first_screen, graph_op_names
from tfbasics import placeholders
from tfbasics._tf import tf
from tfbasics.chapters import ch01_04_placeholders as lesson


def test_string_and_mixed_feeds():
    p = lesson.feed_placeholders()
    with tf.compat.v1.Session(graph=p.graph) as sess:
        assert placeholders.run_feed(sess, p.x, {p.x: "Hello World"}) == "Hello World"
        s, i, f = placeholders.run_feed(
            sess, [p.s, p.i, p.f], {p.s: "Welcome to CNN", p.i: 123, p.f: 123.45}
        )
    assert (s, i) == ("Welcome to CNN", 123)
    assert f == pytest.approx(123.45, rel=1e-6) and f.dtype == np.float32


def test_doubler():
    np.testing.assert_array_equal(
        placeholders.run_doubler([[1, 2, 3], [4, 5, 6]]), [[2, 4, 6], [8, 10, 12]]
    )


def test_bad_dtype_names_placeholder_dtype_and_value():
    with pytest.raises(placeholders.FeedError) as info:
        placeholders.run_doubler([["abc", "d", "e"]])
    msg = str(info.value)
    assert "'x'" in msg and "float32" in msg and "(None, 3)" in msg and "'abc'" in msg


def test_bad_shape_names_placeholder_shape_and_what_was_given():
    with pytest.raises(placeholders.FeedError) as info:
        placeholders.run_doubler([1, 2])
    msg = str(info.value)
    assert "'x'" in msg and "(None, 3)" in msg and "shape (2,)" in msg


def test_unchecked_bad_feed_is_what_tensorflow_would_raise():
    # why the check exists: TensorFlow's own error is a ValueError deep in session.run
    d = lesson.feed_doubler()
    with tf.compat.v1.Session(graph=d.graph) as sess, pytest.raises(ValueError):
        sess.run(d.y, {d.x: [1, 2]})


def test_truncated_normal_shape_range_and_seed():
    w = lesson.truncated_normal_weights(seed=7).value
    assert w.shape == (5, 2) and w.dtype == np.float32
    assert np.all(np.abs(w) <= 2.0)
    np.testing.assert_array_equal(w, lesson.truncated_normal_weights(seed=7).value)
    assert not np.array_equal(w, lesson.truncated_normal_weights(seed=8).value)
    big = lesson.truncated_normal_weights(1, 200, 50).value
    assert np.all(np.abs(big) <= 2.0) and abs(big.std() - 0.88) < 0.05  # truncated N(0,1) std


def test_script_shows_both_bad_feeds_and_goes_on(tmp_path, capsys):
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Hello World"
    assert "Welcome to CNN" in out and "i (int32) = 123" in out and "f (float32) = 123.45" in out
    assert "[[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]]" in out
    bad = [line for line in out.splitlines() if line.startswith("bad feed:")]
    assert len(bad) == 2 and "cannot be cast to float32" in bad[0] and "shape (2,)" in bad[1]
    assert "shape (5, 2)" in out
    run = tmp_path / "ch01_04_placeholders" / "r"
    assert {"x", "y"} <= graph_op_names(run / "doubler")
    assert "weights" in graph_op_names(run / "weights")


def test_script_writes_the_lessons_graphs_and_prints_the_librarys_numbers(tmp_path, capsys):
    # main() writes the graphs the lesson's functions build; tfbasics.placeholders.run_doubler
    # stays the reference the exercise checker uses: the two must not drift apart
    argv = ["--logdir", str(tmp_path), "--run-name", "r", "--seed", "3"]
    assert lesson.main(argv) == 0
    out = capsys.readouterr().out
    doubled = placeholders.run_doubler([[1, 2, 3], [4, 5, 6]]).tolist()
    assert f"x * 2 for x = [[1, 2, 3], [4, 5, 6]]: {doubled}\n" in out
    w = lesson.truncated_normal_weights(seed=3).value
    assert f"seed 3:\n{np.array2string(w, precision=4)}\n" in out
    assert f"largest |value| {np.abs(w).max():.4f} " in out
    run = tmp_path / "ch01_04_placeholders" / "r"
    for folder, builder in [
        ("feeds", lesson.feed_placeholders()),
        ("doubler", lesson.feed_doubler()),
        ("weights", lesson.truncated_normal_weights(seed=3)),
    ]:
        names = {op.name for op in builder.graph.get_operations()}
        assert graph_op_names(run / folder) == names, folder


def test_script_shows_graph_and_session_first():
    screen = first_screen(lesson)
    for needle in (
        "tf.Graph().as_default()",
        "tf.compat.v1.placeholder(tf.string",
        "tf.compat.v1.placeholder(tf.float32, shape=[None, 3]",
        "tf.compat.v1.Session(graph=g)",
        'sess.run(x, feed_dict={x: "Hello World"})',
        "sess.run(y, feed_dict=",
    ):
        assert needle in screen, needle
    assert "argparse" not in screen and "add_argument" not in screen

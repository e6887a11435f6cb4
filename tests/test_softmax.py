"""Section 5: softmax, one-hot, cross-entropy and stability, with the book's numbers."""

import math

import numpy as np
import pytest

from helpers import first_screen, graph_op_names
from tfbasics import softmax as sm
from tfbasics._tf import tf
from tfbasics.chapters import ch01_05_softmax_cross_entropy as lesson

BOOK_SOFTMAX_OF_LOGITS = [0.6590, 0.2424, 0.0986]


def test_softmax_of_book_logits_tf_and_numpy():
    np.testing.assert_allclose(lesson.softmax_graph().value, BOOK_SOFTMAX_OF_LOGITS, atol=1e-4)
    np.testing.assert_allclose(sm.softmax(sm.BOOK_LOGITS), BOOK_SOFTMAX_OF_LOGITS, atol=1e-4)


def test_numpy_softmax_is_stable_and_rowwise():
    p = sm.softmax([[1000.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(p, [[1.0, 0.0], [0.5, 0.5]], atol=1e-12)
    assert np.isnan(sm.softmax_naive([1000.0, 0.0])).any()


def test_one_hot():
    assert sm.one_hot(4).tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert sm.one_hot([0, 9]).shape == (2, 10) and sm.one_hot([0, 9]).dtype == np.float32
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        sm.one_hot([10])
    with pytest.raises(ValueError):
        sm.one_hot([1.5])


def test_cross_entropy_by_hand_and_fused_are_minus_ln_half():
    c = lesson.cross_entropy_graph()
    with tf.compat.v1.Session(graph=c.graph) as sess:
        by_hand, fused = sess.run(
            [c.cross_entropy, c.fused],
            {c.softmax: sm.BOOK_SOFTMAX, c.onehot_encoding: sm.BOOK_ONEHOT},
        )
    assert by_hand == pytest.approx(0.6931, abs=1e-4)
    assert fused == pytest.approx(-math.log(0.5), abs=1e-6)
    assert sm.cross_entropy(sm.BOOK_SOFTMAX, sm.BOOK_ONEHOT) == pytest.approx(-math.log(0.5))


def test_cross_entropy_is_not_symmetric():
    d_sl = sm.cross_entropy(sm.BOOK_SOFTMAX, sm.BOOK_ONEHOT)
    d_ls = sm.cross_entropy(sm.BOOK_ONEHOT, sm.BOOK_SOFTMAX)
    assert d_ls == math.inf and d_sl != d_ls
    clipped = sm.cross_entropy(np.clip(sm.BOOK_ONEHOT, sm.KERAS_EPSILON, 1), sm.BOOK_SOFTMAX)
    assert clipped == pytest.approx(-0.5 * math.log(1e-7), rel=1e-6)


def test_fused_op_is_stable_where_hand_written_is_nan():
    st = lesson.stability_graph()
    with tf.compat.v1.Session(graph=st.graph) as sess:
        naive, fused = sess.run(
            [st.naive_loss, st.fused_loss], {st.logits: sm.UNSTABLE_LOGITS, st.labels: [0.0, 1.0]}
        )
    assert math.isnan(naive)
    assert fused == pytest.approx(1000.0, rel=1e-6)
    assert sm.fused_cross_entropy([[1000.0, 0.0]], [[1.0, 0.0]]) == pytest.approx([0.0], abs=1e-6)


def test_script(tmp_path, capsys):
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    out = capsys.readouterr().out
    assert "tf.nn.softmax([2.0, 1.0, 0.1]) = [0.6590 0.2424 0.0986]" in out
    assert "one-hot(4) = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]" in out
    assert out.count("= 0.6931") >= 4
    assert "D(L, S) = -sum(S * log L) = inf" in out
    assert "loss through it               = nan" in out and "= 1000.0000" in out
    run = tmp_path / "ch01_05_softmax_cross_entropy" / "r"
    assert {"softmax", "onehot_encoding", "cross_entropy"} <= graph_op_names(run / "cross_entropy")


def test_script_rejects_bad_label(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:  # argparse refuses it before any work (issue 10)
        lesson.main(["--logdir", str(tmp_path), "--labels", "12"])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert "argument --labels: a digit label is 0-9, got 12" in captured.err
    assert captured.out == "" and list(tmp_path.iterdir()) == []


def test_script_writes_the_lessons_graphs_and_prints_their_numbers(tmp_path, capsys):
    # main() writes the graphs the lesson's functions build, and prints what they compute
    assert lesson.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    out = capsys.readouterr().out
    fmt = lesson.fmt
    softmax = lesson.softmax_graph()
    assert f" = {fmt(softmax.value)}\n" in out
    c = lesson.cross_entropy_graph()
    with tf.compat.v1.Session(graph=c.graph) as sess:
        by_hand, fused = sess.run(
            [c.cross_entropy, c.fused],
            {c.softmax: sm.BOOK_SOFTMAX, c.onehot_encoding: sm.BOOK_ONEHOT},
        )
    assert f"(onehot * log(softmax))             = {by_hand:.4f}\n" in out
    assert f"with_logits(log(softmax))  = {fused:.4f}\n" in out
    st = lesson.stability_graph()
    with tf.compat.v1.Session(graph=st.graph) as sess:
        naive, fused = sess.run(
            [st.naive_loss, st.fused_loss], {st.logits: sm.UNSTABLE_LOGITS, st.labels: [0.0, 1.0]}
        )
    assert f"loss through it               = {naive}\n" in out
    assert f"fused op (log-sum-exp inside) = {fused:.4f}\n" in out
    run = tmp_path / "ch01_05_softmax_cross_entropy" / "r"
    for folder, builder in [
        ("softmax", softmax),
        ("cross_entropy", c),
        ("stability", st),
    ]:
        names = {op.name for op in builder.graph.get_operations()}
        assert graph_op_names(run / folder) == names, folder


def test_script_shows_graph_and_session_first():
    screen = first_screen(lesson)
    for needle in (
        "tf.Graph().as_default()",
        "tf.nn.softmax(logits",
        "tf.compat.v1.Session(graph=g)",
        "sess.run(prediction, feed_dict=",
        "tf.nn.softmax_cross_entropy_with_logits(",
        "sess.run([cross_entropy, fused], feed_dict=",
    ):
        assert needle in screen, needle
    assert "argparse" not in screen and "add_argument" not in screen

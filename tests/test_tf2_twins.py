"""The TensorFlow 2 twins (chapters/tf2/) compute what the TF1 scripts compute, and show in TensorBoard.

Sections 2-6: the same values (the book's numbers) from the twin's eager calls and tf.functions as
from the TF1 graphs run in sessions. Section 7: from the same initial weights and the same batches,
the GradientTape loop gives the TF1 feed_dict loop's losses step by step and its final weights
(float32 tolerance); a resumed TF2 run ends where an uninterrupted one does. Every twin writes its
traced tf.function graph and its scalars; none changes TensorFlow's global mode.
"""

import math
import re

import numpy as np
import pytest

from helpers import load_events
from tfbasics import hello, placeholders
from tfbasics import softmax as sm
from tfbasics import softmax_regression as sr
from tfbasics._tf import tf
from tfbasics.chapters import (
    ch01_02_hello_tensorflow,
    ch01_03_basic_math,
    ch01_04_placeholders,
    ch01_05_softmax_cross_entropy,
    ch01_07_single_layer_mnist,
)
from tfbasics.chapters.tf2 import ch01_02_hello_tensorflow as tf2_hello
from tfbasics.chapters.tf2 import ch01_03_basic_math as tf2_math
from tfbasics.chapters.tf2 import ch01_04_placeholders as tf2_feeds
from tfbasics.chapters.tf2 import ch01_05_softmax_cross_entropy as tf2_softmax
from tfbasics.chapters.tf2 import ch01_06_mnist_data as tf2_data
from tfbasics.chapters.tf2 import ch01_07_single_layer_mnist as tf2_mnist
from tfbasics.data import mnist
from tfbasics.data.batches import batch_indices

LR, BATCH = 0.5, 128  # the book's hyperparameters
RTOL, ATOL = 1e-5, 1e-6  # float32: the two loops may sum in another order, nothing more


def run_main(module, tmp_path, *flags, name="r"):
    return module.main(["--logdir", str(tmp_path), "--run-name", name, *flags])


def printed(capsys):
    return capsys.readouterr().out.splitlines()


# ------------------------------------------------------------------- TensorBoard, read back
def traced_op_names(run):
    """Names of the ops of every tf.function graph traced into run folder ``run`` (by tag)."""
    from tensorboard.compat.proto.config_pb2 import RunMetadata
    from tensorboard.util import tensor_util

    acc = load_events(run)
    graphs = {}
    for tag in acc.Tags()["tensors"]:
        if acc.SummaryMetadata(tag).plugin_data.plugin_name == "graph_run_metadata_graph":
            raw = tensor_util.make_ndarray(acc.Tensors(tag)[0].tensor_proto).item()
            metadata = RunMetadata.FromString(raw)
            graphs[tag] = {
                node.name
                for g in metadata.function_graphs
                for node in g.pre_optimization_graph.node
            }
    return graphs


def tf2_scalars(run):
    """TF2 scalar summaries of run folder ``run``: tag -> list of (step, value)."""
    from tensorboard.util import tensor_util

    acc = load_events(run)
    return {
        tag: [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in acc.Tensors(tag)]
        for tag in acc.Tags()["tensors"]
        if acc.SummaryMetadata(tag).plugin_data.plugin_name == "scalars"
    }


# ------------------------------------------------------------------ sections 2-6: same values
def test_hello_twin_prints_the_tf1_scripts_values(tmp_path, capsys):
    assert run_main(ch01_02_hello_tensorflow, tmp_path) == 0
    tf1 = printed(capsys)
    assert run_main(tf2_hello, tmp_path) == 0
    tf2 = printed(capsys)
    assert tf1[0] == tf2[0] == "b'Hello World!'"
    for name in "ABC":  # "A = 123: dtype int32, rank 0, shape ()" and the others, to the letter
        line = next(x for x in tf1 if x.startswith(f"{name} = "))
        assert line in tf2
    assert "variable_y = 10" in tf1[-2] and any("variable_y = 10 at once" in x for x in tf2)
    assert tf2_scalars(tmp_path / "ch01_02_hello_tensorflow_tf2" / "r" / "variable") == {
        "variable_y": [(0, 10.0)]
    }


def test_basic_math_twin_gives_the_books_numbers_as_the_tf1_graph_does(tmp_path, capsys):
    tf1 = ch01_03_basic_math.run_basic_math().values
    printed(capsys)  # what run_basic_math printed: the script's lines are compared below
    eager_and_graph = tf2_math.make_basic_math_graph()()
    book = dict(add=3, subtract=-1, multiply=10, divide=2.5, sum_all=6)
    book.update(sum_axis0=[2, 2, 2], sum_axis1=[3, 3])
    for name, value in book.items():
        np.testing.assert_array_equal(tf1[name], value)
        np.testing.assert_array_equal(eager_and_graph[name].numpy(), value)
        assert eager_and_graph[name].dtype.as_numpy_dtype == np.asarray(tf1[name]).dtype, name
    assert run_main(ch01_03_basic_math, tmp_path) == 0
    tf1_lines = [x for x in printed(capsys) if " = " in x]
    assert run_main(tf2_math, tmp_path) == 0
    tf2_lines = printed(capsys)
    assert len(tf1_lines) == 7 and all(line in tf2_lines for line in tf1_lines)
    assert "the tf.function graph gives the same values: True" in tf2_lines


def test_placeholder_twin_feeds_what_the_tf1_feed_dict_feeds():
    feeds = tf2_feeds.make_feeds()
    values = [[1, 2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(feeds.doubler(values).numpy(), placeholders.run_doubler(values))
    np.testing.assert_array_equal(feeds.doubler(values).numpy(), [[2, 4, 6], [8, 10, 12]])
    s, i, f = feeds.feed_three("Welcome to CNN", 123, 123.45)
    p = ch01_04_placeholders.feed_placeholders()
    with tf.compat.v1.Session(graph=p.graph) as sess:
        expected = sess.run([p.s, p.i, p.f], {p.s: "Welcome to CNN", p.i: 123, p.f: 123.45})
    # a fed str comes back from sess.run as it went in; a tf.string tensor holds bytes
    assert s.numpy().decode() == np.asarray(expected[0])[()] == "Welcome to CNN"
    assert (i.numpy(), f.numpy()) == (expected[1], expected[2]) == (123, np.float32(123.45))
    assert (s.dtype, i.dtype, f.dtype) == (p.s.dtype, p.i.dtype, p.f.dtype)
    for bad in (["abc", "def", "ghi"], [1, 2]):  # TF1: FeedError; TF2: refused by input_signature
        with pytest.raises(placeholders.FeedError):
            placeholders.run_doubler(bad)
        with pytest.raises(TypeError):
            feeds.doubler(bad)


def test_truncated_normal_twin_is_seeded_and_within_two_standard_deviations():
    w = tf2_feeds.truncated_normal_weights(0).numpy()
    assert w.shape == (placeholders.N_FEATURES, placeholders.N_LABELS) and w.dtype == np.float32
    assert np.abs(w).max() <= 2.0 and w.std() > 0.1  # truncated, not all zeros
    np.testing.assert_array_equal(w, tf2_feeds.truncated_normal_weights(0).numpy())
    assert not np.array_equal(w, tf2_feeds.truncated_normal_weights(1).numpy())
    many = tf2_feeds.truncated_normal_weights(0, 20000, 1).numpy()
    assert np.abs(many).max() <= 2.0
    assert abs(many.std() - 0.88) < 0.02  # the std of N(0, 1) cut at +-2 is 0.880, as TF1's


def test_softmax_twin_gives_the_books_numbers_as_the_tf1_graphs_do():
    twin = tf2_softmax.make_softmax_functions()
    book = [0.6590, 0.2424, 0.0986]
    np.testing.assert_allclose(twin.softmax(sm.BOOK_LOGITS).numpy(), book, atol=5e-5)
    np.testing.assert_allclose(
        twin.softmax(sm.BOOK_LOGITS).numpy(),
        ch01_05_softmax_cross_entropy.softmax_graph().value,
        rtol=1e-6,
    )
    c = ch01_05_softmax_cross_entropy.cross_entropy_graph()
    with tf.compat.v1.Session(graph=c.graph) as sess:
        tf1 = sess.run(
            [c.cross_entropy, c.fused],
            {c.softmax: sm.BOOK_SOFTMAX, c.onehot_encoding: sm.BOOK_ONEHOT},
        )
    tf2 = [t.numpy() for t in twin.cross_entropy(sm.BOOK_SOFTMAX, sm.BOOK_ONEHOT)]
    np.testing.assert_allclose(tf2, tf1, rtol=1e-6)
    np.testing.assert_allclose(tf2, [-math.log(0.5)] * 2, rtol=1e-6)  # 0.6931
    st = ch01_05_softmax_cross_entropy.stability_graph()
    with tf.compat.v1.Session(graph=st.graph) as sess:
        tf1_naive, tf1_fused = sess.run(
            [st.naive_loss, st.fused_loss], {st.logits: sm.UNSTABLE_LOGITS, st.labels: [0.0, 1.0]}
        )
    naive, fused = twin.stability(sm.UNSTABLE_LOGITS, [0.0, 1.0])
    assert math.isnan(naive) and math.isnan(tf1_naive)
    assert float(fused) == float(tf1_fused) == 1000.0


def test_mnist_twin_pipeline_gives_read_data_sets_features_and_one_hot_labels():
    raw = mnist.read_data_sets(dtype=np.uint8, reshape=False, validation_size=0, fake_data=True)
    tf1 = mnist.read_data_sets(one_hot=True, validation_size=0, fake_data=True)
    features, onehot = tf2_data.make_preprocess()(
        raw.train.images[:300, ..., 0], raw.train.labels[:300]
    )
    np.testing.assert_allclose(features.numpy(), tf1.train.images[:300], rtol=1e-6)
    np.testing.assert_array_equal(onehot.numpy(), tf1.train.labels[:300])
    np.testing.assert_array_equal(onehot.numpy(), mnist.dense_to_one_hot(raw.train.labels[:300]))


# ------------------------------------------------------------ section 7: the same training
def tf1_loop(data, W0, b0, seed, steps):
    """The book's feed_dict loop on the library's model: the losses of each step, final W and b."""
    g = tf.Graph()
    with g.as_default():
        features = tf.compat.v1.placeholder(tf.float32, [None, 784], name="features")
        labels = tf.compat.v1.placeholder(tf.float32, [None, 10], name="labels")
        logits, prediction, weights, biases = sr.inference(features)
        loss = sr.loss(logits, labels)
        train_op = sr.training(loss, LR, tf.compat.v1.train.create_global_step())
        init = tf.compat.v1.global_variables_initializer()
    rows = batch_indices(seed, data.num_examples, BATCH, 0, steps)
    losses = []
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        weights.load(W0, sess)
        biases.load(b0, sess)
        for r in rows:
            _, c = sess.run([train_op, loss], {features: data.images[r], labels: data.labels[r]})
            losses.append(c)
        return np.array(losses), sess.run(weights), sess.run(biases)


def tf2_loop(data, W0, b0, seed, steps, compiled=True):
    """The twin's GradientTape loop on the twin's tf.data batches: losses, final W and b."""
    model = tf2_mnist.SoftmaxRegression(W0, b0)
    train_step = tf2_mnist.make_train_step(model, LR)
    if compiled:
        train_step = tf.function(train_step, input_signature=tf2_mnist.batch_signature())
    losses = [train_step(x, y).numpy() for x, y in tf2_mnist.batches(data, seed, BATCH, 0, steps)]
    return np.array(losses), model.W.numpy(), model.b.numpy()


def initial_weights(kind):
    if kind == "zeros":
        return np.zeros((784, 10), np.float32), np.zeros(10, np.float32)
    rng = np.random.default_rng(7)
    return (
        rng.normal(0, 0.1, (784, 10)).astype(np.float32),
        rng.normal(0, 0.1, 10).astype(np.float32),
    )


def assert_same_training(tf1, tf2):
    np.testing.assert_allclose(tf2[0], tf1[0], rtol=RTOL, atol=ATOL, err_msg="losses step by step")
    np.testing.assert_allclose(tf2[1], tf1[1], rtol=RTOL, atol=ATOL, err_msg="final weights")
    np.testing.assert_allclose(tf2[2], tf1[2], rtol=RTOL, atol=ATOL, err_msg="final biases")


@pytest.mark.parametrize("init", ["zeros", "random"])
@pytest.mark.parametrize("compiled", [True, False], ids=["tf.function", "eager"])
def test_tf2_loop_makes_the_tf1_loops_steps_on_fake_data(init, compiled):
    data = mnist.read_data_sets(one_hot=True, fake_data=True).train
    W0, b0 = initial_weights(init)
    tf1 = tf1_loop(data, W0, b0, seed=3, steps=20)  # 20 steps: more than 2 passes of 1100
    tf2 = tf2_loop(data, W0, b0, seed=3, steps=20, compiled=compiled)
    assert tf1[0][-1] < tf1[0][0]  # it trains: a comparison of two frozen models proves nothing
    assert_same_training(tf1, tf2)


@pytest.mark.slow
def test_tf2_loop_makes_the_tf1_loops_steps_over_one_epoch_of_real_mnist(mnist_dir):
    data = mnist.read_data_sets(mnist_dir, one_hot=True).train
    steps = data.num_examples // BATCH  # 429: one epoch
    W0, b0 = initial_weights("zeros")
    tf1 = tf1_loop(data, W0, b0, seed=0, steps=steps)
    tf2 = tf2_loop(data, W0, b0, seed=0, steps=steps)
    assert len(tf2[0]) == steps and round(float(np.mean(tf1[0])), 3) == 0.414  # the script prints
    assert_same_training(tf1, tf2)


def test_twin_script_prints_the_tf1_scripts_epoch_lines(tmp_path, capsys):
    common = ["--fake-data", "--epochs", "2", "--no-progress", "--seed", "5"]
    assert run_main(ch01_07_single_layer_mnist, tmp_path, *common, "--input", "feed_dict") == 0
    tf1 = [x for x in printed(capsys) if x.startswith(("Epoch:", "Test accuracy"))]
    assert run_main(tf2_mnist, tmp_path, *common) == 0
    tf2 = [x for x in printed(capsys) if x.startswith(("Epoch:", "Test accuracy"))]
    assert len(tf1) == 3 and tf1 == tf2


def checkpoint_state(run):
    reader = tf.train.load_checkpoint(str(run / "checkpoints"))
    W = reader.get_tensor("model/W/.ATTRIBUTES/VARIABLE_VALUE")
    b = reader.get_tensor("model/b/.ATTRIBUTES/VARIABLE_VALUE")
    return W, b, int(reader.get_tensor("step/.ATTRIBUTES/VARIABLE_VALUE"))


def test_tf2_checkpoint_resumes_to_the_weights_of_an_uninterrupted_run(tmp_path, capsys):
    common = ["--fake-data", "--epochs", "3", "--no-progress"]
    assert run_main(tf2_mnist, tmp_path, *common, name="whole") == 0
    assert run_main(tf2_mnist, tmp_path, *common, "--max-steps", "11", name="cut") == 0
    cut = tmp_path / "ch01_07_single_layer_mnist_tf2" / "cut"
    assert checkpoint_state(cut)[2] == 11  # stopped in the middle of epoch 2
    capsys.readouterr()
    assert run_main(tf2_mnist, tmp_path, *common, "--resume", name="cut") == 0
    assert "Resumed from" in capsys.readouterr().out
    W, b, step = checkpoint_state(cut)
    W_whole, b_whole, step_whole = checkpoint_state(
        tmp_path / "ch01_07_single_layer_mnist_tf2" / "whole"
    )
    assert step == step_whole == 3 * (1100 // BATCH)  # fake data: 1100 training examples
    np.testing.assert_array_equal(W, W_whole)
    np.testing.assert_array_equal(b, b_whole)


def test_tf2_resume_with_other_hyperparameters_is_refused(tmp_path, capsys):
    common = ["--fake-data", "--epochs", "1", "--no-progress"]
    assert run_main(tf2_mnist, tmp_path, *common, "--max-steps", "2") == 0
    capsys.readouterr()
    assert run_main(tf2_mnist, tmp_path, *common, "--resume", "--learning-rate", "0.1") == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"ch01_07_single_layer_mnist\.py: error: --resume: run .* was trained with --learning-rate 0.5, not 0.1; resume with the same flags\n",
        err,
    )
    assert run_main(tf2_mnist, tmp_path / "empty", *common, "--resume") == 2


# --------------------------------------------------------------- TensorBoard: graph, scalars
TWIN_RUNS = [  # (twin, flags, run folder below <script>_tf2/r, traced tag, an op of its graph, scalars)
    (tf2_hello, [], "hello", "hello", "hello_constant", None),
    (tf2_hello, [], "ranks", "ranks", "C", None),
    (tf2_hello, [], "variable", "variable", "variable_y_value", {"variable_y"}),
    (
        tf2_math,
        [],
        "",
        "basic_math",
        "arithmetic/divide",
        {"add", "subtract", "multiply", "divide", "sum_all"},
    ),
    (tf2_feeds, [], "doubler", "doubler", "y", {"sum_of_y"}),
    (tf2_feeds, [], "feeds", "feed_one", "fed_x", None),
    (tf2_feeds, [], "weights", None, None, {"largest_abs_weight"}),
    (tf2_softmax, [], "softmax", "softmax", "prediction", None),
    (
        tf2_softmax,
        [],
        "cross_entropy",
        "cross_entropy",
        "fused_cross_entropy",
        {"cross_entropy/by_hand", "cross_entropy/fused"},
    ),
    (tf2_softmax, [], "stability", "stability", "naive/loss", {"fused_loss"}),
    (tf2_data, ["--fake-data"], "", "preprocess", "features", {"batches_per_pass"}),
    (
        tf2_mnist,
        ["--fake-data", "--max-steps", "9", "--no-progress"],
        "train",
        "train_step",
        "loss",
        {"loss"},
    ),
    (
        tf2_mnist,
        ["--fake-data", "--max-steps", "9", "--no-progress"],
        "validation",
        None,
        None,
        {"loss", "accuracy"},
    ),
]


@pytest.mark.parametrize(
    "twin, flags, folder, tag, op, scalars",
    TWIN_RUNS,
    ids=[f"{t[0].__name__.rsplit('.', 1)[1][:7]}/{t[2] or 'run'}" for t in TWIN_RUNS],
)
def test_each_twin_writes_its_traced_graph_and_scalars(
    tmp_path, twin, flags, folder, tag, op, scalars
):
    assert run_main(twin, tmp_path, *flags) == 0
    run = tmp_path / (twin.__name__.rsplit(".", 1)[1] + "_tf2") / "r" / folder
    graphs = traced_op_names(run)
    if tag:
        assert tag in graphs and op in graphs[tag], (sorted(graphs), sorted(graphs.get(tag, ())))
    if scalars:
        assert scalars <= set(tf2_scalars(run))


def test_train_graph_is_train_steps_with_the_books_names(tmp_path):
    assert run_main(tf2_mnist, tmp_path, "--fake-data", "--max-steps", "2", "--no-progress") == 0
    (ops,) = traced_op_names(tmp_path / "ch01_07_single_layer_mnist_tf2" / "r" / "train").values()
    assert {"features", "labels", "logits", "loss", "AssignSubVariableOp"} <= ops
    assert any(op.startswith("gradient_tape/") for op in ops)


@pytest.mark.slow
def test_a_real_tensorboard_serves_the_twins_graphs_and_scalars(tmp_path):
    import time
    import urllib.parse

    from tfbasics.board import tensorboard_server as tb

    assert run_main(ch01_02_hello_tensorflow, tmp_path) == 0
    assert run_main(tf2_hello, tmp_path) == 0
    assert run_main(tf2_mnist, tmp_path, "--fake-data", "--max-steps", "3", "--no-progress") == 0
    tf1_run, tf2_run = "ch01_02_hello_tensorflow/r/hello", "ch01_02_hello_tensorflow_tf2/r/hello"
    train = "ch01_07_single_layer_mnist_tf2/r/train"
    with tb.serve(tmp_path, port=tb.free_port(), reload_interval=1) as server:
        deadline = time.monotonic() + 60
        while True:
            info = server.get_json("data/plugin/graphs/info")
            scalars = server.get_json("data/plugin/scalars/tags")
            if {tf1_run, tf2_run, train} <= set(info) and train in scalars:
                break
            assert time.monotonic() < deadline, (sorted(info), sorted(scalars))
            time.sleep(0.5)
        assert info[tf1_run]["run_graph"]  # TF1: the FileWriter's graph
        assert info[tf2_run]["tags"]["hello"]["op_graph"]  # TF2: the traced graph, by tag
        assert info[train]["tags"]["train_step"]["op_graph"]
        assert "loss" in scalars[train]
        route = f"data/plugin/graphs/graph?run={urllib.parse.quote(tf2_run)}&tag=hello"
        status, body = server.get(route)
        assert status == 200 and b"hello_constant" in body and b"Hello World!" in body


def test_train_scalars_hold_every_steps_loss(tmp_path):
    flags = ["--fake-data", "--max-steps", "9", "--no-progress"]
    assert run_main(tf2_mnist, tmp_path, *flags) == 0
    run = tmp_path / "ch01_07_single_layer_mnist_tf2" / "r"
    losses = tf2_scalars(run / "train")["loss"]
    assert [step for step, _ in losses] == list(range(1, 10))
    assert losses[-1][1] < losses[0][1]
    validation = tf2_scalars(run / "validation")["accuracy"]
    assert [step for step, _ in validation] == [8, 9]  # end of epoch 1, then the stop at step 9


def test_mnist_twin_writes_its_digits_as_images(tmp_path):
    assert run_main(tf2_data, tmp_path, "--fake-data", "--index", "3") == 0
    acc = load_events(tmp_path / "ch01_06_mnist_data_tf2" / "r")
    images = {
        tag
        for tag in acc.Tags()["tensors"]
        if acc.SummaryMetadata(tag).plugin_data.plugin_name == "images"
    }
    assert images == {"digit_3", "first_100"}


# ------------------------------------------------------------------ global mode left alone
def test_twins_and_tf1_scripts_run_in_one_process_in_either_order(tmp_path, capsys):
    fast7 = ["--fake-data", "--max-steps", "3", "--no-progress"]
    order = [
        (tf2_mnist, fast7),
        (ch01_07_single_layer_mnist, fast7),
        (tf2_hello, []),
        (ch01_02_hello_tensorflow, []),
        (tf2_math, []),
        (ch01_03_basic_math, []),
        (tf2_mnist, fast7),
    ]
    for i, (script, flags) in enumerate(order):
        assert run_main(script, tmp_path, *flags, name=f"run{i}") == 0, script.__name__
        assert tf.executing_eagerly(), f"{script.__name__} left eager execution off"
        assert not tf.config.functions_run_eagerly(), script.__name__
        assert tf.compat.v1.get_default_graph().get_operations() == [], script.__name__
    out = capsys.readouterr().out
    assert out.count("Test accuracy") == 3
    assert hello.HELLO in out


def test_unreadable_tf2_checkpoint_is_one_line_not_a_fresh_start(tmp_path, capsys):
    common = ["--fake-data", "--epochs", "1", "--no-progress"]
    assert run_main(tf2_mnist, tmp_path, *common, "--max-steps", "2") == 0
    data = next((tmp_path / "ch01_07_single_layer_mnist_tf2" / "r" / "checkpoints").glob("*.data*"))
    data.write_bytes(b"not a checkpoint")
    capsys.readouterr()
    assert run_main(tf2_mnist, tmp_path, *common, "--resume") == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("ch01_07_single_layer_mnist.py: error: cannot restore ")
        and err.count("\n") == 1
    )


# -------------------------------------------------------------- the command line: tf2/N
def test_list_shows_the_twins_after_the_chapter_and_run_all_leaves_them_out(capsys):
    from tfbasics.cli import main
    from tfbasics.cli import sections as chapter_sections

    assert main.main(["list"]) == 0
    out = capsys.readouterr().out
    twins = [line.split() for line in out.splitlines() if line.strip().startswith("tf2/")]
    assert [row[:2] for row in twins] == [
        [f"tf2/{n}", module.__name__.rsplit(".", 1)[1]]
        for n, module in zip(
            range(2, 8), (tf2_hello, tf2_math, tf2_feeds, tf2_softmax, tf2_data, tf2_mnist)
        )
    ]
    sections, twins = (
        chapter_sections.discover_sections(),
        chapter_sections.discover_sections(twins=True),
    )
    assert not any(s.twin for s in chapter_sections.resolve_sections(["all"], sections, twins))
    assert chapter_sections.resolve_sections(["tf2/all"], sections, twins) == twins
    for spelling in (
        "tf2/7",
        "tf2/07",
        "tf2/ch01_07",
        "tf2/single_layer_mnist",
        "TF2/single-layer-mnist",
    ):
        (chosen,) = chapter_sections.resolve_sections([spelling], sections, twins)
        assert chosen.module == "tfbasics.chapters.tf2.ch01_07_single_layer_mnist", spelling
    both = chapter_sections.resolve_sections(["tf2/3", "3"], sections, twins)
    assert [s.name for s in both] == ["ch01_03_basic_math", "tf2/ch01_03_basic_math"]
    with pytest.raises(
        main.CliError, match=r"unknown section 'tf2/9'.*tf2/7 \(single_layer_mnist\)"
    ):
        chapter_sections.resolve_sections(["tf2/9"], sections, twins)


@pytest.mark.slow
def test_tfbasics_run_runs_a_twin_in_its_own_process(tmp_path, capsys):
    from tfbasics.cli import main

    flags = ["--quiet", "--logdir", str(tmp_path), "--", "--run-name", "cli"]
    assert main.main(["run", "tf2/3", *flags]) == 0
    out = capsys.readouterr().out
    assert "[1/1] tf2/ch01_03_basic_math ... ok (" in out
    assert traced_op_names(tmp_path / "ch01_03_basic_math_tf2" / "cli")["basic_math"]

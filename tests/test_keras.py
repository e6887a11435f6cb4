"""Sections 8-9: Keras' inferred shapes, the book's MLP, its training, saving and reloading."""

import errno
import os
import re
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from helpers import CHAPTER_RUN, event_files, graph_op_names, load_events
from tfbasics import keras_models
from tfbasics._tf import tf
from tfbasics.data import mnist  # imports TensorFlow quietly, then Keras
from tfbasics.data.mnist_files import MNISTError

# isort: split
import keras

from tfbasics.chapters import ch01_08_keras_sequential, ch01_09_keras_mnist_mlp
from tfbasics.runs import keras_runs

# Keras 3 converts tensors with np.array(x), which NumPy 2 flags; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

SCRIPT_09 = Path(ch01_09_keras_mnist_mlp.__file__)
FIRST_SCREEN = 80  # lines of a script a reader sees first (the book's code must be there)
FULL_RUN_ACCURACY = 0.975  # the bar; the book reports about 0.98 after 4 epochs
SHORT_RUN_ACCURACY = 0.75  # 1 epoch on 3,000 images (0.84-0.87 over seeds 0-2); chance is 0.10


def printed_number(text, label):
    """The float after ``label`` on its line of ``text`` (``Test accuracy: 0.98``)."""
    match = re.search(rf"^{re.escape(label)}\s+([-+0-9.eE]+)$", text, re.MULTILINE)
    assert match, f"no line '{label} <number>' in the output:\n{text}"
    return float(match.group(1))


# ------------------------------------------------------------------ section 8: shapes
def test_sequential_stack_infers_the_books_shapes_without_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ch01_08_keras_sequential.sequential_stack()
    assert [str(w.message) for w in caught if issubclass(w.category, UserWarning)] == []
    rows = keras_models.layer_shapes(model)
    assert [r.kind for r in rows] == ["Flatten", "Dense", "Activation", "Dense", "Activation"]
    assert [r.output_shape for r in rows] == [
        (None, 3072),
        (None, 100),
        (None, 100),
        (None, 60),
        (None, 60),
    ]
    assert rows[0].input_shape == (None, 32, 32, 3)
    assert [r.params for r in rows] == [0, 32 * 32 * 3 * 100 + 100, 0, 100 * 60 + 60, 0]
    assert [r.params for r in rows][1::2] == [307_300, 6_060]
    assert model.count_params() == 313_360


def test_summary_text_is_keras_table():
    text = keras_models.summary_text(ch01_08_keras_sequential.sequential_stack())
    assert "307,300" in text and "6,060" in text and "Total params: 313,360" in text


@pytest.mark.slow
def test_importing_the_module_builds_nothing():
    # in a fresh process: no output on import, and the first layer made afterwards still gets
    # Keras' first default name, so the import created no layer or model
    code = (
        "import tfbasics.keras_models, tfbasics.runs.keras_runs; from tfbasics._tf import keras; "
        "import tfbasics.chapters.ch01_08_keras_sequential, tfbasics.chapters.ch01_09_keras_mnist_mlp; "
        "print(keras.layers.Dense(1).name, keras.Sequential().name)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["dense", "sequential"]
    assert done.stderr == ""


def test_ch01_08_prints_shapes_and_writes_summary_and_graph(tmp_path, capsys):
    assert ch01_08_keras_sequential.main(["--logdir", str(tmp_path), "--run-name", "r"]) == 0
    out = capsys.readouterr().out
    for name, shape in [
        ("flatten", "(None, 3072)"),
        ("dense", "(None, 100)"),
        ("activation", "(None, 100)"),
        ("dense_1", "(None, 60)"),
        ("activation_1", "(None, 60)"),
    ]:
        assert re.search(rf"^{name}\s+\w+\s+\(.*\)\s+==> {re.escape(shape)}", out, re.M), out
    assert "Total params: 313,360" in out and "307,300" in out and "6,060" in out
    run = tmp_path / "ch01_08_keras_sequential" / "r"
    assert event_files(run)
    acc = load_events(run)
    assert "model_summary" in acc.Tags()["tensors"]
    text = acc.Tensors("model_summary")[0].tensor_proto.string_val[0].decode()
    assert "307,300" in text
    ops = graph_op_names(run)
    assert any(op.endswith("/MatMul") for op in ops) and any("flatten" in op for op in ops)
    # the Graphs tab and the summary name the layers alike (Keras' own trace says
    # sequential_1/dense_1 for the first Dense layer, the summary's dense)
    scopes = {op.split("/")[1] for op in ops if op.startswith("sequential/")}
    assert scopes == {"flatten", "dense", "activation", "dense_1", "activation_1"}, sorted(ops)
    assert "dense_1 (Dense)" in text and not any(op.startswith("sequential_1") for op in ops)


def test_forward_graph_of_the_mlp_uses_the_summarys_layer_names():
    model = ch01_09_keras_mnist_mlp.build_model()
    ops = {node.name for node in keras_models.forward_graph(model).as_graph_def().node}
    scopes = {op.split("/")[1] for op in ops if op.startswith("mnist_mlp/")}
    # Dropout is off outside training, so it adds no op
    assert scopes == {"dense", "activation", "dense_1", "activation_1", "dense_2", "activation_2"}
    assert "mnist_mlp/activation_2/Softmax" in ops


def test_ch01_08_logdir_that_is_a_file_is_one_line(tmp_path, capsys):
    logdir = tmp_path / "file"
    logdir.write_text("not a folder")
    assert ch01_08_keras_sequential.main(["--logdir", str(logdir)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"ch01_08_keras_sequential.py: error: --logdir {logdir}: {logdir} is a file, not a folder; "
        "pass a folder"
    ]


# ------------------------------------------------------------------ section 9: the MLP
def test_build_model_is_the_books_layer_list():
    model = ch01_09_keras_mnist_mlp.build_model()
    expected = [
        ("Dense", 512),
        ("Activation", "relu"),
        ("Dropout", 0.2),
        ("Dense", 512),
        ("Activation", "relu"),
        ("Dropout", 0.2),
        ("Dense", 10),
        ("Activation", "softmax"),
    ]
    found = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            assert layer.activation.__name__ == "linear"  # the book adds activations as layers
            found.append((kind, layer.units))
        elif kind == "Activation":
            found.append((kind, layer.activation.__name__))
        else:
            found.append((kind, pytest.approx(layer.rate)))
    assert found == expected
    assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
    assert model.count_params() == (784 * 512 + 512) + (512 * 512 + 512) + (512 * 10 + 10)


def test_compile_model_uses_the_books_settings():
    lesson = ch01_09_keras_mnist_mlp
    model = lesson.compile_model(lesson.build_model())
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert model.loss == "categorical_crossentropy"


def test_prepare_flattens_scales_and_one_hots():
    images = np.array([np.full((28, 28), 255), np.zeros((28, 28))], dtype=np.uint8)
    split = keras_models.prepare(images, np.array([3, 0], dtype=np.uint8))
    assert split.x.shape == (2, 784) and split.x.dtype == np.float32
    assert split.x[0].min() == 1.0 and split.x[1].max() == 0.0
    assert split.y.dtype == np.float32
    np.testing.assert_array_equal(split.y, np.eye(10, dtype=np.float32)[[3, 0]])


def test_split_mnist_validates_on_the_first_training_images():
    a = mnist.fake_arrays()
    train, test = (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
    data = keras_models.split_mnist(train, test, validation_size=100)
    assert [len(s.x) for s in data] == [1100, 100, 200]
    np.testing.assert_array_equal(
        data.validation.x, keras_models.prepare(a["x_train"][:100], a["y_train"][:100]).x
    )
    np.testing.assert_array_equal(data.train.y.argmax(1), a["y_train"][100:])
    book = keras_models.split_mnist(train, test, validate_on_test=True, max_examples=500)
    assert [len(s.x) for s in book] == [500, 200, 200]
    np.testing.assert_array_equal(book.validation.x, book.test.x)
    np.testing.assert_array_equal(book.train.y.argmax(1), a["y_train"][:500])


@pytest.mark.slow
def test_ch01_09_fake_data_smoke_run_and_load_round_trip(tmp_path, capsys):
    args = ["--fake-data", "--epochs", "1", "--verbose", "0", "--logdir", str(tmp_path)]
    assert ch01_09_keras_mnist_mlp.main(args + ["--run-name", "r"]) == 0
    out = capsys.readouterr().out
    assert "Training matrix shape (1100, 784)" in out
    accuracy = printed_number(out, "Test accuracy:")
    score = printed_number(out, "Test score:")
    run = tmp_path / "ch01_09_keras_mnist_mlp" / "r"
    for part in ("train", "validation"):
        tags = load_events(run / part).Tags()["tensors"]
        assert "epoch_loss" in tags and "epoch_accuracy" in tags, (part, tags)
        # neither the validation numbers again on a step axis nor rmsprop's flat learning rate
        assert not [t for t in tags if "vs_iterations" in t or "learning_rate" in t], tags
    saved = run / "model.keras"
    assert saved.is_file()
    assert not [p.name for p in run.iterdir() if ".tmp" in p.name]  # no temporary file left

    assert (
        ch01_09_keras_mnist_mlp.main(
            ["--fake-data", "--load", str(saved), "--logdir", str(tmp_path / "load")]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert printed_number(out, "Test accuracy:") == pytest.approx(accuracy, abs=1e-6)
    assert printed_number(out, "Test score:") == pytest.approx(score, rel=1e-5)
    assert "Epoch" not in out and not (tmp_path / "load").exists()  # nothing trained or written


@pytest.mark.parametrize("content", [None, b"not a zip archive", b"PK\x03\x04 broken zip"])
def test_ch01_09_load_bad_file_is_one_line(tmp_path, capsys, content):
    path = tmp_path / "model.keras"
    if content is not None:
        path.write_bytes(content)
    assert ch01_09_keras_mnist_mlp.main(["--fake-data", "--load", str(path)]) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0], captured.err


def test_ch01_09_load_refuses_another_model(tmp_path, capsys):
    path = tmp_path / "stack.keras"
    ch01_08_keras_sequential.sequential_stack().save(path)
    assert ch01_09_keras_mnist_mlp.main(["--fake-data", "--load", str(path)]) != 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "not the MNIST MLP" in lines[0]


@pytest.mark.parametrize("flag", ["--epochs", "--batch-size", "--max-examples"])
def test_ch01_09_bad_flag_value_is_one_line(tmp_path, capsys, flag):
    assert ch01_09_keras_mnist_mlp.main(["--fake-data", flag, "0", "--logdir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"ch01_09_keras_mnist_mlp.py: error: {flag} must be at least 1, got 0"
    ]
    assert not any(tmp_path.iterdir())


def test_ch01_09_missing_data_is_one_line(tmp_path, capsys, monkeypatch):
    def refuse(path=None):
        raise MNISTError(f"{path}: no MNIST here")

    monkeypatch.setattr(mnist, "load_data", refuse)
    assert (
        ch01_09_keras_mnist_mlp.main(["--data-dir", str(tmp_path), "--logdir", str(tmp_path)]) == 1
    )
    assert capsys.readouterr().err.strip().splitlines() == [
        f"ch01_09_keras_mnist_mlp.py: error: {tmp_path}: no MNIST here"
    ]


# ------------------------------------------------------------------ real MNIST
@pytest.mark.slow
def test_short_run_on_real_mnist_learns(mnist_dir, tmp_path, capsys):
    assert (
        ch01_09_keras_mnist_mlp.main(
            [
                "--data-dir",
                str(mnist_dir),
                "--epochs",
                "1",
                "--max-examples",
                "3000",
                "--verbose",
                "0",
                "--logdir",
                str(tmp_path),
                "--run-name",
                "short",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Training matrix shape (3000, 784)" in out
    assert (
        "Validation matrix shape (5000, 784)" in out and "Testing matrix shape (10000, 784)" in out
    )
    assert printed_number(out, "Test accuracy:") > SHORT_RUN_ACCURACY


@pytest.mark.slow
@pytest.mark.xdist_group(CHAPTER_RUN)  # trained once, by the README's `tfbasics run all`
def test_full_run_reaches_the_books_accuracy(chapter_run):
    # the README's command: 4 epochs, batch 128, 55,000 training images, seed 0
    out = chapter_run.section(9)
    assert out.count("val_accuracy") == 4  # one line per epoch
    assert printed_number(out, "Test accuracy:") >= FULL_RUN_ACCURACY
    assert printed_number(out, "Test score:") < 0.1
    (run,) = chapter_run.run_folders("ch01_09_keras_mnist_mlp")
    assert (run / "model.keras").is_file()


# ------------------------------------------------------------------ the script reads as the book
def _code_lines(path):
    """The lines of a script after its module docstring."""
    text = path.read_text(encoding="utf-8")
    end = text.index('"""', 3) + 3
    return text[end:].splitlines()


def test_ch01_09_first_screen_is_the_books_code():
    lines = SCRIPT_09.read_text(encoding="utf-8").splitlines()
    first_screen = "\n".join(lines[:FIRST_SCREEN])
    # the book's Sequential, written out, on the first screen; the rest of the book's code
    # (data, compile, fit, evaluate) follows it before the command line
    assert "def build_model():" in first_screen and "model.add(keras.Input(" in first_screen
    lesson = "\n".join(lines).split('# %% active="py"')[0]
    for code in (
        "mnist.load_data(",
        "keras_models.split_mnist(",
        "model = compile_model(build_model())",
        "model.compile(",
        "model.fit(",
        "score = model.evaluate(",
        'print(f"Test score: {score[0]:.4f}")',
        'print(f"Test accuracy: {score[1]:.4f}")',
    ):
        assert code in lesson, f"{code!r} not in the lesson part of {SCRIPT_09}"
    assert "argparse" not in first_screen and "add_argument" not in first_screen
    code = "\n".join(_code_lines(SCRIPT_09))
    assert code.index("def main(") > code.index("model.evaluate(")
    assert code.rstrip().endswith('if __name__ == "__main__":\n    sys.exit(script_main(main))')


def test_ch01_09_differences_from_the_book_are_commented():
    code = "\n".join(_code_lines(SCRIPT_09))
    for book in ("nb_epoch", "np_utils", "(X_test, Y_test)"):
        assert re.search(rf"#.*{re.escape(book)}", code), f"no comment on the book's {book}"


def test_library_keeps_no_training_wrapper():
    assert not hasattr(keras_models, "train") and not hasattr(keras_models, "evaluate")


# ------------------------------------------------------------------ TensorBoard: the test score
@pytest.mark.slow
def test_ch01_09_logs_the_test_score_once_and_the_run_as_an_hparams_trial(tmp_path, capsys):
    args = ["--fake-data", "--epochs", "2", "--verbose", "0", "--logdir", str(tmp_path)]
    assert ch01_09_keras_mnist_mlp.main([*args, "--run-name", "trial"]) == 0
    out = capsys.readouterr().out
    # rounded as the book prints it
    assert re.search(r"^Test score: \d+\.\d{4}$", out, re.M), out
    assert re.search(r"^Test accuracy: \d\.\d{4}$", out, re.M), out
    run = tmp_path / "ch01_09_keras_mnist_mlp" / "trial"
    acc = load_events(run)
    tags = acc.Tags()["tensors"]
    for tag, label in (("test/loss", "Test score:"), ("test/accuracy", "Test accuracy:")):
        events = acc.Tensors(tag)
        assert len(events) == 1, (tag, events)  # once, at the end
        assert events[0].step == 1  # the last epoch's step (epochs 0 and 1)
        value = float(tf.make_ndarray(events[0].tensor_proto))
        assert value == pytest.approx(printed_number(out, label), abs=5e-5)
    assert "_hparams_/session_start_info" in tags
    from tensorboard.plugins.hparams import plugin_data_pb2

    content = acc.SummaryMetadata("_hparams_/session_start_info").plugin_data.content
    start = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    assert start.group_name == "trial"  # the trial is named by the run
    assert start.hparams["epochs"].number_value == 2
    assert start.hparams["train_examples"].number_value == 1100


# ------------------------------------------------------------------ faults: one line, nothing half
def _fake_args(tmp_path, *more):
    return ["--fake-data", "--epochs", "1", "--verbose", "0", "--logdir", str(tmp_path), *more]


def _one_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_save_model_writes_through_a_temporary_file(tmp_path):
    model = ch01_09_keras_mnist_mlp.build_model()  # uncompiled
    path = keras_runs.save_model(model, tmp_path / "model.keras")
    assert path == tmp_path / "model.keras" and [p.name for p in tmp_path.iterdir()] == [path.name]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert keras_runs.load_model(path).count_params() == model.count_params()


def _full_disk_save(self, filepath, *args, **kwargs):
    """keras.Model.save on a disk that fills up: half the file, then ENOSPC."""
    Path(filepath).write_bytes(b"PK\x03\x04 half a model")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_save_model_on_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path, monkeypatch
):
    path = tmp_path / "model.keras"
    path.write_bytes(b"the model saved before")
    monkeypatch.setattr(keras.Model, "save", _full_disk_save)
    with pytest.raises(OSError) as caught:
        keras_runs.save_model(ch01_09_keras_mnist_mlp.build_model(), path)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
    assert path.read_bytes() == b"the model saved before"


@pytest.mark.slow
def test_ch01_09_disk_full_while_saving_is_one_line_and_no_partial_file(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(keras.Model, "save", _full_disk_save)
    assert ch01_09_keras_mnist_mlp.main(_fake_args(tmp_path, "--run-name", "full")) == 1
    run = tmp_path / "ch01_09_keras_mnist_mlp" / "full"
    line = _one_line(capsys.readouterr().err)
    assert line == (
        f"ch01_09_keras_mnist_mlp.py: error: {run / 'model.keras'}: No space left on device; "
        "free some space and run again"
    )
    assert not (run / "model.keras").exists()
    assert [p.name for p in run.iterdir() if p.is_file() and "keras" in p.name] == []


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_ch01_09_seed_out_of_range_is_one_line_naming_the_flag(tmp_path, capsys, seed):
    assert ch01_09_keras_mnist_mlp.main(_fake_args(tmp_path, "--seed", seed)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _one_line(captured.err) == (
        f"ch01_09_keras_mnist_mlp.py: error: --seed must be between 0 and {2**32 - 1}, got {seed}"
    )
    assert not any(tmp_path.iterdir())


def test_ch01_09_logdir_that_is_a_file_is_one_line(tmp_path, capsys):
    logdir = tmp_path / "file"
    logdir.write_text("not a folder")
    assert ch01_09_keras_mnist_mlp.main(_fake_args(logdir)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any work
    assert _one_line(captured.err) == (
        f"ch01_09_keras_mnist_mlp.py: error: --logdir {logdir}: {logdir} is a file, not a folder; "
        "pass a folder"
    )
    assert logdir.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_ch01_09_read_only_logdir_is_one_line(tmp_path, capsys):
    logdir = tmp_path / "ro"
    logdir.mkdir(mode=0o555)
    assert ch01_09_keras_mnist_mlp.main(_fake_args(logdir)) == 2
    assert "cannot write in" in _one_line(capsys.readouterr().err)
    assert not any(logdir.iterdir())


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_ch01_09_read_only_disk_found_while_writing_is_one_line(
    tmp_path, capsys, monkeypatch, code
):
    # a read-only filesystem (or root's view of one) is found only when the run folder is made
    def refuse(logdir, script, run_name=None, exist_ok=False):
        raise OSError(code, os.strerror(code), str(Path(logdir) / script))

    monkeypatch.setattr(ch01_09_keras_mnist_mlp.folders, "run_dir", refuse)
    assert ch01_09_keras_mnist_mlp.main(_fake_args(tmp_path)) == 1
    assert _one_line(capsys.readouterr().err) == (
        f"ch01_09_keras_mnist_mlp.py: error: {tmp_path / 'ch01_09_keras_mnist_mlp'}: "
        f"{os.strerror(code)}; pass a --logdir you can write to"
    )


def test_ch01_09_ctrl_c_during_training_is_one_line_and_exit_130(tmp_path, capsys, monkeypatch):
    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "fit", interrupted)
    assert ch01_09_keras_mnist_mlp.main(_fake_args(tmp_path, "--run-name", "stop")) == 130
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("ch01_09_keras_mnist_mlp.py: interrupted; no model saved"), line
    assert not (tmp_path / "ch01_09_keras_mnist_mlp" / "stop" / "model.keras").exists()


@pytest.mark.slow
def test_ch01_09_sigint_to_a_real_run_exits_130_with_one_line(tmp_path):
    script = [sys.executable, "-u", str(SCRIPT_09)]
    args = ["--fake-data", "--epochs", "100000", "--verbose", "2", "--logdir", str(tmp_path)]
    with subprocess.Popen(
        script + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            for line in proc.stdout:  # wait until training is under way
                if line.startswith("Epoch 2/"):
                    break
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines()[-1].startswith("ch01_09_keras_mnist_mlp.py: interrupted; ")
    assert not list(tmp_path.rglob("*.keras"))

"""Section 7's run folders under faults: resume finds the run's own checkpoints, checks the data,
skips stopped runs, falls back past a damaged checkpoint; a full disk, Ctrl-C and bad flags or
files end in one line, and nothing is lost or left half-written (issue 13)."""

import errno
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tfbasics import in_graph
from tfbasics import softmax_regression as sr
from tfbasics._tf import tf
from tfbasics.chapters import ch01_07_single_layer_mnist as script
from tfbasics.runs import checkpoints, folders, run_records

pytestmark = pytest.mark.xdist_group("resume_faults")  # module fixtures: made once

REPO = Path(__file__).resolve().parents[1]
RUN = "ch01_07_single_layer_mnist"
v1 = tf.compat.v1


def run_script(logdir, *flags, name="r"):
    return script.main(
        ["--fake-data", "--logdir", str(logdir), "--run-name", name, "--no-progress", *flags]
    )


def weights_of(run):
    """(weights, biases) of the checkpoint the run's index names, read from the run folder."""
    epoch = checkpoints.last_checkpoint(run)
    reader = tf.train.load_checkpoint(str(Path(run) / f"model.ckpt-{epoch}"))
    return reader.get_tensor("inference/weights"), reader.get_tensor("inference/biases")


def snapshot(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(root).rglob("*"))
        if p.is_file()
    }


def one_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def assert_same(a, b):
    for x, y in zip(weights_of(a), weights_of(b)):
        np.testing.assert_allclose(x, y, atol=1e-6)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted 3-epoch run (seed 1) and a 2-epoch one of another seed (2)."""
    logdir = tmp_path_factory.mktemp("reference")
    assert run_script(logdir, "--epochs", "3", "--seed", "1", name="full") == 0
    assert run_script(logdir, "--epochs", "2", "--seed", "2", name="other") == 0
    return logdir / RUN


# ----------------------------------------------------------- 1. the run's own checkpoints
def test_a_copied_run_folder_resumes_its_own_weights(tmp_path, reference, capsys):
    a, b = tmp_path / "a", tmp_path / "b"  # absolute logdirs, as in the issue
    assert run_script(a, "--epochs", "2", "--seed", "1") == 0
    (b / RUN).mkdir(parents=True)
    shutil.copytree(a / RUN / "r", b / RUN / "r")
    index = (b / RUN / "r" / "checkpoint").read_text()
    assert str(tmp_path) not in index and 'model_checkpoint_path: "model.ckpt-2"' in index
    # the old place now holds another run's folder; an index written with absolute paths (as
    # before) pointed there: only the file name counts now
    shutil.rmtree(a / RUN / "r")
    shutil.copytree(reference / "other", a / RUN / "r")
    (b / RUN / "r" / "checkpoint").write_text(
        f'model_checkpoint_path: "{a / RUN / "r" / "model.ckpt-2"}"\n'
    )
    capsys.readouterr()
    assert run_script(b, "--epochs", "3", "--resume") == 0
    assert "Resumed from the checkpoint of epoch 2 (step 16)" in capsys.readouterr().out
    assert_same(b / RUN / "r", reference / "full")  # its own weights, continued


def test_a_moved_run_folder_resumes_under_its_new_name(tmp_path, reference, capsys):
    assert run_script(tmp_path / "a", "--epochs", "2", "--seed", "1") == 0
    (tmp_path / "c" / RUN).mkdir(parents=True)
    (tmp_path / "a" / RUN / "r").rename(tmp_path / "c" / RUN / "moved")
    capsys.readouterr()
    assert run_script(tmp_path / "c", "--epochs", "3", "--resume", name="moved") == 0
    assert "Resumed from the checkpoint of epoch 2" in capsys.readouterr().out
    assert_same(tmp_path / "c" / RUN / "moved", reference / "full")


def test_another_runs_checkpoint_dropped_in_is_refused_in_one_line(tmp_path, reference, capsys):
    assert run_script(tmp_path, "--epochs", "2", "--seed", "1") == 0
    run = tmp_path / RUN / "r"
    for f in (reference / "other").glob("model.ckpt-2.*"):
        shutil.copy(f, run / f.name)
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "3", "--resume") == 1
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith(
        f"ch01_07_single_layer_mnist.py: error: checkpoint {run / 'model.ckpt-2'} is not the one this run"
    )
    assert "model.ckpt-2.data-00000-of-00001 differs from the record in checkpoints.json" in line
    assert "Epoch:" not in out and snapshot(tmp_path) == before


def test_a_record_of_another_run_is_refused(tmp_path, reference, capsys):
    assert run_script(tmp_path, "--epochs", "2", "--seed", "1") == 0
    shutil.copy(reference / "other" / "checkpoints.json", tmp_path / RUN / "r")
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "3", "--resume") == 1
    line = one_line(capsys.readouterr().err)
    assert "checkpoints.json records the checkpoints of another run" in line


# ----------------------------------------------------------- 2. the data is checked
@pytest.mark.slow
def test_resume_on_other_data_is_refused_both_ways(tmp_path, mnist_dir, capsys):
    real = ["--data-dir", str(mnist_dir), "--logdir", str(tmp_path), "--no-progress"]
    assert script.main([*real, "--run-name", "real", "--max-steps", "1", "--seed", "0"]) == 0
    assert run_script(tmp_path, "--epochs", "1", "--seed", "0", name="fake") == 0
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert script.main([*real, "--run-name", "real", "--resume", "--fake-data"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "was trained on MNIST, 55000/5000/10000 train/validation/test examples, not fake" in line
    assert line.endswith("resume it without --fake-data")
    assert script.main([*real, "--run-name", "fake", "--resume"]) == 2
    out, err = capsys.readouterr()
    assert one_line(err).endswith(
        "not MNIST, 55000/5000/10000 train/validation/test examples; resume it with --fake-data"
    )
    assert "Epoch:" not in out and snapshot(tmp_path) == before
    hparams = json.loads((tmp_path / RUN / "real" / "hparams.json").read_text())
    assert hparams["data"] == {"source": "MNIST", "train": 55000, "validation": 5000, "test": 10000}


# ----------------------------------------------------------- 3. the NaN guard's stop
def test_a_run_stopped_by_the_nan_guard_is_marked_and_not_resumed(tmp_path, monkeypatch, capsys):
    assert run_script(tmp_path, "--epochs", "2", "--seed", "1", name="good") == 0
    check = sr.check_finite

    def diverge_at_step_20(value, step, config):  # in epoch 3, after two checkpoints
        check(float("nan") if step == 20 else value, step, config)

    monkeypatch.setattr(sr, "check_finite", diverge_at_step_20)
    time.sleep(0.05)  # "newest" compares index times
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "3", "--seed", "1", name="nan") == 3
    line = one_line(capsys.readouterr().err)
    assert line.startswith(
        "ch01_07_single_layer_mnist.py: error: the loss became nan at step 20: the weights diverged"
    )
    assert line.endswith(
        f"{tmp_path / RUN / 'nan'} is marked stopped in hparams.json (not resumed)"
    )
    saved = json.loads((tmp_path / RUN / "nan" / "hparams.json").read_text())
    assert saved["stopped"] == "the loss became nan at step 20" and saved["seed"] == 1
    monkeypatch.setattr(sr, "check_finite", check)
    assert run_script(tmp_path, "--epochs", "3", "--resume", name="nan") == 2
    assert "was stopped (the loss became nan at step 20) and is not resumed" in (
        capsys.readouterr().err
    )
    # --resume without --run-name picks the newest run that was not stopped
    assert (
        script.main(
            ["--fake-data", "--logdir", str(tmp_path), "--no-progress", "--epochs", "3", "--resume"]
        )
        == 0
    )
    assert f"Run folder: {tmp_path / RUN / 'good'} " in capsys.readouterr().out


def test_a_nan_at_step_one_marks_the_run_too(tmp_path, capsys):
    flags = ["--init", "book", "--loss", "book", "--learning-rate", "1000", "--seed", "0"]
    assert run_script(tmp_path, *flags) == 3
    assert "marked stopped" in one_line(capsys.readouterr().err)
    assert run_records.is_stopped(tmp_path / RUN / "r")
    assert script.main(["--fake-data", "--logdir", str(tmp_path), "--resume"]) == 2
    assert "no resumable run under" in capsys.readouterr().err


# ----------------------------------------------------------- 4. --steps-per-run
def test_steps_per_run_is_bounded_by_the_epoch(tmp_path, capsys):
    assert run_script(tmp_path, "--input", "in_graph", "--steps-per-run", "100000") == 2
    line = one_line(capsys.readouterr().err)
    assert line == (
        "ch01_07_single_layer_mnist.py: error: --steps-per-run must be at most 8, the steps of one epoch "
        "(1100 examples // batch size 128), got 100000"
    )
    assert not (tmp_path / RUN).exists()
    assert run_script(tmp_path, "--input", "in_graph", "--steps-per-run", "8", "--epochs", "1") == 0
    saved = json.loads((tmp_path / RUN / "r" / "hparams.json").read_text())
    assert saved["steps_per_run"] == 8
    assert run_script(tmp_path, "--input", "in_graph", "--epochs", "1", name="d") == 0
    saved = json.loads((tmp_path / RUN / "d" / "hparams.json").read_text())
    assert saved["steps_per_run"] == 8  # the default 13, bounded by the 8 steps of an epoch


def test_the_in_graph_loop_does_not_grow_with_steps_per_run():
    sizes = []
    for k in (13, 100000):
        config = sr.Config(steps_per_run=k, input="in_graph")
        with tf.Graph().as_default() as g:
            features = v1.placeholder(tf.float32, [None, 784], name="features")
            sr.inference(features, config.init, config.seed)
            in_graph.build(config, 55000, v1.train.create_global_step())
        sizes.append(len(g.as_graph_def().node))
    assert sizes[0] == sizes[1]


# ----------------------------------------------------------- 5. a damaged checkpoint
def test_a_damaged_newest_checkpoint_is_named_and_the_last_good_one_used(
    tmp_path, reference, capsys
):
    assert run_script(tmp_path, "--epochs", "2", "--seed", "1") == 0
    run = tmp_path / RUN / "r"
    data = run / "model.ckpt-2.data-00000-of-00001"
    damaged = bytearray(data.read_bytes())
    damaged[100] ^= 0xFF
    data.write_bytes(bytes(damaged))
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "3", "--resume") == 0
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith(f"warning: cannot read checkpoint {data} (")
    assert "resuming from model.ckpt-1 (epoch 1), the newest intact one" in line
    assert "Resumed from the checkpoint of epoch 1 (step 8)" in out
    assert "Epoch: 2 cost" in out and "Epoch: 3 cost" in out
    assert_same(run, reference / "full")  # epoch 2 was trained again, as it was
    history = json.loads((run / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]


# ----------------------------------------------------------- 6. a full disk, Ctrl-C
class FullDiskAt:
    """Makes ``target`` raise OSError(ENOSPC) naming the file from its ``n``th call on."""

    def __init__(self, monkeypatch, owner, name, n, path_of):
        self.calls, real = 0, getattr(owner, name)

        def full(*args, **kwargs):
            self.calls += 1
            if self.calls >= n:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path_of(args)))
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, full)


def _tf_full_disk(monkeypatch):
    """Saver.save fails at epoch 2 as TensorFlow does on a full tmpfs (its text, measured)."""
    real, calls = v1.train.Saver.save, []

    def save(self, sess, save_path, *args, **kwargs):
        calls.append(save_path)
        if len(calls) == 2:
            message = (
                "Graph execution error:\n\nDetected at node 'save/SaveV2' defined at ...\n"
                f"{save_path}-2.data-00000-of-00001.tempstate560915405162393307; No space left "
                "on device\n\t [[{{node save/SaveV2}}]]\nHint: If you want to see ..."
            )
            raise tf.errors.ResourceExhaustedError(None, None, message)
        return real(self, sess, save_path, *args, **kwargs)

    monkeypatch.setattr(v1.train.Saver, "save", save)


@pytest.mark.parametrize("where", ["saver", "tensorflow", "history"])
def test_a_full_disk_in_epoch_2_is_one_line_and_epoch_1_resumes(
    where, tmp_path, reference, monkeypatch, capsys
):
    run = tmp_path / RUN / "r"
    if where == "saver":  # TensorFlow's Saver writing model.ckpt-2
        FullDiskAt(monkeypatch, v1.train.Saver, "save", 2, lambda a: f"{a[2]}-2.index")
        failed = run / "model.ckpt-2.index"
    elif where == "tensorflow":
        _tf_full_disk(monkeypatch)
        failed = run / "model.ckpt-2.data-00000-of-00001"
    else:  # our atomic writer, at epoch 2's history.json (after its checkpoint and record)
        real = checkpoints._write

        def write(path, text):
            if Path(path).name == "history.json" and '"epoch": 2' in text:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return real(path, text)

        monkeypatch.setattr(checkpoints, "_write", write)
        failed = run / "history.json"
    assert run_script(tmp_path, "--epochs", "3", "--seed", "1") == 1
    line = one_line(capsys.readouterr().err)
    assert line == (
        f"ch01_07_single_layer_mnist.py: error: {failed}: No space left on device; the last good checkpoint (epoch 1) is "
        "intact: free some space, then resume with: python chapters/"
        f"ch01_07_single_layer_mnist.py --fake-data --logdir {tmp_path} --no-progress "
        "--epochs 3 --run-name r --resume"
    )
    assert [p for p in run.rglob(".*.tmp*")] == []
    monkeypatch.undo()
    argv = shlex.split(line.split("resume with: ")[1])[2:]
    assert script.main(argv) == 0
    assert "Resumed from the checkpoint of epoch 1 (step 8)" in capsys.readouterr().out
    assert_same(run, reference / "full")


@pytest.mark.slow
def test_ctrl_c_during_training_keeps_the_last_checkpoint_and_says_how_to_resume(tmp_path):
    # far more epochs than can finish before the signal: an idle machine runs one in ~1 s
    flags = ["--fake-data", "--batch-size", "1", "--epochs", "1000", "--seed", "9"]
    flags += ["--logdir", str(tmp_path), "--no-progress", "--run-name", "k"]
    child = subprocess.Popen(
        [sys.executable, f"chapters/{RUN}.py", *flags],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = tmp_path / RUN / "k"
    deadline = time.monotonic() + 300
    try:
        while checkpoints.last_checkpoint(run) == 0:  # the index is written last
            assert child.poll() is None, "the run ended before its first checkpoint"
            assert time.monotonic() < deadline, "no checkpoint after 300 s"
            time.sleep(0.02)
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=120)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 130, err
    epoch = checkpoints.last_checkpoint(run)
    assert 1 <= epoch < 1000
    assert one_line(err) == (
        f"{RUN}.py: interrupted; the last checkpoint (epoch {epoch}) is kept, resume with: "
        f"python chapters/{RUN}.py --fake-data --batch-size 1 --epochs 1000 --logdir {tmp_path} "
        "--no-progress --run-name k --resume"
    )
    assert [p for p in run.rglob(".*.tmp*")] == []
    assert folders.read_marker(run) is not None and (run / "hparams.json").is_file()


# ----------------------------------------------------------- 7. one line, no run folder left
@pytest.mark.parametrize(
    "flags, message",
    [
        (
            ["--seed", "-1"],
            "ch01_07_single_layer_mnist.py: error: --seed must be between 0 and 2147483647, got -1",
        ),
        (
            ["--seed", "2147483648"],
            "ch01_07_single_layer_mnist.py: error: --seed must be between 0 and 2147483647, got",
        ),
        (
            ["--steps-per-run", "0"],
            "ch01_07_single_layer_mnist.py: error: steps per run must be at least 1, got 0",
        ),
    ],
)
def test_bad_values_are_one_line_before_any_run_folder(flags, message, tmp_path, capsys):
    assert run_script(tmp_path, *flags) == 2
    assert one_line(capsys.readouterr().err).startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_a_logdir_that_is_a_file_or_read_only_is_one_line(tmp_path, monkeypatch, capsys):
    a_file = tmp_path / "logs"
    a_file.write_text("a file")
    assert run_script(a_file) == 2
    assert one_line(capsys.readouterr().err) == (
        f"ch01_07_single_layer_mnist.py: error: --logdir {a_file}: {a_file} is a file, not a folder; pass a folder"
    )
    assert a_file.read_text() == "a file"
    monkeypatch.setattr(folders.os, "access", lambda path, mode: False)  # tests run as root
    assert run_script(tmp_path / "ro") == 2
    assert "cannot write in " in one_line(capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("history.json", '{"epoch": 1,', "history.json (JSONDecodeError: Expecting"),
        ("history.json", "[[1, 2]]", "history.json (TypeError: "),
        ("hparams.json", "[]", "hparams.json holds list [], not the run's hyperparameters"),
        ("hparams.json", "{", "cannot read "),
        # of the wrong size or types (issue 23: every file read back is checked)
        ("hparams.json", " " * 2**21, "hparams.json is 2097152 bytes, not a run's hyperparameters"),
        ("history.json", '[{"epoch": "1", "step": 8, "cost": 1.0}]', 'row 1: "epoch" is "1", not'),
        ("history.json", '[{"epoch": 1, "step": 8, "cost": null}]', '"cost" is null, not a number'),
    ],
    ids=[
        "history not JSON",
        "history rows not objects",
        "hparams a list",
        "hparams not JSON",
        "hparams too large",
        "history epoch a string",
        "history cost null",
    ],
)
def test_a_damaged_run_file_on_resume_is_one_line_naming_it(
    name, content, message, tmp_path, capsys
):
    assert run_script(tmp_path, "--epochs", "1", "--seed", "1") == 0
    (tmp_path / RUN / "r" / name).write_text(content)
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "2", "--resume") == 1
    out, err = capsys.readouterr()
    line = one_line(err)
    assert (
        line.startswith("ch01_07_single_layer_mnist.py: error: ")
        and str(tmp_path / RUN / "r" / name) in line
    )
    assert message in line and "Traceback" not in err
    assert "Epoch:" not in out and snapshot(tmp_path) == before


# ----------------------------------------------------------- 8. every script's entry point
@pytest.mark.parametrize("name", ["ch01_06_mnist_data", RUN, "ch01_09_keras_mnist_mlp"])
def test_scripts_run_through_script_main(name):
    source = (REPO / "chapters" / f"{name}.py").read_text()
    assert 'if __name__ == "__main__":\n    sys.exit(script_main(main))' in source


def test_ch01_06_checks_the_logdir_before_reading_mnist(tmp_path, monkeypatch, capsys):
    from tfbasics.chapters import ch01_06_mnist_data
    from tfbasics.data import mnist

    monkeypatch.setattr(mnist, "load_data", lambda *a: pytest.fail("MNIST read before --logdir"))
    a_file = tmp_path / "logs"
    a_file.write_text("a file")
    assert ch01_06_mnist_data.main(["--logdir", str(a_file)]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"ch01_06_mnist_data.py: error: --logdir {a_file}: {a_file} is a file, not a folder; pass a folder"
    )

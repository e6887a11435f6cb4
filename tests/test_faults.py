"""Faults a careful user meets: each ends in one clear line and an exit status, nothing is lost.

Concurrent runs, run names that try to leave the logdir, clean-logs beside foreign files and
symbolic links, a full disk (the atomic writer patched to fail at its Nth write), a read-only or
misplaced logdir, Ctrl-C delivered to real processes, a closed pipe, bad TensorBoard flags.
Every case checks the one-line message, the exit status, and that no file was lost, changed or
left half-written. Tests run as root here, so a read-only disk is simulated (OSError(EROFS)).
"""

import errno
import hashlib
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tfbasics.board import tensorboard_server as tb
from tfbasics.cli import main, section_runner
from tfbasics.data import idx
from tfbasics.runs import atomic, folders, run_lock, script_errors

REPO = Path(__file__).resolve().parent.parent
PYTHON_ENV = dict(
    os.environ,
    PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
)


def snapshot(root):
    """{relative path: sha256} of every file below ``root`` (links recorded by their target)."""
    out = {}
    for path in sorted(Path(root).rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def one_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def load_script(name):
    """The module of ``chapters/<name>.py`` (imported as tfbasics.chapters.<name>)."""
    import importlib

    return importlib.import_module(f"tfbasics.chapters.{name}")


# ---------------------------------------------------------------------------------------------
# 1. two runs never share one folder


def _claim(barrier, logdirs, queue):
    import pathlib

    from tfbasics.runs import folders

    real_mkdir = pathlib.Path.mkdir

    def contested(self, *args, **kwargs):
        if self.name == "same":  # both processes meet here, as after a check that it is free
            barrier.wait(timeout=60)
        return real_mkdir(self, *args, **kwargs)

    pathlib.Path.mkdir = contested  # in this worker process only
    for logdir in logdirs:
        queue.put((logdir, str(folders.run_dir(logdir, "ch01_03_basic_math", "same"))))


def test_two_processes_started_together_never_share_a_run_folder(tmp_path):
    # The two workers meet at a barrier right before creating the folder, the moment a
    # check-then-create claim races (the old one shared a folder in 150 of 150 tries so).
    tries = 150
    logdirs = [str(tmp_path / f"try{i}") for i in range(tries)]
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold TF threads
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_claim, args=(barrier, logdirs, queue)) for _ in range(2)]
    for w in workers:
        w.start()
    claims = [queue.get(timeout=120) for _ in range(2 * tries)]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    by_try = {}
    for logdir, path in claims:
        by_try.setdefault(logdir, []).append(Path(path).name)
    assert len(by_try) == tries
    for logdir, names in by_try.items():
        assert sorted(names) == ["same", "same-2"], (logdir, names)
        for name in names:
            run = Path(logdir) / "ch01_03_basic_math" / name
            assert folders.read_marker(run)["script"] == "ch01_03_basic_math"


def test_a_taken_name_gets_the_next_suffix_and_resume_reuses_it(tmp_path):
    first = folders.run_dir(tmp_path, "s", "r")
    (first / "keep.json").write_text("{}")
    assert folders.run_dir(tmp_path, "s", "r").name == "r-2"
    (tmp_path / "s" / "r-3").write_text("a file in the way")
    assert folders.run_dir(tmp_path, "s", "r").name == "r-4"
    assert folders.run_dir(tmp_path, "s", "r", exist_ok=True) == first
    assert (first / "keep.json").read_text() == "{}"
    assert (tmp_path / "s" / "r-3").read_text() == "a file in the way"


# ---------------------------------------------------------------------------------------------
# 2. a run name is one folder name


@pytest.mark.parametrize("name", ["../../x", "../x", "/tmp/elsewhere", "a/b", "..", ".", ""])
def test_a_run_name_that_is_a_path_is_one_line_naming_the_flag(name, tmp_path, capsys):
    logdir = tmp_path / "logs"
    module = load_script("ch01_03_basic_math")
    with pytest.raises(SystemExit) as exit_:
        module.main(["--logdir", str(logdir), "--run-name", name])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = one_line(captured.err)
    assert "argument --run-name: " in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, not even logs/
    with pytest.raises(ValueError):
        folders.run_dir(logdir, "s", name)
    assert not logdir.exists()


# ---------------------------------------------------------------------------------------------
# 3. clean-logs removes only what it can prove it wrote


def _logs_with_foreign_things(tmp_path):
    logs = tmp_path / "logs"
    ours = [
        folders.run_dir(logs, "ch01_02_hello_tensorflow", "a"),
        folders.run_dir(logs, "ch01_02_hello_tensorflow", "b"),
        folders.run_dir(logs, "ch01_07_single_layer_mnist", "a"),
    ]
    for run in ours:
        (run / "train").mkdir()
        (run / "train" / "events.out.tfevents.1.host").write_bytes(b"x" * 100)
        (run / "curves.png").write_bytes(b"png")
    (ours[2] / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-1"\n')
    (ours[2] / "model.ckpt-1.index").write_bytes(b"i")
    (ours[2] / "model.ckpt-1.data-00000-of-00001").write_bytes(b"d")
    (logs / "README.md").write_text("# logs/\n")
    (logs / "mine").mkdir()
    (logs / "mine" / "notes.txt").write_text("my notes")
    unmarked = logs / "ch01_02_hello_tensorflow" / "old"  # from before markers, or not ours
    unmarked.mkdir()
    (unmarked / "events.out.tfevents.0.host").write_bytes(b"old")
    notebook_run = folders.run_dir(logs, "ch01_03_basic_math", "with-notebook")
    (notebook_run / "events.out.tfevents.2.host").write_bytes(b"e")
    (notebook_run / "analysis.ipynb").write_text("{}")  # the user's: the run is left whole
    copied = logs / "ch01_05_softmax_cross_entropy" / "copied-marker"
    copied.mkdir(parents=True)
    (copied / folders.MARKER).write_text((ours[0] / folders.MARKER).read_text())  # another script's
    elsewhere = tmp_path / "elsewhere"
    outside_run = folders.run_dir(elsewhere, "ch01_04_placeholders", "outside")
    (outside_run / "events.out.tfevents.3.host").write_bytes(b"keep me")
    (logs / "ch01_04_placeholders").symlink_to(elsewhere / "ch01_04_placeholders")
    (logs / "ch01_07_single_layer_mnist" / "link").symlink_to(outside_run)
    for run in [*ours, notebook_run, outside_run]:
        run_lock.release(run)  # finished runs: their process has let go of them
    return logs, ours, elsewhere


def test_clean_logs_removes_only_marked_runs_and_names_what_it_leaves(tmp_path, capsys):
    logs, ours, elsewhere = _logs_with_foreign_things(tmp_path)
    outside_before = snapshot(elsewhere)
    before = snapshot(logs)
    assert main.main(["clean-logs", "--logdir", str(logs), "--yes"]) == 0
    out = capsys.readouterr().out
    for run in ours:
        assert not run.exists()
    assert snapshot(elsewhere) == outside_before  # a symlink is never followed
    ours_prefixes = tuple(str(r.relative_to(logs)) + os.sep for r in ours)
    expected = {k: v for k, v in before.items() if not k.startswith(ours_prefixes)}
    assert snapshot(logs) == expected  # everything else is there, byte for byte
    assert "To remove under" in out and "3 runs" in out
    assert "ch01_02_hello_tensorflow/a/" in out and "ch01_07_single_layer_mnist/a/" in out
    left = next(line for line in out.splitlines() if line.startswith("Left alone"))
    assert "README.md" in left and "mine/" in left
    assert "ch01_02_hello_tensorflow/old/ (no .tfbasics-run marker)" in left
    assert "ch01_03_basic_math/with-notebook/ (holds analysis.ipynb)" in left
    assert "ch01_05_softmax_cross_entropy/copied-marker/" in left
    links = [line for line in out.splitlines() if line.startswith("Not followed")]
    assert len(links) == 2 and all("(a symbolic link)" in line for line in links)
    assert "Removed 3 runs" in out


def test_clean_logs_without_yes_lists_first_and_removes_nothing(tmp_path):
    logs, ours, _ = _logs_with_foreign_things(tmp_path)
    before = snapshot(logs)
    done = subprocess.run(
        [sys.executable, "-m", "tfbasics", "clean-logs", "--logdir", str(logs)],
        env=PYTHON_ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "ch01_02_hello_tensorflow/a/" in done.stdout  # listed before it refuses
    assert "re-run with --yes" in one_line(done.stderr)
    assert snapshot(logs) == before


def test_clean_logs_on_a_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "logs"
    path.write_text("not a folder")
    assert main.main(["clean-logs", "--logdir", str(path), "--yes"]) == 2
    assert "is a file, not a folder" in one_line(capsys.readouterr().err)
    assert path.read_text() == "not a folder"


# ---------------------------------------------------------------------------------------------
# 4. a full disk: the atomic writer fails at its Nth write


class FullDisk:
    """Patch ``tfbasics.runs.atomic``'s ``open`` so that write number ``n`` (1-based) writes half its
    bytes and raises OSError(ENOSPC), as a disk that fills up mid-file does."""

    def __init__(self, monkeypatch, n):
        self.n, self.writes = n, 0
        real_open = open
        disk = self

        class File:
            def __init__(self, f):
                self.f = f

            def write(self, data):
                disk.writes += 1
                if disk.writes == disk.n:
                    self.f.write(data[: len(data) // 2])
                    self.f.flush()
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return self.f.write(data)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

        monkeypatch.setattr(atomic, "open", lambda *a, **k: File(real_open(*a, **k)), raising=False)


def hidden_temporaries(root):
    return [p for p in Path(root).rglob(".*.tmp*")]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_full_disk_leaves_the_old_file_whole_and_no_temporary(n, tmp_path, monkeypatch):
    path = tmp_path / "history.json"
    path.write_text('{"old": true}')
    FullDisk(monkeypatch, n)
    with pytest.raises(OSError) as err:
        atomic.atomic_write(path, [b'{"new": ', b"[1, 2, 3]", b"}"])
    assert err.value.errno == errno.ENOSPC
    assert err.value.filename == str(path)  # the message can name the file
    assert path.read_text() == '{"old": true}'
    assert hidden_temporaries(tmp_path) == []
    assert (
        "history.json: No space left on device; free some space"
        in script_errors.describe_os_error(err.value)
    )


def test_idx_write_goes_through_the_same_atomic_writer(tmp_path, monkeypatch):
    import numpy as np

    path = tmp_path / "t10k-labels-idx1-ubyte"
    idx.write_idx(path, np.arange(10, dtype=np.uint8))
    before = path.read_bytes()
    FullDisk(monkeypatch, 1)
    with pytest.raises(OSError):
        idx.write_idx(path, np.zeros(20, np.uint8))
    assert path.read_bytes() == before and hidden_temporaries(tmp_path) == []


def test_a_full_disk_at_the_run_marker_is_one_line_and_leaves_no_run_folder(
    tmp_path, monkeypatch, capsys
):
    module = load_script("ch01_03_basic_math")
    FullDisk(monkeypatch, 1)
    code = script_errors.script_main(
        module.main, ["--logdir", str(tmp_path)], prog="ch01_03_basic_math.py"
    )
    assert code == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("ch01_03_basic_math.py: error: ")
    assert ".tfbasics-run: No space left on device; free some space" in line
    assert list((tmp_path / "ch01_03_basic_math").iterdir()) == []  # the claimed folder is gone


def test_a_writer_error_with_the_system_text_is_recognised():
    # TensorFlow's event writer reports a full disk as RuntimeError("<file>; No space left ...")
    err = RuntimeError("/l/run/events.out.tfevents.1.h; No space left on device\n\tFailed to flush")
    assert script_errors.describe_os_error(err).startswith(
        "/l/run/events.out.tfevents.1.h: No space left"
    )
    assert script_errors.describe_os_error(RuntimeError("shapes do not match")) is None
    assert (
        script_errors.describe_os_error(OSError(errno.EBADF, "Bad file descriptor")) is None
    )  # a bug


def test_a_bug_keeps_its_traceback():
    def main():
        raise OSError(errno.EBADF, "Bad file descriptor")

    with pytest.raises(OSError):
        script_errors.script_main(main)


# ---------------------------------------------------------------------------------------------
# 5. a read-only disk, or a file where the logdir should be


def test_a_read_only_logdir_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    import pathlib

    real_mkdir = pathlib.Path.mkdir

    def read_only(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path / "ro")):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", read_only)
    module = load_script("ch01_01_neuron")
    code = script_errors.script_main(
        module.main, ["--logdir", str(tmp_path / "ro")], prog="ch01_01.py"
    )
    assert code == 1
    line = one_line(capsys.readouterr().err)
    assert "Read-only file system; write elsewhere with --logdir" in line
    assert list(tmp_path.iterdir()) == []


def test_a_logdir_that_is_a_file_is_one_line_and_the_file_is_unchanged(tmp_path, capsys):
    path = tmp_path / "logs"
    path.write_text("a file")
    module = load_script("ch01_01_neuron")
    code = script_errors.script_main(module.main, ["--logdir", str(path)], prog="ch01_01_neuron.py")
    assert code == 1
    line = one_line(capsys.readouterr().err)
    assert f"{path}: is a file, not a folder; pass a folder with --logdir" in line
    assert path.read_text() == "a file"


@pytest.mark.parametrize("fault", ["a file", "read-only"])
def test_tfbasics_run_checks_the_logdir_before_any_section(fault, tmp_path, monkeypatch, capsys):
    logdir = tmp_path / "logs"
    if fault == "a file":
        logdir.write_text("a file")
    else:
        import tempfile

        def refuse(*args, **kwargs):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(logdir))

        monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    started = []
    monkeypatch.setattr(section_runner, "run_section", lambda *a, **k: started.append(a) or 0)
    assert main.main(["run", "1", "--logdir", str(logdir)]) == 2
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith(f"tfbasics run: error: --logdir {logdir}: ")
    assert ("is a file" if fault == "a file" else "Read-only file system") in line
    assert started == [] and captured.out == ""


# ---------------------------------------------------------------------------------------------
# 6. Ctrl-C delivered to real processes

SLOW_SCRIPT = """
import sys, time
from tfbasics.runs import folders, script_errors

def main(argv=None):
    run = folders.run_dir(sys.argv[1], "slow", "r")
    (run / "part1.json").write_text("{}")
    {raise_line}
    print("ready", flush=True)
    for _ in range(600):  # short sleeps: a SIGINT right after the print is never lost
        time.sleep(0.1)
    return 0

if __name__ == "__main__":
    sys.exit(script_errors.script_main(main))
"""


def _start(args, **kwargs):
    return subprocess.Popen(
        args,
        env=PYTHON_ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.mark.parametrize("how", ["plain", "Interrupted"])
def test_ctrl_c_in_a_script_is_one_line_exit_130_and_keeps_its_files(how, tmp_path):
    raise_line = ""
    if how == "Interrupted":
        raise_line = (
            "import signal; signal.signal(signal.SIGINT, "
            "lambda *a: (_ for _ in ()).throw(script_errors.Interrupted('part1.json is kept')))"
        )
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(SLOW_SCRIPT).replace("{raise_line}", raise_line))
    process = _start([sys.executable, str(script), str(tmp_path / "logs")])
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    run = tmp_path / "logs" / "slow" / "r"
    expected = (
        f"slow.py: interrupted; kept what was written so far in {run}"
        if how == "plain"
        else "slow.py: interrupted; part1.json is kept"
    )
    assert one_line(err) == expected
    assert (run / "part1.json").read_text() == "{}" and folders.read_marker(run) is not None


def test_ctrl_c_while_a_script_imports_is_one_line_too(tmp_path):
    (tmp_path / "slow_import.py").write_text(
        "import time\nprint('importing', flush=True)\nfor _ in range(600):\n    time.sleep(0.1)\n"
    )
    env = dict(PYTHON_ENV, PYTHONPATH=f"{tmp_path}{os.pathsep}{PYTHON_ENV['PYTHONPATH']}")
    process = subprocess.Popen(
        [sys.executable, "-m", "tfbasics.cli.launch", "slow_import"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "importing\n"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert one_line(err) == "slow_import.py: interrupted; nothing was written"


def test_ctrl_c_during_tfbasics_run_says_what_finished_and_exits_130(tmp_path):
    process = _start(
        [sys.executable, "-m", "tfbasics", "run", "2", "3", "--logdir", str(tmp_path / "logs")]
    )
    first = process.stdout.readline()
    assert first.startswith("[1/2] ch01_02_hello_tensorflow: ")
    time.sleep(1.0)  # the section is importing TensorFlow or running: either must be clean
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    assert "tfbasics run: interrupted; sections finished: " in err
    assert "[2/2]" not in out  # nothing started after the interrupt
    for run in (tmp_path / "logs").glob("*/*"):
        assert folders.read_marker(run) is not None  # what was written is a marked run folder
        assert hidden_temporaries(run) == []


# ---------------------------------------------------------------------------------------------
# 7. output into a closed pipe (| head -1)


@pytest.mark.parametrize(
    "command",
    [
        ["chapters/ch01_03_basic_math.py", "--logdir", "{tmp}"],
        ["-m", "tfbasics", "list"],
    ],
)
@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(command, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env=PYTHON_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the first line
    err = process.stderr.read().decode()
    process.wait(timeout=120)
    assert process.returncode == 1
    assert err == ""


# ---------------------------------------------------------------------------------------------
# 8. flags checked before any work


def test_a_bad_label_is_refused_before_anything_is_printed_or_written(tmp_path, capsys):
    module = load_script("ch01_05_softmax_cross_entropy")
    with pytest.raises(SystemExit) as exit_:
        module.main(["--labels", "4", "12", "--logdir", str(tmp_path)])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "argument --labels: a digit label is 0-9, got 12" in one_line(captured.err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--port", "-1"], "argument --port: a port is 1-65535, got -1"),
        (["--port", "70000"], "argument --port: a port is 1-65535, got 70000"),
        (["--port", "0"], "argument --port: a port is 1-65535, got 0"),
        (["--port", "x"], "argument --port: invalid int value: 'x'"),
        (["--reload-interval", "nan"], "argument --reload-interval: must be a number of seconds"),
        (["--reload-interval", "-1"], "argument --reload-interval: must be a number of seconds"),
        (["--reload-interval", "soon"], "argument --reload-interval: not a number of seconds"),
    ],
)
def test_tensorboard_flags_are_checked_in_one_line(args, expected, tmp_path, capsys):
    assert main.main(["tensorboard", "--logdir", str(tmp_path), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert expected in one_line(captured.err)


def test_tensorboard_on_another_logdir_suggests_filling_that_logdir(tmp_path, capsys):
    empty = tmp_path / "other logs"
    empty.mkdir()
    assert main.main(["tensorboard", "--logdir", str(empty)]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.endswith(f"fill it first with: tfbasics run all --logdir '{empty}'")
    a_file = tmp_path / "events.txt"
    a_file.write_text("x")
    assert main.main(["tensorboard", "--logdir", str(a_file)]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"--logdir {a_file} is a file, not a folder" in line


def test_a_restart_right_after_a_stop_keeps_the_port(monkeypatch):
    # a server that closed its side first leaves the port in TIME_WAIT; TensorBoard binds with
    # SO_REUSEADDR, so the port is free for it and must count as free
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as TensorBoard's server
    server.bind((tb.HOST, 0))
    server.listen(1)
    port = server.getsockname()[1]
    client = socket.create_connection((tb.HOST, port))
    conn, _ = server.accept()
    conn.close()  # the server's side closes first: TIME_WAIT on this port
    server.close()
    client.close()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as plain, pytest.raises(OSError):
        plain.bind((tb.HOST, port))  # the old check's plain bind: "in use", so it moved off
    assert tb.port_is_free(port)
    monkeypatch.setattr(tb, "DEFAULT_PORT", port)
    assert tb.pick_port() == (port, None)


def test_a_busy_default_port_says_which_port_was_taken_and_why(monkeypatch):
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind((tb.HOST, 0))
    busy.listen(1)
    try:
        port = busy.getsockname()[1]
        monkeypatch.setattr(tb, "DEFAULT_PORT", port)
        chosen, why = tb.pick_port()
        assert chosen != port
        assert why == (
            f"port {port} is in use (another TensorBoard or server is answering at "
            f"http://{tb.HOST}:{port}/)"
        )
        assert tb.pick_port(1234) == (1234, None)  # a port asked for is used as asked
    finally:
        busy.close()


def test_the_marker_is_json_naming_the_script(tmp_path):
    run = folders.run_dir(tmp_path, "ch01_01_neuron", "r")
    record = json.loads((run / folders.MARKER).read_text())
    assert record["written_by"] == "tfbasics" and record["script"] == "ch01_01_neuron"
    assert record["run"] == "r" and record["created"].endswith("+00:00")
    (run / folders.MARKER).write_text("[]")  # damaged: not proof of anything
    assert folders.read_marker(run) is None

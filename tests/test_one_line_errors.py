"""The last tracebacks of issue 23 end in one line on stderr naming the file or flag, what is
wrong and what to do, and a non-zero exit: a long --run-name, a symlink loop as --logdir, a folder
where a checkpoint file was, too little memory, hparams.json of the wrong types; and the smaller
things seen (a quoted "view them with" command, $TFBASICS_DATA_DIR named, history.json's size,
one summary per run)."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfbasics.runs import script_errors

REPO = Path(__file__).resolve().parents[1]
RUN = "ch01_07_single_layer_mnist"


def one_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


# ----------------------------------------------------------- 9. not enough memory
def _limit_address_space(kb):
    def limit():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (kb * 1024, kb * 1024))

    return limit


@pytest.mark.skipif(sys.platform != "linux", reason="ulimit -v: RLIMIT_AS as Linux counts it")
@pytest.mark.slow
def test_ulimit_v_1500000_before_ch01_07_is_one_line(tmp_path):
    flags = ["--fake-data", "--max-steps", "3", "--logdir", str(tmp_path), "--no-progress"]
    done = subprocess.run(
        [sys.executable, str(REPO / "chapters" / f"{RUN}.py"), *flags],
        capture_output=True,
        text=True,
        preexec_fn=_limit_address_space(1_500_000),  # the issue's `ulimit -v 1500000`
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    line = one_line(done.stderr)
    assert line.startswith(f"{RUN}.py: error: not enough memory: "), line
    assert "ulimit -v 1500000); raise the limit (ulimit -v unlimited) and run again" in line


def test_memory_that_runs_out_in_a_file_call_while_training_is_memory_not_disk(
    tmp_path, monkeypatch, capsys
):
    # under `ulimit -v` a busy machine sometimes runs out in a system call instead of an import:
    # OSError(ENOMEM) naming whatever file was at hand (seen: a folder of a library's grammar)
    from tfbasics.runs import checkpoints

    def write(path, text):
        raise OSError(errno.ENOMEM, os.strerror(errno.ENOMEM), str(path))

    monkeypatch.setattr(checkpoints, "_write", write)
    main = lambda: run_script(tmp_path, "--epochs", "2")  # noqa: E731 - as the script runs it
    assert script_errors.script_main(main, prog=f"{RUN}.py") == script_errors.EXIT_FAILED
    line = one_line(capsys.readouterr().err)
    assert line.startswith(
        f"{RUN}.py: error: not enough memory: OSError: [Errno {errno.ENOMEM}] Cannot allocate memory"
    ), line
    assert line.endswith(f"(unfinished run folder: {tmp_path / RUN / 'r'})"), line


@pytest.mark.parametrize(
    "exc, what",
    [
        (MemoryError(), "not enough memory: MemoryError"),
        (ImportError("libx.so: failed to map segment from shared object"), "ImportError: libx"),
        (RuntimeError("can't start new thread"), "RuntimeError: can't start new thread"),
    ],
)
def test_memory_that_ran_out_is_one_line_not_a_traceback(exc, what, capsys):
    def main():
        raise exc

    assert script_errors.script_main(main, prog="p.py") == script_errors.EXIT_FAILED
    line = one_line(capsys.readouterr().err)
    assert line.startswith("p.py: error: not enough memory: ") and what in line


def test_an_interpreter_error_while_importing_is_memory_only_under_a_limit(monkeypatch):
    import resource

    exc = SystemError("error return without exception set")  # an import that ran out
    unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    monkeypatch.setattr(resource, "getrlimit", lambda which: unlimited)
    assert script_errors.describe_memory_error(exc) is None  # a bug: keeps its traceback
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1_500_000 * 1024, unlimited[1]))
    line = script_errors.describe_memory_error(exc)
    assert line.startswith("not enough memory: SystemError: error return without exception set")
    assert "(this process may use only 1464 MB of address space: ulimit -v 1500000)" in line


def test_the_error_table_names_the_new_os_errors():
    for code in (errno.ENAMETOOLONG, errno.ELOOP, errno.EMFILE, errno.ENOMEM):
        line = script_errors.describe_os_error(OSError(code, os.strerror(code), "some/file"))
        assert line.startswith(f"some/file: {os.strerror(code)}; "), line
    assert script_errors.describe_memory_error(ValueError("shapes do not match")) is None


# ----------------------------------------------------------- 6. a run name too long for a folder
def run_script(logdir, *flags, name="r"):
    from tfbasics.chapters import ch01_07_single_layer_mnist as script

    return script.main(
        ["--fake-data", "--logdir", str(logdir), "--run-name", name, "--no-progress", *flags]
    )


def test_a_run_name_of_256_characters_is_one_line_before_any_work(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run_script(tmp_path / "L", "--max-steps", "2", name="a" * 256)
    assert exit_.value.code == 2
    line = one_line(capsys.readouterr().err)
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    assert ": error: argument --run-name: is 256 bytes long ('aaaaaaaaaaaa'...)" in line
    assert f"longer than the {limit} bytes a folder name may have" in line
    assert "; pass a shorter name (see: " in line
    assert list(tmp_path.iterdir()) == []


def test_the_longest_name_is_the_file_systems_name_max(tmp_path):
    from tfbasics.runs import folders

    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    assert folders.check_run_name("a" * limit, tmp_path / "not" / "yet") == "a" * limit
    with pytest.raises(ValueError, match=f"is {limit + 1} bytes long"):
        folders.check_run_name("a" * (limit + 1), tmp_path)
    with pytest.raises(ValueError, match="is 256 bytes long"):
        folders.check_run_name("é" * 128, tmp_path)  # bytes count, not characters


@pytest.mark.slow
def test_a_taken_longest_name_is_one_line_not_file_name_too_long(tmp_path):
    name = "a" * os.pathconf(tmp_path, "PC_NAME_MAX")
    script = REPO / "chapters" / "ch01_02_hello_tensorflow.py"
    argv = [sys.executable, str(script), "--logdir", str(tmp_path), "--run-name", name]
    assert subprocess.run(argv, capture_output=True, timeout=120).returncode == 0
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)  # wants <name>-2
    assert done.returncode == 1
    assert one_line(done.stderr).endswith(
        f"{name}-2: File name too long; pass a shorter --run-name or --logdir"
    )


# ----------------------------------------------------------- 7. a symlink loop as --logdir
def _links(tmp_path, kind):
    if kind == "one link":  # ln -s loop loop
        os.symlink("loop", tmp_path / "loop")
        return tmp_path / "loop", tmp_path / "loop"
    if kind == "two links":
        os.symlink("b", tmp_path / "a")
        os.symlink("a", tmp_path / "b")
        return tmp_path / "a", tmp_path / "a"
    os.symlink("loop", tmp_path / "loop")  # a folder inside the loop
    return tmp_path / "loop" / "sub", tmp_path / "loop"


@pytest.mark.parametrize("kind", ["one link", "two links", "below one"])
def test_a_symlink_loop_as_logdir_is_one_line_saying_so(kind, tmp_path, capsys):
    logdir, link = _links(tmp_path, kind)
    assert run_script(logdir, "--max-steps", "2") == 2
    assert one_line(capsys.readouterr().err) == (
        f"{RUN}.py: error: --logdir {logdir}: {link} is a symlink loop (it leads back to itself); "
        "remove that link or pass another folder"
    )
    script = REPO / "chapters" / "ch01_02_hello_tensorflow.py"  # claims its folder directly
    done = subprocess.run(
        [sys.executable, str(script), "--logdir", str(logdir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.endswith(
        f"{link}: is a symlink loop (it leads back to itself); remove the symlink loop, or "
        "pass another folder with --logdir"
    )
    assert "File exists" not in line and "Errno" not in line


def test_a_link_to_nowhere_as_logdir_names_the_link(tmp_path, capsys):
    os.symlink(tmp_path / "nowhere", tmp_path / "logs")
    assert run_script(tmp_path / "logs", "--max-steps", "2") == 2
    assert one_line(capsys.readouterr().err) == (
        f"{RUN}.py: error: --logdir {tmp_path / 'logs'}: {tmp_path / 'logs'} is a symlink to "
        f"{tmp_path / 'nowhere'}, which does not exist; remove that link or pass another folder"
    )
    assert not (tmp_path / "nowhere").exists()


# ----------------------------------------------------------- 8. a folder where a checkpoint was
def snapshot(root):
    return sorted(
        (str(p.relative_to(root)), p.is_dir() or p.read_bytes()) for p in Path(root).rglob("*")
    )


@pytest.mark.parametrize("file", ["model.ckpt-2.index", "model.ckpt-2.data-00000-of-00001"])
def test_a_folder_where_a_checkpoint_file_was_is_one_line_on_resume(file, tmp_path, capsys):
    assert run_script(tmp_path, "--epochs", "2", "--seed", "1") == 0
    run = tmp_path / RUN / "r"
    (run / file).unlink()
    (run / file).mkdir()
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "3", "--resume") == 1
    out, err = capsys.readouterr()
    assert one_line(err) == (
        f"{RUN}.py: error: {run / file} is a folder, where a file of checkpoint model.ckpt-2 belongs (it "
        "can be neither restored nor saved again); move that folder away, then resume"
    )
    assert "Epoch:" not in out and snapshot(tmp_path) == before  # refused before any work


def test_a_folder_made_where_a_checkpoint_goes_while_training_is_one_line(
    tmp_path, monkeypatch, capsys
):
    from tfbasics.runs import run_records

    open_run = run_records.open_run

    def open_run_and_block_epoch_2(*args, **kwargs):
        out, hparams = open_run(*args, **kwargs)
        (out / "model.ckpt-2.index").mkdir()  # TensorFlow renames its temporary file onto it
        return out, hparams

    monkeypatch.setattr(run_records, "open_run", open_run_and_block_epoch_2)
    assert run_script(tmp_path, "--epochs", "3", "--seed", "1") == 1
    run = tmp_path / RUN / "r"
    line = one_line(capsys.readouterr().err)
    assert line.startswith(
        f"{RUN}.py: error: {run / 'model.ckpt-2.index'}: Is a directory; the last good checkpoint (epoch "
        "1) is intact: fix that, then resume with: python chapters/"
    ), line


# ----------------------------------------------------------- 10. hparams.json of the wrong types
@pytest.mark.parametrize(
    "key, value, message",
    [
        ("data", "fake", '"data" is "fake", not an object'),
        ("seed", "1", '"seed" is "1", not an integer'),
        ("learning_rate", "0.5", '"learning_rate" is "0.5", not a number'),
        ("batch_size", True, '"batch_size" is true, not an integer'),
        ("data", {"source": "fake", "train": "1100"}, '"data.train" is "1100", not an integer'),
    ],
)
def test_hparams_json_of_the_wrong_types_is_one_line_naming_the_key(
    key, value, message, tmp_path, capsys
):
    import json

    assert run_script(tmp_path, "--epochs", "1", "--seed", "1") == 0
    path = tmp_path / RUN / "r" / "hparams.json"
    path.write_text(json.dumps(dict(json.loads(path.read_text()), **{key: value}), indent=1))
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "2", "--resume") == 1
    out, err = capsys.readouterr()
    assert one_line(err) == (
        f"{RUN}.py: error: {path}: {message}; put back the run's own copy, or start a new run without "
        "--resume"
    )
    assert "Epoch:" not in out and snapshot(tmp_path) == before


# ----------------------------------------------------------- smaller: history.json's size
def test_a_history_of_a_million_rows_is_refused_by_its_size(tmp_path, monkeypatch, capsys):
    from tfbasics.runs import run_records

    assert run_script(tmp_path, "--epochs", "1", "--seed", "1") == 0
    path = tmp_path / RUN / "r" / "history.json"
    row = run_records.history_json([run_records.EpochResult(1, 8, 1.0, 1.0, 0.2, 1.0, 0.3)])
    with path.open("w") as f:  # 10**6 rows as history_json writes them (~190 MB)
        f.write("[" + ",".join([row[1:-1]] * 1000))
        for _ in range(999):
            f.write("," + ",".join([row[1:-1]] * 1000))
        f.write("\n]")
    size = path.stat().st_size
    capsys.readouterr()
    loads = run_records.json.loads
    monkeypatch.setattr(  # reading it whole took 37 s and 2.7 GB
        run_records.json, "loads", lambda text: loads(text) if len(text) < 2**20 else pytest.fail()
    )
    try:
        assert run_script(tmp_path, "--epochs", "2", "--resume") == 1
    finally:
        path.unlink()
    out, err = capsys.readouterr()
    assert one_line(err) == (
        f"{RUN}.py: error: {path} is {size / 2**20:.0f} MB, more than the 32 MB a history may have (about "
        "150,000 epochs): not this run's? delete it to resume without the numbers of the epochs "
        "before, or start a new run without --resume"
    )
    assert "Epoch:" not in out


# ----------------------------------------------------------- smaller: a command that pastes
def test_the_view_command_is_shell_quoted_and_pastes(tmp_path, capsys):
    import shlex

    logdir = tmp_path / "my logs"
    assert run_script(logdir, "--max-steps", "2") == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    command = line.split("view them with: ", 1)[1]
    assert command == f"tfbasics tensorboard --logdir {shlex.quote(str(logdir / RUN))}"
    assert shlex.split(command) == ["tfbasics", "tensorboard", "--logdir", str(logdir / RUN)]


# ----------------------------------------------------------- smaller: $TFBASICS_DATA_DIR named
@pytest.mark.parametrize("below", [False, True])
def test_tfbasics_data_dir_set_to_a_file_names_the_variable(below, tmp_path, monkeypatch, capsys):
    from tfbasics.chapters import ch01_07_single_layer_mnist as script
    from tfbasics.cli import main as cli

    (tmp_path / "afile").write_text("x")
    value = tmp_path / "afile" / "sub" if below else tmp_path / "afile"
    monkeypatch.setenv("TFBASICS_DATA_DIR", str(value))
    expected = (
        f"$TFBASICS_DATA_DIR={value}: {tmp_path / 'afile'} is a file, not a folder; set "
        "TFBASICS_DATA_DIR to a folder, or unset it to use ~/.cache/tfbasics/mnist"
    )
    logdir = tmp_path / "logs"
    assert script.main(["--logdir", str(logdir), "--max-steps", "2", "--no-progress"]) == 1
    assert one_line(capsys.readouterr().err) == f"{RUN}.py: error: {expected}"
    assert cli.main(["data", "fetch"]) == 2
    assert one_line(capsys.readouterr().err) == f"tfbasics data: error: {expected}"
    assert (tmp_path / "afile").read_text() == "x" and not logdir.exists()


# ----------------------------------------------------------- smaller: one summary per run
@pytest.mark.slow
def test_two_same_name_runs_at_once_each_summarise_only_their_own_folder(tmp_path):
    code = "import sys; from tfbasics.cli.main import main; sys.exit(main())"
    argv = [sys.executable, "-c", code, "run", "3", "--logdir", str(tmp_path), "--quiet"]
    runs = [
        subprocess.Popen(
            [*argv, "--", "--run-name", "same"], stdout=subprocess.PIPE, text=True, cwd=tmp_path
        )
        for _ in range(2)
    ]
    outs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outs
    listed = []
    for out in outs:
        lines = out.split("Written under ", 1)[1].splitlines()[1:]
        mine = [line.split()[0] for line in lines if line.startswith("  ")]
        assert len(mine) == 1, out  # its own folder, not the other run's too
        listed += mine
    assert sorted(listed) == ["ch01_03_basic_math/same-2/", "ch01_03_basic_math/same/"]
    assert not os.environ.get(script_errors.CLAIMS_LOG_ENV)


# ----------------------------------------------------------- checkpoints.json and the marker
@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.pop("seed"), '"seed" is missing'),
        (lambda r: r.update(checkpoints={}), '"checkpoints" is {}, not a list'),
        (lambda r: r["checkpoints"][0].update(epoch="1"), '"checkpoints[1].epoch" is "1", not'),
        (lambda r: r["checkpoints"][0].update(sha256=[]), '"checkpoints[1].sha256" is [], not'),
        (lambda r: r["checkpoints"].append(7), "checkpoint 2 is 7, not an object"),
    ],
    ids=["no seed", "checkpoints an object", "epoch a string", "sha256 a list", "entry a number"],
)
def test_checkpoints_json_of_the_wrong_types_is_one_line_naming_the_field(
    change, message, tmp_path, capsys
):
    import json

    assert run_script(tmp_path, "--epochs", "1", "--seed", "1") == 0
    path = tmp_path / RUN / "r" / "checkpoints.json"
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record, indent=1))
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert run_script(tmp_path, "--epochs", "2", "--resume") == 1
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith(f"{RUN}.py: error: cannot read {path} ("), line
    assert message in line and line.endswith("or start a new run without --resume"), line
    assert "Epoch:" not in out and snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "content",
    ['{"written_by": "tfbasics", "script": 7}', '{"written_by": "tfbasics"}', " " * 2**17],
    ids=["script a number", "no script", "too large"],
)
def test_a_marker_of_the_wrong_types_or_size_is_not_ours(content, tmp_path):
    from tfbasics.runs import folders

    run = folders.run_dir(tmp_path, "ch01_02_hello_tensorflow", "r")
    assert folders.read_marker(run)["script"] == "ch01_02_hello_tensorflow"
    (run / folders.MARKER).write_text(content)
    assert folders.read_marker(run) is None  # clean-logs then leaves the folder alone

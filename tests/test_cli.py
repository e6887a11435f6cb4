"""The `tfbasics` command: list, run, errors as one clear line, --help everywhere, clean-logs."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import event_files
from tfbasics.cli import main
from tfbasics.cli import sections as chapter_sections
from tfbasics.cli.common import CliError

REPO = Path(__file__).resolve().parent.parent


def script_names():
    """The chapter scripts present, in file-name order (= chapter order)."""
    return sorted(p.stem for p in (REPO / "chapters").glob("ch01_*.py"))


def tfbasics_process(*args, stdin=subprocess.DEVNULL):
    """`python -m tfbasics ARGS` in a fresh process; returns CompletedProcess (text)."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
    )
    return subprocess.run(
        [sys.executable, "-m", "tfbasics", *args],
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---------------------------------------------------------------------------------------------
# list and section names


def test_list_shows_every_script_present_in_order_with_its_description(capsys):
    assert main.main(["list"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line[:2].strip().isdigit()]
    names = script_names()
    assert [row[1] for row in rows] == names
    assert [int(row[0]) for row in rows] == [int(n[5:7]) for n in names]
    for name in names:
        doc = chapter_sections._first_docstring_line(REPO / "chapters" / f"{name}.py")
        assert doc != "(no description)", f"chapters/{name}.py has no module docstring"
        row = next(line for line in out.splitlines() if f" {name} " in line)
        assert row.endswith(f"  {doc}")


def test_sections_are_found_by_number_name_or_suffix_in_chapter_order():
    sections = chapter_sections.discover_sections()
    first, second = sections[0], sections[1]
    for spelling in (
        str(first.number),
        f"{first.number:02d}",
        first.name[:7],
        first.name,
        first.short,
        first.short.replace("_", "-"),
        first.name + ".py",
    ):
        assert chapter_sections.resolve_sections([spelling], sections) == [first], spelling
    # chapter order and no repeats, whatever order they were given in
    assert chapter_sections.resolve_sections(
        [second.short, str(first.number), first.name], sections
    ) == [
        first,
        second,
    ]
    assert chapter_sections.resolve_sections(["all"], sections) == sections


def test_unknown_section_is_an_error_that_names_the_known_ones():
    sections = chapter_sections.discover_sections()
    with pytest.raises(CliError, match=r"unknown section 'no_such_section'.*tfbasics list"):
        chapter_sections.resolve_sections(["no_such_section"], sections)
    with pytest.raises(CliError, match="unknown section '99'"):
        chapter_sections.resolve_sections(["99"], sections)


# ---------------------------------------------------------------------------------------------
# run


@pytest.mark.slow
def test_run_two_fast_sections_passes_flags_through_and_summarises(tmp_path, capsys):
    code = main.main(
        [
            "run",
            "1",
            "hello-tensorflow",
            "--logdir",
            str(tmp_path),
            "--quiet",
            "--",
            "--run-name",
            "smoke",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[1/2] ch01_01_neuron ... ok (" in out
    assert "[2/2] ch01_02_hello_tensorflow ... ok (" in out
    # --run-name went through to both scripts; each wrote event files there
    assert event_files(tmp_path / "ch01_01_neuron" / "smoke")
    assert len(event_files(tmp_path / "ch01_02_hello_tensorflow" / "smoke")) == 3
    assert "ch01_01_neuron/smoke/" in out and "ch01_02_hello_tensorflow/smoke/" in out
    assert f"tfbasics tensorboard --logdir {tmp_path}" in out


@pytest.mark.slow
def test_a_failing_section_keeps_its_own_message_and_exit_status(tmp_path):
    # the script's own argparse rejects the flag: its message and status 2 must come through
    done = tfbasics_process("run", "2", "3", "--logdir", str(tmp_path), "--", "--no-such-flag")
    assert done.returncode == 2
    assert "unrecognized arguments: --no-such-flag" in done.stderr  # the script's own words
    assert "[1/2] ch01_02_hello_tensorflow ... FAILED with exit status 2" in done.stdout
    assert "[2/2]" not in done.stdout  # stops at the first failure
    assert "Traceback" not in done.stdout + done.stderr


FORK_RULE = """
from tfbasics.cli import section_fork
from tfbasics._tf import tf
print(section_fork.enabled())  # main.main([...]) called by another program (pytest): never
section_fork.PROGRAM[0] = True  # what the `tfbasics` command itself sets
print(section_fork.enabled())
section_fork.preload()
print(section_fork.enabled())
with tf.compat.v1.Session(graph=tf.Graph()):
    pass
print(section_fork.enabled())
"""


@pytest.mark.slow
def test_sections_are_forked_only_before_any_session_exists():
    # a fork copies one thread: a Session's thread pool would hang the forked section
    done = subprocess.run(
        [sys.executable, "-c", FORK_RULE], capture_output=True, text=True, timeout=300
    )
    assert done.stdout.split() == ["False", "True", "True", "False"], done.stdout + done.stderr


@pytest.mark.parametrize(
    "source, new_process",
    [
        ('os.environ["OPENBLAS_NUM_THREADS"] = "1"', True),
        ('os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")', True),
        ('del os.environ["X"]', True),
        ('os.putenv("X", "1")', True),
        ("env = os.environ", True),  # whoever holds it may change it
        ("configure(os.environ)", True),
        ('if "X" not in os.environ:\n    pass', False),
        ('x = os.environ.get("X")', False),
        ('def main():\n    os.environ["X"] = "1"', False),  # at run time, not at import
    ],
)
def test_only_a_script_that_changes_its_environment_at_import_gets_a_new_process(
    source, new_process, tmp_path
):
    from tfbasics.cli import section_fork

    script = tmp_path / "ch01_99_probe.py"
    script.write_text(f"import os\n{source}\n")
    assert section_fork.sets_environment(script) is new_process


def test_every_section_of_the_chapter_may_be_forked():
    # ch01_10 limits BLAS threads at run time (threadpoolctl): no section needs a new process
    from tfbasics.cli import section_fork

    found = chapter_sections.discover_sections()
    assert [s.name for s in found if section_fork.sets_environment(s.path)] == []


# ---------------------------------------------------------------------------------------------
# user errors: one clear line on stderr, non-zero exit, no traceback


def _busy_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


@pytest.mark.parametrize(
    "case",
    [
        "unknown section",
        "bad flag",
        "bad flag value",
        "unknown command",
        "flags after -- for list",
        "empty logdir",
        "missing logdir",
        "port in use",
        "clean-logs without --yes",
    ],
)
def test_user_errors_are_one_clear_line_and_a_non_zero_exit(case, tmp_path):
    (tmp_path / "empty").mkdir()
    from tfbasics.runs import run_lock
    from tfbasics.runs.folders import run_dir

    runs = run_dir(tmp_path / "logs", "ch01_02_hello_tensorflow", "r1")
    (runs / "events.out.tfevents.0.host").write_bytes(b"")
    run_lock.release(runs)  # a finished run: its process has let go of it
    busy = _busy_port()
    try:
        args, expected = {
            "unknown section": (["run", "no_such_section"], "unknown section 'no_such_section'"),
            "bad flag": (["run", "1", "--epochs", "1"], "flags for the scripts go after --"),
            "bad flag value": (["tensorboard", "--port", "x"], "invalid int value: 'x'"),
            "unknown command": (["fly"], "invalid choice: 'fly'"),
            "flags after -- for list": (["list", "--", "--x"], "only for 'tfbasics run'"),
            "empty logdir": (
                ["tensorboard", "--logdir", str(tmp_path / "empty")],
                "holds no TensorBoard runs yet; fill it first with: tfbasics run all",
            ),
            "missing logdir": (
                ["tensorboard", "--logdir", str(tmp_path / "missing")],
                "does not exist; fill it first with: tfbasics run all",
            ),
            "port in use": (
                [
                    "tensorboard",
                    "--logdir",
                    str(tmp_path / "logs"),
                    "--port",
                    str(busy.getsockname()[1]),
                ],
                "already in use",
            ),
            "clean-logs without --yes": (
                ["clean-logs", "--logdir", str(tmp_path / "logs")],
                "re-run with --yes",
            ),
        }[case]
        done = tfbasics_process(*args)
    finally:
        busy.close()
    assert done.returncode != 0
    if case == "clean-logs without --yes":  # lists what it would remove, then refuses
        assert "ch01_02_hello_tensorflow/r1/" in done.stdout
    else:
        assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("tfbasics")
    assert expected in lines[0]
    assert runs.exists()  # clean-logs removed nothing


# ---------------------------------------------------------------------------------------------
# --help


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["list"],
        ["run"],
        ["tensorboard"],
        ["check"],
        ["grade"],
        ["data"],
        ["data", "fetch"],
        ["data", "clean"],
        ["clean-logs"],
    ],
)
def test_every_command_has_help(command, capsys):
    assert main.main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: " + " ".join(["tfbasics", *command]))


def test_every_command_in_the_parser_is_covered_by_the_help_test():
    assert set(main.build_parser().commands) == {
        "list",
        "run",
        "tensorboard",
        "check",
        "grade",
        "data",
        "data fetch",
        "data clean",
        "clean-logs",
    }


def test_top_level_help_lists_every_command(capsys):
    assert main.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("list", "run", "tensorboard", "check", "grade", "data", "clean-logs"):
        assert f"    {command}" in out


def test_python_m_tfbasics_without_the_installed_package_is_one_line(monkeypatch, capsys):
    """After `pip uninstall`, `python -m tfbasics` from the checkout finds tfbasics/ but not
    tfbasics.chapters (setup.py maps it from chapters/)."""
    import tfbasics.__main__ as entry

    def uninstalled():
        raise ModuleNotFoundError("No module named 'tfbasics.chapters'", name="tfbasics.chapters")

    monkeypatch.setattr(main, "main", uninstalled)
    assert entry.run() == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("python -m tfbasics: tfbasics is not installed (tfbasics.chapters is")
    assert line.endswith("install it with `pip install -e .` in the checkout's folder")

    def other():
        raise ModuleNotFoundError("No module named 'numpy'", name="numpy")

    monkeypatch.setattr(main, "main", other)
    with pytest.raises(ModuleNotFoundError):  # not ours to explain
        entry.run()


def test_check_hands_its_arguments_to_the_checker(monkeypatch):
    import types

    seen = []
    fake = types.SimpleNamespace(main=lambda argv: seen.append(argv) or 3)
    monkeypatch.setitem(sys.modules, "tfbasics.grading.checker", fake)
    assert main.main(["check", "softmax", "--hints", "--path", "somewhere"]) == 3
    assert seen == [["softmax", "--hints", "--path", "somewhere"]]


def test_grade_hands_its_arguments_to_the_class_grader(monkeypatch):
    import types

    seen = []
    fake = types.SimpleNamespace(main=lambda argv: seen.append(argv) or 0)
    monkeypatch.setitem(sys.modules, "tfbasics.grading.class_grader", fake)
    assert main.main(["grade", "class", "--out", "g"]) == 0
    assert seen == [["class", "--out", "g"]]


@pytest.mark.slow
def test_check_runs_the_real_checker():
    done = tfbasics_process("check", "neuron", "--reference")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^neuron: (\d+)/\1 tasks passed$", done.stdout, re.M), done.stdout


def test_data_fetch_hands_its_data_dir_to_the_fetch(monkeypatch, capsys):
    from tfbasics.data import mnist_fetch, mnist_files

    seen = []

    def report(data_dir):
        seen.append(data_dir)
        return Path("d"), {n: "test" for n in mnist_files.FILE_NAMES}, []

    monkeypatch.setattr(mnist_fetch, "fetch_report", report)
    assert main.main(["data", "fetch", "--data-dir", "d"]) == 0
    assert main.main(["data", "fetch"]) == 0
    assert seen == ["d", None]
    assert "MNIST ready (4 files verified by SHA-256) in d" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# clean-logs


def _fake_logs(root):
    from tfbasics.runs import folders

    for script in ("ch01_02_hello_tensorflow", "ch01_07_single_layer_mnist"):
        run = folders.run_dir(root, script, "r1")  # marked as written by tfbasics
        (run / "events.out.tfevents.0.host").write_bytes(b"x" * 10)
    (root / "README.md").write_text("# logs/\n")
    (root / "mine").mkdir()  # not written by a chapter script: left alone
    return root


def test_clean_logs_yes_removes_the_runs_and_keeps_the_readme(tmp_path, capsys):
    logs = _fake_logs(tmp_path / "logs")
    assert main.main(["clean-logs", "--logdir", str(logs), "--yes"]) == 0
    assert sorted(p.name for p in logs.iterdir()) == ["README.md", "mine"]
    out = capsys.readouterr().out
    assert "Removed 2 runs (" in out
    assert "Left alone (not written by tfbasics): README.md, mine/" in out
    assert main.main(["clean-logs", "--logdir", str(logs), "--yes"]) == 0  # nothing left: fine
    assert "Nothing to clean" in capsys.readouterr().out


@pytest.mark.parametrize("answer, removed", [("y", True), ("yes", True), ("", False), ("n", False)])
def test_clean_logs_asks_first_on_a_terminal(answer, removed, tmp_path, monkeypatch):
    logs = _fake_logs(tmp_path / "logs")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: answer)
    code = main.main(["clean-logs", "--logdir", str(logs)])
    assert code == (0 if removed else 1)
    assert (logs / "ch01_02_hello_tensorflow").exists() is not removed
    assert (logs / "README.md").exists()

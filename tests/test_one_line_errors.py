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


def test_the_error_table_names_the_new_os_errors():
    for code in (errno.ENAMETOOLONG, errno.ELOOP, errno.EMFILE, errno.ENOMEM):
        line = script_errors.describe_os_error(OSError(code, os.strerror(code), "some/file"))
        assert line.startswith(f"some/file: {os.strerror(code)}; "), line
    assert script_errors.describe_memory_error(ValueError("shapes do not match")) is None

"""The README's Quick start is what CI runs: its two commands, read from the README itself."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def quick_start_commands():
    """The commands of the README's Quick start code block, without their comments."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)^## ", text, re.S | re.M)
    assert section, "README.md has no '## Quick start' section"
    blocks = re.findall(r"```bash\n(.*?)```", section.group(1), re.S)
    assert blocks, "the Quick start has no ```bash block"
    lines = [line.split("#")[0].strip() for line in blocks[-1].splitlines()]
    return [line for line in lines if line]


def test_quick_start_has_two_commands_and_ci_runs_the_test_command_verbatim():
    commands = quick_start_commands()
    assert len(commands) == 2, (
        f"the Quick start's last code block should hold two commands: {commands}"
    )
    run_chapter, run_tests = commands
    assert "tfbasics run all" in run_chapter, run_chapter
    assert "pytest" in run_tests, run_tests
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert run_tests in ci, (
        f".ci/run does not run the README's test command {run_tests!r} as written"
    )


@pytest.mark.slow
def test_quick_start_chapter_command_runs_and_ends_with_the_tensorboard_hint(tmp_path):
    """The first command as a new user types it; the chapter's logs go to a temporary folder."""
    install, _, rest = quick_start_commands()[0].partition("&&")
    assert shlex.split(install) == ["pip", "install", "-e", "."], install
    # the install is the one this test suite already runs under; it needs the checkout as cwd
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "."], cwd=REPO, check=True)
    done = subprocess.run(
        rest, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert "tfbasics tensorboard" in last, f"the run should end with the TensorBoard hint: {last!r}"
    assert any((tmp_path / "logs").iterdir()), "nothing was written under logs/"

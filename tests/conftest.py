"""Shared fixtures. Real MNIST is fetched once per session through tfbasics.data.mnist_fetch's own sources.

The suite runs on every core (pytest-xdist, at most MAX_WORKERS workers) unless ``-n`` says
otherwise: most of its time is processes that import TensorFlow, which two cores run side by
side. Tests that share an expensive module fixture carry ``xdist_group`` marks, so one worker
runs them and the fixture is made once.
"""

import os

import pytest

MAX_WORKERS = 4  # each worker imports TensorFlow: about 1 GB of memory apiece
GROUPS_ENV = "TFBASICS_TEST_GROUPS"  # the suite chose --dist loadgroup for its workers


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """``python -m pytest``: spread the tests over the cores, unless -n/--pdb/-p no:xdist."""
    if getattr(config, "workerinput", None) is not None or not config.pluginmanager.hasplugin(
        "xdist"
    ):
        return
    if config.getoption("numprocesses", None) is None and not config.getoption("usepdb", False):
        config.option.numprocesses = min(MAX_WORKERS, os.cpu_count() or 1)
        if config.option.dist == "no":
            config.option.dist = "loadgroup"
            os.environ[GROUPS_ENV] = "1"  # the workers read --dist from their own command line


def _worker_groups(config):
    """In a worker: name each test's xdist_group in its id, as ``--dist loadgroup`` would."""
    if getattr(config, "workerinput", None) is not None and os.environ.get(GROUPS_ENV) == "1":
        config.option.loadgroup = True


def pytest_configure(config):
    _worker_groups(config)
    config.addinivalue_line(
        "markers",
        "slow: over about 1.5 s (training, notebooks, browsers, whole processes); "
        "still runs in CI and the README command",
    )
    config.addinivalue_line(
        "markers", "task(number): an exercise check (tfbasics/grading/exercise_checks/)"
    )


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of the four verified MNIST IDX files (downloaded on first use)."""
    from tfbasics.data import mnist_fetch

    return mnist_fetch.fetch()


@pytest.fixture(scope="session")
def chapter_run(mnist_dir, tmp_path_factory):
    """The README's chapter command run once, in a new folder (``helpers.ChapterRun``): the
    README's test checks the command, and the full-length section tests (Keras' 4 epochs, the
    backprop training) assert on what it printed and wrote instead of training again. Tests
    that use it carry ``@pytest.mark.xdist_group(helpers.CHAPTER_RUN)``, so one worker runs it
    once."""
    from helpers import ChapterRun

    return ChapterRun(tmp_path_factory.mktemp("chapter"))


def pytest_terminal_summary(terminalreporter):
    """Say why the browser tests were skipped (no Chromium) in one line: never a silent pass."""
    reasons = set()
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple) and "browser tests:" in report.longrepr[2]:
            reasons.add(report.longrepr[2].removeprefix("Skipped: "))
    for reason in sorted(reasons):
        terminalreporter.write_line(reason)

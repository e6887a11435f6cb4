"""Shared fixtures. Real MNIST is fetched once per session through tfbasics.mnist's own sources."""

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: full-length training on real MNIST; still runs in CI and the README command",
    )
    config.addinivalue_line("markers", "task(number): an exercise check (tests/exercise_checks/)")


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of the four verified MNIST IDX files (downloaded on first use)."""
    from tfbasics import mnist

    return mnist.fetch()


def pytest_addoption(parser):
    """Options of the exercise checks (tests/exercise_checks/): which code they grade."""
    group = parser.getgroup("exercises", "exercise checks (tests/exercise_checks/)")
    group.addoption(
        "--exercises",
        nargs="?",
        const="1",
        default=None,
        metavar="DIR",
        help="grade the learner's files instead of the reference in tfbasics/: the bundled "
        "exercises/ when given alone, else --exercises=DIR (a student's copy). "
        "Same as the environment variable TFBASICS_EXERCISES=1 or =DIR.",
    )
    group.addoption(
        "--hints",
        action="count",
        default=0,
        help="show a nudge for every exercise task that does not pass yet; "
        "twice (--hints --hints) for the near-answer",
    )


def pytest_sessionstart(session):
    """A bad --exercises / TFBASICS_EXERCISES folder is one clear line before anything runs."""
    import os

    if session.config.getoption("exercises") is not None or os.environ.get("TFBASICS_EXERCISES"):
        from exercise_checks.framework import target

        target(session.config)


def pytest_terminal_summary(terminalreporter):
    """Say why the browser tests were skipped (no Chromium) in one line: never a silent pass."""
    reasons = set()
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple) and "browser tests:" in report.longrepr[2]:
            reasons.add(report.longrepr[2].removeprefix("Skipped: "))
    for reason in sorted(reasons):
        terminalreporter.write_line(reason)

"""Shared fixtures. Real MNIST is fetched once per session through tfbasics.data.mnist_fetch's own sources."""

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: full-length training on real MNIST; still runs in CI and the README command",
    )
    config.addinivalue_line(
        "markers", "task(number): an exercise check (tfbasics/grading/exercise_checks/)"
    )


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of the four verified MNIST IDX files (downloaded on first use)."""
    from tfbasics.data import mnist_fetch

    return mnist_fetch.fetch()


def pytest_terminal_summary(terminalreporter):
    """Say why the browser tests were skipped (no Chromium) in one line: never a silent pass."""
    reasons = set()
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple) and "browser tests:" in report.longrepr[2]:
            reasons.add(report.longrepr[2].removeprefix("Skipped: "))
    for reason in sorted(reasons):
        terminalreporter.write_line(reason)

"""Shared fixtures. Real MNIST is fetched once per session through tfbasics.mnist's own sources."""
import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: full-length training on real MNIST; still runs in CI and the README command")


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of the four verified MNIST IDX files (downloaded on first use)."""
    from tfbasics import mnist
    return mnist.fetch()

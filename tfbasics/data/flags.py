"""The command-line flags of everything that reads MNIST: ``--data-dir`` and ``--fake-data``.

add_data_flags(parser)      # a script that reads MNIST: both flags
add_data_dir_flag(parser)   # ``tfbasics data fetch``: the folder only
"""

from tfbasics.data.mnist_files import DEFAULT_DIR, ENV_VAR


def add_data_dir_flag(parser):
    """Add ``--data-dir``, the one definition shared by ``tfbasics data`` and the scripts.

    Args:
      parser: argparse.ArgumentParser.
    """
    parser.add_argument(
        "--data-dir",
        type=str,
        default=None,
        help=f"MNIST folder (default: ${ENV_VAR} or {DEFAULT_DIR}); missing files are fetched "
        "into it, from our cache if it has them",
    )


def add_data_flags(parser):
    """Add ``--data-dir`` and ``--fake-data``, the data flags of every script that uses MNIST.

    Args:
      parser: argparse.ArgumentParser.
    """
    add_data_dir_flag(parser)
    parser.add_argument(
        "--fake-data",
        action="store_true",
        help="small generated digits instead of MNIST (no files; smoke tests)",
    )

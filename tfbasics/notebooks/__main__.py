"""``python -m tfbasics.notebooks``: rebuild (or ``--check``) the notebooks of the lessons."""

import sys

from tfbasics.notebooks.build import run

if __name__ == "__main__":
    sys.exit(run())

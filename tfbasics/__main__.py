"""``python -m tfbasics``: the same as the ``tfbasics`` command (see ``tfbasics.cli``)."""

import sys

from tfbasics.cli import main

if __name__ == "__main__":
    sys.exit(main())

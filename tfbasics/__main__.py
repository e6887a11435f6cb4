"""``python -m tfbasics``: the same as the ``tfbasics`` command (see ``tfbasics.cli.main``)."""

import sys

from tfbasics.cli.main import main

if __name__ == "__main__":
    sys.exit(main())

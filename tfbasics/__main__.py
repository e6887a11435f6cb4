"""``python -m tfbasics``: the same as the ``tfbasics`` command (see ``tfbasics.cli.main``).

Run from a checkout after ``pip uninstall tfbasics``, ``tfbasics`` itself is found in the current
folder but its installed parts (``tfbasics.chapters``, ``tfbasics.exercises``: setup.py maps them
from ``chapters/`` and ``exercises/``) are not: that is one line, not a traceback.
"""

import sys


def _not_installed(error):
    print(
        f"python -m tfbasics: tfbasics is not installed ({error.name} is missing); "
        "install it with `pip install -e .` in the checkout's folder",
        file=sys.stderr,
    )
    return 1


def run():
    """The ``tfbasics`` command; its exit status."""
    try:
        from tfbasics.cli.main import main

        return main()
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("tfbasics."):
            raise  # another missing module is not ours to explain
        return _not_installed(error)


if __name__ == "__main__":
    sys.exit(run())

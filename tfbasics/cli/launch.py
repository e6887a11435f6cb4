"""``python -m tfbasics.cli.launch MODULE [FLAGS]``: run a chapter script as ``python -m MODULE``.

``tfbasics run`` starts each section this way. The script runs as ``__main__`` exactly as with
``python -m MODULE FLAGS`` (its own ``script_main`` handles Ctrl-C once ``main`` runs); this
wrapper also covers the seconds before that, while the script imports TensorFlow, so a Ctrl-C
there is one line too instead of a KeyboardInterrupt traceback.
"""

import runpy
import sys

from tfbasics.runs import script_errors


def main(argv=None):
    """Run ``argv[0]`` (a module name) as ``__main__`` with ``argv[1:]`` as its arguments."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print("usage: python -m tfbasics.cli.launch MODULE [FLAGS]", file=sys.stderr)
        return 2
    module = argv[0]
    sys.argv = [module, *argv[1:]]  # run_module puts the script's file name in sys.argv[0]

    def run(_argv=None):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0

    return script_errors.script_main(run, prog=module.rsplit(".", 1)[-1] + ".py")


if __name__ == "__main__":
    sys.exit(main())

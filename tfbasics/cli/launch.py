"""``python -m tfbasics.cli.launch MODULE [FLAGS]``: run a chapter script as ``python -m MODULE``.

``tfbasics run`` starts each section this way. The script runs as ``__main__`` exactly as with
``python -m MODULE FLAGS`` (its own ``script_main`` handles Ctrl-C once ``main`` runs); this
wrapper also covers the seconds before that, while the script imports TensorFlow, so a Ctrl-C
there is one line too instead of a KeyboardInterrupt traceback. Started by ``tfbasics run``
(``TFBASICS_RUN_PARENT`` set), the script dies with that process: a section in its own process
group is not ended by the terminal, so it would otherwise go on as an orphan.
"""

import os
import runpy
import signal
import sys
import threading
import time

from tfbasics.runs import script_errors

PARENT_ENV = "TFBASICS_RUN_PARENT"  # the process id of the ``tfbasics run`` that started us
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent):
    """Get SIGTERM (which a script ends on as on Ctrl-C) when process ``parent`` (int) dies.

    Linux: the parent-death signal, ``prctl(PR_SET_PDEATHSIG)``, kept across exec and sent by the
    kernel however the parent dies (``kill -9`` included). Elsewhere, or if prctl fails: a
    thread that watches the parent's id. Either way, a parent that died before we got here is
    seen at once (we were handed to another parent).
    """
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
            return

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="tfbasics-watch-parent", daemon=True).start()


def main(argv=None):
    """Run ``argv[0]`` (a module name) as ``__main__`` with ``argv[1:]`` as its arguments."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print("usage: python -m tfbasics.cli.launch MODULE [FLAGS]", file=sys.stderr)
        return 2
    module = argv[0]
    parent = os.environ.pop(PARENT_ENV, "")  # popped: the script's own children do not inherit
    if parent.isdigit():
        die_with_parent(int(parent))
    sys.argv = [module, *argv[1:]]  # run_module puts the script's file name in sys.argv[0]

    def run(_argv=None):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0

    return script_errors.script_main(run, prog=module.rsplit(".", 1)[-1] + ".py")


if __name__ == "__main__":
    sys.exit(main())

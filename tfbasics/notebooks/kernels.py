"""Run a notebook in a fresh kernel, and stop everything the kernel started.

``execute(nb, cwd, timeout)`` runs every cell with nbclient in a new Python 3 kernel whose
working folder is ``cwd`` (so a lesson's ``logs/`` lands there), under one deadline for the
whole notebook. A cell that fails becomes a ``CellFailed`` whose message is one line: which
cell, where it starts in the lesson, and the error's last line.

A TensorBoard cell (``%load_ext tensorboard`` / ``%tensorboard --logdir ...``) starts a server
that outlives the kernel: TensorBoard's magic launches ``tensorboard`` as a child of the kernel
and returns once it listens (or after 60 s, with an ERROR line; it never raises). So every
kernel runs in ``tagged_environment()``: a token in its environment, inherited by whatever it
starts, and a private ``TMPDIR`` (TensorBoard's ``.tensorboard-info`` lives there, so no server
of the user's is reused, nor listed). ``stop_tagged()`` then stops every process that carries
the token. JupyterLab in tests/test_jupyterlab_browser.py uses the same pair.
"""

import contextlib
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from tfbasics.notebooks.lessons import first_line

TOKEN = "TFBASICS_NOTEBOOK_RUN"  # environment variable that marks a kernel and its children
KERNEL = "python3"  # ipykernel's kernel for the Python that runs this
STOP_GRACE = 5.0  # seconds between SIGTERM and SIGKILL for a leftover process


class CellFailed(RuntimeError):
    """A notebook cell raised, timed out or killed its kernel; ``str()`` is one line."""


@contextlib.contextmanager
def tagged_environment():
    """An environment for a kernel (or a Jupyter server) whose processes are stopped on exit.

    Yields:
      dict, ``os.environ`` plus: the token, a private ``TMPDIR``, ``PYTHONHASHSEED=0`` (set and
      dict order of str are then the same on every run), and this Python's bin folder first on
      ``PATH`` when it holds ``tensorboard`` (what an activated environment would find).
    On exit every process carrying the token is stopped and the ``TMPDIR`` removed.
    """
    token = secrets.token_hex(8)
    tmp = tempfile.mkdtemp(prefix="tfbasics-kernel-")
    env = dict(os.environ, **{TOKEN: token}, TMPDIR=tmp, PYTHONHASHSEED="0")
    bindir = Path(sys.executable).parent
    if (bindir / "tensorboard").exists():
        env["PATH"] = os.pathsep.join(p for p in (str(bindir), env.get("PATH")) if p)
    try:
        yield env
    finally:
        stop_tagged(token, tmp)
        shutil.rmtree(tmp, ignore_errors=True)


def tagged_pids(token, tmp=None):
    """The ids of live processes started under ``token`` (set of int).

    Read from /proc/<pid>/environ (Linux; a process of another user is unreadable and is not
    ours anyway), and from the TensorBoard info files in ``tmp`` (any system).
    """
    pids = set()
    needle = f"{TOKEN}={token}".encode()
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                with contextlib.suppress(OSError):
                    if needle in Path(entry.path, "environ").read_bytes().split(b"\0"):
                        pids.add(int(entry.name))
    if tmp is not None:
        import json

        for info in Path(tmp, ".tensorboard-info").glob("pid-*.info"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                pid = int(json.loads(info.read_text())["pid"])
                if _alive(pid):
                    pids.add(pid)
    return pids


def _alive(pid):
    """Whether ``pid`` runs (a zombie, dead but not yet collected by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def stop_tagged(token, tmp=None):
    """SIGTERM every process started under ``token``, SIGKILL what is left after STOP_GRACE.

    Returns:
      sorted list of the pids that were running (int).
    """
    pids = tagged_pids(token, tmp)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    return sorted(pids)


def execute(nb, cwd, timeout, name="notebook", lines=None, on_cell=None):
    """Run every cell of ``nb`` in a fresh kernel; the outputs go into ``nb``.

    Args:
      nb: nbformat.NotebookNode, changed in place.
      cwd: str or Path, the kernel's working folder (a lesson writes ``logs/`` there).
      timeout: float, seconds for the whole notebook.
      name: str naming the notebook in error messages.
      lines: list of int or None, where each cell starts in the lesson (``cell_lines``).
      on_cell: callable ``(index, total)`` called as each cell starts, or None.
    Returns:
      the executed ``nb``.
    Raises:
      CellFailed (one line) for an error, the timeout or a dead kernel; everything the kernel
      started has been stopped by then.
    """
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    deadline = time.monotonic() + timeout
    current = [0]

    def started(cell, cell_index):
        current[0] = cell_index
        if on_cell is not None:
            on_cell(cell_index, len(nb.cells))

    def where():
        index = current[0]
        at = f", lesson line {lines[index]}" if lines and index < len(lines) else ""
        return f"{name}: cell {index + 1} ({first_line(nb.cells[index].source)!r}{at})"

    with tagged_environment() as env:
        config = Config()
        if os.name == "posix":  # local sockets: no TCP port, and no warning about one unencrypted
            config.KernelManager.transport = "ipc"  # an absolute path: the kernel's cwd differs
            config.KernelManager.ip = os.path.join(env["TMPDIR"], "kernel-ipc")
        client = NotebookClient(
            nb,
            config=config,
            kernel_name=KERNEL,
            timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
            resources={"metadata": {"path": str(cwd)}},
            record_timing=False,  # no timestamps in the committed notebooks
            on_cell_start=started,
        )
        try:
            _run_interruptible(client, env)
        except CellTimeoutError:
            raise CellFailed(
                f"{where()}: still running when the notebook's {timeout:g} s were up "
                "(raise it with --timeout)"
            ) from None
        except CellExecutionError as err:
            raise CellFailed(f"{where()}: {err.ename}: {last_line(err.evalue)}") from None
        except DeadKernelError:
            raise CellFailed(f"{where()}: the kernel died (out of memory?)") from None
        except NoSuchKernel:
            raise CellFailed(
                f"{name}: no Jupyter kernel {KERNEL!r}: install it with `pip install ipykernel`"
            ) from None
    return nb


def _run_interruptible(client, env):
    """``client.execute(env=env)`` in a thread of its own; Ctrl-C stops the kernel and raises.

    In the main thread nbclient would take SIGINT for itself (it shuts the kernel down and then
    fails on its own cleanup); in another thread it cannot, so Ctrl-C stays a KeyboardInterrupt
    here, for ``script_main`` to report in one line.
    """
    outcome = []

    def work():
        try:
            client.execute(env=env)
        except BaseException as err:  # handed to the main thread, which raises it
            outcome.append(err)

    worker = threading.Thread(target=work, name="nbclient", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        stop_tagged(env[TOKEN])  # the kernel (in a session of its own: Ctrl-C missed it)
        worker.join(STOP_GRACE)
        raise
    if outcome:
        raise outcome[0]


def last_line(text):
    """The last non-blank line of an error's text (str)."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[-1] if lines else ""

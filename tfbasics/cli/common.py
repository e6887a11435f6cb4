"""What the ``tfbasics`` command's parts share: its name, its one-line user error, the signals.

- ``PROG``: the command's name, in every message.
- ``CliError``: an expected user error; ``tfbasics.cli.main`` prints it as one line, exit status 2.
- ``signals_as_interrupt()``: SIGTERM and SIGHUP act as Ctrl-C inside the block.
- ``confirm(prompt, refusal)``: ask y/N at a terminal before removing anything.
- ``add_logdir_flag(parser, doing)``: the ``--logdir`` of the commands that read the runs.

Importing this module imports no TensorFlow.
"""

import contextlib
import signal
import sys
import threading
from pathlib import Path

from tfbasics.runs import run_lock
from tfbasics.runs.folders import DEFAULT_LOGDIR, MARKER

PROG = "tfbasics"


class CliError(Exception):
    """An expected user error: printed as one line, exit status 2, no traceback."""


@contextlib.contextmanager
def signals_as_interrupt():
    """Within the block, SIGTERM and SIGHUP (terminal closed) act as Ctrl-C does.

    Their default action ends Python at once, skipping the ``finally`` that stops a child
    process (TensorBoard, a running section); raised as KeyboardInterrupt, the cleanup runs.
    """

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    names = [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():  # only main may set handlers
        yield
        return
    saved = {n: signal.signal(getattr(signal, n), interrupt) for n in names}
    try:
        yield
    finally:
        for n, handler in saved.items():
            signal.signal(getattr(signal, n), handler)


def confirm(prompt, cannot_ask):
    """Ask ``prompt`` (a y/N question) on the terminal; True only for ``y`` or ``yes``.

    Args:
      prompt: str, shown before the answer (``Remove them? [y/N] ``).
      cannot_ask: str, the CliError message when stdin is not a terminal (say to use --yes).
    Returns:
      bool; end of input or Ctrl-C at the prompt count as no.
    Raises:
      CliError: stdin is not a terminal.
    """
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(cannot_ask)
    try:
        answer = input(prompt)
    except (EOFError, KeyboardInterrupt):
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def add_logdir_flag(parser, doing):
    """Add ``--logdir`` (str, default ``logs``): the folder of the runs, to serve, clean, ...

    Args:
      parser: argparse parser of the command.
      doing: str, what the command does with the folder, for the help ("serve").
    """
    parser.add_argument(
        "--logdir",
        type=str,
        default=DEFAULT_LOGDIR,
        help=f"the folder to {doing} (default: %(default)s)",
    )


def describe_run(folder):
    """``3 event files, 2 PNG, 1 other (412 KB)`` for a run folder (str; the marker not counted).

    What ``tfbasics run`` says it wrote and ``tfbasics clean-logs`` says it would remove.
    """
    ours = (MARKER, run_lock.LOCK_FILE)
    files = [f for f in Path(folder).rglob("*") if f.is_file() and f.name not in ours]
    events = sum(1 for f in files if f.name.startswith("events.out.tfevents."))
    pngs = sum(1 for f in files if f.suffix.lower() == ".png")
    other = len(files) - events - pngs
    size = sum(f.stat().st_size for f in files)
    parts = [f"{events} event file{'s' * (events != 1)}"]
    if pngs:
        parts.append(f"{pngs} PNG")
    if other:
        parts.append(f"{other} other file{'s' * (other != 1)}")
    return f"{', '.join(parts)} ({human_size(size)})"


def human_size(size):
    """``512 B``, ``3.4 KB``, ``5.2 MB`` for a size in bytes."""
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} KB" if size < 1024**2 else f"{size / 1024**2:.1f} MB"

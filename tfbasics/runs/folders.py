"""Where a run writes, and the pieces every chapter script shares.

Every script writes under ``<logdir>/<script name>/<run name>/`` (``logs/`` by default). The run
name is a timestamp unless ``--run-name`` is given (one folder name, never a path). ``run_dir``
claims the folder atomically (``mkdir`` without ``exist_ok``; on a collision the next name,
``-2``, ``-3``, ...), so two runs started together never share one, and writes a marker file
``.tfbasics-run`` (JSON) into it: ``tfbasics clean-logs`` deletes only folders with that marker.

Every script's entry point, ``script_main(main)``, lives in ``tfbasics.runs.script_errors``.
"""

import argparse
import contextlib
import datetime
import errno
import json
import math
import os
import shlex
from pathlib import Path

from tfbasics.runs import atomic, path_checks, run_files, run_lock, script_errors

DEFAULT_LOGDIR = "logs"
PROGRESS_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]{postfix}"
)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``prog: error: ... (see: prog --help)``), no usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each flag's default, but not a meaningless "(default: None)"."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def base_parser(description, logdir=DEFAULT_LOGDIR):
    """An argparse parser with the flags every chapter script takes.

    Args:
      description: str, shown by ``--help``.
      logdir: str, default for ``--logdir``.
    Returns:
      Parser (an argparse.ArgumentParser) with ``--logdir`` and ``--run-name``.
    """
    parser = Parser(description=description, formatter_class=_HelpFormatter)
    parser.add_argument(
        "--logdir",
        type=str,
        default=logdir,
        help="TensorBoard root; this run writes to LOGDIR/<script name>/<run name>/",
    )
    parser.add_argument(
        "--run-name",
        type=folder_name,
        default=None,
        help="name of this run's folder (default: a timestamp, never reused)",
    )
    return parser


MARKER = ".tfbasics-run"  # in every run folder this package made; clean-logs checks for it
WRITER = "tfbasics"  # the marker's "written_by"


def check_run_name(name, folder="."):
    """Raise ValueError unless ``name`` is one folder name (no separator, not ``.``/``..``) that
    the file system of ``folder`` allows (``path_checks.name_max``: 255 bytes on most).

    Args:
      name: str, a run name given by the user; folder: str or Path where the run folder goes.
    Returns:
      ``name``, unchanged.
    """
    seps = {os.sep, os.altsep, "/"} - {None}
    if not name:
        raise ValueError("must not be empty")
    if name in (".", "..") or any(s in name for s in seps) or "\0" in name:
        raise ValueError(f"must be one folder name, not a path (no '/', '.' or '..'), got {name!r}")
    path_checks.check_name_length(name, folder)
    return name


def folder_name(text):
    """argparse type for ``--run-name``: one folder name (see ``check_run_name``)."""
    try:
        return check_run_name(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def finite_float(text):
    """argparse type: a float that is not nan or inf."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def logdir_problem(logdir):
    """Why no run folder can be made under ``logdir`` (one line), or None; creates nothing.

    A script checks this with its other flags, before it reads data or makes a run folder.
    """
    link = path_checks.broken_link(logdir)
    if link is not None:
        what = f"{link.filename} {link.strerror}"
        return f"--logdir {logdir}: {what}; remove that link or pass another folder"
    path = Path(logdir)
    while not path.exists() and path != path.parent:
        path = path.parent
    if not path.is_dir():
        return f"--logdir {logdir}: {path} is a file, not a folder; pass a folder"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"--logdir {logdir}: cannot write in {path}; pass a folder you can write to"
    return None


def make_folder(path):
    """``mkdir -p path`` (str or Path); a file in the way is an OSError naming it (ENOTDIR), a
    symlink loop or a link to nowhere is one naming the link (``path_checks.broken_link``)."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        link = path_checks.broken_link(path)
        if link is not None or not isinstance(err, (FileExistsError, NotADirectoryError)):
            raise link or err from None
        for part in (path, *path.parents):
            if part.exists() and not part.is_dir():
                raise NotADirectoryError(
                    errno.ENOTDIR, "is a file, not a folder", str(part)
                ) from None
        raise


def write_marker(path, script):
    """Write the marker ``path/.tfbasics-run`` (JSON: written_by, script, run, created).

    Args:
      path: Path of a run folder this package has just made.
      script: str, the script's name (``ch01_03_basic_math``).
    """
    from tfbasics import __version__

    record = {
        "written_by": WRITER,
        "version": __version__,
        "script": script,
        "run": Path(path).name,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    atomic.atomic_write_text(Path(path) / MARKER, json.dumps(record, indent=1) + "\n")


def read_marker(path):
    """The marker of run folder ``path`` as a dict, or None if it has no valid one.

    A valid marker is a JSON object with ``written_by == "tfbasics"`` whose ``script`` is the
    name of the folder above ``path`` (a marker copied into another script's folder is not).
    """
    marker = Path(path) / MARKER
    try:
        if marker.stat().st_size > run_files.MAX_MARKER_BYTES:
            return None
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or run_files.wrong_field(
        record, run_files.MARKER_TYPES, required=True
    ):
        return None
    if record["written_by"] != WRITER:
        return None
    if record.get("script") != Path(path).parent.name:
        return None
    return record


def run_dir(logdir, script, run_name=None, exist_ok=False):
    """Claim and return the folder of one run, marked as written by tfbasics.

    Args:
      logdir: str or Path, the TensorBoard root (``logs/``).
      script: str, the script's name without ``.py`` (``ch01_02_hello_tensorflow``).
      run_name: str or None; None means a timestamp ``YYYYmmdd-HHMMSS``. One folder name.
      exist_ok: bool; False claims a new folder, appending ``-2``, ``-3``, ... while the name is
        taken (atomic: two processes never get the same folder); True reuses it (resuming).
    Returns:
      pathlib.Path of the folder, locked (``run_lock.hold``) from its claim on, for as long as
      this process writes to it: ``tfbasics clean-logs`` and ``--resume`` leave it alone.
    Raises:
      ValueError: ``run_name`` is not one folder name.
      run_lock.RunLocked: ``exist_ok`` and a live process holds the folder.
      OSError naming the file or folder (a file where a folder belongs, read-only, full disk).
    """
    name = datetime.datetime.now().strftime("%Y%m%d-%H%M%S") if run_name is None else run_name
    check_run_name(name)
    base = Path(logdir) / script
    make_folder(base)
    path, n, made = base / name, 2, True
    while True:
        try:
            path.mkdir()  # atomic: exactly one process creates a given folder
            run_lock.hold(path)  # before the marker: clean-logs removes no unmarked folder
            break
        except FileNotFoundError:
            make_folder(base)  # clean-logs removed the emptied script folder just now
        except FileExistsError:
            if exist_ok and path.is_dir():
                run_lock.hold(path)  # RunLocked if a live process writes there
                made = False
                break
            path, n = base / f"{name}-{n}", n + 1
    if made or read_marker(path) is None:
        try:
            write_marker(path, script)
        except BaseException:
            if made:
                run_lock.release(path)
                with contextlib.suppress(OSError):
                    (path / run_lock.LOCK_FILE).unlink()
                    path.rmdir()  # still empty: leave nothing behind
            raise
    script_errors.note_claimed(path)  # what a Ctrl-C in script_main reports as kept
    return path


def view_command(logdir=DEFAULT_LOGDIR):
    """The one command every script and the CLI suggest for ``logdir`` (a str, shell-quoted)."""
    return f"tfbasics tensorboard --logdir {shlex.quote(str(Path(logdir)))}"


def write_graph(path, graph):
    """Write ``graph`` as a TensorBoard event file in folder ``path`` and close the writer.

    Args:
      path: str or Path, a run folder.
      graph: tf.Graph to show in TensorBoard's Graphs tab.
    """
    from tfbasics._tf import tf

    with graph.as_default():  # FileWriter refuses to be made while eager mode is current
        writer = tf.compat.v1.summary.FileWriter(str(path), graph=graph)
    writer.close()


def progress(iterable=None, total=None, desc="", **kwargs):
    """The one progress bar format of this package (tqdm, on stderr).

    Args:
      iterable: what to iterate, or None with ``total`` for a manual bar.
      total: int, number of steps.
      desc: str, the label in front of the bar (``Epoch 3``).
      disable: bool; True hides the bar. Whatever is passed, there is no bar when stderr is not
        a terminal (a log file or a pipe), so redirected output stays readable.
    Returns:
      a tqdm bar; use ``.update()``/``.set_postfix()`` as usual.
    """
    # tqdm's text bar everywhere: tqdm.auto would want ipywidgets in a notebook, and warn
    from tqdm import tqdm

    disable = True if kwargs.pop("disable", False) else None  # None: tqdm hides it off a TTY
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        bar_format=PROGRESS_FORMAT,
        leave=False,
        dynamic_ncols=True,
        disable=disable,
        **kwargs,
    )

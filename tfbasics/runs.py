"""Where a run writes, and the pieces every chapter script shares.

Every script writes under ``<logdir>/<script name>/<run name>/`` (``logs/`` by default). The run
name is a timestamp unless ``--run-name`` is given, and an existing folder is never reused unless
asked, so two runs sit side by side in TensorBoard.
"""

import argparse
import datetime
from pathlib import Path

from tqdm.auto import tqdm

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
        type=str,
        default=None,
        help="name of this run's folder (default: a timestamp, never reused)",
    )
    return parser


def run_dir(logdir, script, run_name=None, exist_ok=False):
    """Create and return the folder of one run.

    Args:
      logdir: str or Path, the TensorBoard root (``logs/``).
      script: str, the script's name without ``.py`` (``ch01_02_hello_tensorflow``).
      run_name: str or None; None means a timestamp ``YYYYmmdd-HHMMSS``.
      exist_ok: bool; False appends ``-2``, ``-3``, ... rather than reuse an existing folder
        (True is for resuming a run).
    Returns:
      pathlib.Path of the created folder.
    """
    base = Path(logdir) / script
    name = run_name or datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = base / name
    if not exist_ok:
        n = 2
        while path.exists():
            path = base / f"{name}-{n}"
            n += 1
    path.mkdir(parents=True, exist_ok=True)
    return path


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

"""``tfbasics tensorboard``: serve the logs with TensorBoard on 127.0.0.1 until Ctrl-C.

The flags are checked first (the logdir holds runs, the port is free); the server itself is
``tfbasics.board.tensorboard_server``, imported only when the command runs.
"""

import argparse
import math
import shlex
import sys
from pathlib import Path

from tfbasics.cli.common import PROG, CliError, add_logdir_flag, signals_as_interrupt
from tfbasics.runs.folders import DEFAULT_LOGDIR

FILL_COMMAND = "tfbasics run all"  # what fills an empty logdir


def _fill_command(logdir):
    """The command that fills ``logdir`` with runs (str): with ``--logdir`` unless the default."""
    if Path(logdir) == Path(DEFAULT_LOGDIR):
        return FILL_COMMAND
    return f"{FILL_COMMAND} --logdir {shlex.quote(str(logdir))}"


def _parsed(text, kind, complaint):
    """``kind(text)``, or argparse's one-line error ``<complaint>: '<text>'``."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{complaint}: {text!r}") from None


def port_number(text):
    """argparse type for ``--port``: an int in 1..65535."""
    value = _parsed(text, int, "invalid int value")
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"a port is 1-65535, got {value}; leave --port out for a free one"
        )
    return value


def seconds(text):
    """argparse type for ``--reload-interval``: a finite number of seconds, 0 or more."""
    value = _parsed(text, float, "not a number of seconds")
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def cmd_tensorboard(args):
    from tfbasics.board import tensorboard_server as tb

    logdir = Path(args.logdir)
    args.logdir = str(logdir)  # "logs/" and "logs" print the same
    fill = _fill_command(logdir)
    if logdir.exists() and not logdir.is_dir():
        raise CliError(
            f"--logdir {args.logdir} is a file, not a folder; pass the folder of the runs "
            f"(default: {DEFAULT_LOGDIR})"
        )
    if not logdir.is_dir():
        raise CliError(f"logdir {args.logdir}/ does not exist; fill it first with: {fill}")
    if not tb.has_event_files(logdir):
        raise CliError(
            f"logdir {args.logdir}/ holds no TensorBoard runs yet; fill it first with: {fill}"
        )
    if args.port is not None and not tb.port_is_free(args.port):
        raise CliError(
            f"port {args.port} on {tb.HOST} is already in use; "
            f"pick another with --port, or leave --port out for a free one"
        )
    print(f"Starting TensorBoard on {args.logdir}/ (this takes a few seconds) ...", flush=True)
    try:
        with (
            signals_as_interrupt(),
            tb.serve(logdir, port=args.port, reload_interval=args.reload_interval) as server,
        ):
            if server.port_note:
                print(f"Using port {server.port}: {server.port_note}.", flush=True)
            print(
                f"TensorBoard is serving {args.logdir}/ at {server.url}  (Ctrl-C to stop)",
                flush=True,
            )
            code = server.wait()
            if code != 0:
                print(
                    f"{PROG} tensorboard: TensorBoard exited with status {code}:\n"
                    f"{server.output_tail()}",
                    file=sys.stderr,
                )
                return 1
    except tb.TensorBoardError as err:
        print(f"{PROG} tensorboard: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nTensorBoard stopped.")
    return 0


def add_command(sub):
    """Add ``tensorboard`` to the ``tfbasics`` sub-parsers ``sub``."""
    p = sub.add_parser(
        "tensorboard",
        help="open the logs in TensorBoard (127.0.0.1 only)",
        description="Start TensorBoard on the logs, bound to 127.0.0.1, and print "
        "its URL. Ctrl-C stops it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_logdir_flag(p, "serve")
    p.add_argument(
        "--port",
        type=port_number,
        default=None,
        help="port on 127.0.0.1 (default: 6006 if free, else any free port)",
    )
    p.add_argument(
        "--reload-interval",
        type=seconds,
        default=5.0,
        help="seconds between TensorBoard's rescans of the logdir (default: %(default)s)",
    )
    p.set_defaults(func=cmd_tensorboard)

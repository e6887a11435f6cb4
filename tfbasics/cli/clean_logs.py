"""``tfbasics clean-logs``: remove the run folders the chapter scripts wrote, and nothing else.

``plan_clean(logdir)`` decides: a run folder ``<logdir>/<script>/<run>/`` is removed only if it
carries this package's marker (``folders.read_marker``) and holds nothing but files the scripts
write (``OUR_FILES``); anything else is left alone and named, and a symbolic link is never
followed. ``clean_logs(logdir, yes)`` lists the plan, asks, and removes.
"""

import argparse
import contextlib
import fnmatch
import os
import shutil
import sys
from pathlib import Path

from tfbasics.cli.common import PROG, CliError, add_logdir_flag, confirm, describe_run, human_size
from tfbasics.runs import atomic, folders, run_lock
from tfbasics.runs.folders import MARKER

# What the scripts write inside a run folder (at any depth); any other file is the user's, and
# a run folder holding one is left whole. Hidden *.tmp* files are our interrupted atomic writes.
OUR_FILES = (
    "events.out.tfevents.*",
    "*.png",
    "*.json",
    "*.keras",
    "*.h5",
    "checkpoint",
    "*.index",
    "*.data-?????-of-?????",
    "*.meta",
    "*.pb",
    "*.pbtxt",
    "*.tsv",
    ".*.tmp*",
    "*.tempstate*",  # TensorFlow's Saver writes <file>.tempstate<digits>, then renames it
    MARKER,
    run_lock.LOCK_FILE,
)
REMOVING = ".removing-"  # under its lock a run folder is renamed .<run>.removing-<pid>


def _foreign_files(run):
    """Files and links in run folder ``run`` that the scripts do not write (relative Paths)."""
    foreign = []
    for folder, dirs, files in os.walk(run):  # never follows a symlinked folder
        here = Path(folder)
        for name in dirs:
            if (here / name).is_symlink():
                foreign.append((here / name).relative_to(run))
        for name in files:
            path = here / name
            if path.is_symlink() or not any(fnmatch.fnmatch(name, p) for p in OUR_FILES):
                foreign.append(path.relative_to(run))
    return sorted(foreign)


def plan_clean(logdir):
    """What ``clean-logs`` would remove under ``logdir``, and what it leaves, with why.

    Only run folders ``<logdir>/<script>/<run>/`` that carry this package's marker
    (``folders.read_marker``) and hold nothing but files the scripts write are removed. A symbolic
    link is never followed.

    A run folder whose lock a live process holds (``run_lock``: a run still writing) is busy,
    not removed; a folder an interrupted clean-logs renamed to ``.<run>.removing-<pid>`` is.

    Returns:
      (list of Path run folders to remove, list of (Path, str reason) left alone,
      list of Path symbolic links not followed, list of (Path, int pid) busy run folders).
    """
    remove, kept, links, busy = [], [], [], []
    for entry in sorted(Path(logdir).iterdir()):
        if entry.is_symlink():
            links.append(entry)
            continue
        if not entry.is_dir():
            kept.append((entry, ""))
            continue
        children = sorted(entry.iterdir())
        if not children:
            kept.append((entry, ""))  # an empty folder: not ours to remove either
        for run in children:
            if run.is_symlink():
                links.append(run)
            elif _removing_pid(run) is not None:
                if not atomic.process_alive(_removing_pid(run)):
                    remove.append(run)  # left by a clean-logs that was killed while removing
            elif not run.is_dir():
                kept.append((run, ""))
            elif folders.read_marker(run) is None:
                kept.append((run, f"no {folders.MARKER} marker"))
            elif foreign := _foreign_files(run):
                more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
                kept.append((run, f"holds {foreign[0]}{more}"))
            elif (pid := run_lock.holder(run)) is not None:
                busy.append((run, pid))
            else:
                remove.append(run)
    return remove, kept, links, busy


def _removing_pid(run):
    """The process id in a ``.<run>.removing-<pid>`` folder's name, else None."""
    head, _, pid = run.name.rpartition(REMOVING)
    return int(pid) if head.startswith(".") and pid.isdigit() else None


def _remove(run):
    """Remove run folder ``run`` under its lock; None if done, else why it was left (str).

    The marker and files are checked again under the lock (a run may have started since the
    listing), and the folder is renamed away first: a writer that opens it later finds no
    folder, and none can add a file while the tree is removed.
    """
    if _removing_pid(run) is not None:
        shutil.rmtree(run, ignore_errors=True)
        return None
    run_lock.release(run)  # this process's own run (a notebook's), if it holds one
    try:
        with run_lock.locked(run):
            if folders.read_marker(run) is None or _foreign_files(run):
                return "it changed since it was listed"
            trash = run.with_name(f".{run.name}{REMOVING}{os.getpid()}")
            os.rename(run, trash)
            shutil.rmtree(trash)
    except run_lock.RunLocked as e:
        return f"in use by process {e.pid or '?'} (a run writing to it)"
    except FileNotFoundError:
        return "it was removed by someone else meanwhile"
    return None


def _busy_line(run, pid, logdir):
    return (
        f"Skipped {_shown(run, logdir)}: in use by process {pid or '?'} (a run still writing "
        "to it); clean it once that process has ended"
    )


def _size(run):
    total = 0
    for f in run.rglob("*"):
        with contextlib.suppress(OSError):  # a temporary that was just renamed
            total += f.stat().st_size if f.is_file() else 0
    return total


def _shown(path, root):
    rel = str(path.relative_to(root))
    return rel + "/" if path.is_dir() and not path.is_symlink() else rel


def clean_logs(logdir, yes=False):
    """``tfbasics clean-logs``: list what ``plan_clean`` would remove, ask, remove it.

    Args:
      logdir: str or Path, the folder of runs (``logs``).
      yes: bool; True removes without asking.
    Returns:
      int exit status: 0 (removed, or nothing to remove), 1 (the user said no), 130 (Ctrl-C
      while removing; what was removed is said).
    Raises:
      CliError: ``logdir`` is a file, or there is no terminal to ask at and ``yes`` is False.
    """
    logdir = Path(logdir)
    shown = str(logdir)  # "logs/" and "logs" print the same
    if logdir.exists() and not logdir.is_dir():
        raise CliError(f"--logdir {shown} is a file, not a folder of runs; nothing removed")
    if not logdir.is_dir():
        print(f"Nothing to clean: {shown}/ does not exist.")
        return 0
    remove, kept, links, busy = plan_clean(logdir)
    for run, pid in busy:
        print(_busy_line(run, pid, logdir))
    if kept:
        items = [_shown(p, logdir) + (f" ({why})" if why else "") for p, why in kept]
        print(f"Left alone (not written by {PROG}): {', '.join(items)}")
    for link in links:
        print(f"Not followed: {_shown(link, logdir)} -> {os.readlink(link)} (a symbolic link)")
    if not remove and busy:
        print(f"Nothing removed: every run folder under {shown}/ that could go is in use.")
        return 0
    if not remove:
        print(f"Nothing to clean: no run folders written by {PROG} under {shown}/.")
        return 0
    size = sum(_size(run) for run in remove)
    what = f"{len(remove)} run{'s' * (len(remove) != 1)} ({human_size(size)})"
    print(f"To remove under {shown}/, {what}:")
    width = max(len(_shown(run, logdir)) for run in remove)
    for run in remove:
        print(f"  {_shown(run, logdir):<{width}}  {describe_run(run)}")
    sys.stdout.flush()
    cannot_ask = (
        f"would remove the {what} listed above, but cannot ask for confirmation here; "
        f"re-run with --yes to remove them"
    )
    if not yes and not confirm(f"Remove these {what}? [y/N] ", cannot_ask):
        print("Nothing removed.")
        return 1
    done = 0
    try:
        for run in remove:
            why = _remove(run)
            if why is not None:
                print(f"Skipped {_shown(run, logdir)}: {why}")
                continue
            done += 1
            with contextlib.suppress(OSError):  # the script folder, once no run is left in it
                run.parent.rmdir()
    except KeyboardInterrupt:
        print(
            f"{PROG} clean-logs: interrupted; removed {done} of {len(remove)} runs", file=sys.stderr
        )
        return 130
    print(f"Removed {what}." if done == len(remove) else f"Removed {done} of {len(remove)} runs.")
    return 0


def cmd_clean_logs(args):
    return clean_logs(args.logdir, yes=args.yes)


def add_command(sub):
    """Add ``clean-logs`` to the ``tfbasics`` sub-parsers ``sub``."""
    p = sub.add_parser(
        "clean-logs",
        help="remove the runs the chapter scripts wrote",
        description="Remove the run folders the chapter scripts wrote under the logdir "
        f"(each holds a {MARKER} marker), after listing them and asking. Anything else is "
        "left alone and named: other files and folders, a run folder holding a file the "
        "scripts do not write, symbolic links (never followed).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_logdir_flag(p, "clean")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_clean_logs)

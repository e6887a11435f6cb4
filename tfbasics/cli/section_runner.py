"""``tfbasics run``: each section in its own process, one progress line each, then what was written.

- ``run_section(section, flags)``: ``python -m tfbasics.cli.launch tfbasics.chapters.<script>
  FLAGS`` in its own process group (on Linux a child forked after this process imported
  TensorFlow once, ``tfbasics.cli.section_fork``: the same, without paying the import per
  section; ``TFBASICS_RUN_ISOLATED=1``: a new process each time); Ctrl-C is passed on once and
  the section gets ``INTERRUPT_GRACE`` seconds to say what it kept. The section dies with this
  process, however this one dies (``kill -9`` too: ``launch.die_with_parent``).
- ``run_sections(selected, flags)``: the loop, the progress lines and the summary of the run
  folders its sections claimed (not those of another run into the same logdir).
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tfbasics.cli import launch, section_fork
from tfbasics.cli.common import PROG, CliError, describe_run, signals_as_interrupt
from tfbasics.runs import folders, script_errors
from tfbasics.runs.folders import DEFAULT_LOGDIR


def _logdir_from_flags(flags, default):
    """The ``--logdir`` among pass-through flags (the last one wins, as in argparse), or default."""
    logdir = default
    for i, flag in enumerate(flags):
        if flag == "--logdir" and i + 1 < len(flags):
            logdir = flags[i + 1]
        elif flag.startswith("--logdir="):
            logdir = flag.split("=", 1)[1]
    return logdir


@contextlib.contextmanager
def _claims_noted(claimed):
    """Inside the block, every section notes the run folders it claims in a temporary file
    (``script_errors.CLAIMS_LOG_ENV``); on the way out they are added to ``claimed`` (a list of
    Paths). Another ``tfbasics run`` into the same logdir at the same time notes its own."""
    fd, log = tempfile.mkstemp(prefix="tfbasics-claims-")
    os.close(fd)
    before = os.environ.get(script_errors.CLAIMS_LOG_ENV)
    os.environ[script_errors.CLAIMS_LOG_ENV] = log
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(script_errors.CLAIMS_LOG_ENV, None)
        else:
            os.environ[script_errors.CLAIMS_LOG_ENV] = before
        with contextlib.suppress(OSError):
            names = Path(log).read_bytes().split(b"\0")
            claimed.extend(Path(os.fsdecode(n)) for n in dict.fromkeys(names) if n)
        with contextlib.suppress(OSError):
            os.unlink(log)


def _section_env():
    """The environment for a section's process: it imports the same ``tfbasics`` as this one."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env[launch.PARENT_ENV] = str(os.getpid())  # the section dies with us (launch.die_with_parent)
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
    """Run one section as ``python -m tfbasics.cli.launch tfbasics.chapters.<name> FLAGS``.

    ``tfbasics.cli.launch`` runs the script as ``python -m tfbasics.chapters.<name>`` would (a TF2
    twin: ``tfbasics.chapters.tf2.<name>``), and keeps a Ctrl-C during its imports to one line.
    On Linux the section is a child forked from this process once TensorFlow is imported here
    (``tfbasics.cli.section_fork``), which behaves as that new process would. On Ctrl-C here
    the section is sent SIGINT, given ``INTERRUPT_GRACE`` seconds to say what it kept, and
    KeyboardInterrupt is re-raised.

    Args:
      section: Section.
      flags: list of str, passed to the script as they are.
      quiet: bool; True captures the script's output and shows it only if the script fails.
    Returns:
      int, the script's exit status.
    """
    if section_fork.enabled(section.path):  # TensorFlow imported here once, then forked
        section_fork.preload()
        process = section_fork.ForkedSection(section.module, flags, _section_env(), quiet)
    else:
        argv = [sys.executable, "-m", "tfbasics.cli.launch", section.module, *flags]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
        process = subprocess.Popen(
            argv, env=_section_env(), **(pipes if quiet else {}), **_own_process_group()
        )
    code, out = _wait_interruptible(process, communicate=quiet)
    if quiet and code != 0:
        sys.stdout.write(out)
    return code


def _logdir_problem(logdir):
    """None if the scripts can write under ``logdir``, else one line on why not (str)."""
    path = Path(logdir)
    try:
        folders.make_folder(path)
        with tempfile.TemporaryFile(dir=path):  # a real write: read-only and full disks show here
            pass
    except OSError as err:
        line = script_errors.describe_os_error(err) or str(err)
        return f"--logdir {line}" if err.filename == str(path) else f"--logdir {logdir}: {line}"
    return None


def run_sections(selected, flags, quiet=False, keep_going=False):
    """``tfbasics run``: run the selected sections in order, then say what they wrote.

    One progress line per section (``[2/9] ch01_02_hello_tensorflow ... ok (1.4 s)``), then the
    run folders its sections claimed. Ctrl-C, SIGTERM and SIGHUP stop the running
    section (``run_section``) and say which sections finished.

    Args:
      selected: list of Section, from ``resolve_sections``.
      flags: list of str passed to every script; their ``--logdir`` (or ``logs``) is checked
        first and summarized after.
      quiet: bool; True shows a script's output only if it fails.
      keep_going: bool; True runs the remaining sections after one fails.
    Returns:
      int exit status: 0, the first failure's status, or 130 after Ctrl-C.
    Raises:
      CliError: the logdir cannot be written (nothing run).
    """
    logdir = _logdir_from_flags(flags, DEFAULT_LOGDIR)
    problem = _logdir_problem(logdir)
    if problem:
        raise CliError(problem)
    claimed = []  # the run folders this run's sections claimed (not another run's)
    failed = []  # (section, exit status)
    finished = []
    total, tag = len(selected), None
    try:
        with signals_as_interrupt(), _claims_noted(claimed):  # Ctrl-C, SIGTERM, SIGHUP too
            for i, section in enumerate(selected, start=1):
                tag = f"[{i}/{total}] {section.name}"
                print(f"{tag}: {section.description}", flush=True)
                start = time.monotonic()
                code = run_section(section, flags, quiet=quiet)
                seconds = time.monotonic() - start
                if code == 0:
                    print(f"{tag} ... ok ({seconds:.1f} s)", flush=True)
                    finished.append(section)
                    continue
                print(f"{tag} ... FAILED with exit status {code} ({seconds:.1f} s)", flush=True)
                failed.append((section, code))
                if not keep_going:
                    break
    except KeyboardInterrupt as interrupt:
        if getattr(interrupt, "code", None) == 0:  # the section had just finished: say so
            finished.append(section)
            print(f"{tag} ... ok; interrupted after it", flush=True)
        elif tag is not None and (not finished or finished[-1] is not section):
            print(f"\n{tag} ... interrupted", flush=True)
        _print_summary(logdir, claimed)
        done = ", ".join(s.name for s in finished) or "none"
        print(f"{PROG} run: interrupted; sections finished: {done}", file=sys.stderr)
        return 130
    _print_summary(logdir, claimed)
    if failed:
        names = ", ".join(s.name for s, _ in failed)
        where = "its own message is" if len(failed) == 1 else "their own messages are"
        print(f"{PROG} run: failed: {names} ({where} above)", file=sys.stderr)
        code = failed[0][1]
        return code if 0 < code < 256 else 1  # the first failure's status; < 0 is a signal
    return 0


def _print_summary(logdir, claimed):
    root = Path(os.path.abspath(logdir))
    new = sorted(run.relative_to(root) for run in claimed if run.is_dir() and root in run.parents)
    logdir = str(Path(logdir))  # "logs/" and "logs" print the same
    print()
    if not new:
        print(f"Nothing new was written under {logdir}/.")
        return
    print(f"Written under {logdir}/:")
    width = max(len(str(run)) for run in new) + 1
    for run in new:
        print(f"  {str(run) + '/':<{width}}  {describe_run(root / run)}")
    print(f"\nOpen them in TensorBoard: {folders.view_command(logdir)}")

"""The entry point of every script: Ctrl-C, a closed pipe, a disk that refuses -> one line.

``script_main(main)`` runs a script's ``main``; Ctrl-C, a closed pipe and a full, read-only or
misplaced logdir end in one line on stderr and an exit status instead of a traceback::

    if __name__ == "__main__":
        sys.exit(script_main(main))

``folders.run_dir`` reports each run folder it claims through ``note_claimed``, so a Ctrl-C can
say what was kept. Every line about a full or read-only disk is built here: ``describe_os_error``
(what is wrong, what to do) and ``disk_error_line`` (the same, for a run that keeps checkpoints:
which one is intact and how to resume).
"""

import contextvars
import errno
import logging
import os
import re
import signal
import sys
import threading

from tfbasics.runs import run_lock

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_FAILED = 1

# errno -> what to do about it; an OSError with another errno is a bug and keeps its traceback
_ADVICE = {
    errno.ENOSPC: "free some space (tfbasics clean-logs removes old runs) and run again",
    errno.EDQUOT: "free some space and run again",
    errno.EFBIG: "write elsewhere with --logdir",
    errno.EROFS: "write elsewhere with --logdir",
    errno.EACCES: "write elsewhere with --logdir, or fix the permissions",
    errno.EPERM: "write elsewhere with --logdir, or fix the permissions",
    errno.ENOTDIR: "pass a folder with --logdir",
    errno.EEXIST: "move it away, or pass another folder with --logdir",
    errno.EISDIR: "move that folder away",
    errno.ENAMETOOLONG: "pass a shorter --run-name or --logdir",
    errno.ELOOP: "remove the symlink loop, or pass another folder with --logdir",
    errno.EMFILE: "close other programs or raise the limit (ulimit -n), and run again",
    errno.ENFILE: "close other programs and run again",
    errno.ENOMEM: "close other programs and run again",
}
# what an allocation that failed outside Python says (loading TensorFlow's library, a thread)
_MEMORY_TEXTS = ("failed to map segment", "cannot allocate memory", "can't start new thread")


# run folders claimed inside the current script_main call (what Ctrl-C reports as kept)
_claimed = contextvars.ContextVar("tfbasics_claimed_runs", default=None)
# a file where a section started by `tfbasics run` notes its run folders (its summary lists them)
CLAIMS_LOG_ENV = "TFBASICS_CLAIMS_LOG"


def note_claimed(path):
    """Record run folder ``path`` as made during the current ``script_main`` call, if any, and
    in the file ``$TFBASICS_CLAIMS_LOG`` if set (absolute path, then a NUL byte).

    Args:
      path: pathlib.Path of a run folder just claimed (``folders.run_dir``).
    """
    claimed = _claimed.get()
    if claimed is not None:
        claimed.append(path)
    if os.environ.get(CLAIMS_LOG_ENV):
        try:  # one write in append mode: lines of sections never mix
            with open(os.environ[CLAIMS_LOG_ENV], "ab") as log:
                log.write(os.fsencode(os.path.abspath(path)) + b"\0")
        except OSError:  # only the summary of `tfbasics run` misses it
            pass


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with a word on what was kept: ``raise Interrupted("the last checkpoint
    (epoch 3) is kept; resume with --resume RUN") from None``; ``script_main`` prints it."""

    def __init__(self, kept):
        super().__init__(kept)
        self.kept = kept


def describe_os_error(exc):
    """One line for a disk or folder problem (full, read-only, no permission, a file in the way).

    Args:
      exc: an exception; an OSError, or an error of TensorFlow's writers whose text carries the
        system's message (``<file>; No space left on device``).
    Returns:
      str ``<file>: <what is wrong>; <what to do>``, or None if ``exc`` is no such problem.
    """
    if isinstance(exc, OSError):
        if exc.errno not in _ADVICE:
            return None
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or os.strerror(exc.errno)}; {_ADVICE[exc.errno]}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    for code in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
        if os.strerror(code) in text:
            where = text.split(";")[0].strip() if ";" in text else ""
            where = f"{where}: " if where and where != os.strerror(code) else ""
            return f"{where}{os.strerror(code)}; {_ADVICE[code]}"
    return None


def describe_memory_error(exc):
    """One line for memory that ran out (``MemoryError``, or a library or thread that could not
    be mapped), naming the address-space limit (``ulimit -v``) if there is one; else None.

    A limit just above what TensorFlow needs to load (``ulimit -v 2000000``) can instead end in
    TensorFlow's own abort (an uncaught C++ exception: SIGABRT, exit status 134) or a
    segmentation fault (139): no Python code runs then, so nothing can say it here.
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        limit = None if limit == resource.RLIM_INFINITY else limit
    except (ImportError, OSError, ValueError):  # no resource module (Windows)
        limit = None
    # an import that ran out of memory can end in the interpreter's own SystemError ("error
    # return without exception set"): memory, when the address space is limited
    limited = isinstance(exc, SystemError) and limit is not None
    if not (
        isinstance(exc, MemoryError) or limited or any(t in text.lower() for t in _MEMORY_TEXTS)
    ):
        return None
    what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if limit is None:
        return f"not enough memory: {what}; {_ADVICE[errno.ENOMEM]}"
    return (
        f"not enough memory: {what} (this process may use only {limit // 2**20} MB of address "
        f"space: ulimit -v {limit // 1024}); raise the limit (ulimit -v unlimited) and run again"
    )


# what a TensorFlow writer's error may end in: a full or read-only disk, or a folder in the way
_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EISDIR)


def os_error_in(exc):
    """The OSError (naming the file) inside a TensorFlow writer's error, or None.

    TensorFlow reports a full disk as ``<file>.tempstate<digits>; No space left on device``
    deep in a long message (``Saver.save``: "Graph execution error:" and 40 lines)."""
    for line in str(exc).splitlines():
        for code in _DISK_ERRORS:
            if line.strip().endswith(f"; {os.strerror(code)}"):
                path = re.sub(r"\.tempstate\d+$", "", line.strip().rsplit("; ", 1)[0])
                return OSError(code, os.strerror(code), path)
    return None


def disk_error_line(exc, run, epoch, resume):
    """One line for a full or read-only disk in a run that keeps a checkpoint per epoch.

    Args:
      exc: the exception (as for ``describe_os_error``); run: Path of the run folder;
      epoch: int, the epoch of its last intact checkpoint (0: none); resume: str, the command
        that resumes it.
    Returns:
      str ``<file>: <what>; the last good checkpoint (epoch N) is intact: <fix>, then resume
      with: <command>``, or None if ``exc`` is no disk problem.
    """
    line = describe_os_error(exc)
    if line is None:
        return None
    what = line.rsplit("; ", 1)[0]
    fix = "free some space" if os.strerror(errno.ENOSPC) in what else "fix that"
    if epoch:
        return (
            f"{what}; the last good checkpoint (epoch {epoch}) is intact: {fix}, then "
            f"resume with: {resume}"
        )
    return f"{what}; no epoch was checkpointed yet in {run}: {fix} and run again"


def _print_error(line):
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr itself closed: nothing left to tell
        pass


def _catch_stop_signals(handler):
    """SIGTERM and SIGHUP go to ``handler`` (in the main thread only; a signal already ignored,
    as ``nohup`` ignores SIGHUP, stays ignored). Returns {signal: previous handler}."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        num = getattr(signal, name, None)
        if num is not None and signal.getsignal(num) is not signal.SIG_IGN:
            saved[num] = signal.signal(num, handler)
    return saved


def script_main(main, argv=None, prog=None):
    """Run a script's ``main`` and turn the machine's and the user's interruptions into one line.

    - Ctrl-C: ``<prog>: interrupted; <what was kept>`` on stderr, exit 130. What was kept is the
      ``kept`` of an ``Interrupted`` raised by ``main``, else the run folders ``run_dir``
      made during this call (their files are complete: each was written whole or not at all).
      SIGTERM and SIGHUP end the same way (``interrupted by SIGTERM; ...``), exit 143 or 129.
    - a closed pipe (``script | head -1``): quiet exit 1; stdout goes to devnull, as the Python
      docs' note on SIGPIPE recommends, so the interpreter's last flush does not fail again.
    - a full or read-only disk, no permission, a file where the logdir should be (OSError, or a
      TensorFlow writer's error carrying that text): ``<prog>: error: <file>: <what>; <what to
      do>``, exit 1.
    - memory that ran out (``describe_memory_error``): ``<prog>: error: not enough memory: ...``,
      exit 1.
    Anything else is a bug and keeps its traceback.

    Args:
      main: callable ``main(argv)`` returning an int exit status (None counts as 0).
      argv: list of str or None (``main()`` is called without arguments then).
      prog: str for the messages; default: the script's file name, as argparse says it.
    Returns:
      int exit status, for ``sys.exit(script_main(main))``.
    """
    prog = prog or os.path.basename(sys.argv[0]) or "tfbasics"
    claimed = []
    token = _claimed.set(claimed)
    hook = threading.excepthook

    def quiet_disk_errors(args):  # TensorFlow's writer thread dies first; main reports it
        if describe_os_error(args.exc_value) is None:
            hook(args)

    class QuietDiskErrors(logging.Filter):  # ... and TensorFlow's logger says so first, too
        def filter(self, record):
            return describe_os_error(RuntimeError(record.getMessage())) is None

    tf_logger, log_filter = logging.getLogger("tensorflow"), QuietDiskErrors()
    threading.excepthook = quiet_disk_errors
    tf_logger.addFilter(log_filter)
    stopped_by = []  # SIGTERM or SIGHUP, once one came: it ends the script as Ctrl-C does

    def stop(signum, frame):
        stopped_by.append(signum)
        for num in saved:  # a second one must not cut the cleanup short
            signal.signal(num, signal.SIG_IGN)
        as_ctrl_c = signal.getsignal(signal.SIGINT)  # Keras' fit defers it to a step's end
        if callable(as_ctrl_c):
            as_ctrl_c(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    saved = _catch_stop_signals(stop)
    try:
        code = main() if argv is None else main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        if stopped_by and code == EXIT_INTERRUPTED:  # main said what it kept, as for Ctrl-C
            return 128 + stopped_by[0]
        return 0 if code is None else code
    except KeyboardInterrupt as exc:
        how = f" by {signal.Signals(stopped_by[0]).name}" if stopped_by else ""
        if isinstance(exc, Interrupted):
            kept = exc.kept
        elif claimed:
            kept = f"kept what was written so far in {', '.join(str(p) for p in claimed)}"
        else:
            kept = "nothing was written"
        _print_error(f"\n{prog}: interrupted{how}; {kept}")
        return 128 + stopped_by[0] if stopped_by else EXIT_INTERRUPTED
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # stdout without a file descriptor
            pass
        return EXIT_FAILED
    except Exception as exc:
        line = describe_memory_error(exc) or describe_os_error(exc)  # ENOMEM: memory, not disk
        if line is None:
            raise
        unfinished = f" (unfinished run folder: {claimed[-1]})" if claimed else ""
        _print_error(f"{prog}: error: {line}{unfinished}")
        return EXIT_FAILED
    finally:
        for num, handler in saved.items():
            signal.signal(num, handler)
        for path in claimed:
            run_lock.release(path)  # the script is done with its run folders
        _claimed.reset(token)
        threading.excepthook = hook
        tf_logger.removeFilter(log_filter)

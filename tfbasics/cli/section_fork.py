"""``tfbasics run``'s sections in children forked after TensorFlow was imported once.

Started as its own process (``python -m tfbasics.cli.launch``), every section first pays
TensorFlow's import: 2.6 to 4.5 s on a 2-core machine, ten times over for ``tfbasics run all``.
Here ``tfbasics run`` imports TensorFlow once (``preload``; it brings Keras, matplotlib and PIL
along) and forks one child per section, as the grader does (tfbasics/grading/grader.py). This
process never runs a section's code and never makes a graph or a Session: each section starts
from the state a new process reaches after its imports, and nothing one section does (its
graphs, Keras' layer names, a crash) reaches the next.

A ``ForkedSection`` is what ``python -m tfbasics.cli.launch MODULE FLAGS`` would be, with the
``subprocess.Popen`` methods ``tfbasics.cli.section_runner`` uses: its own process group (Ctrl-C
reaches only ``tfbasics run``, which passes one SIGINT on), gone with its parent
(``launch.die_with_parent``), the signal handlers, environment, ``sys.argv``, buffering and exit
status of a new interpreter, its non-daemon threads and atexit handlers finished and its output
flushed before it ends.

A script that sets environment variables at import, for libraries that read them when they
load, still gets a new process: here they have loaded already (``sets_environment``). ch01_10
limits NumPy's BLAS threads at run time (threadpoolctl), so it is forked like the rest.
``TFBASICS_RUN_ISOLATED=1`` runs every section in a new process, as on a system without fork
(only Linux forks here: elsewhere a fork after TensorFlow's import is not known to be safe).
Importing this module imports no TensorFlow.
"""

import ast
import atexit
import contextlib
import io
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import traceback

from tfbasics.cli import launch

ISOLATED_ENV = "TFBASICS_RUN_ISOLATED"  # 1: a new process per section (benchmarks/run_all.py)


_threads_after_import = None  # this process's threads once it imported TensorFlow itself
PROGRAM = [False]  # set by the `tfbasics` command itself: a caller's process (pytest) never forks


def _threads():
    return frozenset(os.listdir("/proc/self/task"))


def enabled(path=None):
    """True if the section at ``path`` (a Path, or None) may run forked from this process.

    Only on Linux, unless ``TFBASICS_RUN_ISOLATED`` is set, for a script that does not set its
    environment at import, and only while this process has started no thread since it imported
    TensorFlow for its sections (some of those may have ended): a fork copies one thread, and a
    lock or thread pool held by another (a Session's, made by code that imported TensorFlow
    before, as a test run may) would hang the child.
    """
    isolated = os.environ.get(ISOLATED_ENV, "").strip() not in ("", "0")
    if isolated or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if not PROGRAM[0]:  # main.main([...]) called inside another program: its threads, its exit
        return False
    if _threads_after_import is None:  # TensorFlow not imported here yet, or not by us
        fresh = "tensorflow" not in sys.modules and threading.active_count() == 1
    else:
        fresh = threading.active_count() == 1 and _threads() <= _threads_after_import
    return fresh and (path is None or not sets_environment(path))


def sets_environment(path):
    """True if the script at ``path`` changes ``os.environ`` outside its functions: at import,
    before the libraries it configures load (in a new process, not in a fork of this one).
    Reading it (``"X" in os.environ``, ``os.environ.get``) is no reason for a new process."""
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError, UnicodeDecodeError):
        return True  # a new process says what is wrong with it, as before
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if _writes_environment(node):
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


ENVIRON_WRITES = {"setdefault", "update", "pop", "popitem", "clear", "__setitem__", "__delitem__"}


def _writes_environment(node):
    """``os.environ[k] = v`` or ``del os.environ[k]``, ``os.environ.setdefault(...)`` and the
    like, ``os.putenv``/``os.unsetenv``, or ``os.environ`` handed on to a call or a name (whoever
    gets it may change it)."""

    def environ(n):
        return isinstance(n, ast.Attribute) and n.attr == "environ"

    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and environ(node.value):
        return True
    if isinstance(node, ast.Subscript) and environ(node.value):
        return not isinstance(node.ctx, ast.Load)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and environ(func.value):
            return func.attr in ENVIRON_WRITES
        if isinstance(func, ast.Attribute) and func.attr in ("putenv", "unsetenv"):
            return True
        return any(environ(arg) for arg in [*node.args, *(k.value for k in node.keywords)])
    return False


def preload():
    """Import TensorFlow here, quietly, once (with it: Keras, matplotlib, PIL); no graph, no
    Session, so a fork stays safe. Call it only if ``enabled()``."""
    global _threads_after_import
    if _threads_after_import is None:
        from tfbasics._tf import tf

        tf.compat.v1  # noqa: B018 - the first attribute read imports TensorFlow
        _threads_after_import = _threads()


class ForkedSection:
    """One section, run in a child forked from this process; ``subprocess.Popen``'s interface.

    Args:
      module: str, the section's module (``tfbasics.chapters.ch01_03_basic_math``).
      flags: list of str, its command line.
      env: dict, the environment a section's process gets (``PYTHONPATH``, the parent's id).
      capture: bool; True sends its stdout and stderr to one pipe, read by ``communicate``.
    """

    def __init__(self, module, flags, env, capture=False):
        self.args = [module, *flags]
        self.returncode = None
        self._chunks, self._fd, self._capture = [], None, capture
        read_fd, write_fd = os.pipe() if capture else (None, None)
        sys.stdout.flush()  # nothing buffered here may be written twice
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            code = 1
            try:
                os.setpgid(0, 0)
                if capture:
                    os.close(read_fd)
                    os.dup2(write_fd, 1)
                    os.dup2(write_fd, 2)
                    os.close(write_fd)
                    sys.stdout.reconfigure(line_buffering=False)  # a pipe, as a new process sees it
                code = _child(self.args, env)
            finally:
                os._exit(code)
        with contextlib.suppress(OSError):  # the child does it too: whichever runs first
            os.setpgid(self.pid, self.pid)
        if capture:
            os.close(write_fd)
            self._fd = read_fd

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout=None):
        if timeout is None:
            if self.returncode is None:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            return self.returncode
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, sig):
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout=None):
        """Read the captured output to its end, then wait: (str output or None, None).

        Output read before a ``TimeoutExpired`` (or a Ctrl-C) is kept for the next call."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._fd is not None:
            with selectors.DefaultSelector() as selector:
                selector.register(self._fd, selectors.EVENT_READ)
                while True:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        raise subprocess.TimeoutExpired(self.args, timeout)
                    if not selector.select(left):
                        continue
                    chunk = os.read(self._fd, 65536)
                    if not chunk:
                        break
                    self._chunks.append(chunk)
            os.close(self._fd)
            self._fd = None
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        self.wait(left)
        if not self._capture:
            return None, None
        # decoded as Popen(text=True) decodes: the locale's encoding, universal newlines
        return io.TextIOWrapper(io.BytesIO(b"".join(self._chunks))).read(), None


def _child(argv, env):
    """The forked child: run ``argv`` as ``python -m tfbasics.cli.launch`` would; exit status."""
    for name in ("SIGTERM", "SIGHUP"):  # a new interpreter's handlers (exec resets caught ones)
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.clear()
    os.environ.update(env)
    try:
        code = launch.main(argv)  # pops launch.PARENT_ENV: dies with this child's parent
    except SystemExit as exit_:  # the script's sys.exit(script_main(main)), argparse's exits
        code = exit_.code
        if code is not None and not isinstance(code, int):
            _print_error(str(code))
            code = 1
    except KeyboardInterrupt:  # as the interpreter ends on one: the traceback, then SIGINT
        _print_error(traceback.format_exc(), end="")
        _finish()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        code = 130
    except BaseException:  # a bug: its traceback, exit status 1
        sys.excepthook(*sys.exc_info())
        code = 1
    code = 0 if code is None else code
    return _finish() or code


def _print_error(text, end="\n"):
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, end=end, flush=True)


def _finish():
    """What a Python process does on its way out: wait for its non-daemon threads, run its
    atexit handlers, flush stdout and stderr. Returns 120 if stdout could not be flushed (as
    the interpreter does), else None."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    code = None
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            if stream is sys.stdout:
                code = 120
    return code

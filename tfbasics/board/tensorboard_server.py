"""A real TensorBoard on the loopback interface, as a subprocess you can start and stop.

``serve(logdir)`` is a context manager: it starts ``python -m tensorboard.main --logdir LOGDIR
--host 127.0.0.1 --port N`` (N given, or a free port), waits until the server answers over HTTP,
yields a ``TensorBoardServer`` (``.url``, ``.get_json(route)``), and stops the server on the way
out, also after an exception or Ctrl-C. ``tfbasics tensorboard`` and the end-to-end test use it.

TensorBoard is never bound to anything but 127.0.0.1: the logs are served to this machine only.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"  # loopback only; never 0.0.0.0
DEFAULT_PORT = 6006  # TensorBoard's own default
START_TIMEOUT = 90.0  # seconds; the first start imports TensorFlow: slow on a busy machine
STOP_TIMEOUT = 10.0  # seconds to wait after SIGTERM before SIGKILL


class TensorBoardError(RuntimeError):
    """TensorBoard could not be started (its last output lines are in the message)."""


def has_event_files(logdir):
    """True if ``logdir`` holds at least one TensorBoard event file (at any depth).

    Args:
      logdir: str or Path.
    Returns:
      bool; False for a missing folder.
    """
    path = Path(logdir)
    return path.is_dir() and next(path.rglob("events.out.tfevents.*"), None) is not None


def port_is_free(port, host=HOST):
    """True if ``host:port`` can be bound right now, as TensorBoard will bind it (an int port).

    TensorBoard's server (werkzeug's) binds with SO_REUSEADDR, so a port whose last server has
    just stopped (its connections in TIME_WAIT) is free for it; this check binds the same way,
    or a quick restart would move off 6006 for no reason. A listening server still blocks it.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name == "posix":  # on Windows SO_REUSEADDR would let two servers share a port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _listening(port, host=HOST):
    """True if something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def pick_port(port=None, host=HOST):
    """The port to serve on, and why it is not the one asked for.

    Args:
      port: int, or None for 6006 if free, else a free port chosen by the OS.
    Returns:
      (int port, str or None): the second is None when the port is the one asked for (or
      6006), else one sentence on why 6006 was passed over.
    """
    if port is not None or port_is_free(DEFAULT_PORT, host):
        return (DEFAULT_PORT if port is None else port), None
    if _listening(DEFAULT_PORT, host):
        why = (
            f"port {DEFAULT_PORT} is in use (another TensorBoard or server is answering at "
            f"http://{host}:{DEFAULT_PORT}/)"
        )
    else:
        why = f"port {DEFAULT_PORT} is held by another program, though nothing answers there"
    return free_port(host), why


def free_port(host=HOST):
    """A port on ``host`` that nothing listens on right now (int), chosen by the OS."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class TensorBoardServer:
    """A running TensorBoard subprocess. Made by ``serve()``; use ``.url`` and ``.get_json()``.

    Attributes:
      logdir: Path, the folder served.
      port: int, the loopback port.
      url: str, ``http://127.0.0.1:PORT/``.
      process: subprocess.Popen of ``python -m tensorboard.main``.
      port_note: str or None; why the port is not 6006 when none was asked for.
    """

    def __init__(self, logdir, port, process, log_path):
        self.logdir = Path(logdir)
        self.port = port
        self.url = f"http://{HOST}:{port}/"
        self.process = process
        self.log_path = Path(log_path)
        self.port_note = None

    def get(self, route, timeout=10.0):
        """GET ``route`` (e.g. ``data/runs``) from this server.

        Returns:
          (int HTTP status, bytes body); status 0 if the server did not answer.
        """
        url = self.url + route.lstrip("/")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except (TimeoutError, urllib.error.URLError, ConnectionError):
            return 0, b""

    def get_json(self, route, timeout=10.0):
        """GET ``route`` and decode it as JSON; raises TensorBoardError unless HTTP 200."""
        status, body = self.get(route, timeout=timeout)
        if status != 200:
            raise TensorBoardError(
                f"GET {self.url}{route.lstrip('/')} answered {status}: "
                f"{body[:200].decode('utf-8', 'replace')}"
            )
        return json.loads(body)

    def output_tail(self, lines=15):
        """The last ``lines`` lines TensorBoard wrote to stdout/stderr (str)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_ready(self, timeout=START_TIMEOUT):
        """Poll until the server answers ``/data/logdir`` with HTTP 200.

        Raises:
          TensorBoardError if the process exits first or ``timeout`` seconds pass.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise TensorBoardError(
                    f"TensorBoard exited with code {self.process.returncode} before answering on "
                    f"port {self.port}:\n{self.output_tail()}"
                )
            status, _ = self.get("data/logdir", timeout=2.0)
            if status == 200:
                return
            time.sleep(0.25)
        raise TensorBoardError(
            f"TensorBoard did not answer on {self.url} within {timeout:.0f} s:\n"
            f"{self.output_tail()}"
        )

    def wait(self):
        """Block until the server process ends (Ctrl-C raises KeyboardInterrupt as usual)."""
        return self.process.wait()

    def stop(self):
        """Stop the server: SIGTERM, then SIGKILL after ``STOP_TIMEOUT`` s. Safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def command(logdir, port, reload_interval=5.0):
    """The argv that starts TensorBoard on ``logdir`` at 127.0.0.1:``port`` (a list of str)."""
    return [
        sys.executable,
        "-m",
        "tensorboard.main",
        "--logdir",
        str(logdir),
        "--host",
        HOST,
        "--port",
        str(port),
        "--reload_interval",
        str(reload_interval),
        # the Python loader: the Rust data server is optional and not on every platform
        "--load_fast",
        "false",
    ]


@contextlib.contextmanager
def serve(logdir, port=None, reload_interval=5.0, timeout=START_TIMEOUT):
    """Start TensorBoard on ``logdir``, yield it once it answers, stop it on exit.

    Args:
      logdir: str or Path, the folder to serve (``logs/``).
      port: int, or None for 6006 if free, else any free port.
      reload_interval: float, seconds between TensorBoard's rescans of ``logdir``.
      timeout: float, seconds to wait for the first answer.
    Yields:
      TensorBoardServer.
    Raises:
      TensorBoardError if the server does not come up (it is stopped first).
    """
    port, why = pick_port(port)
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorBoard imports TensorFlow: hide its banner
    with tempfile.NamedTemporaryFile(prefix="tensorboard-", suffix=".log", delete=False) as log:
        log_path = log.name
    try:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command(logdir, port, reload_interval),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        server = TensorBoardServer(logdir, port, process, log_path)
        server.port_note = why
        try:
            server.wait_until_ready(timeout)
            yield server
        finally:
            server.stop()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(log_path)

"""Headless Chromium, driven over the DevTools protocol, to look at TensorBoard as a reader does.

``launch()`` is a context manager: it starts the system's Chromium (Debian's ``chromium``
package; nothing is ever downloaded) with ``--remote-debugging-pipe``, so the DevTools protocol
runs over two pipes (file descriptors 3 and 4, one JSON message per NUL-terminated chunk) and
needs no websocket library and no port. It yields a ``Browser``; ``browser.open(url)`` gives a
``Page`` with ``evaluate(js)``, ``wait_for(js)`` and ``screenshot(path)``. Chromium and its
temporary profile are removed on the way out, also after an exception or Ctrl-C.

The browser test (tests/test_tensorboard_browser.py) and the README's screenshots
(chapters/figures/screenshots.py) use it.
"""

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")  # Debian's name first
INSTALL_HINT = "apt-get install chromium"  # Debian/Ubuntu; the package puts it at /usr/bin/chromium
# Headless, as root, on a machine without a network: no sandbox (root), no GPU, and none of the
# background connections (updates, sync, QUIC) that a closed network refuses at every start.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
COMMAND_TIMEOUT = 60.0  # seconds for one DevTools command (a screenshot of a busy page is slow)
STOP_TIMEOUT = 10.0  # seconds to wait after SIGTERM before SIGKILL


class BrowserError(RuntimeError):
    """Chromium could not be started, or a DevTools command failed or timed out."""


def find_chromium():
    """The path of a Chromium executable on PATH (str), or None if there is none."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    """One tab. Made by ``Browser.open``."""

    def __init__(self, browser, target_id, session_id):
        self._browser = browser
        self._target = target_id
        self._session = session_id

    def send(self, method, **params):
        """One DevTools command to this tab (e.g. ``Page.navigate``); returns its result dict."""
        return self._browser.send(method, params, session_id=self._session)

    def evaluate(self, expression):
        """The value of the JavaScript ``expression`` in the page (JSON-like; promises awaited).

        Raises:
          BrowserError if the expression throws.
        """
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60.0, interval=0.5):
        """Evaluate ``expression`` until it is truthy; returns that value, or the last one.

        TensorBoard draws asynchronously (data loads, then the graph is laid out), so a check
        polls instead of sleeping a fixed time. The caller asserts on what comes back.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError:  # e.g. the page is still being replaced by the new one
                if time.monotonic() > deadline:
                    raise
                value = None
            if value or time.monotonic() > deadline:
                return value
            time.sleep(interval)

    def navigate(self, url):
        """Load ``url`` in this tab (returns once the navigation is committed)."""
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")

    def screenshot(self, path, clip=None):
        """Save what the tab shows as a PNG at ``path`` (written to a temporary name, renamed).

        Args:
          path: str or Path.
          clip: None for the viewport, or dict x, y, width, height in CSS pixels.
        Returns:
          Path of the PNG.
        """
        from tfbasics.runs.atomic import atomic_write

        params = {"format": "png"}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        data = base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])
        return atomic_write(path, [data])

    def close(self):
        """Close this tab (the browser goes on)."""
        self._browser.send("Target.closeTarget", {"targetId": self._target})


class Browser:
    """A running headless Chromium. Made by ``launch()``."""

    def __init__(self, process, to_browser, from_browser, log_path):
        self.process = process
        self._out = to_browser  # fd we write commands to (Chromium's fd 3)
        self._in = from_browser  # fd we read answers and events from (Chromium's fd 4)
        self._buffer = b""
        self._next_id = 0
        self.log_path = Path(log_path)

    def output_tail(self, lines=10):
        """The last ``lines`` lines Chromium wrote to stderr (str)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _read_message(self, deadline):
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"Chromium did not answer within {COMMAND_TIMEOUT:.0f} s")
            ready, _, _ = select.select([self._in], [], [], remaining)
            if ready:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium exited:\n{self.output_tail()}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session_id=None, timeout=COMMAND_TIMEOUT):
        """Send one DevTools command and wait for its answer; events in between are dropped.

        Returns:
          the command's result dict.
        Raises:
          BrowserError with the protocol's error message, or on a timeout.
        """
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        try:
            os.write(self._out, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise BrowserError(f"Chromium exited:\n{self.output_tail()}") from None
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})

    def open(self, url, width=1400, height=900):
        """A new tab of ``width`` x ``height`` CSS pixels showing ``url`` (a Page)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, target, session["sessionId"])
        # no Page.enable / Runtime.enable: their events are not needed, so none are sent
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.navigate(url)
        return page

    def stop(self):
        """Close Chromium: SIGTERM, then SIGKILL after ``STOP_TIMEOUT`` s. Safe to call twice."""
        for fd in (self._out, self._in):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._out = self._in = -1
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def launch(executable=None):
    """Start headless Chromium with a new empty profile; yield a Browser; stop it on exit.

    Args:
      executable: path of Chromium, or None for ``find_chromium()``.
    Yields:
      Browser.
    Raises:
      BrowserError if there is no Chromium (the message says how to install it) or it fails
      to start.
    """
    executable = executable or find_chromium()
    if not executable:
        raise BrowserError(f"no Chromium on PATH: install it with `{INSTALL_HINT}`")
    profile = tempfile.mkdtemp(prefix="tfbasics-chromium-")
    log_path = os.path.join(profile, "stderr.log")
    opened = []  # our ends and Chromium's ends of the two pipes, closed exactly once
    try:
        # Chromium reads commands from its fd 3 and writes answers to its fd 4. Our copies of
        # its ends are moved above 10 first, so the dup2 onto 3 and 4 cannot overwrite them.
        command_read, command_write = os.pipe()
        opened += [command_read, command_write]
        answer_read, answer_write = os.pipe()
        opened += [answer_read, answer_write]
        child_read = fcntl.fcntl(command_read, fcntl.F_DUPFD_CLOEXEC, 10)
        opened.append(child_read)
        child_write = fcntl.fcntl(answer_write, fcntl.F_DUPFD_CLOEXEC, 10)
        opened.append(child_write)

        def child_pipes():  # in the child, between fork and exec; dup2's copies are inherited
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [executable, *FLAGS, f"--user-data-dir={profile}/profile", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                close_fds=False,  # else fds 3 and 4 would be closed after child_pipes ran
                preexec_fn=child_pipes,
            )
        for fd in (command_read, answer_write, child_read, child_write):  # Chromium's ends
            os.close(fd)
            opened.remove(fd)
        opened.clear()  # the Browser owns command_write and answer_read from here
        browser = Browser(process, command_write, answer_read, log_path)
        try:
            browser.send("Browser.getVersion")  # answers once the browser is up
            yield browser
        finally:
            browser.stop()
    finally:
        for fd in opened:
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(profile, ignore_errors=True)

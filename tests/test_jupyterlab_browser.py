"""The hello-world notebook as a reader meets it: JupyterLab in headless Chromium.

A real JupyterLab serves a temporary folder on a free 127.0.0.1 port (with a token, no browser
of its own). Chromium (Debian's ``chromium``, driven by ``tfbasics.board.browser``) opens
notebooks/ch01_02_hello_tensorflow.ipynb there, as committed: its outputs are on the page before
anything runs. Then a copy with its outputs cleared: Run > Run All Cells from the menu bar, with
the mouse, and the page shows ``b'Hello World!'`` and TensorBoard's frame, which came from this
kernel.

Without Chromium or JupyterLab (``pip install -e ".[notebooks]"``) the tests are skipped with one
line saying how to get them; with TFBASICS_REQUIRE_BROWSER=1 (set by .ci/run) that is a failure.
JupyterLab, its kernels and the TensorBoard a kernel started are stopped by the fixtures'
teardown (``tfbasics.notebooks.kernels.tagged_environment``), also when a check fails.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tfbasics.board import browser as chromium
from tfbasics.board.tensorboard_server import free_port
from tfbasics.notebooks import kernels

pytestmark = [
    pytest.mark.xdist_group("notebooks"),
    pytest.mark.slow,
]  # its fixtures once; TensorBoard on 6006

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "ch01_02_hello_tensorflow.ipynb"
HELLO = "b'Hello World!'"  # what the notebook's first run prints
START_TIMEOUT = 90.0  # seconds for JupyterLab to answer on its port
RUN_TIMEOUT = 180.0  # seconds for Run All Cells: kernel start, TensorFlow import, TensorBoard
LAB_SETTINGS = {
    # JupyterLab 4 attaches only the cells in view to the page ("full" windowing); a reader
    # scrolls to see the rest, the page reader here reads them all
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},  # no network here
}
REQUIRED = os.environ.get("TFBASICS_REQUIRE_BROWSER") == "1"


def unavailable(message):
    """Skip with one line, or fail when CI requires the browser tests."""
    message = f"browser tests: {message}"
    if REQUIRED:
        pytest.fail(message + " (TFBASICS_REQUIRE_BROWSER=1)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium_path():
    path = chromium.find_chromium()
    if path is None:
        unavailable(f"no Chromium on PATH; install it with `{chromium.INSTALL_HINT}`")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        unavailable('no JupyterLab; install it with `pip install -e ".[notebooks]"`')
    return path


@pytest.fixture(scope="module")
def lab(chromium_path, tmp_path_factory):
    """JupyterLab serving a folder with the notebook as committed (committed/) and a copy
    without outputs; yields ``(base url, token, folder, started TensorBoard ports)``; stops it and all it started afterwards."""
    import nbformat

    root = tmp_path_factory.mktemp("jupyterlab")
    (root / "committed").mkdir()
    (root / "logs").mkdir()  # the notebook's runs, and its TensorBoard, look here
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root / "committed" / NOTEBOOK)
    nb = nbformat.read(str(ROOT / "notebooks" / NOTEBOOK), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, str(root / NOTEBOOK))
    port, token = free_port(), os.urandom(12).hex()
    started_servers = []  # ports of the TensorBoards the notebook started: stopped on the way out
    settings = root.parent / f"{root.name}-jupyter"  # nothing goes to the user's ~/.jupyter
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",  # CI runs as root; harmless otherwise
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings / 'settings'}",
        f"--LabApp.workspaces_dir={settings / 'workspaces'}",
    ]
    for name, values in LAB_SETTINGS.items():
        path = settings / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(values))
    with kernels.tagged_environment() as env:
        env["JUPYTER_RUNTIME_DIR"] = str(settings / "runtime")
        env["JUPYTER_CONFIG_DIR"] = str(settings / "config")
        log_path = settings / "jupyterlab.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_server(server, f"{url}/api/status?token={token}", log_path)
            yield url, token, root, started_servers
        finally:
            server.terminate()  # JupyterLab shuts its kernels down on SIGTERM
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        # leaving tagged_environment stops what is left: a kernel, the TensorBoard it started
    for tensorboard_port in started_servers:
        with socket.socket() as probe:
            probe.settimeout(2)
            assert probe.connect_ex(("127.0.0.1", tensorboard_port)) != 0, (
                f"the notebook's TensorBoard on port {tensorboard_port} still runs"
            )


def wait_for_server(server, status_url, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = Path(log_path).read_text(errors="replace")[-2000:]
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{tail}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(status_url, timeout=5) as answer:
                if answer.status == 200:
                    return
        time.sleep(0.5)
    tail = Path(log_path).read_text(errors="replace")[-2000:]
    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT:.0f} s:\n{tail}")


@pytest.fixture(scope="module")
def browser(chromium_path):
    with chromium.launch(chromium_path) as running:
        yield running
    assert running.process.poll() is not None


@pytest.fixture
def open_notebook(lab, browser):
    """``open_notebook(path)``: a tab with the notebook open in JupyterLab, closed afterwards."""
    url, token, lab_root, _ = lab
    opened = []

    def open_notebook(path):
        # ?reset: a fresh workspace, so no tab of an earlier test is restored beside this one
        page = browser.open(f"{url}/lab/tree/{path}?reset&token={token}")
        opened.append(page)
        want = len(json.loads((lab_root / path).read_text())["cells"])
        cells = page.wait_for(
            f"document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === {want}",
            timeout=90,
        )
        assert cells, f"JupyterLab did not show the {want} cells of {path}"
        # the kernel is up once the status bar says so; a Run before that runs nothing
        idle = page.wait_for(
            "document.querySelector('#jp-main-statusbar').innerText.includes('| Idle')",
            timeout=90,
        )
        assert idle, f"no idle kernel for {path}: {page.evaluate(STATUS)!r}"
        return page

    yield open_notebook
    for page in opened:
        with contextlib.suppress(chromium.BrowserError):
            page.close()


OUTPUTS = """
Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output'))
     .map(o => o.innerText).join('\\n')
"""

STATUS = "document.querySelector('#jp-main-statusbar').innerText"


def click(page, selector, text):
    """Click, with the mouse as a reader does, the element matching ``selector`` whose text is
    ``text``; returns False if there is none on the page."""
    box = page.evaluate(
        f"""(() => {{
        const el = Array.from(document.querySelectorAll({json.dumps(selector)}))
            .find(e => e.innerText.trim() === {json.dumps(text)});
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return {{x: r.x + r.width / 2, y: r.y + r.height / 2}};
    }})()"""
    )
    if not box:
        return False
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        page.send(
            "Input.dispatchMouseEvent",
            type=kind,
            x=box["x"],
            y=box["y"],
            button="left",
            clickCount=0 if kind == "mouseMoved" else 1,
        )
    return True


def test_committed_notebook_opens_with_its_outputs(open_notebook):
    page = open_notebook(f"committed/{NOTEBOOK}")
    shown = page.wait_for(f"(() => {{ const t = {OUTPUTS}; return t.includes('Hello') && t }})()")
    assert shown and HELLO in shown, f"committed {NOTEBOOK}: outputs on the page: {shown!r}"


def test_run_all_cells_shows_hello_world_from_the_kernel(lab, open_notebook):
    page = open_notebook(NOTEBOOK)
    before = page.evaluate(OUTPUTS)
    assert HELLO not in before, f"the copy should have no outputs yet: {before!r}"
    assert click(page, ".lm-MenuBar-item", "Run"), "no Run menu in JupyterLab's menu bar"
    opened = page.wait_for(
        "Array.from(document.querySelectorAll('.lm-Menu-itemLabel'))"
        ".some(e => e.innerText.trim() === 'Run All Cells')",
        timeout=10,
    )
    assert opened, "the Run menu did not open"
    assert click(page, ".lm-Menu-item", "Run All Cells"), "no `Run All Cells` in the Run menu"
    shown = page.wait_for(
        f"(() => {{ const t = {OUTPUTS}; return t.includes({json.dumps(HELLO)}) && t }})()",
        timeout=RUN_TIMEOUT,
    )
    assert shown, f"no {HELLO} on the page after Run All Cells: {page.evaluate(OUTPUTS)!r}"
    if "%tensorboard" not in (ROOT / "notebooks" / NOTEBOOK).read_text():
        return
    # a cell starts TensorBoard inside the notebook: its frame points at a live server
    frame = page.wait_for(
        "(() => { const f = document.querySelector('.jp-OutputArea-output iframe');"
        " return f && f.src })()",
        timeout=RUN_TIMEOUT,
    )
    assert frame, f"no TensorBoard frame after Run All Cells: {page.evaluate(OUTPUTS)!r}"
    port = int(frame.rstrip("/").rsplit(":", 1)[1])
    lab[3].append(port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
        assert answer.status == 200, f"TensorBoard's frame {frame}: HTTP {answer.status}"

"""TensorBoard end to end: the chapter's fast paths into a temporary logdir, a real TensorBoard on a
free loopback port, and its HTTP API (TensorBoard 2.21 routes) shows what the scripts wrote.

Routes used (tensorboard/plugins/*/http_api.md): /data/runs, /data/plugin/graphs/graph?run=R,
/data/plugin/scalars/tags, /data/plugin/scalars/scalars?run=R&tag=T,
/data/plugin/histograms/tags, /data/plugin/images/tags. The server is stopped by the fixture's
teardown (a ``with serve(...)`` around the yield), also when a test fails.
"""

import math
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from tfbasics.board import tensorboard_server as tb

pytestmark = [
    pytest.mark.xdist_group("tensorboard_e2e"),
    pytest.mark.slow,
]  # module fixtures: made once

REPO = Path(__file__).resolve().parent.parent
RUN = "e2e"  # --run-name of every script run here
POLL_TIMEOUT = 60.0  # seconds; TensorBoard loads the logdir in the background, every second here
HELLO_RUN = f"ch01_02_hello_tensorflow/{RUN}/hello"
DIGITS_RUN = f"ch01_06_mnist_data/{RUN}"
TRAIN_RUN = f"ch01_07_single_layer_mnist/{RUN}/train"  # softmax regression: graph, summaries
VALIDATION_RUN = f"ch01_07_single_layer_mnist/{RUN}/validation"
MAX_STEPS = 5  # SGD steps of the softmax regression's fast path


def poll(server, route, ready, timeout=POLL_TIMEOUT):
    """GET ``route`` as JSON until ``ready(answer)`` is true; returns the answer.

    TensorBoard answers at once but fills in runs and tags as its reload thread reads the event
    files, so an early answer can be incomplete.
    """
    deadline = time.monotonic() + timeout
    while True:
        answer = server.get_json(route)
        if ready(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    """A logdir holding the fast runs of the hello-world, MNIST-data and softmax scripts."""
    from tfbasics.chapters import (
        ch01_02_hello_tensorflow,
        ch01_06_mnist_data,
        ch01_07_single_layer_mnist,
    )

    root = tmp_path_factory.mktemp("tensorboard_e2e")
    common = ["--logdir", str(root), "--run-name", RUN]
    assert ch01_02_hello_tensorflow.main(common) == 0
    assert ch01_06_mnist_data.main([*common, "--fake-data"]) == 0
    assert (
        ch01_07_single_layer_mnist.main(
            [*common, "--fake-data", "--max-steps", str(MAX_STEPS), "--seed", "0", "--no-progress"]
        )
        == 0
    )
    return root


@pytest.fixture(scope="module")
def server(logdir):
    """A real TensorBoard on a free 127.0.0.1 port, stopped at the end of the module."""
    with tb.serve(logdir, port=tb.free_port(), reload_interval=1) as running:
        yield running
    assert running.process.poll() is not None  # stopped


def test_the_server_is_bound_to_loopback_only(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert "--host" in server.process.args
    assert server.process.args[server.process.args.index("--host") + 1] == "127.0.0.1"


def test_tensorboard_lists_the_runs(server):
    expected = {
        HELLO_RUN,
        f"ch01_02_hello_tensorflow/{RUN}/ranks",
        f"ch01_02_hello_tensorflow/{RUN}/variable",
        DIGITS_RUN,
        TRAIN_RUN,
        VALIDATION_RUN,
    }
    runs = poll(server, "data/runs", lambda runs: expected <= set(runs))
    assert expected <= set(runs), runs


def get_graph(server, run):
    """The pbtxt TensorBoard serves for ``run``'s graph (bytes); polls until it is there."""
    poll(server, "data/runs", lambda runs: run in runs)
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        status, body = server.get("data/plugin/graphs/graph?run=" + urllib.parse.quote(run))
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 200, body[:300]
    return body


def test_tensorboard_serves_the_hello_world_graph(server):
    body = get_graph(server, HELLO_RUN)
    assert b'name: "hello_constant"' in body  # the book's op name, in TensorBoard's pbtxt
    assert b'string_val: "Hello World!"' in body  # its value, as the book prints it


def test_tensorboard_serves_the_softmax_regression_graph(server):
    body = get_graph(server, TRAIN_RUN)
    for op in (
        "features",
        "labels",
        "inference/weights",
        "inference/biases",
        "inference/logits",
        "loss/cross_entropy",
        "accuracy/accuracy",
        "train/train_op",
    ):
        assert f'name: "{op}"'.encode() in body, op


def _has_tags(tags, run, names):
    """True if run ``run`` has, for each of ``names``, a tag equal to it or under it (name/...)."""
    present = tags.get(run, {})
    return all(any(t == name or t.startswith(name + "/") for t in present) for name in names)


def test_tensorboard_serves_the_digit_images(server):
    names = ["digit_0", "first_100"]  # TF1 image summaries are tagged digit_0/image/0 and so on
    tags = poll(server, "data/plugin/images/tags", lambda tags: _has_tags(tags, DIGITS_RUN, names))
    assert _has_tags(tags, DIGITS_RUN, names), tags


def test_tensorboard_serves_loss_and_accuracy_for_train_and_validation(server):
    runs = {TRAIN_RUN: ["loss", "accuracy"], VALIDATION_RUN: ["loss", "accuracy"]}
    tags = poll(
        server,
        "data/plugin/scalars/tags",
        lambda tags: all(_has_tags(tags, run, names) for run, names in runs.items()),
    )
    for run, names in runs.items():
        assert _has_tags(tags, run, names), (run, tags.get(run))
    # and the values behind a tag: one loss per SGD step, finite
    query = urllib.parse.urlencode({"run": TRAIN_RUN, "tag": "loss"})
    points = server.get_json(f"data/plugin/scalars/scalars?{query}")
    assert len(points) == MAX_STEPS
    assert all(math.isfinite(value) and value > 0 for _, _, value in points)


def test_tensorboard_serves_the_weight_and_bias_histograms(server):
    names = ["weights", "biases"]
    tags = poll(
        server, "data/plugin/histograms/tags", lambda tags: _has_tags(tags, TRAIN_RUN, names)
    )
    assert _has_tags(tags, TRAIN_RUN, names), tags.get(TRAIN_RUN)


def test_tensorboard_serves_the_weight_templates_and_input_images(server):
    names = ["weight_templates", "input_digits"]
    tags = poll(server, "data/plugin/images/tags", lambda tags: _has_tags(tags, TRAIN_RUN, names))
    assert _has_tags(tags, TRAIN_RUN, names), tags.get(TRAIN_RUN)
    templates = [t for t in tags[TRAIN_RUN] if t.startswith("weight_templates")]
    assert templates == ["weight_templates"]  # the ten templates in one labelled grid: one card


def test_the_server_stops_when_the_body_of_the_with_fails(logdir):
    port = tb.free_port()
    with pytest.raises(RuntimeError, match="a failing test"):
        with tb.serve(logdir, port=port, reload_interval=1) as running:
            assert running.get("data/logdir")[0] == 200
            raise RuntimeError("a failing test")
    assert running.process.poll() is not None
    assert tb.port_is_free(port)


def test_tfbasics_tensorboard_prints_the_url_and_ctrl_c_stops_it(logdir):
    port = tb.free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tfbasics",
            "tensorboard",
            "--logdir",
            str(logdir),
            "--port",
            str(port),
            "--reload-interval",
            "1",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + tb.START_TIMEOUT
        while not any(url in line for line in lines):  # the URL is printed once it answers
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, f"no URL printed: {lines}"
            time.sleep(0.2)
        assert tb.TensorBoardServer(logdir, port, process, os.devnull).get("data/runs")[0] == 200
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        process.wait(timeout=30)
        reader.join(timeout=5)
        err = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    out = "".join(lines)
    assert process.returncode == 0, err
    assert f"TensorBoard is serving {logdir}/ at {url}  (Ctrl-C to stop)" in out
    assert "TensorBoard stopped." in out
    assert "Traceback" not in out + err
    assert tb.port_is_free(port)  # the TensorBoard child went with it

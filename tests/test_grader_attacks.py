"""Hostile students against the grader: every attack of issue 21 ends with no unearned pass.

Each planted student would have passed something when the checks shared a process with the
learner's code: it patches NumPy or the checks, profiles them, walks up to the grading child's
``send``, returns objects that compare equal to anything, leaves a daemon behind, floods the
output, reads another student's work, runs a copy found through ``__file__``, or links to
another student. One class, each attack on top of the untouched stubs (the rest is fast), is
graded once by ``tfbasics grade``; each test reads that one run.
"""

import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from test_exercise_checker import (
    PLANTS,
    by_exercise,
    copy_stubs,
    plant,
    run,
    solution,
    tasks_of,
    valid_junit,
    valid_results,
)

from tfbasics.grading import channel
from tfbasics.notebooks import kernels

pytestmark = [
    pytest.mark.xdist_group("grader_attacks"),
    pytest.mark.slow,
]  # module fixtures: made once

TIMEOUT = 10  # seconds per exercise (--timeout)

ZEROS = (  # every softmax answer a constant: nothing is computed
    "def softmax(logits):\n    return np.zeros(np.shape(logits))\n\n"
    "def one_hot(labels, num_classes=10):\n    return np.zeros(num_classes, np.float32)\n\n"
    "def cross_entropy(softmax, one_hot):\n    return 0.0\n\n"
    "def fused_cross_entropy(logits, labels):\n    return np.float32(0.0)\n"
)

DEEP_PATCH = (  # every closeness test NumPy has says "close" (NumPy 2's module, or 1.26's)
    "import numpy as np\n\ntry:\n    import numpy._core.numeric as _numeric\n"
    "except ImportError:\n    import numpy.core.numeric as _numeric\n\n"
    "def _close(a, b, *args, **kwargs):\n"
    "    return np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)\n\n"
    "_numeric.isclose = np.isclose = _close\n"
    "_numeric.allclose = np.allclose = lambda *a, **k: True\n"
    "np.testing.assert_allclose = lambda *a, **k: None\n\n" + ZEROS
)

DEFAULTS_PATCH = (  # the helpers stay the same functions, with tolerances nothing fails
    "import sys\n\nimport numpy as np\n\n"
    "for _name, _module in list(sys.modules.items()):\n"
    "    if 'exercise_checks' in _name:\n"
    "        _f = getattr(_module, 'expect_close', None)\n"
    "        if _f is not None and _f.__defaults__:\n"
    "            _f.__defaults__ = tuple(1e300 if isinstance(d, float) else d\n"
    "                                    for d in _f.__defaults__)\n\n" + ZEROS
)

PROFILER = (  # each expect_* is called with the expected value as what the learner got
    "import ctypes\nimport sys\n\nimport numpy as np\n\n"
    "def _hook(frame, event, arg):\n"
    "    if event == 'call' and frame.f_code.co_name.startswith('expect_'):\n"
    "        names = frame.f_locals\n"
    "        if 'expected' in names and 'got' in names:\n"
    "            names['got'] = names['expected']\n"
    "            ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))\n"
    "        if frame.f_code.co_name == 'expect_raises':\n"
    "            raise ValueError('raised as asked')\n\n"
    "sys.setprofile(_hook)\n\n" + ZEROS
)

FORGER = (  # finds the grading child's signed send() up the stack: a pass for every task
    "import sys\n\nimport numpy as np\n\n"
    "def _forge():\n"
    "    frame = sys._getframe()\n"
    "    while frame is not None:\n"
    "        send = frame.f_locals.get('send')\n"
    "        if callable(send):\n"
    "            for n in (1, 2, 3):\n"
    "                for message in ({'type': 'task', 'number': n, 'status': 'pass'},\n"
    "                                {'type': 'done'}):\n"
    "                    try:\n"
    "                        send(message)\n"
    "                    except Exception as e:\n"
    "                        print('send refused:', type(e).__name__)\n"
    "        frame = frame.f_back\n\n"
    "_forge()\n\n"
    "def sigmoid(z):\n    _forge()\n    return 0.5\n\n"
    "class Neuron:\n"
    "    def __init__(self, weights=(1.0, 2.0), bias=0.0, activation=sigmoid):\n"
    "        self.weights = np.asarray(weights, dtype=np.float64)\n"
    "        self.bias = float(bias)\n"
    "        self.activation = activation\n\n"
    "    def forward(self, inputs):\n"
    "        _forge()\n"
    "        raise NotImplementedError\n"
)

ORACLE = (  # an array that is whatever the check expected, a number equal to every number
    "import sys\n\nimport numpy as np\n\n"
    "class Same(np.float64):\n"
    "    def __eq__(self, other):\n        return True\n\n"
    "    def __ne__(self, other):\n        return False\n\n"
    "    __hash__ = np.float64.__hash__\n\n"
    "class Oracle:\n"
    "    def __array__(self, dtype=None, copy=None):\n"
    "        frame = sys._getframe(1)\n"
    "        while frame is not None:\n"
    "            if 'expected' in frame.f_locals:\n"
    "                return np.asarray(frame.f_locals['expected'], dtype=dtype)\n"
    "            frame = frame.f_back\n"
    "        return np.zeros(3)\n\n"
    "    def __eq__(self, other):\n        return True\n\n"
    "    def __ne__(self, other):\n        return False\n\n"
    "def softmax(logits):\n    return Oracle()\n\n"
    "def one_hot(labels, num_classes=10):\n    return Oracle()\n\n"
    "def cross_entropy(softmax, one_hot):\n    return Same(0.0)\n\n"
    "def fused_cross_entropy(logits, labels):\n    return Same(0.0)\n"
)

HELLO = (  # an honest run_constant: hello's 3 tasks are earned
    "def run_constant(value):\n"
    "    graph = tf.Graph()\n"
    "    with graph.as_default():\n"
    "        constant = tf.constant(value)\n"
    "    with tf.compat.v1.Session(graph=graph) as session:\n"
    "        return session.run(constant)\n"
)


def daemon_plant(port, grades):
    """hello.py leaving a double-forked daemon that reports to 127.0.0.1:port for 60 s, with
    the class's grades.csv when it can read it."""
    return (
        "import os\nimport socket\nimport time\n\nfrom tfbasics._tf import tf\n\n"
        "def _daemon():\n"
        "    try:\n        pid = os.fork()\n"
        "    except OSError as e:\n        print('fork refused:', e)\n        return\n"
        "    if pid:\n        os.waitpid(pid, 0)\n        return\n"
        "    os.setsid()\n"
        "    if os.fork():\n        os._exit(0)\n"
        "    end = time.time() + 60\n"
        "    while time.time() < end:\n"
        "        try:\n"
        f"            data = open({str(grades)!r}, 'rb').read()[:1000] or b'alive'\n"
        "        except OSError:\n            data = b'alive'\n"
        "        try:\n"
        "            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        f"            s.sendto(data, ('127.0.0.1', {port}))\n"
        "            s.close()\n"
        "        except OSError:\n            pass\n"
        "        time.sleep(0.2)\n"
        "    os._exit(0)\n\n"
        "_daemon()\n\n" + HELLO
    )


FLOOD = (  # 2 GiB printed, then the right sigmoid
    "import sys\n\nimport numpy as np\n\n"
    "def sigmoid(z):\n"
    "    chunk = 'x' * 2**20\n"
    "    for _ in range(2048):\n        sys.stdout.write(chunk)\n"
    "    sys.stdout.flush()\n"
    "    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))\n\n"
    "class Neuron:\n"
    "    def __init__(self, weights=(1.0, 2.0), bias=0.0, activation=sigmoid):\n"
    "        self.weights = np.asarray(weights, dtype=np.float64)\n"
    "        self.bias = float(bias)\n"
    "        self.activation = activation\n\n"
    "    def forward(self, inputs):\n        raise NotImplementedError\n"
)

COLOUR = "\\x1b[31mred\\x00\\x07\\x1b[0m"  # as written in the planted source


def peeker_plant(victim):
    """softmax.py reading another student's softmax.py, by an absolute and a relative path."""
    return (
        "import os\n\nimport numpy as np\n\n"
        "def _peek():\n"
        f"    for path in ({str(victim)!r},\n"
        "                 os.path.join(os.path.dirname(__file__), '..', 'victim', 'softmax.py')):\n"
        "        try:\n"
        "            print('read ok:', open(path).read()[:40])\n"
        "        except OSError as e:\n"
        "            print('refused:', type(e).__name__)\n\n"
        "def softmax(logits):\n    _peek()\n    return np.zeros(np.shape(logits))\n"
    )


def copier_plant(handwritten):
    """softmax.py running the class's hidden ``.handwritten/softmax.py``, found from __file__
    (and, failing that, by its absolute path)."""
    return (
        "import os\n\n"
        "_paths = [os.path.join(os.path.dirname(__file__), '..', '.handwritten', 'softmax.py'),\n"
        f"          {str(handwritten)!r}]\n"
        "for _path in _paths:\n"
        "    try:\n"
        "        _source = open(_path).read()\n"
        "        break\n"
        "    except OSError as e:\n"
        "        print('refused:', type(e).__name__)\n"
        "exec(_source)\n"
    )


class Attacked(NamedTuple):
    """What grading the class of attacks left: its folder, the grader's stdout, the results by
    student, grades.csv's rows by student, the seconds grading took, the UDP packets received
    during grading and for 3 s after, the ids of the grader's processes seen while it graded and
    of those still alive 3 s after it ended."""

    base: Path
    out: str
    results: dict
    rows: dict
    seconds: float
    packets: list
    processes: set
    left: set


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """The class of attacks, graded once by ``tfbasics grade``: an ``Attacked``."""
    base = tmp_path_factory.mktemp("attacks")
    klass = base / "class"
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    victim = klass / "victim"
    students = {
        "deep": {"softmax.py": DEEP_PATCH},
        "defaults": {"softmax.py": DEFAULTS_PATCH},
        "profiler": {"softmax.py": PROFILER},
        "forger": {"neuron.py": FORGER},
        "oracle": {"softmax.py": ORACLE},
        "daemon": {"hello.py": daemon_plant(port, base / "out" / "grades.csv")},
        "flood": {"neuron.py": FLOOD},
        "colour": {
            "neuron.py": solution("neuron").replace(
                "def sigmoid(*args, **kwargs):\n",
                f"def sigmoid(*args, **kwargs):\n    print('{COLOUR}')\n",
            )
        },
        "victim": {"softmax.py": solution("softmax")},
        "peeker": {"softmax.py": peeker_plant(victim / "softmax.py")},
        "copier": {"softmax.py": copier_plant(klass / ".handwritten" / "softmax.py")},
        "loops": PLANTS["loops"],
    }
    for name, files in students.items():
        plant(klass / name, files, copy_stubs)
    assert "print('\\x1b[31m" in (klass / "colour" / "neuron.py").read_text()
    (klass / ".handwritten").mkdir()  # hidden: not a student
    (klass / ".handwritten" / "softmax.py").write_text(solution("softmax"))
    plant(klass / "linker", {}, copy_stubs)
    (klass / "linker" / "softmax.py").unlink()
    (klass / "linker" / "softmax.py").symlink_to("../victim/softmax.py")
    (klass / "twin").symlink_to("victim")
    args = ["tfbasics.grading.class_grader", "class", "--out", "out", "--no-similarity"]
    args += ["--timeout", str(TIMEOUT), "--memory", "300"]
    # a token in the grader's environment: every process it forks (sandboxed workers, the
    # daemon's double fork) carries it, so /proc tells which of them are alive
    token = secrets.token_hex(8)
    env = {k: v for k, v in os.environ.items() if k != "TFBASICS_EXERCISES"}
    start, tagged = time.monotonic(), set()
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=base,
        env=dict(env, **{kernels.TOKEN: token}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while True:
        tagged |= kernels.tagged_pids(token)
        try:
            out, err = proc.communicate(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() - start > 600:
                proc.kill()
                pytest.fail("grading the class of attacks took over 10 minutes")
    seconds = time.monotonic() - start
    time.sleep(3)
    packets = []
    while True:
        try:
            packets.append(listener.recv(65536))
        except BlockingIOError:
            break
    listener.close()
    assert proc.returncode == 0, out + err
    results = {p.stem: valid_results(p) for p in (base / "out").glob("*.json")}
    with open(base / "out" / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return Attacked(base, out, results, rows, seconds, packets, tagged, kernels.tagged_pids(token))


def passed(results, student, exercise):
    return by_exercise(results[student])[exercise]["passed"]


def assert_ran_and_failed(results, student, exercise):
    """The planted file imported, its code ran and every task failed on what it did: "fail",
    never "error" (a plant that does not even import gets no pass either, and proves nothing)."""
    tasks = tasks_of(results[student], exercise)
    assert tasks and all(task["status"] == "fail" for task in tasks), tasks
    assert "returned" in tasks[0]["message"], tasks[0]


@pytest.mark.parametrize("student", ["deep", "defaults", "profiler"])
def test_patching_numpy_or_the_checks_gets_no_pass(attacked, student):
    # the patches land in the learner's process; the comparisons happen in the checker's
    results = attacked.results
    assert passed(results, student, "softmax") == 0
    assert results[student]["passed"] == 0
    assert_ran_and_failed(results, student, "softmax")


def test_profiling_the_checks_is_flagged(attacked):
    results = attacked.results
    assert any("sys.setprofile" in f for f in results["profiler"]["flags"])


def test_the_frame_forger_finds_no_send(attacked):
    results = attacked.results
    assert passed(results, "forger", "neuron") == 0
    assert results["forger"]["passed"] == 0
    assert_ran_and_failed(results, "forger", "neuron")  # sigmoid ran: it returned 0.5


def test_an_oracle_that_equals_anything_gets_no_pass(attacked):
    results = attacked.results
    assert passed(results, "oracle", "softmax") == 0
    assert results["oracle"]["passed"] == 0
    assert_ran_and_failed(results, "oracle", "softmax")


def test_a_daemon_neither_outlives_grading_nor_reaches_the_network(attacked):
    results = attacked.results
    seconds = attacked.seconds
    packets = attacked.packets
    # the token reached the sandboxed workers (the grader, its grading children, each
    # sandbox's middle process and worker), and no process carrying it is left
    assert len(attacked.processes) > 3, attacked.processes
    assert attacked.left == set(), attacked.left
    assert packets == []  # nothing during grading, nothing in the 3 s after
    hello = by_exercise(results["daemon"])["hello"]
    assert hello["passed"] == 3  # its run_constant is honest: earned
    assert hello["duration"] < TIMEOUT  # the daemon holding its pipes did not stall grading
    assert seconds < 55, seconds  # well before the daemon's 60 s are up


def test_an_output_flood_is_cut_short(attacked):
    base = attacked.base
    results = attacked.results
    neuron = by_exercise(results["flood"])["neuron"]
    assert neuron["passed"] == 0
    sigmoid = tasks_of(results["flood"], "neuron")[0]
    assert sigmoid["status"] != "pass" and "wrote more than" in sigmoid["message"]
    assert "while running sigmoid(" in sigmoid["message"]
    for task in tasks_of(results["flood"], "neuron")[1:]:  # the stub's own tasks: as they are
        assert task["message"].startswith("not started"), task
    assert neuron["duration"] < TIMEOUT  # seconds, not minutes
    assert (base / "out" / "flood.json").stat().st_size < 64 * 1024
    written = sum(p.stat().st_size for p in base.rglob("*") if p.is_file() and not p.is_symlink())
    assert written < 20 * 2**20  # the 2 GiB went nowhere on disk


def test_control_characters_keep_junit_parseable(attacked, tmp_path):
    base = attacked.base
    results = attacked.results
    assert passed(results, "colour", "neuron") == 3
    student = base / "class" / "colour"
    args = ["tfbasics.grading.checker", "neuron", "--path", str(student)]
    args += ["--junit", "j.xml", "-v", "--timeout", str(TIMEOUT)]
    code, out, err = run(args, tmp_path)
    assert code == 0, out + err
    valid_junit(tmp_path / "j.xml")
    text = (tmp_path / "j.xml").read_text()
    assert "red" in text and "\x00" not in text and "\x1b" not in text


def test_reads_of_another_students_folder_are_refused(attacked):
    results = attacked.results
    assert passed(results, "peeker", "softmax") == 0
    assert_ran_and_failed(results, "peeker", "softmax")
    output = tasks_of(results["peeker"], "softmax")[0]["output"] or ""
    assert "refused:" in output and "read ok" not in output, output


def test_running_a_copy_found_through_file_gets_no_pass_and_a_flag(attacked):
    results = attacked.results
    rows = attacked.rows
    assert passed(results, "copier", "softmax") == 0
    first = tasks_of(results["copier"], "softmax")[0]  # both reads refused: nothing to exec
    assert "NameError: name '_source' is not defined" in first["message"], first
    assert any("uses exec" in f for f in results["copier"]["flags"])
    assert "uses exec" in rows["copier"]["flags"]


def test_symlinks_are_flagged_and_a_linked_folder_graded_once(attacked):
    results = attacked.results
    rows = attacked.rows
    assert passed(results, "victim", "softmax") == 5  # the honest one
    assert any("softmax.py is a symlink to" in f for f in results["linker"]["flags"])
    assert "softmax.py is a symlink to" in rows["linker"]["flags"]
    assert "twin" not in results
    assert rows["twin"]["status"] == "skipped" and "symlink to victim" in rows["twin"]["reason"]


def test_a_timeout_says_what_it_was_doing(attacked):
    results = attacked.results
    softmax = by_exercise(results["loops"])["softmax"]
    assert softmax["passed"] == 0
    first = tasks_of(results["loops"], "softmax")[0]
    assert f"timed out after {TIMEOUT} s while running softmax(" in first["message"], first


def test_the_channel_carries_no_objects():
    with pytest.raises(channel.ChannelError):
        channel.decode({"array": ["|O8", [1], "AAAA"]})
    with pytest.raises(channel.ChannelError):
        channel.decode({"pickle": "gASVAAAAAAAAAAA="})
    with pytest.raises(TypeError):
        channel.encode(object())
    with pytest.raises(TypeError):
        channel.encode(np.array([object()]))
    assert json.loads(json.dumps(channel.encode(np.arange(3.0))))  # data still travels

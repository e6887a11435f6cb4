"""Grade a learner's exercise files: each exercise in a fresh child process, graded in the parent.

The parent (this process) imports TensorFlow, NumPy and the checks of ``tfbasics/grading/exercise_checks/``,
never the learner's code, and forks one child per exercise (a fork server: the child starts with
TensorFlow loaded instead of paying its import: 3.7 to 22 s on this 2-core machine, by its
load; see benchmarks/grading.py). The child works in a temporary folder, is
confined (tfbasics.grading.sandbox: memory, CPU, writes), imports the learner's file and runs the
exercise's checks task by task, reporting each task over a pipe as soon as it is done. The grade
is made here from those reports, never from the child's exit status:

- a task with no report is not passed; a child that exits, crashes or runs out of time before
  its last report is an error for that exercise, with the reason;
- each report carries a digest of the checker's functions (and NumPy's, the builtins') as the
  child sees them; one that differs from the parent's means the learner's code changed the
  checker, and that task and every later one of the exercise is an error;
- reports are signed with a key made for that child and numbered; a report that is forged,
  repeated or out of order voids the exercise.

This makes cheating a deliberate attack on the grader rather than a one-line patch; code that
shares a process with the checks can always, with effort, reach them (a grade that must survive
that needs the checks in another process or machine).
"""

import hmac
import json
import os
import selectors
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tfbasics.grading import grade_child, sandbox
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.grade_child import fingerprint, sign

ROOT = Path(__file__).resolve().parents[2]
STATUSES = ("pass", "fail", "error", "not-started")


@dataclass
class Limits:
    """What each exercise's child process may use."""

    timeout: float = 20.0  # wall seconds per exercise
    memory_mb: int = 1024  # address space on top of the checker's own


@dataclass
class TaskResult:
    exercise: str
    number: int
    title: str
    status: str  # one of STATUSES
    message: str = ""
    output: str = ""  # what the learner's code printed while the task was checked
    duration: float = 0.0


@dataclass
class ExerciseResult:
    name: str
    tasks: list
    message: str = ""  # why the exercise is an error (timeout, early exit, ...), else ""
    duration: float = 0.0
    confined: bool = False  # file writes were limited to the child's working folder

    @property
    def passed(self):
        return sum(t.status == "pass" for t in self.tasks)

    @property
    def status(self):
        if self.message or any(t.status == "error" for t in self.tasks):
            return "error"
        return "pass" if self.passed == len(self.tasks) else "fail"


@dataclass
class StudentResult:
    folder: Path  # None for the reference in tfbasics/
    exercises: list = field(default_factory=list)
    duration: float = 0.0

    @property
    def passed(self):
        return sum(e.passed for e in self.exercises)

    @property
    def total(self):
        return sum(len(e.tasks) for e in self.exercises)

    @property
    def status(self):
        statuses = {e.status for e in self.exercises}
        return "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"


class GraderError(Exception):
    """The grader itself cannot run (no checks here); one line for the user."""


# ------------------------------------------------------------------ the parent: the fork server

_loaded = {}


def load_checks(names):
    """Import the framework and the check modules of ``names`` here (never any learner code)."""
    missing = [n for n in names if f"test_{n}" not in _loaded]
    if missing or "framework" not in _loaded:
        import importlib

        from tfbasics._tf import tf  # the fork server's point: children start with it loaded

        if "keras_mlp" in names:
            import keras  # noqa: F401

        g = tf.Graph()  # load TensorFlow's lazily imported graph-building code once, here
        with g.as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 2])
            tf.nn.softmax_cross_entropy_with_logits(labels=x, logits=x)
        _loaded["framework"] = importlib.import_module("tfbasics.grading.exercise_checks.framework")
        for name in missing:
            _loaded[f"test_{name}"] = importlib.import_module(
                f"tfbasics.grading.exercise_checks.test_{name}"
            )
    return _loaded["framework"], {n: _loaded[f"test_{n}"] for n in names}


def _guarded_modules(check_module):
    import builtins
    import math

    import numpy

    here = sys.modules[__name__]
    return [builtins, math, os, json, hmac, numpy, sandbox, grade_child, here] + [
        _loaded["framework"],
        check_module,
    ]


def _snapshot(modules):
    """(module, attribute names) pairs: what fingerprint() covers (taken in the parent)."""
    return [(m, sorted(vars(m))) for m in modules]


@dataclass
class _Child:
    folder: Path
    exercise: object
    pid: int
    fd: int
    key: bytes
    expected_fp: str
    workdir: str
    started: float
    deadline: float
    buffer: bytes = b""
    seq: int = 0
    reports: dict = field(default_factory=dict)
    done: bool = False
    confined: bool = False
    problem: str = ""  # a forged, repeated or garbled report
    timed_out: bool = False


def _start(folder, exercise, check_module, limits, others=()):
    framework = _loaded["framework"]
    snapshot = _snapshot(_guarded_modules(check_module))
    expected_fp = fingerprint(snapshot)
    key = os.urandom(32)
    workdir = tempfile.mkdtemp(prefix=f"tfbasics-{exercise.name}-")
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            for fd in (read_fd, *others):  # no child may read another's reports
                os.close(fd)
            grade_child.run(
                write_fd, key, snapshot, framework, check_module, folder, exercise, workdir, limits
            )
        finally:
            os._exit(0)
    os.close(write_fd)
    now = time.monotonic()
    return _Child(
        folder, exercise, pid, read_fd, key, expected_fp, workdir, now, now + limits.timeout
    )


def run_exercises(pairs, limits=None, jobs=2, on_done=None):
    """Check every (folder, exercise name) pair, ``jobs`` children at a time.

    Returns {(folder, name): ExerciseResult}. ``on_done(folder, result)`` is called as each
    finishes. On Ctrl-C every child is killed and KeyboardInterrupt propagates.
    """
    limits = limits or Limits()
    names = sorted({name for _, name in pairs}, key=list(EXERCISES).index)
    _, modules = load_checks(names)
    queue = [(_resolved(folder), EXERCISES[name]) for folder, name in pairs]
    queue.reverse()
    running, results = {}, {}
    selector = selectors.DefaultSelector()
    try:
        while queue or running:
            while queue and len(running) < max(1, jobs):
                folder, exercise = queue.pop()
                child = _start(folder, exercise, modules[exercise.name], limits, list(running))
                running[child.fd] = child
                selector.register(child.fd, selectors.EVENT_READ, child)
            now = time.monotonic()
            wait = max(0.0, min(c.deadline for c in running.values()) - now)
            for selected, _ in selector.select(timeout=min(wait, 1.0)):
                child = selected.data
                data = os.read(child.fd, 65536)
                if data:
                    _receive(child, data)
                    continue
                selector.unregister(child.fd)
                del running[child.fd]
                result = _finish(child, limits)
                results[(child.folder, child.exercise.name)] = result
                if on_done:
                    on_done(child.folder, result)
            now = time.monotonic()
            for child in list(running.values()):
                if now >= child.deadline and not child.timed_out:
                    child.timed_out = True
                    _kill(child.pid)  # its pipe closes: finished above on the next round
    finally:
        for child in running.values():
            _kill(child.pid)
            os.waitpid(child.pid, 0)
            os.close(child.fd)
            shutil.rmtree(child.workdir, ignore_errors=True)
        selector.close()
    return results


def grade(folder, names=None, limits=None, jobs=2, on_done=None):
    """Check one learner's folder; returns a StudentResult (exercises in the chapter's order)."""
    names = list(names or EXERCISES)
    started = time.monotonic()
    found = run_exercises([(folder, n) for n in names], limits, jobs, on_done)
    folder = _resolved(folder)
    return StudentResult(
        folder, [found[(folder, n)] for n in names], duration=time.monotonic() - started
    )


def _resolved(folder):
    return None if folder is None else Path(folder).resolve()  # None: the reference


def _kill(pid):
    for kill in (os.killpg, os.kill):  # the child leads its own process group
        try:
            kill(pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            continue


def _receive(child, data):
    child.buffer += data
    *lines, child.buffer = child.buffer.split(b"\n")
    for line in lines:
        if child.problem:
            return
        mac, _, payload = line.decode("utf-8", "replace").partition(" ")
        if not hmac.compare_digest(mac, sign(child.key, child.seq, payload)):
            child.problem = (
                "sent a result the checker did not write (the results channel was tampered with)"
            )
            return
        child.seq += 1
        message = json.loads(payload)
        kind = message.get("type")
        if kind == "start" and child.seq == 1:
            child.confined = bool(message.get("confined"))
        elif kind == "task" and message.get("number") not in child.reports and not child.done:
            child.reports[message["number"]] = message
        elif kind == "done" and not child.done:
            child.done = True
        elif kind == "crash":
            child.problem = f"the checker failed (a bug in tfbasics): {message.get('message')}"
        else:
            child.problem = "reported a task twice or out of order (the checker was tampered with)"


def _exit_reason(child, status, limits):
    if child.timed_out:
        return f"timed out after {limits.timeout:g} s"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        if sig == signal.SIGXCPU:
            return f"used more than {limits.timeout:g} s of CPU time"
        if sig == signal.SIGKILL:
            return "was killed (SIGKILL), perhaps for using too much memory"
        return (
            f"crashed ({name}) before its checks finished; running out of memory inside a "
            "library can look like this"
        )
    code = os.WEXITSTATUS(status)
    return f"exited before its checks finished (exit status {code})"


def _finish(child, limits):
    _, status = os.waitpid(child.pid, 0)
    os.close(child.fd)
    shutil.rmtree(child.workdir, ignore_errors=True)
    duration = time.monotonic() - child.started
    exercise = child.exercise
    reason = child.problem or ("" if child.done else _exit_reason(child, status, limits))
    tasks, tampered = [], ""
    for number, title in enumerate(exercise.tasks, start=1):
        report = child.reports.get(number)
        if child.problem or report is None:
            tasks.append(TaskResult(exercise.name, number, title, "error", reason or "no result"))
            continue
        if report.get("fingerprint") != child.expected_fp and not tampered:
            tampered = (
                "the code under test changed the checker (or NumPy, or a builtin) while it "
                "was checked: no result of this exercise from here on counts"
            )
        status = report["status"] if report["status"] in STATUSES else "error"
        message = report.get("message", "")
        if tampered:
            status, message = "error", tampered
        tasks.append(
            TaskResult(
                exercise.name,
                number,
                title,
                status,
                message,
                report.get("output", ""),
                float(report.get("duration", 0.0)),
            )
        )
    return ExerciseResult(exercise.name, tasks, reason or tampered, duration, child.confined)

"""The parent's side of a grading child: read its signed reports, then make the grade from them.

A child (``tfbasics.grading.grade_child``) writes one signed, numbered JSON line per task. Here
each line is checked as it arrives (``receive``): a forged, repeated or out-of-order report voids
the exercise. When the child is gone, ``finish`` makes the ExerciseResult: a task with no report
is not passed, a child that ended early is an error with the reason (``exit_reason``), and a
report whose checker fingerprint differs from the parent's turns that task and every later one
into an error.
"""

import hmac
import json
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from tfbasics.grading.grade_child import sign
from tfbasics.grading.grade_results import STATUSES, ExerciseResult, TaskResult


@dataclass
class Child:
    """One running child: its pipe, key, deadline and the reports read so far."""

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


def receive(child, data):
    """Add the bytes ``data`` read from ``child``'s pipe; check each complete line."""
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


def exit_reason(child, status, limits):
    """Why ``child`` ended before its last report (str), from its wait ``status``."""
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


def finish(child, limits):
    """Reap ``child`` and make its ExerciseResult from the reports it sent."""
    _, status = os.waitpid(child.pid, 0)
    os.close(child.fd)
    shutil.rmtree(child.workdir, ignore_errors=True)
    duration = time.monotonic() - child.started
    exercise = child.exercise
    reason = child.problem or ("" if child.done else exit_reason(child, status, limits))
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

"""The grader's side of a checker child: read its reports, then make the grade from them.

A checker (``tfbasics.grading.grade_child``) writes one JSON line per task. It never runs the
learner's code (that runs in a sandboxed process of its own), so its reports are the checks'
own verdicts. Here each line is read as it arrives (``receive``); when the checker is gone,
``finish`` makes the ExerciseResult: a task with no report is not passed, and a checker that
ended early is an error with the reason (``exit_reason``).
"""

import json
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from tfbasics.grading.grade_results import STATUSES, ExerciseResult, TaskResult


@dataclass
class Child:
    """One running checker: its pipe, deadline and the reports read so far."""

    folder: Path
    exercise: object
    pid: int
    fd: int
    workdir: str
    started: float
    deadline: float
    buffer: bytes = b""
    seq: int = 0
    reports: dict = field(default_factory=dict)
    done: bool = False
    confined: bool = False
    isolated: list = field(default_factory=list)  # what the sandbox put in force
    flags: list = field(default_factory=list)  # what the submission scan noticed
    problem: str = ""  # a garbled report or a checker's crash
    gone: str = ""  # why the learner's process ended early, if it did
    timed_out: bool = False


def receive(child, data):
    """Add the bytes ``data`` read from ``child``'s pipe; check each complete line."""
    child.buffer += data
    *lines, child.buffer = child.buffer.split(b"\n")
    for line in lines:
        if child.problem:
            return
        try:
            message = json.loads(line.decode("utf-8", "replace"))
        except ValueError:
            child.problem = "the checker sent a garbled report (a bug in tfbasics)"
            return
        kind = message.get("type")
        if kind == "start":
            child.isolated = list(message.get("isolated", []))
            child.confined = "landlock" in child.isolated or "mount" in child.isolated
            child.flags = list(message.get("flags", []))
        elif kind == "task" and message.get("number") not in child.reports and not child.done:
            child.reports[message["number"]] = message
        elif kind == "done" and not child.done:
            child.done = True
            child.gone = str(message.get("message") or "")
        elif kind == "crash":
            child.problem = f"the checker failed (a bug in tfbasics): {message.get('message')}"
        else:
            child.problem = "the checker reported a task twice (a bug in tfbasics)"


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
    reason = child.problem or (child.gone if child.done else exit_reason(child, status, limits))
    tasks = []
    for number, title in enumerate(exercise.tasks, start=1):
        report = child.reports.get(number)
        if child.problem or report is None:
            tasks.append(TaskResult(exercise.name, number, title, "error", reason or "no result"))
            continue
        status = report["status"] if report["status"] in STATUSES else "error"
        message = report.get("message", "")
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
    result = ExerciseResult(exercise.name, tasks, reason, duration, child.confined)
    result.flags = list(child.flags)
    result.isolated = list(child.isolated)
    return result

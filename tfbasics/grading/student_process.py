"""The checks' handle on the process that runs a learner's code: start it, ask it, stop it.

``StudentProcess`` starts the sandboxed worker (tfbasics.grading.isolation) and sends it one
request at a time over the data-only channel, waiting at most until the exercise's deadline. A
worker that dies, or is still busy at the deadline, is stopped whole and becomes a
``WorkerGone`` naming what it was doing. ``LocalProcess`` answers the same requests in this
process; it serves the reference in tfbasics/ (trusted code) so the suite's checks run fast.
Run as ``python -m tfbasics.grading.student_process`` it is the sandbox's entry for a process
that has not imported TensorFlow yet (the checks under pytest).
"""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

from tfbasics.grading import channel, isolation, worker
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.grade_results import Limits


class WorkerGone(Exception):
    """The learner's process ended, or ran out of time, before it answered."""


@dataclass
class Job:
    """What the sandboxed worker imports, and where it may write.

    exercise: the exercise's name; source: the prepared copy of the learner's file (None: the
    reference); shown: that file as the learner knows it; workdir: a folder of the grader's own
    (the worker writes only in its ``home``); hide: folders to hide (the class, the grades).
    """

    exercise: str
    source: str = None
    shown: str = ""
    workdir: str = ""
    hide: tuple = ()
    disk_mb: int = 64
    own_uid: bool = True

    def exercise_obj(self):
        return EXERCISES[self.exercise]


def exit_reason(status, limits, doing):
    """Why the worker ended (one phrase), from the middle process's wait ``status``."""
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    sig = code - 128 if code > 128 else None
    while_ = f" while {doing}" if doing else ""
    if sig == signal.SIGXFSZ:
        return f"wrote more than {limits.output_kb} KB (printed output or a file){while_}"
    if sig == signal.SIGXCPU:
        return f"used more than {limits.cpu_seconds:g} s of CPU time{while_}"
    if sig == signal.SIGKILL:
        return f"was killed (SIGKILL), perhaps for using too much memory{while_}"
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"crashed ({name}){while_}"
    return f"ended its process (exit status {code}){while_}"


class StudentProcess:
    """A running sandboxed worker for one exercise (see module docstring)."""

    def __init__(self, job, limits, deadline, close=(), spawn=False):
        self.job, self.limits, self.deadline = job, limits, deadline
        self.reader, self.pending = channel.FrameReader(), []
        self.doing, self.status, self.timed_out = "importing the file", None, False
        os.makedirs(os.path.join(job.workdir, "home"), mode=0o777, exist_ok=True)
        out = os.path.join(job.workdir, "output")
        os.close(os.open(out, os.O_CREAT | os.O_WRONLY, 0o666))
        os.chmod(out, 0o666)
        os.chmod(job.workdir, 0o755)
        if spawn:
            self.pid, self.sock, self.popen = _spawn(job, limits)
        else:
            (self.pid, self.sock), self.popen = isolation.launch(job, limits, close), None
        hello = self._receive()
        self.load_error, self.isolated = hello.get("load_error"), hello.get("isolated", [])

    def request(self, request, doing):
        """The decoded reply to ``request`` (dict); WorkerGone if the worker does not answer."""
        self.doing = doing
        try:
            channel.write_frame(self.sock.send, {"request": channel.encode(request)})
        except OSError:
            self._gone()
        return channel.decode(self._receive()["reply"])

    def _receive(self):
        while not self.pending:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self.timed_out = True
                self.stop()
                raise WorkerGone(f"timed out after {self.limits.timeout:g} s while {self.doing}")
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                continue
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                data = b""
            if not data:
                self._gone()
            try:
                self.pending += self.reader.feed(data)
            except channel.ChannelError as e:
                self.stop()
                raise WorkerGone(
                    f"sent something that is not data ({e}) while {self.doing}"
                ) from None
        return self.pending.pop(0)

    def _gone(self):
        status = self.stop(grace=1.0)
        raise WorkerGone(exit_reason(status, self.limits, self.doing))

    def stop(self, grace=0.0):
        """Kill the worker's whole process tree; returns the middle process's wait status.

        grace: seconds to let it end by itself first (it closed the channel: it is ending).
        """
        end = time.monotonic() + grace
        while self.status is None and self.popen is None and time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                self.sock.close()
            else:
                time.sleep(0.01)
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if self.popen is not None:
                self.popen.wait()
                code = self.popen.returncode
                self.status = (code & 0xFF) << 8 if code >= 0 else -code
            else:
                self.status = os.waitpid(self.pid, 0)[1]
            self.sock.close()
        return self.status


def _spawn(job, limits):
    ours, theirs = socket.socketpair()
    command = [sys.executable, "-m", "tfbasics.grading.student_process", str(theirs.fileno())]
    payload = json.dumps({"job": asdict(job), "limits": asdict(limits)})
    popen = subprocess.Popen(
        command + [payload], pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL
    )
    theirs.close()
    return popen.pid, ours, popen


def _round_trip(data):
    """``data`` as the other side of a channel would read it (through a frame's JSON)."""
    return channel.parse(channel.pack({"value": data})[4:])["value"]


class LocalProcess:
    """The reference in tfbasics/, served in this process through the same channel encoding."""

    isolated = ()
    timed_out = False

    def __init__(self, exercise):
        self.server = worker.Server(EXERCISES[exercise])
        self.load_error = self.server.load_error
        self.doing = ""

    def request(self, request, doing):
        self.doing = doing
        there = channel.decode(_round_trip(channel.encode(request)))
        reply = self.server.handle(there)
        return channel.decode(_round_trip(channel.encode(reply)))

    def stop(self, grace=0.0):
        return 0


def main(argv=None):
    """The middle process of a spawned sandbox: argv = [socket fd, JSON of job and limits]."""
    argv = sys.argv[1:] if argv is None else argv
    sock = socket.socket(fileno=int(argv[0]))
    given = json.loads(argv[1])
    job = given["job"]
    job["hide"] = tuple(job["hide"])
    isolation._middle(sock, Job(**job), Limits(**given["limits"]))


if __name__ == "__main__":
    main()

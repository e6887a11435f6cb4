"""The checker: run one exercise's checks against a learner's sandboxed process, report each task.

``run`` is called in a process just forked by tfbasics.grading.grader, which has TensorFlow and
the checks loaded. It never imports the learner's code: it prepares a copy of the learner's file
(tfbasics.grading.submissions), starts the sandboxed process that imports it
(tfbasics.grading.student_process), and runs the checks here, task by task, against that
process through the data-only channel. Each task's verdict goes to the grader as one JSON line.
The learner's process has no way to reach this one: it is another process, in other
namespaces, holding only its end of the channel.
"""

import json
import os
import resource
import signal
import sys
import time

from tfbasics.grading import sandbox

MAX_RESTARTS = 3  # a learner's process that dies mid-exercise is started again for the next task
CHECKER_MEMORY_MB = 4096  # the checks' own budget (graphs and models the learner sent included)
OUTPUT_CAP = 64 * 1024  # characters of a task's printed output kept in its result (the tail)


def _checks(check_module):
    checks = {}
    for value in vars(check_module).values():
        for mark in getattr(value, "pytestmark", []):
            if mark.name == "task":
                checks[mark.kwargs["number"]] = value
    return checks


def run(fd, check_module, folder, exercise, workdir, limits, hide=()):
    """Check ``folder``'s file for ``exercise`` and write one JSON line per task on ``fd``."""

    def send(message):
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(fd, data) :]

    try:
        os.setsid()  # its own process group: the grader kills it and what it started
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle
        memory = (sandbox.address_space_mb() + CHECKER_MEMORY_MB) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        _check(send, fd, check_module, folder, exercise, workdir, limits, hide)
    except BaseException as error:  # a bug of ours: say so to the grader
        try:
            send({"type": "crash", "message": f"{type(error).__name__}: {error}"})
        except BaseException:
            pass


def _check(send, fd, check_module, folder, exercise, workdir, limits, hide):
    from tfbasics.grading import remote, submissions
    from tfbasics.grading.exercise_checks.target import Target
    from tfbasics.grading.student_process import Job, LocalProcess, StudentProcess, WorkerGone

    deadline = time.monotonic() + limits.timeout
    target = Target(folder)
    where = target.where(exercise)
    if folder is None:
        prepared = submissions.Prepared(exercise.name, where, "reference")
    else:
        prepared = submissions.prepare(folder, exercise.name, os.path.join(workdir, "src"))
    source = None if prepared.path is None else str(prepared.path)
    job = Job(exercise.name, source, where, workdir, tuple(hide))
    checks = _checks(check_module)
    process, isolated, restarts, gone, first_gone = None, [], 0, "", ""
    for number in range(1, len(exercise.tasks) + 1):
        started = time.perf_counter()
        output = ""
        if folder is not None and source is None:
            status, message = "error", prepared.problem or _missing(exercise, where)
        elif gone and (restarts >= MAX_RESTARTS or time.monotonic() >= deadline):
            status, message = "error", f"not checked: the code {gone}"
        else:
            try:
                if process is None:
                    if folder is None:
                        process = LocalProcess(exercise.name)
                    else:
                        process = StudentProcess(job, limits, deadline, close=[fd])
                    isolated = list(process.isolated)
                    send({"type": "start", "isolated": isolated, "flags": list(prepared.flags)})
                ex = remote.Remote(process, where, prepared.reference_names, folder is None)
                status, message = _run_check(checks.get(number), ex, limits)
                output = "".join(ex.output)
            except WorkerGone as e:
                status, message = "error", f"the code {e}"
                first_gone = first_gone or message
            if isinstance(process, StudentProcess) and process.status is not None:
                gone = message[len("the code ") :] if message.startswith("the code ") else "died"
                output += _tail(workdir)
                process, restarts = None, restarts + 1
        send(
            {
                "type": "task",
                "number": number,
                "status": status,
                "message": message,
                "output": output[-OUTPUT_CAP:],
                "duration": round(time.perf_counter() - started, 4),
            }
        )
    if process is not None:
        process.stop()
    send({"type": "done", "isolated": isolated, "message": first_gone})


def _tail(workdir):
    try:
        with open(os.path.join(workdir, "output"), "rb") as f:
            f.seek(max(0, os.path.getsize(f.name) - 4096))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _missing(exercise, where):
    return f"there is no {where}: copy exercises/{exercise.filename} there and work in the copy"


def _run_check(check, ex, limits):
    """(status, message) of one task's check run against the learner's process."""
    from tfbasics.grading.exercise_checks.target import classify
    from tfbasics.grading.student_process import WorkerGone

    if check is None:
        return "error", "this task has no check (a bug in tfbasics)"
    try:
        check(ex)
        return "pass", ""
    except WorkerGone:
        raise
    except MemoryError:
        return "error", "the checks ran out of memory on what the code sent"
    except Exception as e:  # noqa: BLE001 - every verdict is worded by classify
        status, message = classify(e, None, limits.memory_mb)
        if message is None:
            message = f"the check failed with {type(e).__name__}: {e}"
            print(message, file=sys.stderr)
        return {"not started": "not-started", "failed": "fail"}.get(status, status), message

"""The child side of the grader: run one exercise's checks on a learner's file, report each task.

``run`` is called in a process just forked by tfbasics.grading.grader (which has TensorFlow and the
checks loaded, never the learner's code). It confines itself (tfbasics.grading.sandbox), imports the
learner's file through the checks' ``Target``, runs the checks in task order with the learner's
printed output captured per task, and writes one signed, numbered JSON line per task to the
parent, with a fingerprint of the checker as it is then (see tfbasics.grading.grader).
"""

import hashlib
import hmac
import json
import os
import signal
import sys
import time

from tfbasics.grading import sandbox

OUTPUT_CAP = 64 * 1024  # bytes of a task's printed output sent to the parent


def fingerprint(snapshot):
    """A digest of which objects the snapshot's attributes hold (and of their functions' code)."""
    h = hashlib.sha256()
    for module, keys in snapshot:
        space = vars(module)
        for key in keys:
            value = space.get(key, h)  # h: a missing attribute counts as a change
            parts = [id(value), id(getattr(value, "__code__", None))]
            if isinstance(value, type) and value.__module__ == module.__name__:
                parts += [id(v) for v in vars(value).values()]
                parts += [id(getattr(v, "__code__", None)) for v in vars(value).values()]
            h.update(f"{module.__name__}.{key}:{parts}".encode())
    return h.hexdigest()


def sign(key, seq, payload):
    return hmac.new(key, f"{seq}:{payload}".encode(), hashlib.sha256).hexdigest()


def run(fd, key, snapshot, check_module, folder, exercise, workdir, limits):
    """Run ``exercise``'s checks on ``folder``'s file and report each task on ``fd``."""
    # loaded by the parent (grader.load_checks), bound here before any learner code runs
    from tfbasics.grading.exercise_checks.expect import TaskFailure
    from tfbasics.grading.exercise_checks.target import Target, classify

    seq = [0]

    def send(message):
        payload = json.dumps(message)
        data = f"{sign(key, seq[0], payload)} {payload}\n".encode()
        seq[0] += 1
        while data:
            data = data[os.write(fd, data) :]

    try:
        os.setsid()  # its own process group: the parent kills it and whatever it started
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        os.chdir(workdir)
        for name in ("HOME", "TMPDIR", "TEMP", "TMP"):
            os.environ[name] = workdir
        out = os.open(os.path.join(workdir, ".output"), os.O_RDWR | os.O_CREAT, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        learner = [] if folder is None else [str(folder)]
        sys.path[:] = learner + sys.path
        sys.dont_write_bytecode = True
        confined = sandbox.confine(workdir, limits.memory_mb, limits.timeout)
        send({"type": "start", "confined": confined})
        target = Target(folder)
        ns = target.namespace(exercise)
        checks = {}
        for value in vars(check_module).values():
            for mark in getattr(value, "pytestmark", []):
                if mark.name == "task":
                    checks[mark.kwargs["number"]] = value
        for number in range(1, len(exercise.tasks) + 1):
            sys.stdout.flush()
            sys.stderr.flush()
            start_at = os.lseek(out, 0, os.SEEK_END)
            started = time.perf_counter()
            status, message = _run_check(
                checks.get(number), ns, target, exercise, limits, (classify, TaskFailure)
            )
            duration = time.perf_counter() - started
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except Exception:
                pass
            os.lseek(out, start_at, os.SEEK_SET)
            output = os.read(out, OUTPUT_CAP).decode("utf-8", "replace")
            send(
                {
                    "type": "task",
                    "number": number,
                    "status": status,
                    "message": message,
                    "output": output,
                    "duration": round(duration, 4),
                    "fingerprint": fingerprint(snapshot),
                }
            )
        send({"type": "done"})
    except BaseException as error:  # a bug of ours: say so to the parent
        try:
            send({"type": "crash", "message": f"{type(error).__name__}: {error}"})
        except BaseException:
            pass


def _run_check(check, ns, target, exercise, limits, verdicts):
    """(status, message) of one task's check run on the learner's code.

    ``verdicts``: (target.classify, expect.TaskFailure), bound before the learner's code ran.
    """
    classify, TaskFailure = verdicts
    if check is None:
        return "error", "this task has no check (a bug in tfbasics)"
    try:
        check(ns)
        return "pass", ""
    except SystemExit as e:
        where = target.location(e)
        return "error", f"the code called sys.exit({e.code!r}) while its task was checked{where}"
    except MemoryError:
        return "error", f"ran out of memory (limit: {limits.memory_mb} MB)"
    except BaseException as e:
        status, message = classify(e, target)
        if isinstance(target._loaded.get(exercise.name), TaskFailure):
            return "error", message  # the file does not import: nothing of it could run
        if message is None:
            message = f"the check failed with {type(e).__name__}: {e}"
        return ("not-started" if status == "not started" else "fail"), message

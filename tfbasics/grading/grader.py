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
from pathlib import Path

from tfbasics.grading import child_reports, grade_child, grade_results, sandbox
from tfbasics.grading.child_reports import Child
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.grade_child import fingerprint
from tfbasics.grading.grade_results import Limits, StudentResult

# ------------------------------------------------------------------ the parent: the fork server

HELPERS = ("expect", "target")  # exercise_checks/ modules every check relies on
_loaded = {}


def load_checks(names):
    """Import the checks' helpers and the check modules of ``names`` here (never learner code).

    Returns:
      {name: the module of ``tfbasics/grading/exercise_checks/test_<name>.py``}.
    """
    missing = [n for n in names if f"test_{n}" not in _loaded]
    if missing or "target" not in _loaded:
        import importlib

        from tfbasics._tf import tf  # the fork server's point: children start with it loaded

        if "keras_mlp" in names:
            import keras  # noqa: F401

        g = tf.Graph()  # load TensorFlow's lazily imported graph-building code once, here
        with g.as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 2])
            tf.nn.softmax_cross_entropy_with_logits(labels=x, logits=x)
        for helper in HELPERS:
            _loaded[helper] = importlib.import_module(f"tfbasics.grading.exercise_checks.{helper}")
        for name in missing:
            _loaded[f"test_{name}"] = importlib.import_module(
                f"tfbasics.grading.exercise_checks.test_{name}"
            )
    return {n: _loaded[f"test_{n}"] for n in names}


def _guarded_modules(check_module):
    import builtins
    import math

    import numpy

    here = sys.modules[__name__]
    ours = [sandbox, grade_child, grade_results, child_reports, here]
    return [
        builtins,
        math,
        os,
        json,
        hmac,
        numpy,
        *ours,
        *(_loaded[h] for h in HELPERS),
        check_module,
    ]


def _snapshot(modules):
    """(module, attribute names) pairs: what fingerprint() covers (taken in the parent)."""
    return [(m, sorted(vars(m))) for m in modules]


def _start(folder, exercise, check_module, limits, others=()):
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
                write_fd, key, snapshot, check_module, folder, exercise, workdir, limits
            )
        finally:
            os._exit(0)
    os.close(write_fd)
    now = time.monotonic()
    return Child(
        folder, exercise, pid, read_fd, key, expected_fp, workdir, now, now + limits.timeout
    )


def run_exercises(pairs, limits=None, jobs=2, on_done=None):
    """Check every (folder, exercise name) pair, ``jobs`` children at a time.

    Returns {(folder, name): ExerciseResult}. ``on_done(folder, result)`` is called as each
    finishes. On Ctrl-C every child is killed and KeyboardInterrupt propagates.
    """
    limits = limits or Limits()
    names = sorted({name for _, name in pairs}, key=list(EXERCISES).index)
    modules = load_checks(names)
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
                    child_reports.receive(child, data)
                    continue
                selector.unregister(child.fd)
                del running[child.fd]
                result = child_reports.finish(child, limits)
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

"""Grade a learner's exercise files: the checks in one process, the learner's code in another.

The grader (this process) imports NumPy and the checks of ``tfbasics/grading/exercise_checks/``,
never the learner's code, and TensorFlow when an exercise to check uses it (or a learner's file
for a NumPy-only one imports it: ``needs_tensorflow``). It forks one checker per exercise (a fork
server: each starts with TensorFlow loaded instead of paying its import, 3.7 to 22 s on this
2-core machine by its load; see benchmarks/grading.py). The checker
(tfbasics.grading.grade_child) starts the learner's code in a sandboxed process of its own
(tfbasics.grading.isolation: its own PID, network and mount namespaces, limits on time, CPU,
memory, output and processes) and drives it through a channel that carries data only; every
comparison happens in the checker. The grade is made here from the checker's reports:

- a task with no report is not passed; a checker that exits, crashes or overruns is an error
  for that exercise, with the reason;
- the learner's process never holds the reports pipe, never sees an expected value and never
  shares memory with the checks, so nothing it does can forge a result: at worst it fails.
"""

import os
import re
import selectors
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from tfbasics.grading import child_reports, grade_child
from tfbasics.grading.child_reports import Child
from tfbasics.grading.exercise_list import EXERCISES
from tfbasics.grading.grade_results import ExerciseResult, Limits, StudentResult, TaskResult

GRACE = 15.0  # seconds past an exercise's limit before the grader kills its checker itself

# ------------------------------------------------------------------ the parent: the fork server

HELPERS = ("expect", "target")  # exercise_checks/ modules every check relies on
_loaded = {}


# a learner's file that may import TensorFlow: its name, Keras', or tfbasics._tf's
TF_MENTION = re.compile(rb"tensorflow|keras|_tf\b")


def needs_tensorflow(pairs):
    """Whether checking ``pairs`` ((folder or None, exercise name)) needs TensorFlow loaded here.

    Yes if one of the exercises uses it. For NumPy-only exercises (neuron, mnist, backprop) only
    if a learner's file for one of them, or a module of their own beside it, mentions it: the
    learner's process imports what was loaded before it was forked, and little else (under a
    uid of its own, as root, the installed packages may be unreadable to it: /root is 0700; and
    its memory limit is counted from this process's size, without TensorFlow's 1.4 GB of address
    space). Otherwise ``tfbasics check neuron`` answers in under a second instead of after
    TensorFlow's 3-4 s import.
    """
    if any(EXERCISES[name].tensorflow for _, name in pairs):
        return True
    stubs = {exercise.filename for exercise in EXERCISES.values()}
    for folder in {folder for folder, _ in pairs if folder is not None}:
        files = [
            Path(folder) / f"{n}{ext}" for f, n in pairs if f == folder for ext in (".py", ".ipynb")
        ]
        files += [p for p in Path(folder).glob("*.py") if p.name not in stubs]
        for path in files:
            try:
                if TF_MENTION.search(path.read_bytes()):
                    return True
            except OSError:  # no such file, or unreadable: the checks say so
                continue
    return False


def load_checks(names, tensorflow=True):
    """Import the checks' helpers and the check modules of ``names`` here (never learner code),
    and TensorFlow first if ``tensorflow`` (see ``needs_tensorflow``).

    Returns:
      {name: the module of ``tfbasics/grading/exercise_checks/test_<name>.py``}.
    """
    if tensorflow:
        _load_tensorflow(keras_too="keras_mlp" in names)
    missing = [n for n in names if f"test_{n}" not in _loaded]
    if missing or "target" not in _loaded:
        import importlib

        for name in ("channel", "remote", "replay", "student_process", "worker_recipes"):
            importlib.import_module(f"tfbasics.grading.{name}")
        for helper in HELPERS:
            _loaded[helper] = importlib.import_module(f"tfbasics.grading.exercise_checks.{helper}")
        for name in missing:
            _loaded[f"test_{name}"] = importlib.import_module(
                f"tfbasics.grading.exercise_checks.test_{name}"
            )
    return {n: _loaded[f"test_{n}"] for n in names}


def _load_tensorflow(keras_too):
    """The fork server's point: checkers forked from here start with TensorFlow (and Keras, if
    ``keras_too``) loaded, and its lazily imported graph-building code run once."""
    from tfbasics._tf import tf

    if keras_too:
        import keras  # noqa: F401
    if "tensorflow" not in _loaded:
        g = tf.Graph()
        with g.as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 2])
            tf.nn.softmax_cross_entropy_with_logits(labels=x, logits=x)
        _loaded["tensorflow"] = tf


def _start(folder, exercise, check_module, limits, others=(), hide=()):
    workdir = tempfile.mkdtemp(prefix=f"tfbasics-{exercise.name}-")
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the checker: never returns
        try:
            for fd in (read_fd, *others):  # no checker may read another's reports
                os.close(fd)
            grade_child.run(write_fd, check_module, folder, exercise, workdir, limits, hide)
        finally:
            os._exit(0)
    os.close(write_fd)
    now = time.monotonic()
    return Child(folder, exercise, pid, read_fd, workdir, now, now + limits.timeout + GRACE)


def _not_graded(exercise, why):
    tasks = [
        TaskResult(exercise.name, n, title, "error", why)
        for n, title in enumerate(exercise.tasks, start=1)
    ]
    return ExerciseResult(exercise.name, tasks, why)


def _over(limits, folder, spent, class_end):
    """Why ``folder``'s next exercise is not graded (a student's or the class's time), or ''."""
    if class_end and time.monotonic() >= class_end:
        return f"not graded: the class's time limit ({limits.class_timeout:g} s) ran out"
    if limits.student_timeout and spent.get(folder, 0.0) >= limits.student_timeout:
        return f"not graded: this student's time limit ({limits.student_timeout:g} s) ran out"
    return ""


def run_exercises(pairs, limits=None, jobs=2, on_done=None, hide=()):
    """Check every (folder, exercise name) pair, ``jobs`` checkers at a time.

    Returns {(folder, name): ExerciseResult}. ``on_done(folder, result)`` is called as each
    finishes. ``hide``: folders the learners' processes must not see (the class, the grades).
    A student's exercises stop once their time adds up to ``limits.student_timeout``, and all
    grading once ``limits.class_timeout`` has passed (the rest are errors saying so). On Ctrl-C
    every checker is killed and KeyboardInterrupt propagates.
    """
    limits = limits or Limits()
    class_end = time.monotonic() + limits.class_timeout if limits.class_timeout else 0.0
    spent = {}
    names = sorted({name for _, name in pairs}, key=list(EXERCISES).index)
    modules = load_checks(names, needs_tensorflow(pairs))
    queue = [(_resolved(folder), EXERCISES[name]) for folder, name in pairs]
    queue.reverse()
    running, results = {}, {}
    selector = selectors.DefaultSelector()
    try:
        while queue or running:
            while queue and len(running) < max(1, jobs):
                folder, exercise = queue.pop()
                why = _over(limits, folder, spent, class_end)
                if why:
                    results[(folder, exercise.name)] = result = _not_graded(exercise, why)
                    if on_done:
                        on_done(folder, result)
                    continue
                module = modules[exercise.name]
                child = _start(folder, exercise, module, limits, list(running), hide)
                if class_end:
                    child.deadline = min(child.deadline, class_end)
                running[child.fd] = child
                selector.register(child.fd, selectors.EVENT_READ, child)
            if not running:
                continue
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
                spent[child.folder] = spent.get(child.folder, 0.0) + result.duration
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


def grade(folder, names=None, limits=None, jobs=2, on_done=None, hide=()):
    """Check one learner's folder; returns a StudentResult (exercises in the chapter's order)."""
    names = list(names or EXERCISES)
    started = time.monotonic()
    found = run_exercises([(folder, n) for n in names], limits, jobs, on_done, hide)
    return student_result(folder, names, found, time.monotonic() - started)


def student_result(folder, names, found, duration=None):
    """A learner's StudentResult from ``run_exercises``' results.

    Args:
      folder: the learner's folder (None: the reference); names: the exercises, in order;
      found: run_exercises' dict; duration: seconds (default: the exercises' own, summed).
    Returns:
      StudentResult, with the flags ``submissions.scan_folder`` raises about the folder.
    """
    exercises = [found[(_resolved(folder), n)] for n in names]
    if duration is None:
        duration = sum(e.duration for e in exercises)
    result = StudentResult(_resolved(folder), exercises, duration)
    if folder is not None:
        from tfbasics.grading import submissions

        result.flags.extend(submissions.scan_folder(Path(folder)))  # a symlinked folder says so
    return result


def _resolved(folder):
    return None if folder is None else Path(folder).resolve()  # None: the reference


def _kill(pid):
    for kill in (os.killpg, os.kill):  # the child leads its own process group
        try:
            kill(pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            continue

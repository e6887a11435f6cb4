"""The code an exercise check grades: the reference in ``tfbasics/`` or a learner's folder.

The check gets it from the fixture ``ex`` (conftest.py), a tfbasics.grading.remote.Remote: by
default the reference (served in this process: it is our own code), or, for a learner's folder
(``--exercises[=DIR]`` or ``TFBASICS_EXERCISES``), a sandboxed process of its own that imports
the learner's file; the checks only ever see data from it. A name the file does not define, a
file that does not import and an error raised in the learner's code read as a teacher's
message (``classify``), not as a traceback.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

from tfbasics.grading.exercise_checks.expect import TaskFailure
from tfbasics.grading.exercise_list import EXERCISES, bundled_folder, display

ENV_VAR = "TFBASICS_EXERCISES"  # a folder, or "1" for the bundled exercises/


class Target:
    """The code the checks grade: the reference package (folder None) or a folder of exercises."""

    def __init__(self, folder=None):
        self.folder = None if folder is None else Path(folder).resolve()

    @property
    def is_reference(self):
        return self.folder is None

    def describe(self):
        if self.is_reference:
            return "the reference implementation in tfbasics/"
        return f"the exercises in {display(self.folder)}/"

    def where(self, exercise):
        """The file that should define the exercise's names, as the learner sees it."""
        if self.is_reference:
            return " or ".join(m.replace(".", "/") + ".py" for m in exercise.references)
        return display(self.folder / exercise.filename)

    def start(self, exercise, limits=None, timeout=None):
        """A process serving ``exercise`` (LocalProcess for the reference), and its Remote.

        Returns (process, remote, workdir or None). The learner's file is copied to a work
        folder first; the process is sandboxed (tfbasics.grading.isolation) and started afresh
        (it imports TensorFlow itself), with ``timeout`` seconds for its start.
        """
        from tfbasics.grading import remote, submissions
        from tfbasics.grading.grade_results import Limits
        from tfbasics.grading.student_process import Job, LocalProcess, StudentProcess

        if self.is_reference:
            process = LocalProcess(exercise.name)
            return process, remote.Remote(process, self.where(exercise), reference=True), None
        limits = limits or Limits()
        workdir = tempfile.mkdtemp(prefix=f"tfbasics-{exercise.name}-")
        prepared = submissions.prepare(self.folder, exercise.name, os.path.join(workdir, "src"))
        if prepared.path is None:
            shutil.rmtree(workdir, ignore_errors=True)
            raise TaskFailure(prepared.problem)
        job = Job(exercise.name, str(prepared.path), self.where(exercise), workdir)
        deadline = time.monotonic() + (timeout or 60 + limits.timeout)
        try:
            process = StudentProcess(job, limits, deadline, spawn=True)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        ex = remote.Remote(process, self.where(exercise), prepared.reference_names)
        return process, ex, workdir


def resolve_target(option, env=None):
    """The Target chosen by ``--exercises`` (``option``) or else ``TFBASICS_EXERCISES``.

    ``option``: None (not given), "1" (bundled exercises/) or a folder. The environment variable
    takes the same values; "", "0" and "no" mean the reference. Raises ValueError with one line.
    """
    env = os.environ.get(ENV_VAR) if env is None else env
    choice, source = (option, "--exercises") if option is not None else (env, ENV_VAR)
    if choice is None or choice.strip().lower() in ("", "0", "no", "false"):
        return Target()
    if choice.strip().lower() in ("1", "yes", "true"):
        return Target(bundled_folder())
    folder = Path(choice).expanduser()
    if not folder.is_dir():
        raise ValueError(
            f"{source}={choice}: no such folder (give the folder holding your "
            "copies of the exercise files, e.g. exercises/)"
        )
    if not any((folder / e.filename).is_file() for e in EXERCISES.values()):
        names = ", ".join(e.filename for e in list(EXERCISES.values())[:3])
        raise ValueError(
            f"{source}={choice}: no exercise files ({names}, ...) in that folder; "
            "note that --exercises takes its folder as --exercises=DIR"
        )
    return Target(folder)


def classify(error, tgt=None, memory_mb=None):
    """("not started" | "failed" | "error", message for the learner, or None for a check's bug).

    A stub's NotImplementedError is "not started"; a TaskFailure is the check's verdict; an
    error raised in the learner's process is reported at the learner's line; a file that does
    not import, or a process that died or ran out of time, is an "error".
    """
    from tfbasics.grading.remote import LoadFailure, RemoteError
    from tfbasics.grading.student_process import WorkerGone

    if isinstance(error, LoadFailure):
        return "error", str(error)
    if isinstance(error, WorkerGone):
        return "error", f"the code {error}"
    if isinstance(error, RemoteError):
        if error.not_started:
            return "not started", error.not_started
        if error.exit is not None:
            return (
                "error",
                f"the code called sys.exit({error.exit}) while its task was checked{error.location}",
            )
        if error.type_name == "MemoryError":
            limit = f" (limit: {memory_mb} MB)" if memory_mb else ""
            return "error", f"ran out of memory{limit}{error.location}"
        return "failed", f"raised {error.type_name}: {error}{error.location}"
    if isinstance(error, TaskFailure):
        return "failed", str(error)
    return "failed", None

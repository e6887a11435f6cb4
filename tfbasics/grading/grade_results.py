"""What a grade is made of: a task's, an exercise's and a student's result, a skipped folder, the
limits.

``tfbasics.grading.grader`` fills them from the children's reports; ``grade_reports`` prints the
learner's summary and JUnit XML, ``exercism_results`` and ``gradescope`` write the results
files, ``class_reports`` the class table and ``grades.csv``.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tfbasics.grading.exercise_list import EXERCISES

STATUSES = ("pass", "fail", "error", "not-started")


def utc_stamp(seconds=None):
    """A POSIX time (default: now) as ISO 8601 UTC, to the second: ``2026-12-03T09:41:07Z``.

    Args:
      seconds: float seconds since the epoch (``os.stat().st_mtime``), or None for now.
    Returns:
      str.
    """
    when = (
        datetime.now(timezone.utc)
        if seconds is None
        else datetime.fromtimestamp(seconds, timezone.utc)
    )
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Limits:
    """What each exercise's child process may use."""

    timeout: float = 20.0  # wall seconds per exercise
    memory_mb: int = 1024  # address space on top of the checker's own
    cpu_seconds: float = 20.0  # CPU seconds per exercise
    output_kb: int = 1024  # bytes printed, or written to any one file, per exercise
    processes: int = 256  # processes and threads (TensorFlow starts a few dozen threads)
    student_timeout: float = 0.0  # wall seconds for all of a student's exercises (0: no limit)
    class_timeout: float = 0.0  # wall seconds for the whole class (0: no limit)


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
    flags: list = field(default_factory=list)  # str each, for the instructor: "symlink: ..."
    isolated: list = field(default_factory=list)  # the sandbox in force, e.g. ["pid", "net"]

    @property
    def passed(self):
        return sum(t.status == "pass" for t in self.tasks)

    @property
    def points(self):
        """(points earned, points possible) over its tasks, weighted as exercise_list says."""
        if not self.tasks:
            return 0, 0
        weight = EXERCISES[self.name].task_points
        earned = sum(weight(t.number) for t in self.tasks if t.status == "pass")
        return earned, sum(weight(t.number) for t in self.tasks)

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
    flags: list = field(default_factory=list)  # str each, for the instructor (whole folder)
    submitted_at: str = ""  # ISO 8601 UTC: the newest mtime of the exercise files, "" unknown
    graded_at: str = ""  # ISO 8601 UTC: when grading finished, "" unknown

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

    def all_flags(self):
        """The student's flags, then each exercise's prefixed by its name.

        Returns:
          list of str, each once, in that order.
        """
        found = list(self.flags)
        found += [f"{e.name}: {flag}" for e in self.exercises for flag in e.flags]
        return list(dict.fromkeys(found))


@dataclass
class Skipped:
    """A class folder's entry that is not graded, and why (one row of grades.csv all the same)."""

    name: str  # the entry's name in the class folder
    reason: str  # "no exercise files: the folder is empty", "symlink to alice", ...
    submitted_at: str = ""  # ISO 8601 UTC of its newest exercise file (a notebook), "" none


class GraderError(Exception):
    """The grader itself cannot run (no checks here); one line for the user."""

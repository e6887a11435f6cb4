"""What a grade is made of: a task's, an exercise's and a student's result, and the limits.

``tfbasics.grading.grader`` fills them from the children's reports; ``grade_reports`` prints and
writes them (terminal summary, results JSON, JUnit XML, the class table and CSV).
"""

from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("pass", "fail", "error", "not-started")


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

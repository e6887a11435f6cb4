"""Hooks that make the exercise checks an exercise checker.

- ``ex``: the exercise's names in the code under test (reference, or the learner's file).
- A failure is reworded for the learner: "not started" for a stub's NotImplementedError, the
  check's own message for a wrong answer, the line of the learner's file for a crash.
- At the end, one line per exercise, ``softmax: 3/4 tasks passed``, and an overall count; with
  ``--hints``, the nudge of every task not passed yet (``--hints --hints``: the near-answer).
  Against a learner's files the summary comes after pytest's own last line, so it is the last
  thing the learner reads. ``tfbasics check`` is the isolated, graded route (tfbasics/grading/grader.py).
"""

from dataclasses import dataclass

import pytest

from tfbasics.grading.exercise_checks.target import classify, resolve_target
from tfbasics.grading.exercise_list import EXERCISES, bundled_folder, display
from tfbasics.grading.hints import hints_for

RESULTS = pytest.StashKey()
TARGET = pytest.StashKey()


def target(config):
    """The Target of this run, from ``--exercises`` / ``TFBASICS_EXERCISES`` (UsageError if bad)."""
    if TARGET not in config.stash:
        try:
            config.stash[TARGET] = resolve_target(config.getoption("exercises", default=None))
        except ValueError as e:
            raise pytest.UsageError(str(e)) from None
    return config.stash[TARGET]


def pytest_addoption(parser):
    """Options of the exercise checks (tfbasics/grading/exercise_checks/): which code they grade."""
    group = parser.getgroup("exercises", "exercise checks (tfbasics/grading/exercise_checks/)")
    group.addoption(
        "--exercises",
        nargs="?",
        const="1",
        default=None,
        metavar="DIR",
        help="grade the learner's files instead of the reference in tfbasics/: the bundled "
        "exercises/ when given alone, else --exercises=DIR (a student's copy). "
        "Same as the environment variable TFBASICS_EXERCISES=1 or =DIR.",
    )
    group.addoption(
        "--hints",
        action="count",
        default=0,
        help="show a nudge for every exercise task that does not pass yet; "
        "twice (--hints --hints) for the near-answer",
    )


def pytest_sessionstart(session):
    """A bad --exercises / TFBASICS_EXERCISES folder is one clear line before anything runs."""
    import os

    if session.config.getoption("exercises") is not None or os.environ.get("TFBASICS_EXERCISES"):
        target(session.config)


def pytest_configure(config):
    config.addinivalue_line("markers", "task(number, title): an exercise check, task `number`")


@pytest.fixture(scope="session")
def exercise_target(request):
    """The Target of this run (see target.resolve_target)."""
    return target(request.config)


@pytest.fixture(scope="module")
def _served(request, exercise_target):
    """The process serving this module's exercise (``EXERCISE``), for all of its checks."""
    import shutil

    exercise = EXERCISES[request.module.EXERCISE]
    try:
        process, remote, workdir = exercise_target.start(exercise)
    except Exception as e:  # the learner's process would not start: every check says why
        yield e
        return
    yield process, remote
    process.stop()
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def ex(_served):
    """The names of this module's exercise in the code under test (tfbasics.grading.remote)."""
    import time

    if isinstance(_served, Exception):
        raise _served
    process, remote = _served
    process.deadline = time.monotonic() + 60  # each check: its own minute
    return remote


@dataclass
class TaskResult:
    title: str
    status: str = "passed"  # "passed", "failed", "not started" or "skipped"
    message: str = ""  # the first failure's message


def _task_of(item):
    marker = item.get_closest_marker("task")
    if marker is None or not hasattr(item.module, "EXERCISE"):
        return None
    exercise = EXERCISES[item.module.EXERCISE]
    number = marker.kwargs["number"]
    return exercise, number, exercise.task_title(number)


def _classify(excinfo, tgt):
    """("not started" | "failed", message for the learner or None to keep pytest's traceback)."""
    if excinfo is None:
        return "failed", None
    return classify(excinfo.value, tgt)


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.splitlines())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    found = _task_of(item)
    if found is None:
        return report
    exercise, number, title = found
    if report.when != "call" and not report.failed and not report.skipped:
        return report
    config = item.config
    results = config.stash.setdefault(RESULTS, {})
    result = results.setdefault(exercise.name, {}).setdefault(number, TaskResult(title))
    if report.skipped:  # never counted as passed
        if result.status == "passed":
            result.status, result.message = "skipped", str(report.longrepr)
    elif report.failed:
        tgt = target(config)
        status, message = _classify(call.excinfo, tgt)
        status = "failed" if status == "error" else status
        if message is not None:
            text = f"{exercise.name}, task {number} ({title}):\n{_indent(message)}"
            if status == "failed":
                text += f"\n    read: {exercise.where_to_read}"
            level = config.getoption("hints", default=0)
            if level:
                hint = hints_for(exercise.name, tgt.folder, level).get(number)
                if hint:
                    text += "\n    hint:\n" + _indent(hint, "      ")
            report.longrepr = text
        else:
            message = f"{call.excinfo.typename}: {call.excinfo.value}" if call.excinfo else "error"
        if result.status != "failed":  # a wrong answer outranks "not started" and "skipped"
            result.status, result.message = status, message
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if target(config).is_reference:  # the suite's run: the summary sits with pytest's own
        _summary(terminalreporter, config)


def pytest_unconfigure(config):
    """A learner's run: the summary after pytest's "N failed in S s" line, so it is read last."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and RESULTS in config.stash and not target(config).is_reference:
        _summary(reporter, config)


def _summary(tr, config):
    results = config.stash.get(RESULTS, None)
    if not results:
        return
    tgt = target(config)
    level = config.getoption("hints", default=0)
    detailed = config.option.tbstyle == "no"  # no FAILURES section: say it all here
    tr.section(f"exercise tasks: {tgt.describe()}")
    passed = total = 0
    first_open = None
    for name, exercise in EXERCISES.items():
        if name not in results:
            continue
        tasks = results[name]
        done = sum(r.status == "passed" for r in tasks.values())
        passed, total = passed + done, total + len(tasks)
        tr.write_line(f"{name}: {done}/{len(tasks)} tasks passed")
        hints = hints_for(name, tgt.folder, level) if level else {}
        for number, result in sorted(tasks.items()):
            if result.status == "passed":
                continue
            first_open = first_open or (exercise, number)
            tr.write_line(f"  task {number} {result.status}: {result.title}")
            if detailed and result.status == "failed":
                tr.write_line(_indent(result.message, "      "))
                tr.write_line(f"      read: {exercise.where_to_read}")
            if number in hints:
                tr.write_line("      hint: " + hints[number].replace("\n", "\n            "))
    tr.write_line(f"overall: {passed}/{total} tasks passed")
    if first_open and not tgt.is_reference:
        exercise, number = first_open
        where = "" if tgt.folder == bundled_folder() else f" --path {display(tgt.folder)}"
        tip = "" if level else f"; stuck? `tfbasics check {exercise.name} --hints{where}`"
        tr.write_line(f"next: task {number} in {tgt.where(exercise)}{tip}")

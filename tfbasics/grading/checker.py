"""The exercise checker: ``tfbasics check [EXERCISE ...] [--path DIR] [--hints] [--watch]``.

Grades the learner's files in ``exercises/`` (or a student's copy given by ``--path``) with the
checks of ``tfbasics/grading/exercise_checks/``, each exercise in a child process of its own
(tfbasics.grading.grader), and prints one line per exercise, ``softmax: 3/5 tasks passed``, what did not
pass and why, the overall count and the next task: the last thing the learner reads. The exit
status is 0 only when every task passes (1 otherwise, 2 for a usage error, 130 for Ctrl-C);
``--results`` (Exercism v3), ``--junit`` and ``--gradescope`` write the same grade for
programs. ``tfbasics grade CLASS_DIR`` (tfbasics.grading.class_grader) grades a whole class.
"""

import sys
import time

from tfbasics.grading import exercise_list, grade_reports, grader
from tfbasics.grading.check_flags import PROG, UsageError, parse
from tfbasics.grading.class_folders import submitted_at
from tfbasics.grading.exercise_list import display
from tfbasics.grading.exercism_results import results_json_text
from tfbasics.grading.grade_results import GraderError, StudentResult, utc_stamp
from tfbasics.grading.gradescope import gradescope_json_text
from tfbasics.grading.hints import hints_for
from tfbasics.runs.atomic import atomic_write


def _where(args):
    if args.folder is None:
        return lambda name: " or ".join(
            m.replace(".", "/") + ".py" for m in exercise_list.EXERCISES[name].references
        )
    return lambda name: display(args.folder / f"{name}.py")


def _hints(args, result):
    if not args.hints:
        return {}
    return {e.name: hints_for(e.name, args.folder, args.hints) for e in result.exercises}


def _next_tip(args):
    where = ""
    if args.folder is not None and args.folder.resolve() != exercise_list.bundled_folder():
        where = f" --path {display(args.folder)}"
    if args.folder is None:
        return lambda name: ""
    if args.hints >= 2:
        return lambda name: ""
    if args.hints == 1:
        return lambda name: f"; still stuck? `{PROG} {name} --hints --hints{where}`"
    return lambda name: f"; stuck? `{PROG} {name} --hints{where}`"


def report(args, result, out=print):
    """Print the summary and write --results / --junit / --gradescope for a StudentResult."""
    lines = grade_reports.summary_lines(
        result, _where(args), _hints(args, result), args.verbose, _next_tip(args)
    )
    for line in lines:
        out(line)
    if args.folder is not None and not result.submitted_at:
        result.submitted_at = submitted_at(args.folder, [e.name for e in result.exercises])
    result.graded_at = result.graded_at or utc_stamp()
    if args.results:
        atomic_write(args.results, [results_json_text(result).encode()])
    if args.junit:
        atomic_write(args.junit, [grade_reports.junit_xml(result)])
    if args.gradescope:
        atomic_write(args.gradescope, [gradescope_json_text(result).encode()])


def run_check(args, names, finished=None):
    """Check ``names``; returns the StudentResult. ``finished`` (a dict) collects each
    ExerciseResult as it comes, so a Ctrl-C can still report what was done."""
    finished = {} if finished is None else finished
    tty = sys.stderr.isatty()

    def on_done(folder, exercise_result):
        finished[exercise_result.name] = exercise_result
        if tty:
            end = "\n" if len(finished) == len(names) else ""
            print(
                f"\rchecking: {len(finished)}/{len(names)} exercises",
                end=end,
                file=sys.stderr,
                flush=True,
            )

    return grader.grade(args.folder, names, args.limits, args.jobs, on_done)


def _mtimes(folder, names):
    stamps = {}
    for name in names:
        try:
            st = (folder / f"{name}.py").stat()
            stamps[name] = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamps[name] = None
    return stamps


def watch(args, interval=0.5, rounds=None, out=print):
    """Re-check each exercise whose file changes (polling); ``rounds`` polls then return 0."""
    latest = {e.name: e for e in run_check(args, args.chosen).exercises}
    report(args, StudentResult(args.folder, list(latest.values())), out)
    stamps = _mtimes(args.folder, args.chosen)
    out(f"watching {display(args.folder)}/ for saved changes (Ctrl-C stops)")
    polled = 0
    while rounds is None or polled < rounds:
        time.sleep(interval)
        polled += 1
        now = _mtimes(args.folder, args.chosen)
        changed = [n for n in args.chosen if now[n] != stamps[n]]
        stamps = now
        if not changed:
            continue
        out(f"\n{', '.join(f'{n}.py' for n in changed)} changed: checking again")
        for exercise in run_check(args, changed).exercises:
            latest[exercise.name] = exercise
        ordered = [latest[n] for n in args.chosen]
        report(args, StudentResult(args.folder, ordered), out)
    return 0


def main(argv=None):
    """Check exercises; 0 if every task passes, 1 if some do not, 2 usage error, 130 Ctrl-C."""
    try:
        args = parse(argv)
    except UsageError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse: --help, or a one-line usage error
        return exc.code if isinstance(exc.code, int) else 2
    finished = {}
    try:
        if args.watch:
            return watch(args)
        result = run_check(args, args.chosen, finished)
    except GraderError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.watch:
            print(f"\n{PROG}: stopped watching", file=sys.stderr)
            return 130
        done = [finished[n] for n in args.chosen if n in finished]
        if done:
            print()
            args.results = args.junit = args.gradescope = None
            report(args, StudentResult(args.folder, done))
        left = [n for n in args.chosen if n not in finished]
        print(
            f"{PROG}: interrupted; not checked: {', '.join(left)} (no results file written)",
            file=sys.stderr,
        )
        return 130
    except OSError as err:
        print(f"{PROG}: error: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    try:
        report(args, result)
    except OSError as err:
        print(f"{PROG}: error: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    return 0 if result.passed == result.total else 1


if __name__ == "__main__":
    sys.exit(main())

"""How long grading takes: one student, one NumPy exercise, a class of correct students, a class
of slow ones.

    python benchmarks/grading.py                   # a class of 30; about 2 minutes on 2 cores
    python benchmarks/grading.py --class-size 5    # quicker

The correct students pass all 37 tasks (the most checking a student can cause). Each run is a
fresh `tfbasics check` / `tfbasics grade` process, timed wall-clock from start to exit,
TensorFlow's import included. Targets (issue 21): one student within 30 s, a class of 30
correct students within 60 s on 2 cores. The slow class is 30 legal students whose every
function waits before answering (each exercise runs into its --timeout), graded with a
per-student and a class limit: grading ends within the class limit, and every student's row
says what was not graded. For comparison it also times what a checker per exercise would pay
without the fork server: a fresh Python importing TensorFlow (and Keras), per exercise.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_exercise_checker import copy_stubs, solution, solved  # noqa: E402  (students' files)

from tfbasics.grading import exercise_list  # noqa: E402


def timed(argv, cwd):
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"grading.py: {' '.join(argv)} failed:\n{proc.stdout}{proc.stderr}")
    return time.perf_counter() - started, proc.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=30, help="students in the class run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the one-student check")
    parser.add_argument("--jobs", type=int, default=2, help="checkers at a time (default 2)")
    parser.add_argument(
        "--slow-class-limit", type=float, default=120, help="--class-timeout of the slow class"
    )
    args = parser.parse_args(argv)
    if args.class_size < 1 or args.repeats < 1:
        parser.error("--class-size and --repeats must be at least 1")
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="tfbasics-bench-") as tmp:
        tmp = Path(tmp)
        solved(tmp / "alice")
        one = []
        for _ in range(args.repeats):
            seconds, out = timed(
                [
                    python,
                    "-m",
                    "tfbasics.grading.checker",
                    "--path",
                    "alice",
                    "--jobs",
                    str(args.jobs),
                ],
                tmp,
            )
            assert f"overall: {exercise_list.total_tasks()}/" in out, out
            one.append(seconds)
        neuron = []  # a NumPy exercise alone: checked without TensorFlow (grader.needs_tensorflow)
        for _ in range(args.repeats):
            seconds, out = timed(
                [python, "-m", "tfbasics.grading.checker", "neuron", "--path", "alice"], tmp
            )
            assert "neuron: 3/3 tasks passed" in out, out
            neuron.append(seconds)
        imports = []
        for _ in range(args.repeats):
            seconds, _ = timed([python, "-c", "from tfbasics._tf import tf; import keras"], tmp)
            imports.append(seconds)
        klass = tmp / "class"
        klass.mkdir()
        for i in range(args.class_size):
            solved(klass / f"student{i:02d}")
        seconds_class, out = timed(
            [
                python,
                "-m",
                "tfbasics.grading.class_grader",
                "class",
                "--out",
                "out",
                "--jobs",
                str(args.jobs),
            ],
            tmp,
        )
        slow = tmp / "slow"
        slow.mkdir()
        for i in range(args.class_size):
            slow_student(slow / f"student{i:02d}")
        limits = ["--timeout", "3", "--student-timeout", "6"]
        limits += ["--class-timeout", f"{args.slow_class_limit:g}"]
        seconds_slow, out_slow = timed(
            [python, "-m", "tfbasics.grading.class_grader", "slow", "--out", "slow-out"]
            + ["--jobs", str(args.jobs), "--no-similarity"]
            + limits,
            tmp,
        )
        not_graded = sum(
            text.count("not graded: ")
            for text in (p.read_text() for p in (tmp / "slow-out").glob("*.json"))
        )
    n = len(exercise_list.names())
    print(
        f"one student, {exercise_list.total_tasks()} tasks, `tfbasics check` (whole process), "
        f"{args.repeats} runs: median {statistics.median(one):.1f} s "
        f"(min {min(one):.1f}, max {max(one):.1f}); target 30 s"
    )
    print(
        f"one NumPy exercise, `tfbasics check neuron` (whole process, no TensorFlow), "
        f"{args.repeats} runs: median {statistics.median(neuron):.2f} s "
        f"(min {min(neuron):.2f}, max {max(neuron):.2f})"
    )
    print(
        f"a class of {args.class_size}, `tfbasics grade` (whole process): {seconds_class:.1f} s "
        f"({seconds_class / args.class_size:.1f} s per student); target for 30: 60 s"
    )
    print(
        f"a slow class of {args.class_size} (every exercise runs into --timeout 3; "
        f"--student-timeout 6, --class-timeout {args.slow_class_limit:g}): {seconds_slow:.1f} s; "
        f"target: within the class limit"
    )
    print("  " + next(line for line in out_slow.splitlines() if line.startswith("graded ")))
    print(f"  {not_graded} exercises reported 'not graded' (a student's or the class's limit)")
    print(
        f"without a fork server each of the {n} exercises would first import TensorFlow and "
        f"Keras: median {statistics.median(imports):.1f} s each, "
        f"{n * statistics.median(imports):.0f} s per student before any check runs"
    )
    print(next(line for line in out.splitlines() if line.startswith("graded ")))  # the table's


def slow_student(folder):
    """A legal but slow student: each function waits 10 s, then answers as the reference does."""
    copy_stubs(folder)  # the hints beside each file; every stub is replaced below
    for name in exercise_list.names():
        text = solution(name).replace(
            "    return ", "    __import__('time').sleep(10)\n    return "
        )
        (folder / f"{name}.py").write_text(text)


if __name__ == "__main__":
    main()

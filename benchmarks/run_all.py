"""How long the whole chapter takes: `tfbasics run all`, forked sections against a process each.

    python benchmarks/run_all.py                # 3 rounds of each; about 4-6 minutes on 2 cores
    python benchmarks/run_all.py --repeats 5    # steadier medians

Each run is a fresh `python -m tfbasics run all` into a temporary logdir, timed wall clock
from start to exit. The two ways alternate round by round, so a burst of load slows both alike:
- forked (today's default): TensorFlow imported once, each section a child forked from there;
- a process each (`TFBASICS_RUN_ISOLATED=1`, how every section ran before issue 22): each
  section imports TensorFlow again.
Each run must succeed and write run folders for the same scripts. Printed: the medians, the
ratio, each section's own seconds (its progress line: where the remaining time goes), the load
average before and after, and the target (issue 22): at most 40 s on an idle 2-core machine.
Exit status 1 if the forked median misses it. Timing belongs here, never in a test.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 40.0  # seconds for `tfbasics run all` on an idle 2-core machine (issue 22)
WAYS = {"forked": "0", "a process each": "1"}  # label -> TFBASICS_RUN_ISOLATED
SECTION_LINE = re.compile(r"^\[\d+/\d+\] (\S+) \.\.\. ok \(([\d.]+) s\)$", re.M)


def timed(isolated, extra):
    """One `tfbasics run all`: (seconds, {section: its own seconds}, the script of each run
    folder it wrote, sorted: run folders are named by time, so two runs compare by script)."""
    env = dict(os.environ, TFBASICS_RUN_ISOLATED=isolated)
    with tempfile.TemporaryDirectory(prefix="tfbasics-runall-") as logdir:
        argv = [sys.executable, "-m", "tfbasics", "run", "all", "--logdir", logdir]
        started = time.perf_counter()
        done = subprocess.run(argv + extra, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"run_all.py: {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
        folders = sorted(p.parent.name for p in Path(logdir).glob("*/*") if p.is_dir())
    return seconds, dict(SECTION_LINE.findall(done.stdout)), folders


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "flags", nargs="*", help="after --: flags for every section (e.g. -- --fake-data)"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    extra = ["--", *args.flags] if args.flags else []
    load_before = os.getloadavg()[0]
    seconds = {label: [] for label in WAYS}
    sections = {label: {} for label in WAYS}
    listed = set()
    for round_ in range(args.repeats):
        for label, isolated in WAYS.items():
            spent, own, folders = timed(isolated, extra)
            seconds[label].append(spent)
            for name, s in own.items():
                sections[label].setdefault(name, []).append(float(s))
            listed.add(tuple(folders))
            print(f"round {round_ + 1}: {label:<15} {spent:6.1f} s", file=sys.stderr, flush=True)
    if len(listed) != 1:
        sys.exit(f"run_all.py: the two ways wrote different run folders: {sorted(listed)}")
    median = {label: statistics.median(runs) for label, runs in seconds.items()}
    print(
        f"`tfbasics run all`, {args.repeats} alternated runs of each, {os.cpu_count()} CPUs,"
        f" load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    for label, runs in seconds.items():
        print(
            f"  {label:<15} median {median[label]:5.1f} s  (min {min(runs):.1f}, "
            f"max {max(runs):.1f})"
        )
    forked, each = median["forked"], median["a process each"]
    print(f"  forked / a process each: {forked / each:.2f}x")
    print("each section's own seconds (median of its progress line), forked | a process each:")
    for name, runs in sections["forked"].items():
        other = sections["a process each"].get(name, [float("nan")])
        print(f"  {name:<32} {statistics.median(runs):5.1f} | {statistics.median(other):5.1f}")
    verdict = "meets it" if forked <= TARGET else "MISSES it"
    print(f"tfbasics run all: {forked:.1f} s; target: at most {TARGET:.0f} s idle ({verdict})")
    return 0 if forked <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

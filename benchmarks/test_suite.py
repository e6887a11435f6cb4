"""How long the test suite takes, as a learner and a developer run it.

    python benchmarks/test_suite.py               # both: the README's command and the fast path
    python benchmarks/test_suite.py --fast-only   # only `python -m pytest -m "not slow"`
    python benchmarks/test_suite.py --breakdown   # the README's command on one worker: where
                                                  # the CPU goes, by test file (about 10 min)

Each run is a fresh `python -m pytest` process from the repository's root, timed wall-clock from
start to exit, with the load average printed beside it. Targets (issue 22): the README's test
command at most 3 minutes on a 2-core machine (CI, lint included, at most 4), the developers'
`-m "not slow"` path at most 60 s. The suite spreads itself over the cores (pytest-xdist,
tests/conftest.py); `--workers 0` times it on one core for comparison.

Beside the wall time: the CPU seconds the whole machine was busy during the run (Linux; the
tests' children and what they start included), and the floor they set, CPU / cores: no way of
spreading the same work over this machine's cores ends sooner. Read the two together: a run
near its floor is short of cores, not waiting.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from suite_cpu import busy_seconds

ROOT = Path(__file__).resolve().parent.parent
TOP = 15  # lines of --breakdown before "the other files"


def timed(args, env=None):
    """(seconds, machine's busy CPU seconds or None, last line of pytest's output, load average
    before) of one whole pytest run."""
    load = os.getloadavg()[0]
    cpu, started = busy_seconds(), time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - started
    cpu = None if cpu is None else busy_seconds() - cpu
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    last = lines[-1] if lines else "(no output)"
    if proc.returncode != 0:
        sys.exit(f"test_suite.py: pytest {' '.join(args)} failed: {last}")
    return seconds, cpu, last, load


def breakdown():
    """Run the README's command on one worker with suite_cpu's per-test CPU; print where it goes
    (by test file; the notebooks' executions and the shared chapter run on lines of their own)."""
    handle, out = tempfile.mkstemp(suffix=".json", prefix="suite_cpu-")
    os.close(handle)
    out = Path(out)
    env = dict(os.environ, SUITE_CPU_OUT=str(out))
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "benchmarks"), env.get("PYTHONPATH")) if p
    )
    try:
        seconds, cpu, last, load = timed(["-n", "0", "-p", "suite_cpu"], env)
        rows = json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)
    groups = defaultdict(lambda: [0, 0.0])
    for test, test_cpu, _ in rows:
        if "fresh_kernel" in test:
            name = "tests/test_notebooks.py, executing the 10 notebooks"
        elif test.endswith("reaches_95_percent_on_mnist"):
            name = "the shared chapter run (`tfbasics run all`, tests/conftest.py)"
        else:
            name = test.split("::")[0]
        groups[name][0] += 1
        groups[name][1] += test_cpu
    total = sum(g[1] for g in groups.values())
    print(
        f"one worker: {seconds:.0f} s wall, {cpu:.0f} s of CPU (load {load:.1f} at the start); "
        f"pytest: {last}"
    )
    ranked = sorted(groups.items(), key=lambda kv: -kv[1][1])
    for name, (count, group_cpu) in ranked[:TOP]:
        print(f"{group_cpu:7.1f} s CPU {100 * group_cpu / total:5.1f}%  {count:4d} tests  {name}")
    rest = ranked[TOP:]
    rest_cpu, rest_count = sum(g[1] for _, g in rest), sum(g[0] for _, g in rest)
    print(
        f"{rest_cpu:7.1f} s CPU {100 * rest_cpu / total:5.1f}%  {rest_count:4d} tests  "
        f"the other {len(rest)} files"
    )
    print(f"{total:7.1f} s CPU 100.0%  {len(rows):4d} tests  all")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-only", action="store_true", help='time only -m "not slow"')
    parser.add_argument(
        "--workers", default=None, help="pass -n WORKERS (default: the suite's own choice)"
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="only the README's command, on one worker: CPU seconds by test file",
    )
    args = parser.parse_args(argv)
    if args.breakdown:
        if busy_seconds() is None:
            parser.error("--breakdown reads the machine's CPU from /proc/stat: Linux only")
        return breakdown()
    extra = [] if args.workers is None else ["-n", args.workers]
    runs = [("-m not slow", ["-m", "not slow"], 60.0)]
    if not args.fast_only:
        runs.insert(0, ("the README's command", [], 180.0))
    for label, flags, target in runs:
        seconds, cpu, last, load = timed(flags + extra)
        cores = os.cpu_count() or 1
        print(
            f"{label}: {seconds:.0f} s (target at most {target:.0f} s; load {load:.1f} at the "
            f"start); pytest: {last}"
        )
        if cpu is not None:
            print(
                f"  {cpu:.0f} s of CPU on {cores} cores: floor {cpu / cores:.0f} s, "
                f"this run {seconds / (cpu / cores):.2f}x the floor"
            )


if __name__ == "__main__":
    main()

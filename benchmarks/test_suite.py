"""How long the test suite takes, as a learner and a developer run it.

    python benchmarks/test_suite.py               # both: the README's command and the fast path
    python benchmarks/test_suite.py --fast-only   # only `python -m pytest -m "not slow"`

Each run is a fresh `python -m pytest` process from the repository's root, timed wall-clock from
start to exit, with the load average printed beside it. Targets (issue 22): the README's test
command at most 3 minutes on a 2-core machine (CI, lint included, at most 4), the developers'
`-m "not slow"` path at most 60 s. The suite spreads itself over the cores (pytest-xdist,
tests/conftest.py); `--workers 0` times it on one core for comparison.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(args):
    """(seconds, last line of pytest's output, load average before) of one whole pytest run."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    last = lines[-1] if lines else "(no output)"
    if proc.returncode != 0:
        sys.exit(f"test_suite.py: pytest {' '.join(args)} failed: {last}")
    return seconds, last, load


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-only", action="store_true", help='time only -m "not slow"')
    parser.add_argument(
        "--workers", default=None, help="pass -n WORKERS (default: the suite's own choice)"
    )
    args = parser.parse_args(argv)
    extra = [] if args.workers is None else ["-n", args.workers]
    runs = [("-m not slow", ["-m", "not slow"], 60.0)]
    if not args.fast_only:
        runs.insert(0, ("the README's command", [], 180.0))
    for label, flags, target in runs:
        seconds, last, load = timed(flags + extra)
        print(
            f"{label}: {seconds:.0f} s (target at most {target:.0f} s; load {load:.1f} at the "
            f"start); pytest: {last}"
        )


if __name__ == "__main__":
    main()

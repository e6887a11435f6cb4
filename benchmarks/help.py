"""How fast `--help` answers: every chapter script, every TF2 twin and the `tfbasics` command.

    python benchmarks/help.py                 # 5 runs of each command; about a minute on 2 cores
    python benchmarks/help.py --repeats 11    # steadier medians

Each run is a fresh process, timed wall-clock from start to exit. A script parses its flags
before it imports TensorFlow, so `--help` should cost about what a bare Python start does, not
what `import tensorflow` does; both are measured in the same run, in the same rounds, as the
baseline (a busy machine slows every row alike, so the ratios say more than the seconds).
The target (issue 19) is a median under 1 s for every command; exit status 1 if one misses it
or fails, so this can gate a change by hand. Timing belongs here, never in a test.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.0  # seconds: the slowest median --help may take (issue 19)
BASELINE = {
    "python -c pass": [sys.executable, "-c", "pass"],
    'python -c "import tensorflow"': [sys.executable, "-c", "import tensorflow"],
}


def help_commands():
    """Label -> argv of every --help to time: the scripts in chapter order, then `tfbasics`."""
    scripts = sorted(ROOT.glob("chapters/ch01_*.py")) + sorted(ROOT.glob("chapters/tf2/ch01_*.py"))
    commands = {
        f"python {p.relative_to(ROOT)} --help": [sys.executable, str(p), "--help"] for p in scripts
    }
    # the console script installed beside this Python (a venv's bin/), else the one on PATH
    beside = Path(sys.executable).with_name("tfbasics")
    console = str(beside) if beside.exists() else shutil.which("tfbasics")
    if console:
        commands["tfbasics --help"] = [console, "--help"]
    commands["python -m tfbasics --help"] = [sys.executable, "-m", "tfbasics", "--help"]
    return commands, console


def timed(argv):
    """Seconds from start to exit of one run of ``argv``, and whether it succeeded."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    ok = done.returncode == 0 and (argv[-1] != "--help" or done.stdout.startswith("usage:"))
    return seconds, ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each command (default 5)")
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar (for logs and CI output)"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")

    helps, console = help_commands()
    commands = {**BASELINE, **helps}
    load_before = os.getloadavg()[0]
    seconds = {label: [] for label in commands}
    failed = set()
    # round by round, every command once per round: a burst of load slows all rows alike
    with tqdm(
        total=args.repeats * len(commands), unit="run", disable=args.no_progress, leave=False
    ) as bar:
        for _ in range(args.repeats):
            for label, command in commands.items():
                bar.set_postfix_str(label[:50])
                spent, ok = timed(command)
                seconds[label].append(spent)
                if not ok:
                    failed.add(label)
                bar.update()

    median = {label: statistics.median(runs) for label, runs in seconds.items()}
    bare, with_tf = (median[label] for label in BASELINE)
    width = max(map(len, commands))
    print(
        f"--help, {args.repeats} runs each (fresh processes, wall clock), {os.cpu_count()} CPUs, "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"{'command':<{width}}  {'median':>7}  {'min-max':>11}  {'x pass':>6}  {'x tf':>5}  "
        f"(median / each baseline's median)"
    )
    slow = []
    for label, runs in seconds.items():
        verdict = ""
        if label in helps:
            if label in failed:
                verdict = "FAILED"
            elif median[label] >= TARGET:
                verdict = f"SLOW (>= {TARGET:.0f} s)"
            else:
                verdict = "ok"
            if verdict != "ok":
                slow.append(label)
        print(
            f"{label:<{width}}  {median[label]:6.2f}s  {min(runs):5.2f}-{max(runs):4.2f}s  "
            f"{median[label] / bare:6.1f}  {median[label] / with_tf:5.2f}  {verdict}"
        )
        if label == list(BASELINE)[-1]:
            print("-" * (width + 44))
    if not console:
        print("tfbasics: no console script found (pip install -e . first); not timed")
    worst = max(helps, key=median.get)
    print(
        f"slowest --help: {worst}, {median[worst]:.2f} s; target: every median under {TARGET:.0f} s"
        f" ({len(helps) - len(slow)}/{len(helps)} meet it)"
    )
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())

"""A pytest plugin for benchmarks/test_suite.py --breakdown: the machine's CPU seconds per test.

Loaded with ``-p suite_cpu`` (benchmarks/ on PYTHONPATH) in a run on one worker (``-n 0``), so
the machine's busy CPU while a test runs is that test's: its own, its children's and whatever
they started that outlives them (TensorBoard, a kernel, Chromium), which the process's own
rusage would miss. Writes a JSON list of [test id, CPU s, wall s] to $SUITE_CPU_OUT.
"""

import json
import os
import time

import pytest

_rows = []


def busy_seconds():
    """CPU seconds the machine has spent busy since boot, all cores together (Linux /proc/stat:
    user, nice, system, irq, softirq, steal; not idle nor iowait); None on other systems."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:9]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, fields)
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = busy_seconds(), time.perf_counter()
    yield
    if cpu is not None:
        _rows.append([item.nodeid, busy_seconds() - cpu, time.perf_counter() - wall])


def pytest_sessionfinish(session):
    out = os.environ.get("SUITE_CPU_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(_rows, f)

"""How long the class similarity report takes (``tfbasics grade`` writes it after grading).

    python benchmarks/similarity.py                  # a class of 30, every exercise
    python benchmarks/similarity.py --class-size 60

Each student's file of each exercise is the exercise's reference code (the functions it asks
for and their helpers) with the functions in a shuffled order and the local names renamed, so
the files are of a real solution's size and every pair shares a lot (the most work for the set
intersections). Timed in this process: the first report includes importing copydetect (and
Matplotlib, which copydetect imports); the second is warm. The target (issue 21): a class of 30
x 9 exercises in a few seconds on 2 cores.
"""

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tfbasics.grading import exercise_list, similarity  # noqa: E402


def student_file(source, seed):
    """``source`` with its top-level definitions shuffled and its names given a suffix."""
    rng = random.Random(seed)
    blocks = source.split("\n\n\n")
    rng.shuffle(blocks)
    renamed = re.sub(r"\b([a-z]{1,3})\b", rf"\1_{seed}", "\n\n\n".join(blocks))
    return "import numpy as np\n\n\n" + renamed


def make_class(folder, size):
    """{name: folder} of ``size`` students, each with every exercise."""
    students = {}
    sources = {n: similarity.reference_source(n) for n in exercise_list.names()}
    for i in range(size):
        name = f"student{i:02d}"
        (folder / name).mkdir()
        for exercise, source in sources.items():
            (folder / name / f"{exercise}.py").write_text(student_file(source, i))
        students[name] = folder / name
    return students


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=30, help="students (default 30)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        students = make_class(Path(tmp), args.class_size)
        names = exercise_list.names()
        for label in ("cold (imports copydetect)", "warm"):
            started = time.perf_counter()
            pairs = similarity.similarity_report(students, names)
            seconds = time.perf_counter() - started
            print(
                f"{label}: {args.class_size} students x {len(names)} exercises, "
                f"{len(pairs)} pairs in {seconds:.2f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

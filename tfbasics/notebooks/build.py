"""``python -m tfbasics.notebooks``: build notebooks/ from the lessons in chapters/.

Each lesson ``chapters/ch01_NN_<name>.py`` becomes ``notebooks/ch01_NN_<name>.ipynb``:
converted by jupytext, executed from a fresh kernel by nbclient with the repository as working
folder (runs write to logs/, as the scripts do), then written whole or not at all. ``--check``
converts without executing and says which committed notebook no longer matches its lesson.

    python -m tfbasics.notebooks                 # every lesson, executed (a few minutes)
    python -m tfbasics.notebooks 2 7             # sections 2 and 7 (2, 02, ch01_02, hello_tensorflow)
    python -m tfbasics.notebooks --check         # exit 1 if a notebook drifted from its lesson
"""

import argparse
import sys
import time

from tfbasics.notebooks import lessons
from tfbasics.runs.script_errors import script_main

PROG = "python -m tfbasics.notebooks"
DEFAULT_TIMEOUT = 1800.0  # seconds per notebook; ch01_07 (10 epochs) takes a few minutes


def parser():
    """The command line (argparse.ArgumentParser)."""
    from tfbasics.runs.folders import Parser

    p = Parser(
        prog=PROG,
        description="Build notebooks/*.ipynb from the lessons in chapters/ and execute them.",
    )
    p.add_argument(
        "lessons",
        nargs="*",
        default=["all"],
        help="which lessons (default: all): a section number (2, 02), ch01_02 or the name "
        "(hello_tensorflow)",
    )
    p.add_argument(
        "--no-execute",
        action="store_true",
        help="only convert: write notebooks without outputs (the drift check then fails them)",
    )
    p.add_argument(
        "--timeout",
        type=positive_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"seconds each notebook may take to execute (default: {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a committed notebook differs from its lesson or is missing",
    )
    return p


def positive_seconds(text):
    """argparse type: a number of seconds above 0 (float)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text!r}")
    return value


def select(root, names):
    """The lessons named on the command line (list of cli.sections.Section).

    Raises:
      cli.common.CliError for an unknown name; lessons.LessonError (one line per file) for a
      lesson that is not in percent format yet.
    """
    from tfbasics.cli.sections import resolve_sections

    found = lessons.find_lessons(root)
    if not found:
        raise lessons.LessonError(f"{root / lessons.CHAPTERS}: no lessons (ch01_NN_*.py) here")
    chosen = resolve_sections(names, found)
    problems = []
    for lesson in chosen:
        try:
            lessons.read_lesson(lesson.path)
        except lessons.LessonError as err:
            problems.append(str(err))
    if problems:
        raise lessons.LessonError("\n".join(problems))
    return found, chosen


def check(root, found, chosen):
    """Print what drifted; returns the exit status (0: every chosen notebook matches)."""
    problems, drifted = [], []
    for lesson in chosen:
        found_here = lessons.drift(lesson.path, lessons.notebook_for(root, lesson))
        problems += found_here
        drifted += [lesson] if found_here else []
    if len(chosen) == len(found):  # a notebook without a lesson only shows when checking all
        problems += [
            f"{p}: no lesson {lessons.CHAPTERS}/{p.stem}.py" for p in lessons.orphans(root, found)
        ]
    for line in problems:
        print(f"{PROG}: {line}", file=sys.stderr)
    if problems:
        names = " ".join(lesson.stem[: len("ch01_NN")] for lesson in drifted or chosen)
        print(f"{PROG}: rebuild with: {PROG} {names}", file=sys.stderr)
        return 1
    print(f"{len(chosen)} notebooks match their lessons")
    return 0


def build(root, chosen, execute=True, timeout=DEFAULT_TIMEOUT):
    """Convert (and execute) each chosen lesson and write its notebook; returns the exit status."""
    import nbformat

    from tfbasics.notebooks import kernels
    from tfbasics.runs.atomic import atomic_write_text
    from tfbasics.runs.folders import progress

    for number, lesson in enumerate(chosen, 1):
        target = lessons.notebook_for(root, lesson)
        label = f"[{number}/{len(chosen)}] {lesson.stem}"
        start = time.monotonic()
        nb = lessons.to_notebook(lesson.path)
        if execute:
            lines = lessons.cell_lines(lessons.read_lesson(lesson.path))
            with progress(total=len(nb.cells), desc=label, unit="cell") as bar:
                try:
                    kernels.execute(
                        nb,
                        cwd=root,
                        timeout=timeout,
                        name=f"{lessons.NOTEBOOKS}/{target.name}",
                        lines=lines,
                        on_cell=lambda index, total: bar.update(index - bar.n),
                    )
                except kernels.CellFailed as err:
                    bar.close()
                    print(f"{label} ... failed", flush=True)
                    print(f"{PROG}: error: {err}", file=sys.stderr)
                    return 1
        atomic_write_text(target, nbformat.writes(same_frame_ids(nb)) + "\n")
        done = "ok" if execute else "converted, not executed"
        seconds = time.monotonic() - start
        print(f"{label} ... {done} ({seconds:.1f} s) -> {target.relative_to(root)}", flush=True)
    return 0


def same_frame_ids(nb):
    """``nb`` with TensorBoard's random frame ids (``tensorboard-frame-<16 hex>``, one per
    ``%tensorboard`` output) numbered instead, so that a rebuild leaves them as they were."""
    import re

    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if isinstance(html, str) and "tensorboard-frame-" in html:
                frame = f"tensorboard-frame-{index:016x}"
                out.data["text/html"] = re.sub(r"tensorboard-frame-[0-9a-f]{16}", frame, html)
    return nb


def main(argv=None):
    """Build or check the notebooks; returns the exit status (0 ok, 1 failed, 2 bad flag)."""
    args = parser().parse_args(argv)
    if args.check and args.no_execute:
        parser().error("--check writes nothing; --no-execute has no meaning with it")
    from tfbasics.cli.common import CliError

    root = lessons.repository_root()
    try:
        found, chosen = select(root, args.lessons)
    except CliError as err:  # an unknown lesson: the user's mistake, as a bad flag is
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except lessons.LessonError as err:
        for line in str(err).splitlines():
            print(f"{PROG}: error: {line}", file=sys.stderr)
        return 1
    if args.check:
        return check(root, found, chosen)
    return build(root, chosen, execute=not args.no_execute, timeout=args.timeout)


def run():
    """Entry point with the package's handling of Ctrl-C and a full disk."""
    return script_main(main, prog=PROG)

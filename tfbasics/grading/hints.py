"""The hints of the exercises: ``<name>.hints.md`` beside each exercise, a nudge and a near-answer.

A hint file has one ``## Task N`` section per task: a nudge, then, under ``### Closer``, the
near-answer. ``tfbasics check --hints`` shows the nudge, ``--hints --hints`` both; the pytest
route (``--hints``) reads the same files.
"""

import re
from pathlib import Path

from tfbasics.grading.exercise_list import bundled_folder


def hints_for(exercise, folder=None, level=1):
    """{task number: hint text} from ``<exercise>.hints.md``, at ``level`` 1 (a nudge) or 2.

    Args:
      exercise: str, the exercise's name (``softmax``).
      folder: the learner's folder (str or Path), read first (hints live beside the exercise),
        then the bundled one; None: the bundled one only.
      level: int, 1 for the nudge alone, 2 for the nudge and the near-answer.
    Returns:
      dict int -> str; empty if no hints file is found.
    """
    for base in ([Path(folder)] if folder else []) + [bundled_folder()]:
        path = base / f"{exercise}.hints.md"
        if path.is_file():
            levels = parse_hints(path.read_text(encoding="utf-8"))
            return {
                n: nudge if level < 2 or not closer else f"{nudge}\n{closer}"
                for n, (nudge, closer) in levels.items()
            }
    return {}


def parse_hints(text):
    """{task number: (nudge, near-answer or '')} of a hints file's text."""
    hints, number, lines = {}, None, []
    for line in text.splitlines() + ["## Task 0"]:
        m = re.match(r"^##\s+Task\s+(\d+)", line)
        if m:
            if number is not None:
                body = "\n".join(lines)
                nudge, _, closer = body.partition("\n### Closer")
                hints[number] = (nudge.strip(), closer.strip())
            number, lines = int(m.group(1)), []
        elif number is not None:
            lines.append(line)
    hints.pop(0, None)
    return hints

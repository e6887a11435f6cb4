"""How alike the class's solutions are: a pairwise report per exercise, reported, not judged.

Every learner's source of an exercise (the .py, or a notebook's code cells, as
``submissions.read_submission`` reads it) is compared with every other's, and with the reference
as the student ``(reference)``, by copydetect: MOSS's winnowing over a token stream in which
names and strings are masked, so renamed variables, changed comments and moved functions do not
hide a copy. The stub's own code (signatures, docstrings) is boilerplate, so two learners are not
alike for what everyone was given.

The reference "student" is the functions and classes the exercise asks for (the stub's names)
taken from the reference modules, with the module's own helpers they call: the whole module
would carry code no learner is asked to write (ch01_09 is a whole lesson; tfbasics/data/mnist.py
also reads the MNIST files), and that would only water down the reference's side of each pair.
"""

import ast
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

from tfbasics.grading.exercise_list import EXERCISES, stub_path
from tfbasics.grading.submissions import exercise_names, read_submission

REFERENCE = "(reference)"  # the reference solution's name in the report
NOISE = 25  # copydetect's default: a match shorter than 25 characters of masked tokens is noise
WINDOW = 1  # copydetect's default (guarantee 25 = noise 25): every k-gram is kept, small files
SHOWN = 0.5  # the text summary lists the pairs at least this alike
MAX_SHOWN = 20  # ... at most this many
CSV_NAME, SUMMARY_NAME = "similarity.csv", "similarity.txt"


@dataclass(frozen=True)
class Pair:
    """Two solutions of one exercise and how much of each is found in the other."""

    exercise: str
    student_a: str
    student_b: str
    score: float  # max(share_a, share_b): 1.0 when one of them is all in the other
    share_a: float  # the part of a's code (the stub's left out) found in b's, 0..1
    share_b: float  # the part of b's found in a's


def reference_source(exercise_name):
    """The reference's code for an exercise: the stub's names and the helpers they call.

    Args:
      exercise_name: "softmax", ...
    Returns:
      str, the definitions in file order, module by module; "" if no reference is installed.
    """
    wanted, parts = set(exercise_names(exercise_name)), []
    for module in EXERCISES[exercise_name].references:
        spec = importlib.util.find_spec(module)  # found, not imported: no TensorFlow
        if spec is None or not spec.origin:
            continue
        text = Path(spec.origin).read_text(encoding="utf-8")
        defined = {}
        for node in ast.parse(text).body:
            for name in _defines(node):
                defined[name] = node
        picked, todo = set(), [defined[n] for n in wanted if n in defined]
        while todo:  # the closure over the module's own top-level names
            node = todo.pop()
            if id(node) in picked:
                continue
            picked.add(id(node))
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            todo += [defined[n] for n in used if n in defined]
        for node in ast.parse(text).body:
            if any(id(defined.get(n)) in picked for n in _defines(node)):
                parts.append(ast.get_source_segment(text, node))
    return "\n\n\n".join(parts) + "\n" if parts else ""


def _defines(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return []


def _fingerprint(label, text, boilerplate):
    from copydetect import CodeFingerprint  # imports matplotlib: only when a report is made

    return CodeFingerprint(
        label, NOISE, WINDOW, boilerplate, language="python", fp=io.StringIO(text)
    )


def similarity_report(students, exercises=None, references=None):
    """Every pair of solutions of each exercise, the most alike first.

    Args:
      students: {name: folder} of the learners (str or Path folders).
      exercises: exercise names (default: all, in the chapter's order).
      references: {exercise: source str} standing for ``(reference)``; default
        ``reference_source`` of each exercise; an exercise without one has no reference row.
    Returns:
      list of Pair sorted by score (descending), then exercise and names. A learner with nothing
      of their own in an exercise (missing, unreadable, the stub untouched) has no pairs in it.
    """
    from copydetect import compare_files

    pairs = []
    for exercise in exercises or list(EXERCISES):
        stub = stub_path(exercise).read_text(encoding="utf-8")
        boilerplate = sorted(_fingerprint("stub.py", stub, None).hashes)
        sources = {}
        for name, folder in sorted(students.items()):
            data = read_submission(folder, exercise)[1]
            if data is not None:
                sources[name] = data.decode("utf-8", errors="replace")
        reference = reference_source(exercise) if references is None else references.get(exercise)
        if reference:
            sources[REFERENCE] = reference
        prints = {}
        for name, text in sources.items():
            found = _fingerprint(f"{name}/{exercise}.py", text, boilerplate)
            if found.hashes:
                prints[name] = found
        names = list(prints)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                _, (share_a, share_b), _ = compare_files(prints[a], prints[b])
                share_a, share_b = float(share_a), float(share_b)
                pairs.append(Pair(exercise, a, b, max(share_a, share_b), share_a, share_b))
    return sorted(pairs, key=lambda p: (-p.score, p.exercise, p.student_a, p.student_b))


def csv_text(pairs):
    """similarity.csv: a header and one row per pair (str)."""
    rows = ["exercise,student_a,student_b,score,share_a,share_b"]
    for p in pairs:
        names = [_csv_field(p.student_a), _csv_field(p.student_b)]
        rows.append(f"{p.exercise},{','.join(names)},{p.score:.3f},{p.share_a:.3f},{p.share_b:.3f}")
    return "\n".join(rows) + "\n"


def _csv_field(text):
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def summary_lines(pairs, shown=SHOWN, limit=MAX_SHOWN):
    """The text summary: what the numbers mean, then the most alike pairs (list of str)."""
    lines = [
        "Code similarity per exercise (copydetect winnowing; names, strings and comments masked;",
        "the stub's own code ignored). Reported, not judged: a high score is a reason to read",
        "both files. score = the larger share of one file's code found in the other.",
        "",
    ]
    top = [p for p in pairs if p.score >= shown][:limit]
    if not top:
        return lines + [f"no pair of solutions is {shown:.0%} alike or more"]
    lines.append(f"pairs {shown:.0%} alike or more (the most alike first):")
    width = max(len(p.student_a) + len(p.student_b) for p in top) + 3
    for p in top:
        pair = f"{p.student_a} ~ {p.student_b}".ljust(width)
        lines.append(
            f"  {p.exercise:<20} {pair} {p.score:.2f}  "
            f"({p.share_a:.0%} of {p.student_a}'s in the other, {p.share_b:.0%} the other way)"
        )
    more = sum(p.score >= shown for p in pairs) - len(top)
    if more:
        lines.append(f"  ... and {more} more in {CSV_NAME}")
    return lines


def write_report(out_dir, students, exercises=None):
    """Write similarity.csv and similarity.txt into ``out_dir`` (each whole or not at all).

    Args:
      out_dir: an existing folder (Path).
      students: {name: folder} of the learners.
      exercises: exercise names (default: all).
    Returns:
      the list of Pair, most alike first.
    """
    from tfbasics.runs.atomic import atomic_write

    pairs = similarity_report(students, exercises)
    atomic_write(Path(out_dir) / CSV_NAME, [csv_text(pairs).encode()])
    summary = "\n".join(summary_lines(pairs)) + "\n"
    atomic_write(Path(out_dir) / SUMMARY_NAME, [summary.encode()])
    return pairs

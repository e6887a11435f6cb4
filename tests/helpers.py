"""Helpers for tests: read back what a run wrote, with TensorBoard's own event reader; read a
chapter script's first screen."""

import ast
from pathlib import Path


def event_files(path):
    """All TensorBoard event files below ``path`` (a list of Path)."""
    return sorted(Path(path).rglob("events.out.tfevents.*"))


def load_events(path):
    """TensorBoard's EventAccumulator for the run folder ``path``, fully loaded.

    ``acc.Tags()`` then lists 'graph', 'scalars', 'histograms', 'images', 'tensors'.
    """
    from tensorboard.backend.event_processing import event_accumulator

    acc = event_accumulator.EventAccumulator(
        str(path),
        size_guidance={
            event_accumulator.TENSORS: 0,
            event_accumulator.SCALARS: 0,
            event_accumulator.IMAGES: 0,
            event_accumulator.HISTOGRAMS: 0,
        },
    )
    acc.Reload()
    return acc


def graph_op_names(path):
    """Names of the ops in the graph written to run folder ``path`` (a set of str)."""
    acc = load_events(path)
    return {node.name for node in acc.Graph().node}


def first_screen(module, lines=60):
    """The teaching code a reader meets first: up to ``lines`` non-blank code lines after the
    docstring and imports, cut at ``def main(`` (flags and error handling live below it)."""
    source = Path(module.__file__).read_text(encoding="utf-8")
    body = ast.parse(source).body
    functions = [node.name for node in body if isinstance(node, ast.FunctionDef)]
    assert functions[-1] == "main", f"main() is not the last function of {module.__file__}"
    skip = (ast.Expr, ast.Import, ast.ImportFrom)
    start = next(node for node in body if not isinstance(node, skip)).lineno
    code = [line for line in source.splitlines()[start - 1 :] if line.strip()]
    return "\n".join(code[:lines]).split("def main(")[0]

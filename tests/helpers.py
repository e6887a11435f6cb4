"""Helpers for tests: read back what a run wrote, with TensorBoard's own event reader."""

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

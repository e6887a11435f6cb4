"""PNGs of a softmax-regression run, for readers without TensorBoard open: the ten weight
templates and the loss/accuracy curves.

Matplotlib's object API (``Figure`` + an Agg canvas made inside each function, no ``pyplot``):
saving never opens a window and never changes the user's backend.
"""

from pathlib import Path

import numpy as np

from tfbasics.constants import IMAGE_SIZE, NUM_CLASSES


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def save_weight_templates(path, weights):
    """Column k of ``weights`` as a 28x28 picture, one per digit: red pixels vote for the digit,
    blue against (one symmetric colour scale for all ten, so they can be compared).

    Args:
      path: str or Path of the .png; weights: float [784, NUM_CLASSES].
    Returns:
      Path written.
    """
    weights = np.asarray(weights, dtype=np.float32)
    limit = float(np.abs(weights).max()) or 1.0
    fig = _figure(10, 4.6)
    for k in range(NUM_CLASSES):
        ax = fig.add_subplot(2, 5, k + 1)
        image = ax.imshow(
            weights[:, k].reshape(IMAGE_SIZE, IMAGE_SIZE), cmap="seismic", vmin=-limit, vmax=limit
        )
        ax.set_title(f"digit {k}")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=fig.axes, shrink=0.8, label="weight")
    fig.suptitle("Learned weight templates (columns of weights)")
    path = Path(path)
    fig.savefig(path, dpi=80)
    return path


def save_curves(path, history):
    """The book's cost per epoch beside training and validation accuracy per epoch.

    Args:
      path: str or Path of the .png; history: list of objects with ``epoch``, ``cost``,
        ``train_accuracy``, ``validation_accuracy`` (None where not measured).
    Returns:
      Path written.
    """
    fig = _figure(10, 4)
    epochs = [e.epoch for e in history]
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(epochs, [e.cost for e in history], "o-")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost (mean training loss)")
    ax.set_title("Training loss")
    ax.grid(True, alpha=0.3)
    ax = fig.add_subplot(1, 2, 2)
    for name, label in (("train_accuracy", "train"), ("validation_accuracy", "validation")):
        points = [(e.epoch, getattr(e, name)) for e in history if getattr(e, name) is not None]
        if points:
            ax.plot(*zip(*points), "o-", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy")
    ax.grid(True, alpha=0.3)
    if ax.lines:
        ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=80)
    return path

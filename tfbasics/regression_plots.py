"""Pictures of a softmax-regression run: the ten weight templates and the loss/accuracy curves
as PNG files (for readers without TensorBoard open), and the templates and a few input digits
as labelled PNG grids for TensorBoard's Images tab.

The files use Matplotlib's object API (``Figure`` + an Agg canvas made inside each function, no
``pyplot``): saving never opens a window and never changes the user's backend. The grids for
TensorBoard are drawn with Pillow (Matplotlib's dependency), fast enough to run every epoch.
"""

import io
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


# ------------------------------------------------ labelled grids for TensorBoard (Pillow, fast)
def _labelled_grid(cells, titles, cols, scale):
    """RGB uint8 cells [k, 28, 28, 3] as one PNG: ``cols`` per row, each enlarged ``scale``
    times with its title drawn above it (Pillow: milliseconds, so it can run every epoch)."""
    from PIL import Image, ImageDraw

    side, strip, gap = IMAGE_SIZE * scale, 14, 4
    rows = -(-len(cells) // cols)
    canvas = Image.new(
        "RGB", (cols * (side + gap) + gap, rows * (side + strip + gap) + gap), "white"
    )
    draw = ImageDraw.Draw(canvas)
    for k, (cell, title) in enumerate(zip(cells, titles)):
        x = gap + (k % cols) * (side + gap)
        y = gap + (k // cols) * (side + strip + gap)
        draw.text((x + 2, y), title, fill="black")
        canvas.paste(Image.fromarray(cell).resize((side, side), Image.NEAREST), (x, y + strip))
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return canvas.size, out.getvalue()


def weight_templates_png(weights, scale=3):
    """The ten templates (column k of ``weights``) as one labelled 2x5 grid, red for positive
    weights and blue for negative on one symmetric scale, as ``save_weight_templates`` draws them.

    Args:
      weights: float [IMAGE_PIXELS, NUM_CLASSES].
    Returns:
      ((width, height), PNG bytes).
    """
    w = np.asarray(weights, dtype=np.float32).T.reshape(NUM_CLASSES, IMAGE_SIZE, IMAGE_SIZE)
    v = w / (float(np.abs(w).max()) or 1.0)  # in [-1, 1]
    pos, neg = np.clip(v, 0, 1), np.clip(-v, 0, 1)
    rgb = np.stack([1 - neg, 1 - pos - neg, 1 - pos], axis=-1)  # white at 0, as "seismic"
    cells = (rgb * 255 + 0.5).astype(np.uint8)
    return _labelled_grid(cells, [f"digit {k}" for k in range(NUM_CLASSES)], 5, scale)


def digits_png(images, labels, scale=2):
    """Digits black on white (1 - pixel, as ch01_06 draws them) in one row, each titled with its
    label.

    Args:
      images: float [k, IMAGE_PIXELS] in [0, 1]; labels: int [k].
    Returns:
      ((width, height), PNG bytes).
    """
    x = np.asarray(images, dtype=np.float32).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    gray = ((1.0 - np.clip(x, 0, 1)) * 255 + 0.5).astype(np.uint8)
    cells = np.repeat(gray[..., None], 3, axis=-1)
    return _labelled_grid(cells, [f"label {int(k)}" for k in labels], len(cells), scale)

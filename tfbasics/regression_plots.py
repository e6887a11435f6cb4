"""Pictures of a softmax-regression run: the ten weight templates and the loss/accuracy curves
as PNG files (for readers without TensorBoard open), and the templates and a few input digits
as labelled PNG grids for TensorBoard's Images tab.

Drawn with Pillow (Matplotlib's own image dependency), in milliseconds: the grids are made every
epoch, and a run's PNGs cost it no Matplotlib import (0.3-0.7 s here). Nothing opens a window.
"""

import io

import numpy as np

from tfbasics.constants import IMAGE_SIZE, NUM_CLASSES
from tfbasics.runs.atomic import atomic_write

COLOURS = ("#1f77b4", "#ff7f0e")  # Matplotlib's first two, for train and validation


def _font(size=12):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _png(image):
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # fast: 20 ms less per epoch
    return out.getvalue()


def save_weight_templates(path, weights):
    """Column k of ``weights`` as a 28x28 picture, one per digit, in a labelled 2x5 grid: red
    pixels vote for the digit, blue against (one symmetric colour scale for all ten, so they
    can be compared); the same picture TensorBoard shows, larger.

    Args:
      path: str or Path of the .png; weights: float [784, NUM_CLASSES].
    Returns:
      Path written.
    """
    return atomic_write(path, [weight_templates_png(weights, scale=6)[1]])


def _panel(draw, box, title, xlabel, series):
    """One line chart in ``box`` (left, top, right, bottom): axes, ticks, grid, lines, legend.

    series: list of (label, colour, [(x, y), ...]); x are epochs (integers).
    """
    left, top, right, bottom = box
    x0, y0, x1, y1 = left + 55, top + 24, right - 8, bottom - 36  # the plotting area
    points = [p for _, _, ps in series for p in ps]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    xmin, xmax = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    pad = (max(ys) - min(ys)) * 0.08 or 0.5
    ymin, ymax = min(ys) - pad, max(ys) + pad

    def at(x, y):
        return (
            x0 + (x - xmin) / (xmax - xmin) * (x1 - x0),
            y1 - (y - ymin) / (ymax - ymin) * (y1 - y0),
        )

    font = _font()
    draw.text(((x0 + x1) / 2, top + 4), title, fill="black", font=_font(14), anchor="mt")
    for y in np.linspace(ymin + pad, ymax - pad, 5) if len(set(ys)) > 1 else [ys[0]]:
        _, py = at(xmin, y)
        draw.line([(x0, py), (x1, py)], fill="#e0e0e0")
        draw.text((x0 - 4, py), f"{y:.3f}", fill="black", font=font, anchor="rm")
    step = max(1, round((xmax - xmin) / 10))
    for x in range(int(xmin), int(xmax) + 1, step):
        px, _ = at(x, ymin)
        draw.line([(px, y0), (px, y1)], fill="#e0e0e0")
        draw.text((px, y1 + 4), str(x), fill="black", font=font, anchor="mt")
    draw.text(((x0 + x1) / 2, bottom - 4), xlabel, fill="black", font=font, anchor="mb")
    draw.rectangle([x0, y0, x1, y1], outline="black")
    for k, (label, colour, ps) in enumerate(series):
        xy = [at(x, y) for x, y in ps]
        if len(xy) > 1:
            draw.line(xy, fill=colour, width=2)
        for px, py in xy:
            draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=colour)
        if len(series) > 1:  # legend, bottom right (accuracy rises: that corner stays free)
            ly = y1 - 10 - 16 * (len(series) - 1 - k)
            draw.rectangle([x1 - 120, ly - 4, x1 - 112, ly + 4], fill=colour)
            draw.text((x1 - 106, ly), label, fill="black", font=font, anchor="lm")


def save_curves(path, history):
    """The book's cost per epoch beside training and validation accuracy per epoch.

    Args:
      path: str or Path of the .png; history: list of objects with ``epoch``, ``cost``,
        ``train_accuracy``, ``validation_accuracy`` (None where not measured).
    Returns:
      Path written.
    """
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 320), "white")
    draw = ImageDraw.Draw(image)
    cost = [(e.epoch, e.cost) for e in history]
    _panel(draw, (0, 0, 400, 320), "Training loss (cost)", "epoch", [("cost", COLOURS[0], cost)])
    accuracy = [
        (
            label,
            colour,
            [(e.epoch, getattr(e, name)) for e in history if getattr(e, name) is not None],
        )
        for name, label, colour in (
            ("train_accuracy", "train (sample)", COLOURS[0]),
            ("validation_accuracy", "validation", COLOURS[1]),
        )
    ]
    accuracy = [s for s in accuracy if s[2]]
    if accuracy:
        _panel(draw, (400, 0, 800, 320), "Accuracy", "epoch", accuracy)
    return atomic_write(path, [_png(image)])


# ------------------------------------------------------------------------ labelled grids
def _labelled_grid(cells, titles, cols, scale):
    """RGB uint8 cells [k, 28, 28, 3] as one PNG: ``cols`` per row, each enlarged ``scale``
    times with its title drawn above it."""
    from PIL import Image, ImageDraw

    side, gap, font = IMAGE_SIZE * scale, 4, _font(10 + scale)
    strip = 14 + scale  # the title above each cell
    rows = -(-len(cells) // cols)
    canvas = Image.new(
        "RGB", (cols * (side + gap) + gap, rows * (side + strip + gap) + gap), "white"
    )
    draw = ImageDraw.Draw(canvas)
    for k, (cell, title) in enumerate(zip(cells, titles)):
        x = gap + (k % cols) * (side + gap)
        y = gap + (k // cols) * (side + strip + gap)
        draw.text((x + 2, y), title, fill="black", font=font)
        canvas.paste(Image.fromarray(cell).resize((side, side), Image.NEAREST), (x, y + strip))
    return canvas.size, _png(canvas)


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

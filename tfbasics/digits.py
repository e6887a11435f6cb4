"""Pictures of MNIST digits: the book's ``display_digit`` as a PNG, a grid of many digits, and the
same pictures as TensorBoard image summaries.

Matplotlib is used through its object API (``Figure`` + Agg canvas, no ``pyplot``), so saving a
PNG never opens a window and never changes the user's matplotlib backend.
"""

from pathlib import Path

import numpy as np

from tfbasics.constants import IMAGE_SIZE


def _figure(image, title, inches):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(inches, inches))
    FigureCanvasAgg(fig)  # Agg for this figure only
    ax = fig.add_subplot()
    ax.imshow(image, cmap="gray_r")  # the book's colour map: dark ink on white
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return fig


def as_image(x):
    """One digit as a 2-D array [28, 28] (accepts [784], [28, 28] or [28, 28, 1])."""
    return np.asarray(x).reshape(IMAGE_SIZE, IMAGE_SIZE)


def digit_title(index, label):
    """The book's title, with the true label."""
    return f"Training data, index: {index:d},  Label: {label:d}"


def save_digit(path, image, title=None):
    """Write one digit as a PNG.

    Args:
      path: str or Path of the .png; image: [784], [28, 28] or [28, 28, 1], uint8 or float.
      title: str or None.
    Returns:
      Path written.
    """
    path = Path(path)
    _figure(as_image(image), title, 3).savefig(path, dpi=100)
    return path


def display_digit(images, labels, index, path):
    """The book's ``display_digit(index)``: the training digit ``index`` with its label, as a PNG.

    Args:
      images: [N, 28, 28] or [N, 784]; labels: int [N] or one-hot [N, 10].
      index: int; path: str or Path of the .png.
    Returns:
      str, the title written on the picture.
    """
    label = np.asarray(labels[index])
    # the book takes argmax of Keras' integer label, which is always 0; argmax only if one-hot
    label = int(label.argmax()) if label.ndim else int(label)
    title = digit_title(index, label)
    save_digit(path, images[index], title)
    return title


def grid(images, rows=10, cols=10):
    """Tile the first ``rows * cols`` digits into one picture.

    Args:
      images: [N, 28, 28] or [N, 784] (N >= rows * cols), any dtype.
    Returns:
      np.ndarray [rows * 28, cols * 28] of the input dtype, row-major (digit k at row k // cols).
    """
    x = np.asarray(images)[: rows * cols].reshape(rows, cols, IMAGE_SIZE, IMAGE_SIZE)
    return x.transpose(0, 2, 1, 3).reshape(rows * IMAGE_SIZE, cols * IMAGE_SIZE)


def save_grid(path, images, rows=10, cols=10, title=None):
    """Write the first ``rows * cols`` digits as one PNG grid. Returns the Path written."""
    path = Path(path)
    _figure(grid(images, rows, cols), title, 6).savefig(path, dpi=100)
    return path


def to_uint8(image):
    """A picture as uint8 0-255 (float pictures are taken to be in [0, 1])."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def write_image_summaries(path, pictures, step=0):
    """Write pictures as TensorBoard image summaries (tab "Images") into run folder ``path``.

    Args:
      path: str or Path, a run folder.
      pictures: dict name -> 2-D array [H, W] (uint8 0-255 or float in [0, 1]); each becomes
        one image under tag ``<name>/image`` (inverted like the PNGs: dark ink on white).
      step: int, global step of the summaries.
    """
    from tfbasics._tf import tf

    g = tf.Graph()
    with g.as_default():
        feeds, summaries = {}, []
        for name, picture in pictures.items():
            picture = 255 - to_uint8(picture)  # as the PNGs' gray_r: dark ink on white
            ph = tf.compat.v1.placeholder(tf.uint8, [1, None, None, 1], name=f"{name}_pixels")
            feeds[ph] = picture[None, :, :, None]
            summaries.append(tf.compat.v1.summary.image(name, ph, max_outputs=1))
        merged = tf.compat.v1.summary.merge(summaries)
        writer = tf.compat.v1.summary.FileWriter(str(path))
        with tf.compat.v1.Session(graph=g) as sess:
            writer.add_summary(sess.run(merged, feeds), step)
        writer.close()

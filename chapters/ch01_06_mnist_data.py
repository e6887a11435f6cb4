"""The MNIST data: its shapes, one-hot labels, and the book's display_digit.

Loads MNIST as Keras' ``mnist.load_data()`` does (fetched and verified by ``tfbasics.data.mnist``),
prints the array shapes the book prints and the one-hot encoding of a few labels, and writes
the digit ``--index`` (the book's ``display_digit``) and a 10x10 grid of the first 100 training
digits as PNGs and as TensorBoard images into the run folder.
"""

import sys
from collections import namedtuple

import numpy as np

from tfbasics import digits
from tfbasics.constants import NUM_TRAIN
from tfbasics.data import mnist
from tfbasics.data.flags import add_data_flags
from tfbasics.data.mnist_files import MNISTError
from tfbasics.runs.folders import base_parser, logdir_problem, run_dir
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_06_mnist_data"  # its run folders: logs/ch01_06_mnist_data/<run>/
NUM_ONE_HOT = 5  # labels shown with their one-hot encoding
GRID = 10  # the grid shows GRID x GRID digits

# %% [markdown]
# # 1.6 The MNIST data
#
# MNIST is 70,000 scans of handwritten digits, each 28 x 28 grey pixels (0 is background, 255
# full ink), with the digit it shows as its label. 60,000 are for training and 10,000 are kept
# apart for testing. `load_data` returns them as Keras does: two pairs of NumPy arrays, images
# and labels. The first call downloads and checks the files; later calls read them from disk.

# %% active="ipynb"
# (X_train, y_train), (X_test, y_test) = mnist.load_data()


# %%
def show_shapes(X_train, y_train, X_test, y_test):
    """Print the shape of each array, as the book does: X_train (60000, 28, 28) ...

    Args:
      X_train, X_test: uint8 [N, 28, 28] images; y_train, y_test: uint8 [N] labels 0-9.
    """
    for name, array in (
        ("X_train", X_train),
        ("y_train", y_train),
        ("X_test", X_test),
        ("y_test", y_test),
    ):
        print(name, array.shape)


# %% active="ipynb"
# show_shapes(X_train, y_train, X_test, y_test)

# %% [markdown]
# A label is one number, 0 to 9. For training it becomes a one-hot row of ten: 0 everywhere,
# 1 at the label's index, the form a softmax output is compared with.


# %%
def show_one_hot(labels, count=NUM_ONE_HOT):
    """Print the first ``count`` labels with their one-hot rows.

    Args:
      labels: uint8 [N] digit labels; count: int, how many to show.
    Returns:
      float32 NumPy array [count, 10], the one-hot rows.
    """
    rows = mnist.dense_to_one_hot(labels[:count])
    print(f"One-hot encoding of the first {count} training labels:")
    for label, row in zip(labels[:count], rows):
        print(f"{label} -> {np.array2string(row, precision=0, floatmode='fixed')}")
    return rows


# %% active="ipynb"
# one_hot = show_one_hot(y_train)

# %% [markdown]
# The book's `display_digit(index)` draws one training image with its label in the title. The
# lesson saves it as a PNG into the run folder, and beside it a grid of the first 100 training
# digits; both also go to TensorBoard's Images tab.


# %%
Pictures = namedtuple("Pictures", "title digit_png grid_png")


def save_pictures(X_train, y_train, index, out):
    """The book's ``display_digit(index)`` and a grid of the first digits, as PNGs and images.

    Args:
      X_train: uint8 [N, 28, 28]; y_train: uint8 [N]; index: int, the digit to show;
      out: pathlib.Path, the run folder.
    Returns:
      Pictures(title, digit_png, grid_png): the digit's title and the two Paths written.
    """
    digit_png = out / f"digit_{index}.png"
    title = digits.display_digit(X_train, y_train, index, digit_png)  # the book's display_digit
    print(title)
    grid_png = digits.save_grid(
        out / f"first_{GRID * GRID}.png",
        X_train,
        GRID,
        GRID,
        title=f"The first {GRID * GRID} training digits",
    )
    digits.write_image_summaries(
        out,
        {
            f"digit_{index}": digits.as_image(X_train[index]),
            f"first_{GRID * GRID}": digits.grid(X_train, GRID, GRID),
        },
    )
    print(
        f"Wrote {digit_png.name} and {grid_png.name} (and the same as TensorBoard images) to {out}"
    )
    return Pictures(title, digit_png, grid_png)


# %% active="ipynb"
# out = run_dir("logs", SCRIPT)
# pictures = save_pictures(X_train, y_train, 0, out)

# %% [markdown]
# Here the same pictures are drawn in the notebook: the book's digit 0 (a 5), and the grid.

# %% active="ipynb"
# import matplotlib.pyplot as plt
#
# fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5))
# left.imshow(digits.as_image(X_train[0]), cmap="gray_r")  # the book's colour map: ink is dark
# left.set_title(pictures.title)
# right.imshow(digits.grid(X_train, GRID, GRID), cmap="gray_r")
# right.set_title(f"The first {GRID * GRID} training digits")
# for ax in (left, right):
#     ax.set_xticks([])
#     ax.set_yticks([])
# plt.show()

# %% [markdown]
# The Images tab of TensorBoard shows the same two pictures. If TensorBoard does not start inside
# the notebook, run `tfbasics tensorboard` (or `tensorboard --logdir logs/ch01_06_mnist_data`) in
# a terminal and open the address it prints.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_06_mnist_data


# %% active="py"
def load(args):
    """``((X_train, y_train), (X_test, y_test))`` uint8, as Keras' ``mnist.load_data()``."""
    if args.fake_data:
        a = mnist.fake_arrays()
        return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
    return mnist.load_data(args.data_dir)


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    add_data_flags(parser)
    parser.add_argument(
        "--index", type=int, default=0, help="training digit shown by display_digit (the book: 0)"
    )
    args = parser.parse_args(argv)
    # checked before anything is loaded or fetched: the sizes are known without the files
    n_train = sum(mnist.FAKE_SIZES[:2]) if args.fake_data else NUM_TRAIN
    if not 0 <= args.index < n_train:
        problem = f"--index must be between 0 and {n_train - 1}, got {args.index}"
    else:
        problem = logdir_problem(args.logdir)
    if problem:
        print(f"{SCRIPT}.py: error: {problem}", file=sys.stderr)
        return 2
    try:
        (X_train, y_train), (X_test, y_test) = load(args)
    except MNISTError as err:
        print(f"{SCRIPT}.py: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted while loading MNIST; no partial file was kept (a complete, verified "
            "file stays); run the script again to continue",
            file=sys.stderr,
        )
        return 130

    out = run_dir(args.logdir, SCRIPT, args.run_name)
    show_shapes(X_train, y_train, X_test, y_test)
    show_one_hot(y_train)
    save_pictures(X_train, y_train, args.index, out)
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

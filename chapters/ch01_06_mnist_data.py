"""The MNIST data: its shapes, one-hot labels, and the book's display_digit.

Loads MNIST as Keras' ``mnist.load_data()`` does (fetched and verified by ``tfbasics.data.mnist``),
prints the array shapes the book prints and the one-hot encoding of a few labels, and writes
the digit ``--index`` (the book's ``display_digit``) and a 10x10 grid of the first 100 training
digits as PNGs and as TensorBoard images into the run folder.
"""

import sys
from pathlib import Path

import numpy as np

from tfbasics import digits
from tfbasics.constants import NUM_TRAIN
from tfbasics.data import mnist
from tfbasics.data.flags import add_data_flags
from tfbasics.data.mnist_files import MNISTError
from tfbasics.runs import folders
from tfbasics.runs.folders import base_parser, run_dir
from tfbasics.runs.script_errors import script_main

SCRIPT = Path(__file__).stem
NUM_ONE_HOT = 5  # labels shown with their one-hot encoding
GRID = 10  # the grid shows GRID x GRID digits


def show_mnist(X_train, y_train, X_test, y_test, index, out):
    """The section's code: shapes, one-hot labels, ``display_digit(index)`` and the grid."""
    for name, array in (
        ("X_train", X_train),
        ("y_train", y_train),
        ("X_test", X_test),
        ("y_test", y_test),
    ):
        print(name, array.shape)
    print(f"One-hot encoding of the first {NUM_ONE_HOT} training labels:")
    for label, row in zip(y_train[:NUM_ONE_HOT], mnist.dense_to_one_hot(y_train[:NUM_ONE_HOT])):
        print(f"{label} -> {np.array2string(row, precision=0, floatmode='fixed')}")

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


def load(args):
    """``((X_train, y_train), (X_test, y_test))`` uint8, as Keras' ``mnist.load_data()``."""
    if args.fake_data:
        a = mnist.fake_arrays()
        return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
    return mnist.load_data(args.data_dir)


# ---------------------------------------------------------------- flags and errors
def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    add_data_flags(parser)
    parser.add_argument(
        "--index",
        type=int,
        default=0,
        help="training digit shown by display_digit (the book shows 0)",
    )
    args = parser.parse_args(argv)
    # checked before anything is loaded or fetched: the sizes are known without the files
    n_train = sum(mnist.FAKE_SIZES[:2]) if args.fake_data else NUM_TRAIN
    if not 0 <= args.index < n_train:
        print(
            f"error: --index must be between 0 and {n_train - 1}, got {args.index}",
            file=sys.stderr,
        )
        return 2
    problem = folders.logdir_problem(args.logdir)  # before MNIST is read or fetched
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2

    try:
        (X_train, y_train), (X_test, y_test) = load(args)
    except MNISTError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted while loading MNIST; no partial file was kept (a complete, verified "
            "file stays); run the script again to continue",
            file=sys.stderr,
        )
        return 130
    show_mnist(
        X_train, y_train, X_test, y_test, args.index, run_dir(args.logdir, SCRIPT, args.run_name)
    )
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))

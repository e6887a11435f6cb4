"""The MNIST data: its shapes, one-hot labels, and the book's display_digit.

Loads MNIST as Keras' ``mnist.load_data()`` does (fetched and verified by ``tfbasics.mnist``),
prints the array shapes the book prints and the one-hot encoding of a few labels, and writes
the digit ``--index`` (the book's ``display_digit``) and a 10x10 grid of the first 100 training
digits as PNGs and as TensorBoard images into the run folder.
"""

import sys
from pathlib import Path

import numpy as np

from tfbasics import digits, mnist
from tfbasics.runs import base_parser, run_dir

SCRIPT = Path(__file__).stem
NUM_ONE_HOT = 5  # labels shown with their one-hot encoding
GRID = 10  # the grid shows GRID x GRID digits


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    mnist.add_data_flags(parser)
    parser.add_argument(
        "--index",
        type=int,
        default=0,
        help="training digit shown by display_digit (the book shows 0)",
    )
    args = parser.parse_args(argv)

    try:
        if args.fake_data:
            a = mnist.fake_arrays()
            (X_train, y_train), (X_test, y_test) = (
                (a["x_train"], a["y_train"]),
                (a["x_test"], a["y_test"]),
            )
        else:
            (X_train, y_train), (X_test, y_test) = mnist.load_data(args.data_dir)
    except mnist.MNISTError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not 0 <= args.index < len(X_train):
        print(
            f"error: --index must be between 0 and {len(X_train) - 1}, got {args.index}",
            file=sys.stderr,
        )
        return 2

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

    out = run_dir(args.logdir, SCRIPT, args.run_name)
    digit_png = out / f"digit_{args.index}.png"
    title = digits.display_digit(X_train, y_train, args.index, digit_png)
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
            f"digit_{args.index}": digits.as_image(X_train[args.index]),
            f"first_{GRID * GRID}": digits.grid(X_train, GRID, GRID),
        },
    )
    print(
        f"Wrote {digit_png.name} and {grid_png.name} (and the same as TensorBoard images) to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

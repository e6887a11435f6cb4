"""The MNIST data in TensorFlow 2: a tf.data pipeline instead of next_batch, and image summaries.

The TensorFlow 2 twin of ch01_06_mnist_data.py. The arrays are the same; what changes is how they
reach a model: ``tf.data.Dataset.from_tensor_slices`` -> ``map(preprocess)`` (scale, flatten,
one-hot) -> ``shuffle`` -> ``batch``, iterated by a plain ``for`` loop. Writes the digit ``--index``
and the first 100 training digits as TensorBoard images and the traced ``preprocess`` graph.
"""

import sys
from pathlib import Path

import numpy as np

from tfbasics import digits
from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES
from tfbasics.data import mnist
from tfbasics.data.flags import add_data_flags
from tfbasics.data.mnist_files import MNISTError
from tfbasics.runs.folders import base_parser, run_dir
from tfbasics.runs.traces import trace_graph

SCRIPT = Path(__file__).stem + "_tf2"  # logs/ch01_06_mnist_data_tf2/<run>/
PROG = Path(__file__).name  # what its error lines start with, as argparse's
NUM_ONE_HOT = 5  # labels shown with their one-hot encoding
GRID = 10  # the grid shows GRID x GRID digits
BATCH_SIZE = 128  # the book's batch size


def make_preprocess():
    """The step from MNIST's arrays to a model's inputs, as a tf.function of a batch.

    Returns:
      preprocess(images uint8 [N, 28, 28], labels uint8 [N]) -> (features float32 [N, 784] in
      [0, 1], one-hot labels float32 [N, 10]).
    """

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, IMAGE_SIZE, IMAGE_SIZE], tf.uint8, name="images"),
            tf.TensorSpec([None], tf.uint8, name="labels"),
        ]
    )
    def preprocess(images, labels):
        pixels = tf.cast(images, tf.float32) / 255.0
        features = tf.reshape(pixels, [-1, IMAGE_PIXELS], name="features")
        onehot = tf.one_hot(tf.cast(labels, tf.int32), NUM_CLASSES, name="labels")
        return features, onehot

    return preprocess


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    add_data_flags(parser)
    parser.add_argument(
        "--index", type=int, default=0, help="training digit shown as an image (the book shows 0)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the pipeline's shuffle")
    args = parser.parse_args(argv)
    if args.index < 0:  # the upper bound needs the data
        print(f"{PROG}: error: --index must be at least 0, got {args.index}", file=sys.stderr)
        return 2

    try:
        data = mnist.read_data_sets(
            args.data_dir,
            dtype=np.uint8,
            reshape=False,
            validation_size=0,
            fake_data=args.fake_data,
        )
    except MNISTError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    X_train, y_train = data.train.images[..., 0], data.train.labels  # [N, 28, 28] uint8, [N]
    X_test, y_test = data.test.images[..., 0], data.test.labels
    if not 0 <= args.index < len(X_train):
        print(
            f"{PROG}: error: --index must be between 0 and {len(X_train) - 1}, got {args.index}",
            file=sys.stderr,
        )
        return 2
    out = run_dir(args.logdir, SCRIPT, args.run_name)
    preprocess = make_preprocess()

    for name, array in (
        ("X_train", X_train),
        ("y_train", y_train),
        ("X_test", X_test),
        ("y_test", y_test),
    ):
        print(name, array.shape)
    features, onehot = trace_graph(
        out, "preprocess", preprocess, X_train[:NUM_ONE_HOT], y_train[:NUM_ONE_HOT]
    )
    print(f"One-hot encoding of the first {NUM_ONE_HOT} training labels:")
    for label, row in zip(y_train[:NUM_ONE_HOT], onehot.numpy()):
        print(f"{label} -> {np.array2string(row, precision=0, floatmode='fixed')}")

    # TF1: batch_x, batch_y = mnist.train.next_batch(128), one call per step.
    # TF2: a Dataset describes the whole stream once; iterating it yields the batches.
    dataset = (
        tf.data.Dataset.from_tensor_slices((X_train, y_train))
        .shuffle(len(X_train), seed=args.seed)  # a new order each pass, as next_batch
        .batch(BATCH_SIZE, drop_remainder=True)  # full batches only, as next_batch
        .map(preprocess)  # one call per batch: vectorised
        .prefetch(tf.data.AUTOTUNE)  # the next batch is prepared while this one trains
    )
    batch_x, batch_y = next(iter(dataset))
    print(
        f"first batch of the pipeline: features {tuple(batch_x.shape)} {batch_x.dtype.name}, "
        f"labels {tuple(batch_y.shape)} {batch_y.dtype.name}"
    )
    print(
        f"batches per pass: {len(dataset)} (TF1: {len(X_train)} // {BATCH_SIZE} calls to next_batch)"
    )

    # TF1: summary ops in a graph, run in a session, handed to a FileWriter. TF2: one call writes
    pictures = {
        f"digit_{args.index}": digits.as_image(X_train[args.index]),
        f"first_{GRID * GRID}": digits.grid(X_train, GRID, GRID),
    }
    with tf.summary.create_file_writer(str(out)).as_default():
        for name, picture in pictures.items():
            ink_on_white = 1.0 - picture.astype(np.float32) / 255.0  # as the TF1 script's images
            tf.summary.image(name, ink_on_white[None, :, :, None], step=0)
        tf.summary.scalar("batches_per_pass", len(dataset), step=0)
    print(
        f"Digit {args.index} is a {y_train[args.index]}; wrote it, the first {GRID * GRID} digits "
        f"and the preprocess graph to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The book's Keras MLP (784-512-512-10, ReLU, dropout) reaches about 98% on MNIST.

Defaults are the book's: rmsprop, categorical cross-entropy, batch 128, 4 epochs. Unlike the
book, it validates on the first 5,000 training images and trains on the other 55,000, so the test
set is used once, at the end (``--validate-on-test`` does what the book does). The run folder gets
Keras' TensorBoard logs (train/, validation/) and the trained model, ``model.keras``;
``--load PATH`` evaluates a saved model on the test set without training.

    python chapters/ch01_09_keras_mnist_mlp.py
    python chapters/ch01_09_keras_mnist_mlp.py --load logs/ch01_09_keras_mnist_mlp/<run>/model.keras
"""

import sys
import time
from pathlib import Path

from tfbasics import mnist, runs

SCRIPT = Path(__file__).stem
MODEL_FILE = "model.keras"


def parse_args(argv):
    parser = runs.base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs", type=int, default=4, help="passes over the training set (the book's nb_epoch=4)"
    )
    parser.add_argument("--batch-size", type=int, default=128, help="examples per gradient step")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="keras.utils.set_random_seed: weights, dropout and shuffling",
    )
    parser.add_argument(
        "--validate-on-test",
        action="store_true",
        default=False,
        help="as the book: train on all 60,000 and validate on the test set",
    )
    mnist.add_data_flags(parser)
    parser.add_argument(
        "--max-examples",
        type=int,
        default=None,
        help="train on only the first this many training examples (fast runs)",
    )
    parser.add_argument(
        "--load",
        type=str,
        default=None,
        metavar="PATH",
        help="evaluate this saved .keras model on the test set; no training",
    )
    parser.add_argument(
        "--verbose",
        type=int,
        default=None,
        choices=(0, 1, 2),
        help="Keras' output while training: 0 none, 1 a progress bar per epoch, "
        "2 one line per epoch (default: 1 on a terminal, else 2)",
    )
    return parser.parse_args(argv)


def check_args(args):
    """The first problem with the flag values, as one line, or None."""
    for flag, value in (
        ("--epochs", args.epochs),
        ("--batch-size", args.batch_size),
        ("--max-examples", args.max_examples),
    ):
        if value is not None and value < 1:
            return f"{flag} must be at least 1, got {value}"
    return None


def error(message):
    print(f"{SCRIPT}: error: {message}", file=sys.stderr)
    return 1


def main(argv=None):
    args = parse_args(argv)
    problem = check_args(args)
    if problem:
        print(f"{SCRIPT}: error: {problem}", file=sys.stderr)
        return 2
    import keras

    from tfbasics import keras_models  # imports TensorFlow and Keras: after --help and the checks

    keras.utils.set_random_seed(args.seed)
    model = None
    if args.load:
        try:  # before the data: a bad path fails at once
            model = keras_models.load_model(args.load)
        except keras_models.ModelFileError as e:
            return error(e)

    validation_size = keras_models.VALIDATION_SIZE
    if args.fake_data:
        a = mnist.fake_arrays(seed=args.seed)
        train, test = (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
        validation_size = mnist.FAKE_SIZES[1]
    else:
        try:
            train, test = mnist.load_data(args.data_dir)
        except mnist.MNISTError as e:
            return error(e)
    print("X_train shape:", train[0].shape)
    print("X_test shape: ", test[0].shape)
    print("y_train shape:", train[1].shape)
    print("y_test shape: ", test[1].shape)
    data = keras_models.split_mnist(
        train,
        test,
        validate_on_test=args.validate_on_test,
        max_examples=args.max_examples,
        validation_size=validation_size,
    )

    if model is None:
        where = (
            "the test set (as the book)"
            if args.validate_on_test
            else f"the first {validation_size:,} training images"
        )
        print("Training matrix shape", data.train.x.shape)
        print("Validation matrix shape", data.validation.x.shape, "from", where)
        print("Testing matrix shape", data.test.x.shape)
        model = keras_models.compile_model(keras_models.build_model())
        run = runs.run_dir(args.logdir, SCRIPT, args.run_name)
        verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
        start = time.perf_counter()
        keras_models.train(
            model,
            data,
            epochs=args.epochs,
            batch_size=args.batch_size,
            callbacks=[keras_models.tensorboard_callback(run)],
            verbose=verbose,
        )
        seconds = time.perf_counter() - start
        model.save(run / MODEL_FILE)
        print(
            f"Trained {args.epochs} epoch(s) in {seconds:.1f} s; saved {run / MODEL_FILE}; "
            f"TensorBoard: tensorboard --logdir {args.logdir}"
        )
    else:
        print("Testing matrix shape", data.test.x.shape)
        print(f"Loaded {args.load}; evaluating without training")

    score = keras_models.evaluate(model, data.test)
    print("Test score:", score[0])
    print("Test accuracy:", score[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())

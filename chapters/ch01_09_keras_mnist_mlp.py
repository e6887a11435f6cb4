"""The book's Keras MLP (784-512-512-10, ReLU, dropout) reaches about 98% on MNIST.

Defaults are the book's: rmsprop, categorical cross-entropy, batch 128, 4 epochs. Unlike the
book, it validates on the first 5,000 training images and trains on the other 55,000, so the test
set is used once, at the end (``--validate-on-test`` does what the book does). The run folder gets
Keras' TensorBoard logs (train/, validation/), the test score (test/loss, test/accuracy, and the
run as an HParams trial) and the trained model, ``model.keras``; ``--load PATH`` evaluates a
saved model on the test set without training.

    python chapters/ch01_09_keras_mnist_mlp.py
    python chapters/ch01_09_keras_mnist_mlp.py --load logs/ch01_09_keras_mnist_mlp/<run>/model.keras
"""

import errno
import os
import sys
from pathlib import Path

from tfbasics import keras_models
from tfbasics._tf import keras
from tfbasics.data import mnist
from tfbasics.runs import folders

SCRIPT = Path(__file__).stem
MODEL_FILE = "model.keras"


def run_training(
    epochs=4,
    batch_size=128,
    seed=0,
    validate_on_test=False,
    max_examples=None,
    data_dir=None,
    fake_data=False,
    logdir=folders.DEFAULT_LOGDIR,
    run_name=None,
    verbose=1,
):
    """Train the book's MLP, print its test score, log it and save the model; return the run."""
    keras.utils.set_random_seed(seed)  # the initial weights, dropout and shuffling

    # the book: (X_train, y_train), (X_test, y_test) = mnist.load_data() from keras.datasets
    if fake_data:
        (X_train, y_train), (X_test, y_test), validation_size = fake_mnist(seed)
    else:
        (X_train, y_train), (X_test, y_test) = mnist.load_data(data_dir)
        validation_size = keras_models.VALIDATION_SIZE
    print("X_train shape:", X_train.shape)
    print("X_test shape: ", X_test.shape)
    # [n, 784] floats in [0, 1], one-hot labels (the book's np_utils is keras.utils); we validate
    # on held-out training images where the book validates on the test set
    data = keras_models.split_mnist(
        (X_train, y_train), (X_test, y_test), validate_on_test, max_examples, validation_size
    )
    print("Training matrix shape", data.train.x.shape)
    print("Validation matrix shape", data.validation.x.shape)
    print("Testing matrix shape", data.test.x.shape)

    model = keras_models.build_model()  # Dense(512) ReLU Dropout(0.2), twice; Dense(10) softmax
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])

    run = folders.run_dir(logdir, SCRIPT, run_name)
    model.fit(
        data.train.x,
        data.train.y,
        batch_size=batch_size,
        epochs=epochs,  # the book's nb_epoch (Keras 1)
        verbose=verbose,
        validation_data=(data.validation.x, data.validation.y),  # the book: (X_test, Y_test)
        # Ctrl-C stops between two steps: inside a step it can crash TensorFlow
        callbacks=[keras_models.TensorBoard(run), keras_models.CtrlCBetweenSteps()],
    )
    score = model.evaluate(data.test.x, data.test.y, verbose=0)
    print(f"Test score: {score[0]:.4f}")
    print(f"Test accuracy: {score[1]:.4f}")

    hparams = {
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": seed,
        "validate_on_test": validate_on_test,
        "train_examples": len(data.train.x),
    }
    keras_models.write_test_scores(run, *score, hparams=hparams, step=epochs - 1)
    keras_models.save_model(model, run / MODEL_FILE)  # via a temporary file: never half a model
    print(f"Saved {run / MODEL_FILE}; view the logs with: {folders.view_command(logdir)}")
    return run


def evaluate_saved(path, data_dir=None, fake_data=False, seed=0):
    """``--load``: the test score of a saved model, without training or writing anything."""
    model = keras_models.load_model(path)  # before the data: a bad path fails at once
    if fake_data:
        _, (X_test, y_test), _ = fake_mnist(seed)
    else:
        _, (X_test, y_test) = mnist.load_data(data_dir)
    test = keras_models.prepare(X_test, y_test)
    print("Testing matrix shape", test.x.shape)
    print(f"Loaded {path}; evaluating without training")
    score = model.evaluate(test.x, test.y, verbose=0)
    print(f"Test score: {score[0]:.4f}")
    print(f"Test accuracy: {score[1]:.4f}")


def fake_mnist(seed):
    """``--fake-data``: generated digits shaped as ``load_data()``'s, and their validation size."""
    a = mnist.fake_arrays(seed=seed)
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"]), mnist.FAKE_SIZES[1]


# ------------------------------------------------------------------ command line
MAX_SEED = 2**32 - 1  # keras.utils.set_random_seed hands the seed to NumPy, which takes 0..2**32-1


def parse_args(argv):
    parser = folders.base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs", type=int, default=4, help="passes over the training set (the book's nb_epoch=4)"
    )
    parser.add_argument("--batch-size", type=int, default=128, help="examples per gradient step")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help=f"keras.utils.set_random_seed (0 to {MAX_SEED}): weights, dropout and shuffling",
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
    if not 0 <= args.seed <= MAX_SEED:
        return f"--seed must be between 0 and {MAX_SEED}, got {args.seed}"
    if args.load is None:  # --load writes nothing
        return folders.logdir_problem(args.logdir)
    return None


def os_error_line(e):
    """One line for a disk or folder problem while writing: the file, what, what to do."""
    where = f"{e.filename}: " if e.filename else ""
    what = e.strerror or os.strerror(e.errno or 0)
    full = e.errno in (errno.ENOSPC, errno.EDQUOT)
    todo = "free some space and run again" if full else "pass a --logdir you can write to"
    return f"{where}{what}; {todo}"


def error(message):
    print(f"{SCRIPT}: error: {message}", file=sys.stderr)
    return 1


def main(argv=None):
    args = parse_args(argv)
    problem = check_args(args)
    if problem:
        print(f"{SCRIPT}: error: {problem}", file=sys.stderr)
        return 2
    try:
        if args.load:
            evaluate_saved(args.load, args.data_dir, args.fake_data, args.seed)
        else:
            verbose = args.verbose if args.verbose is not None else 1 if sys.stdout.isatty() else 2
            run_training(
                epochs=args.epochs,
                batch_size=args.batch_size,
                seed=args.seed,
                validate_on_test=args.validate_on_test,
                max_examples=args.max_examples,
                data_dir=args.data_dir,
                fake_data=args.fake_data,
                logdir=args.logdir,
                run_name=args.run_name,
                verbose=verbose,
            )
    except (mnist.MNISTError, keras_models.ModelFileError) as e:
        return error(e)
    except OSError as e:  # a read-only or full disk; save_model leaves no half model.keras
        return error(os_error_line(e))
    except KeyboardInterrupt:
        kept = (
            "nothing was written"
            if args.load
            else f"no model saved; the TensorBoard logs of finished epochs stay under "
            f"{Path(args.logdir) / SCRIPT}; run again to train"
        )
        print(f"\n{SCRIPT}: interrupted; {kept}", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(folders.script_main(main))

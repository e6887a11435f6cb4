"""The book's Keras MLP (784-512-512-10, ReLU, dropout) reaches about 98% on MNIST.

Defaults are the book's (rmsprop, batch 128, 4 epochs), but it validates on 5,000 held-out
training images, not on the test set. The run folder gets Keras' TensorBoard logs, the test
score and ``model.keras``; ``--load PATH`` evaluates a saved model. ``--help`` lists the flags.
"""

import sys
from functools import partial
from pathlib import Path
from typing import NamedTuple

from tfbasics import keras_models
from tfbasics._tf import keras
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES, VALIDATION_SIZE
from tfbasics.data import mnist
from tfbasics.data.flags import add_data_flags
from tfbasics.data.mnist_files import MNISTError
from tfbasics.runs import folders, keras_runs
from tfbasics.runs.script_errors import script_main

HIDDEN_UNITS = 512  # both hidden layers of the book's MLP
DROPOUT_RATE = 0.2  # the book's dropout after each hidden layer
SCRIPT = "ch01_09_keras_mnist_mlp"  # its run folders: logs/ch01_09_keras_mnist_mlp/<run>/
MODEL_FILE = "model.keras"  # the trained model, in the run folder

# %% [markdown]
# # 1.9 Handwritten digits with a Keras MLP
#
# Section 8 showed that Keras works out every shape from the input. Here the same `Sequential`
# idea becomes a classifier: 784 pixels in, two hidden layers of 512 ReLU units with dropout,
# 10 softmax probabilities out. The model, below, is the book's, written out layer by layer.


# %%
def build_model():
    """The book's MNIST MLP (uncompiled).

    Returns:
      keras.Sequential mapping float32 [batch, 784] -> softmax probabilities [batch, 10]:
      Dense(512), ReLU, Dropout(0.2), Dense(512), ReLU, Dropout(0.2), Dense(10), softmax;
      401,920 + 262,656 + 5,130 = 669,706 parameters.
    """
    # the book imports these from keras.layers.core (Keras 1/2); the names are the ones Keras 3
    # gives in a fresh process, so every run prints the same summary
    model = keras.Sequential(name="mnist_mlp")
    # the book's Dense(512, input_shape=(784,)) is Keras 2; Keras 3 warns, so: Input first
    model.add(keras.Input(shape=(IMAGE_PIXELS,), name="pixels"))
    model.add(keras.layers.Dense(HIDDEN_UNITS, name="dense"))
    model.add(keras.layers.Activation("relu", name="activation"))
    model.add(keras.layers.Dropout(DROPOUT_RATE, name="dropout"))  # training only
    model.add(keras.layers.Dense(HIDDEN_UNITS, name="dense_1"))
    model.add(keras.layers.Activation("relu", name="activation_1"))
    model.add(keras.layers.Dropout(DROPOUT_RATE, name="dropout_1"))
    model.add(keras.layers.Dense(NUM_CLASSES, name="dense_2"))
    model.add(keras.layers.Activation("softmax", name="activation_2"))
    return model


# %% active="ipynb"
# build_model().summary()


# %% [markdown]
# ## Training
#
# The book flattens each 28x28 image to 784 numbers in [0, 1] and one-hot encodes the labels.
# `compile` then fixes what training minimises (cross-entropy against the one-hot labels), how
# (RMSprop) and what it reports (accuracy); `fit` trains and `evaluate` scores the test set.
# One change: the book watches the *test* set while training (`validation_data`). We hold out
# the first 5,000 training images for that, so the test set is used once, at the end
# (`validate_on_test=True` does what the book does).


# %%
class Trained(NamedTuple):
    """What a training run leaves: its folder, Keras' history and the test score."""

    run: Path  # the run folder, with the TensorBoard logs and model.keras
    history: dict  # per-epoch lists: "loss", "accuracy", "val_loss", "val_accuracy"
    test_loss: float
    test_accuracy: float


def compile_model(model):
    """Compile ``model`` as the book does: rmsprop, categorical_crossentropy, accuracy.

    Args:
      model: keras.Model whose output is softmax probabilities [batch, NUM_CLASSES].
    Returns:
      the same model, compiled.
    """
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model


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
    """Train the book's MLP, print its test score, log it and save the model.

    Args:
      epochs, batch_size: int, the book's nb_epoch=4 and batch_size=128.
      seed: int, for ``keras.utils.set_random_seed`` (weights, dropout, shuffling).
      validate_on_test: bool, validate on the test set as the book does.
      max_examples: int or None, train on only the first this many images (fast runs).
      data_dir, fake_data: where MNIST is; fake_data uses generated digits (no files).
      logdir, run_name: the run folder is ``<logdir>/ch01_09_keras_mnist_mlp/<run_name>``.
      verbose: Keras' 0 (quiet), 1 (a progress bar) or 2 (one line per epoch).
    Returns:
      Trained.
    """
    keras.utils.set_random_seed(seed)  # the initial weights, dropout and shuffling

    # the book: (X_train, y_train), (X_test, y_test) = mnist.load_data() from keras.datasets
    if fake_data:
        (X_train, y_train), (X_test, y_test), validation_size = fake_mnist(seed)
    else:
        (X_train, y_train), (X_test, y_test) = mnist.load_data(data_dir)
        validation_size = VALIDATION_SIZE
    print("X_train shape:", X_train.shape)
    print("X_test shape: ", X_test.shape)
    # [n, 784] floats in [0, 1], one-hot labels (the book's np_utils is keras.utils)
    data = keras_models.split_mnist(
        (X_train, y_train), (X_test, y_test), validate_on_test, max_examples, validation_size
    )
    print("Training matrix shape", data.train.x.shape)
    print("Validation matrix shape", data.validation.x.shape)
    print("Testing matrix shape", data.test.x.shape)

    model = compile_model(build_model())

    run = folders.run_dir(logdir, SCRIPT, run_name)
    history = model.fit(
        data.train.x,
        data.train.y,
        batch_size=batch_size,
        epochs=epochs,  # the book's nb_epoch (Keras 1)
        verbose=verbose,
        validation_data=(data.validation.x, data.validation.y),  # the book: (X_test, Y_test)
        # Ctrl-C stops between two steps: inside a step it can crash TensorFlow
        callbacks=[keras_runs.tensorboard(run), keras_runs.ctrl_c_between_steps()],
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
    keras_runs.write_test_scores(run, *score, hparams=hparams, step=epochs - 1)
    keras_runs.save_model(model, run / MODEL_FILE)  # via a temporary file: never half a model
    print(f"Saved {run / MODEL_FILE}; view the logs with: {folders.view_command(logdir)}")
    return Trained(run, history.history, *score)


def fake_mnist(seed):
    """``--fake-data``: generated digits shaped as ``load_data()``'s, and their validation size."""
    a = mnist.fake_arrays(seed=seed)
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"]), mnist.FAKE_SIZES[1]


# %% [markdown]
# Four epochs as in the book, about a minute on two CPU cores. Expect a test accuracy near 0.98.

# %% active="ipynb"
# trained = run_training(epochs=4, verbose=2)

# %% [markdown]
# Accuracy per epoch. The training number is measured with dropout on, averaged over an epoch
# in which the weights kept improving; the validation number uses the weights at the end of the
# epoch with dropout off. That is why the validation curve can start above the training one.

# %% active="ipynb"
# import matplotlib.pyplot as plt
#
# epochs = range(1, len(trained.history["accuracy"]) + 1)
# plt.plot(epochs, trained.history["accuracy"], "o-", label="training (dropout on)")
# plt.plot(epochs, trained.history["val_accuracy"], "o-", label="validation")
# plt.xlabel("epoch")
# plt.ylabel("accuracy")
# plt.xticks(list(epochs))
# plt.legend()
# plt.show()

# %% [markdown]
# The run's TensorBoard logs: loss and accuracy per epoch (Scalars), the weights (Histograms),
# the test score once at the end and the run as an HParams trial. If TensorBoard does not start
# here, run `tfbasics tensorboard` (or `tensorboard --logdir logs/ch01_09_keras_mnist_mlp`) in a
# terminal and open the address it prints.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_09_keras_mnist_mlp

# %% [markdown]
# ## A saved model
#
# The run folder keeps the trained model as `model.keras`. Loaded back, it gives the same test
# score without any training.


# %%
def evaluate_saved(path, data_dir=None, fake_data=False, seed=0):
    """The test score of a saved model, without training or writing anything.

    Args:
      path: str or Path of a ``.keras`` file saved by ``run_training``.
      data_dir, fake_data, seed: the test images, as for ``run_training``.
    Returns:
      (test loss, test accuracy), floats.
    """
    model = keras_runs.load_model(path)  # before the data: a bad path fails at once
    if not model.compiled:  # saved before compile
        compile_model(model)
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
    return score


# %% active="ipynb"
# test_loss, test_accuracy = evaluate_saved(trained.run / MODEL_FILE)

# %% active="py"
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
    add_data_flags(parser)
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
    args = parser.parse_args(argv)
    if args.verbose is None:
        args.verbose = 1 if sys.stdout.isatty() else 2
    return args


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


def main(argv=None):
    args = parse_args(argv)
    if args.load:  # evaluate a saved model: nothing is trained or written
        work = partial(evaluate_saved, args.load, args.data_dir, args.fake_data, args.seed)
        kept = "nothing was written"
    else:  # every other flag is an argument of run_training
        work = partial(run_training, **{k: v for k, v in vars(args).items() if k != "load"})
        kept = keras_runs.interrupted_training(Path(args.logdir) / SCRIPT)
    return keras_runs.run_guarded(SCRIPT, check_args(args), work, (MNISTError,), kept)


if __name__ == "__main__":
    sys.exit(script_main(main))

"""A Keras run's machinery: ``fit``'s callbacks, the test score, model files, one-line errors.

- ``tensorboard(path)``: Keras' TensorBoard callback minus two logs that mislead here.
- ``ctrl_c_between_steps()``: a callback that lets Ctrl-C stop ``fit`` between two batches.
- ``write_test_scores()``: the test score and the run's hyperparameters, once, at the end.
- ``save_model()``: ``model.save`` through a temporary file; ``load_model()``: a saved MLP, or
  ``ModelFileError`` saying why not.
- ``run_guarded()``: a lesson's work, with a bad flag, missing data, a bad model file, a full or
  read-only disk and Ctrl-C each one line on stderr and an exit status.

The callbacks get their Keras base class when first made, so importing this module imports
neither TensorFlow nor Keras.
"""

import errno
import functools
import os
import signal
import sys
import threading
import zipfile
from pathlib import Path

from tfbasics._tf import keras, tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES
from tfbasics.runs import atomic
from tfbasics.runs.script_errors import EXIT_FAILED, EXIT_INTERRUPTED

EXIT_BAD_FLAG = 2  # as argparse exits for a flag it cannot parse


class ModelFileError(Exception):
    """A ``--load`` path that is missing, not a Keras model file, or not the MNIST MLP."""


# ------------------------------------------------------------------ callbacks
@functools.cache
def _keras_callback(mixin, base):
    """``mixin`` on top of ``keras.callbacks.<base>``, made once (the first use imports Keras)."""
    return type(mixin.__name__.lstrip("_"), (mixin, getattr(keras.callbacks, base)), {})


class _TensorBoard:
    """Keras' TensorBoard callback, without two logs that mislead in this chapter.

    It writes ``<run>/train/`` (per-epoch ``epoch_loss``, ``epoch_accuracy``, weight histograms,
    the training graph) and ``<run>/validation/`` (per-epoch ``epoch_loss``, ``epoch_accuracy``).
    Left out: ``evaluation_<metric>_vs_iterations`` (the validation numbers again, on a step axis,
    easy to take for the test score) and ``epoch_learning_rate`` (rmsprop's constant 0.001, a
    flat line). The test score is ``write_test_scores``'s, written once at the end.
    """

    def on_test_end(self, logs=None):
        self._pop_writer()  # Keras writes evaluation_*_vs_iterations here first

    def _collect_learning_rate(self, logs):
        return logs  # Keras adds the learning rate to the epoch logs here


def tensorboard(path):
    """The TensorBoard callback of a run (see ``_TensorBoard``): logs under run folder ``path``."""
    return _keras_callback(_TensorBoard, "TensorBoard")(log_dir=str(path), histogram_freq=1)


class _CtrlCBetweenSteps:
    """Ctrl-C during ``fit`` takes effect between two batches, as a KeyboardInterrupt there.

    A SIGINT that lands while TensorFlow runs a Keras step can corrupt its memory: the process
    then dies with ``free(): invalid next size`` (seen in 3 of 6 interrupted runs here) before
    any message. With this callback the first Ctrl-C only sets a flag, which is checked after
    each training and validation batch; a second Ctrl-C interrupts at once.
    """

    def __init__(self):
        super().__init__()
        self._pressed = False
        self._previous = None

    def _on_sigint(self, signum, frame):
        if self._pressed:  # the second Ctrl-C: do not wait
            raise KeyboardInterrupt
        self._pressed = True

    def _restore(self):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _check(self, *args, **kwargs):
        if self._pressed:
            self._pressed = False
            self._restore()
            raise KeyboardInterrupt

    def on_train_begin(self, logs=None):
        if threading.current_thread() is threading.main_thread():  # signals go to the main thread
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)

    def on_train_end(self, logs=None):
        self._restore()

    on_train_batch_end = on_test_batch_end = on_epoch_end = _check


def ctrl_c_between_steps():
    """A Keras callback: Ctrl-C stops ``fit`` between two batches (see ``_CtrlCBetweenSteps``)."""
    return _keras_callback(_CtrlCBetweenSteps, "Callback")()


def write_test_scores(path, loss, accuracy, hparams, step):
    """Log the test score once, and the run as a TensorBoard HParams trial named by its folder.

    Writes scalars ``test/loss`` and ``test/accuracy`` to run folder ``path`` (beside Keras'
    ``train/`` and ``validation/``). The HParams tab lists the run with ``hparams`` as columns and
    every scalar of the run as metrics (last value): ``test/loss``, ``test/accuracy`` and the
    train and validation ``epoch_loss``, ``epoch_accuracy``.

    Args:
      path: str or Path, the run folder.
      loss, accuracy: floats, ``model.evaluate`` on the test set.
      hparams: dict of str -> bool, int, float or str (epochs, batch size, seed, ...).
      step: int, the x position of the two points (the last epoch's, so they line up).
    """
    from tensorboard.plugins.hparams import api as hp

    writer = tf.summary.create_file_writer(str(path))
    with writer.as_default():
        tf.summary.scalar("test/loss", loss, step=step)
        tf.summary.scalar("test/accuracy", accuracy, step=step)
        hp.hparams(hparams, trial_id=Path(path).name)
    writer.close()


# ------------------------------------------------------------------ model files
def save_model(model, path):
    """``model.save(path)`` through a temporary ``.keras`` file in the same folder, then rename.

    A full disk or an interrupt leaves no file under ``path`` (an existing one stays as it was)
    and no temporary file either: ``tfbasics.runs.atomic.atomic_path``, since Keras writes the file
    itself, to a name ending in ``.keras``.

    Args:
      model: keras.Model.
      path: str or Path ending in ``.keras``.
    Returns:
      Path written.
    Raises:
      OSError: the file could not be written; its ``filename`` is ``path``.
    """
    with atomic.atomic_path(path) as tmp:  # tmp ends in .keras too, as Keras insists
        model.save(tmp)
    return Path(path)


def load_model(path):
    """Load an MLP saved with ``model.save(path)`` (Keras 3 ``.keras`` format).

    Args:
      path: str or Path of a ``.keras`` file.
    Returns:
      keras.Model, [batch, 784] -> [batch, 10]; compiled if it was saved compiled.
    Raises:
      ModelFileError: the file is missing, is not a ``.keras`` archive Keras can read, or holds
        a model with other input or output sizes. The message is one line.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no saved model at {path}")
    if not zipfile.is_zipfile(path):  # Keras would call a corrupt file "File not found"
        raise ModelFileError(f"{path} is not a Keras .keras model file (not a zip archive)")
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # Keras raises ValueError, KeyError, OSError ... for bad archives
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ModelFileError(f"cannot load a Keras model from {path}: {first_line}") from error
    expected = ((None, IMAGE_PIXELS), (None, NUM_CLASSES))
    if (tuple(model.input_shape), tuple(model.output_shape)) != expected:
        raise ModelFileError(
            f"{path} holds a model for inputs {tuple(model.input_shape)} and "
            f"outputs {tuple(model.output_shape)}, not the MNIST MLP "
            f"(None, {IMAGE_PIXELS}) -> (None, {NUM_CLASSES})"
        )
    return model


# ------------------------------------------------------------------ one-line errors
def os_error_line(e):
    """One line for a disk or folder problem while writing: the file, what, what to do."""
    where = f"{e.filename}: " if e.filename else ""
    what = e.strerror or os.strerror(e.errno or 0)
    full = e.errno in (errno.ENOSPC, errno.EDQUOT)
    todo = "free some space and run again" if full else "pass a --logdir you can write to"
    return f"{where}{what}; {todo}"


def interrupted_training(logs):
    """What an interrupted training keeps (str): its TensorBoard logs under ``logs``, no model."""
    return (
        f"no model saved; the TensorBoard logs of finished epochs stay under {logs}; "
        "run again to train"
    )


def _error(script, message, code=EXIT_FAILED):
    print(f"{script}.py: error: {message}", file=sys.stderr)  # the lesson's file, as argparse
    return code


def run_guarded(script, problem, work, expected=(), interrupted=None):
    """Run a lesson's ``work()``; each problem its user can fix is one line on stderr.

    Args:
      script: str, the lesson's name; each line starts with its file's name, as argparse's
        and ``script_main``'s do (``ch01_09_keras_mnist_mlp.py: error: ...``).
      problem: str or None, what is wrong with the flags: said, and nothing is run.
      work: callable without arguments, the run.
      expected: tuple of exception classes whose message is the line (``mnist_files.MNISTError``);
        ``ModelFileError`` always is.
      interrupted: str, what Ctrl-C keeps (``<script>.py: interrupted; <this>``); None: Ctrl-C is
        left to ``script_main``, which names the run folders made.
    Returns:
      int exit status: 0 done; 2 a bad flag; 1 a data, model-file or disk problem; 130 Ctrl-C.
    """
    if problem:
        return _error(script, problem, EXIT_BAD_FLAG)
    try:
        work()
    except (ModelFileError, *expected) as e:
        return _error(script, e)
    except OSError as e:  # a read-only or full disk; save_model leaves no half model.keras
        return _error(script, os_error_line(e))
    except KeyboardInterrupt:
        if interrupted is None:
            raise
        print(f"\n{script}.py: interrupted; {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0

"""What the section-7 loops record at the end of each epoch and of the run.

``end_epoch``: the epoch's numbers in the history, its checkpoint (if all its steps ran) and its
TensorBoard summaries. ``end_run``: the final metrics (TensorBoard's HParams tab), the two PNGs
(``weight_templates.png``, ``curves.png``) and the ``TrainResult`` a caller or a test reads.
Both loops of section 7 (``run_training`` and ``run_training_in_graph``) call these two.
"""

from typing import NamedTuple

import numpy as np

from tfbasics import regression_plots
from tfbasics.runs.run_records import EpochResult


class TrainResult(NamedTuple):
    """What a training function returns.

    Attributes:
      epochs: list of run_records.EpochResult (a resumed run's earlier epochs included).
      test_accuracy, test_loss: float; steps: int, the global step at the end.
      weights: float32 [IMAGE_PIXELS, NUM_CLASSES]; biases: float32 [NUM_CLASSES].
    """

    epochs: list
    test_accuracy: float
    test_loss: float
    steps: int
    weights: np.ndarray
    biases: np.ndarray


def end_epoch(sess, ckpt, log, result, full, variables):
    """Record an epoch: history, a checkpoint if all its steps ran, TensorBoard summaries.

    Args:
      sess: the Session; ckpt: checkpoints.Checkpoints; log: run_summaries.RunSummaries;
      result: EpochResult; full: bool, all the epoch's steps ran; variables: [weights, biases].
    """
    weights, biases = sess.run(variables)
    ckpt.end_epoch(sess, result, full)
    log.epoch(result, weights, biases)


def end_run(sess, ckpt, log, step, test_accuracy, test_loss, variables):
    """The final metrics (HParams) and the two PNGs; returns the TrainResult."""
    weights, biases = sess.run(variables)
    last = ckpt.history[-1] if ckpt.history else EpochResult(0, step, float("nan"))
    log.final(
        step,
        {
            "train_accuracy": last.train_accuracy,
            "validation_accuracy": last.validation_accuracy,
            "test_accuracy": test_accuracy,
            "train_loss": last.train_loss,
            "validation_loss": last.validation_loss,
            "test_loss": test_loss,
        },
    )
    regression_plots.save_weight_templates(ckpt.run_dir / "weight_templates.png", weights)
    regression_plots.save_curves(ckpt.run_dir / "curves.png", ckpt.history)
    return TrainResult(ckpt.history, float(test_accuracy), float(test_loss), step, weights, biases)

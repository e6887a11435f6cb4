"""Checkpoints and ``--resume``: every rule about continuing a run lives here.

A run folder ``<logdir>/<script>/<run>/`` holds, besides its TensorBoard events:

- ``hparams.json``: the hyperparameters it was started with (its seed included);
- ``model.ckpt-N.*`` after every full epoch N (``tf.compat.v1.train.Saver``: the variables the
  caller lists, the global step among them) and TensorFlow's ``checkpoint`` index;
- ``history.json``: the epochs' numbers, so a resumed run draws its curves from epoch 1.

The rules: ``open_run`` claims a new folder, or for ``--resume`` finds the run (by name, or the
newest with a checkpoint) and refuses other values of the hyperparameters in ``KEPT`` (else the
run would not continue the same training); ``Checkpoints.restore`` fails with one line, never
silently starting afresh, if the checkpoint is missing or unreadable. Checkpoints are found
relative to the run folder.
"""

import dataclasses
import json
import logging
from pathlib import Path

from tfbasics._tf import tf
from tfbasics.idx import atomic_write
from tfbasics.runs import run_dir

v1 = tf.compat.v1

HPARAMS_FILE = "hparams.json"
HISTORY_FILE = "history.json"
CHECKPOINT_NAME = "model.ckpt"
# a resumed run must keep these, or it would not continue the same run
KEPT = ("learning_rate", "batch_size", "init", "loss", "seed")


class ResumeError(Exception):
    """``--resume`` cannot continue: no such run, or other hyperparameters (a usage error)."""


class CheckpointError(Exception):
    """A checkpoint to resume from is missing or cannot be read."""


def _write(path, text):
    atomic_write(path, [text.encode()])  # a temporary name in the same folder, then rename


def _newest_run(script_dir):
    runs = [p.parent for p in script_dir.glob("*/checkpoint")]
    if not runs:
        raise ResumeError(f"--resume: no run with a checkpoint under {script_dir}")
    return max(runs, key=lambda p: (p / "checkpoint").stat().st_mtime)


def open_run(logdir, script, run_name, hparams, resume=False):
    """The run folder to write to, and the hyperparameters to train with.

    Args:
      logdir: str/Path, the TensorBoard root; script: str, the script's name.
      run_name: str or None (a timestamp; for ``resume``: the newest run with a checkpoint).
      hparams: dict of this invocation's hyperparameters; ``seed`` None means "not given".
      resume: bool, continue an existing run.
    Returns:
      (Path of the run folder, dict of hyperparameters: for a resumed run its saved seed, if
      none was given).
    Raises:
      ResumeError: no such run, its hparams.json unreadable, or a value in KEPT differs.
    """
    if not resume:
        out = run_dir(logdir, script, run_name)
        _write(out / HPARAMS_FILE, json.dumps(hparams, indent=1))
        return out, hparams
    script_dir = Path(logdir) / script
    out = script_dir / run_name if run_name else _newest_run(script_dir)
    if not out.is_dir():
        raise ResumeError(f"--resume: no run folder {out}")
    try:
        saved = json.loads((out / HPARAMS_FILE).read_text())
    except (OSError, ValueError) as e:
        raise ResumeError(f"--resume: cannot read {out / HPARAMS_FILE} ({e})") from None
    if hparams.get("seed") is None:
        hparams = dict(hparams, seed=saved.get("seed"))
    for name in KEPT:
        if saved.get(name) != hparams.get(name):
            flag = "--" + name.replace("_", "-")
            raise ResumeError(
                f"--resume: run {out} was trained with {flag} {saved.get(name)}, "
                f"not {hparams.get(name)}; resume with the same flags"
            )
    return out, hparams


@dataclasses.dataclass
class EpochResult:
    """What one epoch gave: the book's ``cost`` (mean loss of its steps), then accuracy and loss
    on the whole training and validation sets after it; ``step`` is the global step at its end."""

    epoch: int
    step: int
    cost: float
    train_accuracy: float | None = None
    train_loss: float | None = None
    validation_accuracy: float | None = None
    validation_loss: float | None = None

    def __post_init__(self):  # NumPy scalars from sess.run become plain numbers (JSON)
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None:
                setattr(self, field.name, (int if field.type is int else float)(value))


class Checkpoints:
    """The run folder's checkpoints and history. Make it while building the graph.

    Args:
      run_dir: str/Path, the run folder.
      var_list: the variables to save (weights, biases and the global step).
    """

    def __init__(self, run_dir, var_list):
        self.run_dir = Path(run_dir)
        # keep every checkpoint (31 KB each): pruning old ones logs a deprecation warning
        self.saver = v1.train.Saver(var_list, max_to_keep=None, save_relative_paths=True)
        self.history = []

    def restore(self, sess, resume):
        """Restore the last checkpoint if ``resume``; return the global step to continue from.

        Raises:
          CheckpointError: ``resume`` but no readable checkpoint.
        """
        if not resume:
            return 0
        path = self._latest()
        try:
            self.saver.restore(sess, path)
        except (tf.errors.OpError, ValueError) as e:
            reason = (getattr(e, "message", None) or str(e)).strip().splitlines()[0]
            raise CheckpointError(
                f"cannot read checkpoint {path}: {reason}; delete the run folder "
                "or start a new run without --resume"
            ) from None
        step = int(sess.run(v1.train.get_global_step(sess.graph)))
        self.history = self._load_history(step)
        return step

    def _latest(self):
        logger = tf.get_logger()
        level = logger.level
        logger.setLevel(logging.ERROR)  # we say it in one line below, not in TF's two warnings
        try:
            path = v1.train.latest_checkpoint(str(self.run_dir))
        except Exception as e:  # an unreadable `checkpoint` index file
            path, reason = None, f" ({type(e).__name__}: {str(e).splitlines()[0]})"
        else:
            reason = ""
        finally:
            logger.setLevel(level)
        index = self.run_dir / "checkpoint"
        if path is None and index.exists():
            raise CheckpointError(
                f"cannot read checkpoint: {index} is not a readable checkpoint "
                f"index or names checkpoint files that are missing{reason}; "
                "delete the run folder or start a new run without --resume"
            )
        if path is None:
            raise CheckpointError(f"no checkpoint to resume from in {self.run_dir}")
        return path

    def _load_history(self, step):
        path = self.run_dir / HISTORY_FILE
        if not path.is_file():
            return []
        return [EpochResult(**row) for row in json.loads(path.read_text()) if row["step"] <= step]

    def end_epoch(self, sess, result, full):
        """Record an epoch; if ``full`` (all its steps ran), checkpoint it and save the history."""
        self.history.append(result)
        if not full:
            return
        self.saver.save(
            sess,
            str(self.run_dir / CHECKPOINT_NAME),
            global_step=result.epoch,
            write_meta_graph=False,
        )
        _write(
            self.run_dir / HISTORY_FILE,
            json.dumps([dataclasses.asdict(e) for e in self.history], indent=1),
        )

"""A run folder's records and the rules of ``--resume``: one home for both training lessons.

A run folder ``<logdir>/<script>/<run>/`` of a training lesson (ch01_07 and its TF2 twin) holds:

- ``hparams.json``: the hyperparameters it was started with (its seed included), the run's id
  (``run_id``, a random hex string), the data it trains on (``data``: ``source`` MNIST or fake,
  and the ``train``/``validation``/``test`` sizes) and, once the NaN guard stopped it, ``stopped``;
- ``history.json``: the epochs' numbers, so a resumed run draws its curves from epoch 1;
- its checkpoints (``tfbasics.runs.checkpoints`` for the TF1 lesson, ``tf.train.Checkpoint``
  for the twin), with an index file whose presence makes the run resumable.

``open_run`` claims a new folder, or for ``--resume`` finds the run (by name, or the newest
resumable one: with a checkpoint, not stopped) and refuses, in one line, a stopped run, other
data, or other values of the hyperparameters in ``KEPT`` (else the run would not continue the
same training), and a damaged ``hparams.json``/``history.json``.
"""

import dataclasses
import json
import uuid
from pathlib import Path

from tfbasics.runs import run_files, run_lock
from tfbasics.runs.atomic import atomic_write_text
from tfbasics.runs.folders import run_dir

HPARAMS_FILE = "hparams.json"
HISTORY_FILE = "history.json"
INDEX_FILE = "checkpoint"  # TensorFlow's checkpoint index, in the folder of the checkpoints
# a resumed run must keep these, or it would not continue the same run
KEPT = ("learning_rate", "batch_size", "init", "loss", "seed")


class ResumeError(Exception):
    """``--resume`` cannot continue: no such run, other hyperparameters or data (a usage error)."""


class CheckpointError(Exception):
    """A checkpoint or a run file to resume from is missing, damaged or not this run's."""


def data_record(data, fake_data):
    """What ``hparams.json`` records of the data: source and sizes (a dict).

    Args:
      data: mnist.Datasets (train, validation, test); fake_data: bool, ``--fake-data``.
    """
    return {
        "source": "fake" if fake_data else "MNIST",
        "train": data.train.num_examples,
        "validation": data.validation.num_examples,
        "test": data.test.num_examples,
    }


def _describe_data(record):
    source = "fake data (--fake-data)" if record.get("source") == "fake" else "MNIST"
    sizes = "/".join(str(record.get(k)) for k in ("train", "validation", "test"))
    return f"{source}, {sizes} train/validation/test examples"


def read_hparams(out):
    """The run's ``hparams.json`` as a dict; CheckpointError (one line naming it) if damaged."""
    path = Path(out) / HPARAMS_FILE
    try:
        if path.stat().st_size > run_files.MAX_HPARAMS_BYTES:
            raise CheckpointError(
                f"{path} is {path.stat().st_size} bytes, not a run's hyperparameters (a few "
                "hundred); put back the run's own copy, or start a new run without --resume"
            )
        saved = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(
            f"{path} is missing: it records the run's seed and hyperparameters, so the run "
            "cannot be resumed; start a new run without --resume"
        ) from None
    except (OSError, ValueError) as e:
        raise CheckpointError(
            f"cannot read {path} ({e}); put back the run's own copy, or start a new run "
            "without --resume"
        ) from None
    if not isinstance(saved, dict):
        raise CheckpointError(
            f"{path} holds {type(saved).__name__} {json.dumps(saved)[:40]}, not the run's "
            "hyperparameters (a JSON object); put back the run's own copy, or start a new run "
            "without --resume"
        )
    data = saved.get("data") if isinstance(saved.get("data"), dict) else {}
    problem = run_files.wrong_field(
        saved, run_files.HPARAMS_TYPES, nullable=("seed", "data")
    ) or run_files.wrong_field(data, run_files.DATA_TYPES, prefix="data.")
    if problem:
        raise CheckpointError(
            f"{path}: {problem}; put back the run's own copy, or start a new run without --resume"
        )
    return saved


def is_stopped(out):
    """True if the run ``out`` was stopped for good (the NaN guard): not offered to --resume."""
    try:
        return bool(read_hparams(out).get("stopped"))
    except CheckpointError:
        return False


def mark_stopped(out, why):
    """Record in ``out/hparams.json`` that the run was stopped (``why``: str): --resume refuses
    it and does not pick it as the newest run. Returns True if the mark was written."""
    path = Path(out) / HPARAMS_FILE
    try:
        saved = json.loads(path.read_text())
        if not isinstance(saved, dict):
            return False
        run_lock.hold(out)  # a no-op in the run that holds it; shared files only under the lock
        atomic_write_text(path, json.dumps(dict(saved, stopped=why), indent=1))
    except (OSError, ValueError, run_lock.RunLocked):
        return False
    return True


def _newest_run(script_dir, index):
    runs = [
        p.parents[len(Path(index).parts) - 1]
        for p in script_dir.glob(f"*/{index}")
        if p.is_file() and not is_stopped(p.parents[len(Path(index).parts) - 1])
    ]
    if not runs:
        raise ResumeError(
            f"--resume: no resumable run under {script_dir} (none with a checkpoint that was "
            "not stopped); start a new run without --resume"
        )
    return max(runs, key=lambda p: (p / index).stat().st_mtime)


def _hold_for_resume(out):
    """Lock run ``out`` for this process; ResumeError (one line naming the holder) if in use."""
    try:
        run_lock.hold(out)
    except run_lock.RunLocked as e:
        who = f"process {e.pid}" if e.pid else "another process"
        raise ResumeError(
            f"--resume: run {out} is in use by {who} (still training, or being removed by "
            "clean-logs); resume it once that process has ended"
        ) from None
    except FileNotFoundError:
        raise ResumeError(f"--resume: no run folder {out} (it was just removed)") from None


def open_run(logdir, script, run_name, hparams, resume=False, data=None, index=INDEX_FILE):
    """The run folder to write to, and the hyperparameters to train with.

    Args:
      logdir: str/Path, the TensorBoard root; script: str, the script's name.
      run_name: str or None (a timestamp; for ``resume``: the newest resumable run).
      hparams: dict of this invocation's hyperparameters; ``seed`` None means "not given".
      resume: bool, continue an existing run.
      data: dict from ``data_record`` (recorded for a new run, compared for ``resume``), or None.
      index: str, the checkpoint index's path inside a run folder (a run with one is resumable).
    Returns:
      (Path of the run folder, dict of hyperparameters: for a resumed run its saved seed, if
      none was given).
    Raises:
      ResumeError: no such run, it is in use by a live process (its lock: ``run_lock``), it
        was stopped, or its data or a value in KEPT differs.
      CheckpointError: its hparams.json or history.json is damaged.
    """
    if not resume:
        out = run_dir(logdir, script, run_name)
        record = dict(hparams, run_id=uuid.uuid4().hex, data=data)
        atomic_write_text(out / HPARAMS_FILE, json.dumps(record, indent=1))
        return out, hparams
    script_dir = Path(logdir) / script
    out = script_dir / run_name if run_name else _newest_run(script_dir, index)
    if not out.is_dir():
        raise ResumeError(f"--resume: no run folder {out}")
    _hold_for_resume(out)
    saved = read_hparams(out)
    if saved.get("stopped"):
        raise ResumeError(
            f"--resume: run {out} was stopped ({saved['stopped']}) and is not resumed; "
            "start a new run with other flags"
        )
    if hparams.get("seed") is None:
        hparams = dict(hparams, seed=saved.get("seed"))
    if data is not None and saved.get("data") not in (None, data):
        flag = "without --fake-data" if data.get("source") == "fake" else "with --fake-data"
        if saved["data"].get("source") == data.get("source"):
            flag = "with the same --data-dir"
        raise ResumeError(
            f"--resume: run {out} was trained on {_describe_data(saved['data'])}, not "
            f"{_describe_data(data)}; resume it {flag}"
        )
    for name in KEPT:
        if saved.get(name) != hparams.get(name):
            flag = "--" + name.replace("_", "-")
            raise ResumeError(
                f"--resume: run {out} was trained with {flag} {saved.get(name)}, "
                f"not {hparams.get(name)}; resume with the same flags"
            )
    load_history(out, None)  # a damaged history.json is refused now, before any work
    return out, hparams


def load_history(out, step):
    """The epochs of ``out/history.json`` up to global step ``step`` (None: all), as
    EpochResults; [] if there is none. CheckpointError (naming the file) if it is damaged."""
    path = Path(out) / HISTORY_FILE
    if not path.is_file():
        return []
    try:
        if (
            path.stat().st_size > run_files.MAX_HISTORY_BYTES
        ):  # 10**6 rows took 37 s and 2.7 GB to read
            raise CheckpointError(
                f"{path} is {path.stat().st_size / 2**20:.0f} MB, more than the "
                f"{run_files.MAX_HISTORY_BYTES // 2**20} MB a history may have (about 150,000 epochs): not "
                "this run's? delete it to resume without the numbers of the epochs before, or "
                "start a new run without --resume"
            )
        rows = json.loads(path.read_text())
        epochs = [EpochResult(**_typed(n, row)) for n, row in enumerate(rows, 1)]
    except (OSError, ValueError, TypeError) as e:
        raise CheckpointError(
            f"cannot read {path} ({type(e).__name__}: {str(e).splitlines()[0]}): it holds the "
            "numbers of the epochs before, for curves.png; delete it to resume without them, "
            "or start a new run without --resume"
        ) from None
    return [e for e in epochs if step is None or e.step <= step]


def _typed(n, row):
    """``row`` (epoch ``n`` of history.json), or TypeError naming a field of the wrong type."""
    for field in dataclasses.fields(EpochResult) if isinstance(row, dict) else ():
        value, kind = row.get(field.name), "an integer" if field.type is int else "a number"
        optional = value is None and field.default is None  # train_accuracy ... may be null
        if field.name in row and not (run_files.IS[kind](value) or optional):
            raise TypeError(f'row {n}: "{field.name}" is {json.dumps(value)[:40]}, not {kind}')
    return row


def history_json(history):
    """``history.json``'s text for a list of EpochResults."""
    return json.dumps([dataclasses.asdict(e) for e in history], indent=1)


@dataclasses.dataclass
class EpochResult:
    """What one epoch gave: the book's ``cost`` (mean loss of its steps), then accuracy and loss
    on a fixed sample of the training set (its first ``softmax_regression.TRAIN_SAMPLE``
    examples, 5,000: not the whole set) and on the whole validation set after it; ``step`` is
    the global step at its end."""

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

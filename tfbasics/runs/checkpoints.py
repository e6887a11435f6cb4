"""Checkpoints and ``--resume``: every rule about continuing a run lives here.

A run folder ``<logdir>/<script>/<run>/`` holds, besides its TensorBoard events:

- ``hparams.json``: the hyperparameters it was started with (its seed included), the run's id
  (``run_id``, a random hex string), the data it trains on (``data``: ``source`` MNIST or fake,
  and the ``train``/``validation``/``test`` sizes) and, once the NaN guard stopped it, ``stopped``;
- ``model.ckpt-N.*`` after every full epoch N (``tf.compat.v1.train.Saver``: the variables the
  caller lists, the global step among them) and TensorFlow's ``checkpoint`` index, which names
  them relative to the run folder, so a copied or moved folder resumes its own weights;
- ``checkpoints.json``: each checkpoint's identity (the run's id and seed, epoch, global step,
  SHA-256 of its files), written after the checkpoint and before the index names it;
- ``history.json``: the epochs' numbers, so a resumed run draws its curves from epoch 1.

The rules: ``open_run`` claims a new folder, or for ``--resume`` finds the run (by name, or the
newest resumable one: with a checkpoint, not stopped) and refuses, in one line, a stopped run,
other data, or other values of the hyperparameters in ``KEPT`` (else the run would not continue
the same training), and damaged ``hparams.json``/``history.json``. ``Checkpoints.restore``
never silently starts afresh: a checkpoint whose files differ from the run's record (another
run's) is refused; a damaged newest checkpoint is named, and the newest intact earlier one is
used, saying so in one line.
"""

import dataclasses
import errno
import hashlib
import json
import logging
import os
import re
import sys
import uuid
from pathlib import Path

from tfbasics._tf import tf
from tfbasics.runs.atomic import atomic_write_text
from tfbasics.runs.folders import run_dir

v1 = tf.compat.v1

HPARAMS_FILE = "hparams.json"
HISTORY_FILE = "history.json"
RECORD_FILE = "checkpoints.json"
INDEX_FILE = "checkpoint"  # TensorFlow's checkpoint index
CHECKPOINT_NAME = "model.ckpt"
# a resumed run must keep these, or it would not continue the same run
KEPT = ("learning_rate", "batch_size", "init", "loss", "seed")
BOOKKEEPING = ("run_id", "data", "stopped")  # in hparams.json beside the hyperparameters


class ResumeError(Exception):
    """``--resume`` cannot continue: no such run, other hyperparameters or data (a usage error)."""


class CheckpointError(Exception):
    """A checkpoint or a run file to resume from is missing, damaged or not this run's."""


def _write(path, text):
    atomic_write_text(path, text)  # a temporary name in the same folder, then rename


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
        _write(path, json.dumps(dict(saved, stopped=why), indent=1))
    except (OSError, ValueError):
        return False
    return True


def _newest_run(script_dir):
    runs = [
        p.parent
        for p in script_dir.glob(f"*/{INDEX_FILE}")
        if p.is_file() and not is_stopped(p.parent)
    ]
    if not runs:
        raise ResumeError(
            f"--resume: no resumable run under {script_dir} (none with a checkpoint that was "
            "not stopped); start a new run without --resume"
        )
    return max(runs, key=lambda p: (p / INDEX_FILE).stat().st_mtime)


def open_run(logdir, script, run_name, hparams, resume=False, data=None):
    """The run folder to write to, and the hyperparameters to train with.

    Args:
      logdir: str/Path, the TensorBoard root; script: str, the script's name.
      run_name: str or None (a timestamp; for ``resume``: the newest resumable run).
      hparams: dict of this invocation's hyperparameters; ``seed`` None means "not given".
      resume: bool, continue an existing run.
      data: dict from ``data_record`` (recorded for a new run, compared for ``resume``), or None.
    Returns:
      (Path of the run folder, dict of hyperparameters: for a resumed run its saved seed, if
      none was given).
    Raises:
      ResumeError: no such run, it was stopped, or its data or a value in KEPT differs.
      CheckpointError: its hparams.json or history.json is damaged.
    """
    if not resume:
        out = run_dir(logdir, script, run_name)
        record = dict(hparams, run_id=uuid.uuid4().hex, data=data)
        _write(out / HPARAMS_FILE, json.dumps(record, indent=1))
        return out, hparams
    script_dir = Path(logdir) / script
    out = script_dir / run_name if run_name else _newest_run(script_dir)
    if not out.is_dir():
        raise ResumeError(f"--resume: no run folder {out}")
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
        rows = json.loads(path.read_text())
        epochs = [EpochResult(**row) for row in rows]
    except (OSError, ValueError, TypeError) as e:
        raise CheckpointError(
            f"cannot read {path} ({type(e).__name__}: {str(e).splitlines()[0]}): it holds the "
            "numbers of the epochs before, for curves.png; delete it to resume without them, "
            "or start a new run without --resume"
        ) from None
    return [e for e in epochs if step is None or e.step <= step]


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


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _epoch_of(name):
    match = re.fullmatch(rf"{re.escape(CHECKPOINT_NAME)}-(\d+)", name)
    return int(match.group(1)) if match else None


_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES)


def _disk_error(exc):
    """The OSError (naming the file) inside a TensorFlow writer's error, or None.

    TensorFlow reports a full disk as ``<file>.tempstate<digits>; No space left on device``
    deep in a long message."""
    for line in str(exc).splitlines():
        for code in _DISK_ERRORS:
            if line.strip().endswith(f"; {os.strerror(code)}"):
                path = re.sub(r"\.tempstate\d+$", "", line.strip().rsplit("; ", 1)[0])
                return OSError(code, os.strerror(code), path)
    return None


def last_checkpoint(out):
    """The epoch of the checkpoint the ``checkpoint`` index of run ``out`` names (0: none).

    The index is written last (after the checkpoint, its record and the history), so this is
    the newest checkpoint that is complete and recorded: what ``--resume`` starts from."""
    try:
        text = (Path(out) / INDEX_FILE).read_text()
    except (OSError, ValueError):
        return 0
    match = re.search(r'^model_checkpoint_path: "(?:.*/)?([^"/]*)"', text, re.MULTILINE)
    return (_epoch_of(match.group(1)) or 0) if match else 0


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

    # -------------------------------------------------------------------------- the record
    def _identity(self):
        """(run_id, seed) from the run's hparams.json ((None, None) for a bare folder)."""
        path = self.run_dir / HPARAMS_FILE
        saved = read_hparams(self.run_dir) if path.exists() else {}
        return saved.get("run_id"), saved.get("seed")

    def _read_record(self):
        """checkpoints.json as a dict, or None for a run made before it existed."""
        path = self.run_dir / RECORD_FILE
        if not path.exists():
            return None
        try:
            record = json.loads(path.read_text())
            {c["name"]: (c["epoch"], c["step"], dict(c["sha256"])) for c in record["checkpoints"]}
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise CheckpointError(
                f"cannot read {path} ({type(e).__name__}), the record that tells this run's "
                "checkpoints from others; put back the run's own copy, or start a new run "
                "without --resume"
            ) from None
        return record

    def _files(self, name):
        return sorted(p.name for p in self.run_dir.glob(f"{name}.*") if not p.name.endswith("tmp"))

    # -------------------------------------------------------------------------- restoring
    def restore(self, sess, resume):
        """Restore the last checkpoint if ``resume``; return the global step to continue from.

        The checkpoint must be the one the run recorded (checkpoints.json: the run's id and
        seed, its step and the SHA-256 of its files). A damaged newest checkpoint is named on
        stderr and the newest intact earlier one is restored instead.

        Raises:
          CheckpointError: ``resume`` but no intact checkpoint of this run.
        """
        if not resume:
            return 0
        latest = self._latest()
        record = self._read_record()
        run_id, seed = self._identity()
        if record is not None and (record.get("run_id"), record.get("seed")) != (run_id, seed):
            raise CheckpointError(
                f"{self.run_dir / RECORD_FILE} records the checkpoints of another run (run id "
                f"{record.get('run_id')}, seed {record.get('seed')}; this run: {run_id}, seed "
                f"{seed}); put back the run's own files, or start a new run without --resume"
            )
        if record is None:  # a run from before checkpoints.json: only the index's newest one
            names = [latest]
        else:
            recorded = {c["name"]: c for c in record["checkpoints"]}
            if latest not in recorded:
                raise CheckpointError(
                    f"checkpoint {self.run_dir / latest} is not one this run saved (not in "
                    f"{RECORD_FILE}); move its files and the checkpoint index away, or start "
                    "a new run without --resume"
                )
            newest = _epoch_of(latest)
            names = sorted(
                (n for n, c in recorded.items() if c["epoch"] <= newest),
                key=lambda n: -recorded[n]["epoch"],
            )
        damaged = None
        for name in names:
            problem = self._try_restore(sess, name, None if record is None else recorded[name])
            if problem is None:
                break
            damaged = damaged or problem
        else:
            raise CheckpointError(
                f"cannot read checkpoint {damaged}; no earlier checkpoint of the run is intact: "
                "start a new run without --resume"
            )
        step = int(sess.run(v1.train.get_global_step(sess.graph)))
        if damaged:
            print(
                f"warning: cannot read checkpoint {damaged}; resuming from {name} (epoch "
                f"{_epoch_of(name)}), the newest intact one (the damaged files are replaced "
                "when that epoch is saved again)",
                file=sys.stderr,
                flush=True,
            )
        self.history = load_history(self.run_dir, step)
        return step

    def _try_restore(self, sess, name, entry):
        """Restore checkpoint ``name``: None if done, else "<file>: <why>" (damaged).

        Raises CheckpointError for a readable checkpoint that is not the recorded one."""
        path = self.run_dir / name
        if entry is not None:
            changed = [
                f
                for f, digest in entry["sha256"].items()
                if not (self.run_dir / f).is_file() or _sha256(self.run_dir / f) != digest
            ]
        else:
            changed = []
        try:
            reader = v1.train.load_checkpoint(str(path))
            step = int(reader.get_tensor("global_step"))
            for var in reader.get_variable_to_shape_map():
                reader.get_tensor(var)  # reads every tensor: checksums are verified
            self.saver.restore(sess, str(path))
        except (tf.errors.OpError, ValueError) as e:
            # TensorFlow's text repeats the path; its last clause says what is wrong
            text = (getattr(e, "message", None) or str(e)).strip().splitlines()
            reason = text[0].rsplit("): ", 1)[-1] if text else type(e).__name__
            where = self.run_dir / changed[0] if changed else path
            return f"{where} ({reason})"
        if changed or (entry is not None and step != entry["step"]):
            raise CheckpointError(
                f"checkpoint {path} is not the one this run saved ("
                + (f"{changed[0]} differs from" if changed else f"its step {step} is not")
                + f" the record in {RECORD_FILE}: another run's checkpoint?); put back the "
                "run's own files, or start a new run without --resume"
            )
        return None

    def _latest(self):
        """The name (``model.ckpt-N``) the ``checkpoint`` index calls the newest; only its
        file name counts, so a folder moved or copied with absolute paths finds its own."""
        logger = tf.get_logger()
        level = logger.level
        logger.setLevel(logging.ERROR)  # we say it in one line below, not in TF's two warnings
        try:
            state = v1.train.get_checkpoint_state(str(self.run_dir))
        except Exception as e:  # an unreadable `checkpoint` index file
            state, reason = None, f" ({type(e).__name__}: {str(e).splitlines()[0]})"
        else:
            reason = ""
        finally:
            logger.setLevel(level)
        index = self.run_dir / INDEX_FILE
        name = Path(state.model_checkpoint_path).name if state else None
        if name is None and index.exists():
            raise CheckpointError(
                f"cannot read checkpoint: {index} is not a readable checkpoint "
                f"index{reason}; delete the run folder or start a new run without --resume"
            )
        if name is None:
            raise CheckpointError(f"no checkpoint to resume from in {self.run_dir}")
        return name

    # -------------------------------------------------------------------------- saving
    def end_epoch(self, sess, result, full):
        """Record an epoch; if ``full`` (all its steps ran), checkpoint it and save the history.

        The order keeps the run resumable at any failure: the checkpoint's files, then its
        entry in checkpoints.json, the history, and last the index that names it."""
        self.history.append(result)
        if not full:
            return
        name = f"{CHECKPOINT_NAME}-{result.epoch}"
        try:
            self.saver.save(
                sess,
                str(self.run_dir / CHECKPOINT_NAME),
                global_step=result.epoch,
                write_meta_graph=False,
                write_state=False,  # the index is written below, after the record
            )
        except tf.errors.OpError as e:  # a full disk: "Graph execution error:" + 40 lines
            raise _disk_error(e) or e from None
        run_id, seed = self._identity()
        record = self._read_record() or {"run_id": run_id, "seed": seed, "checkpoints": []}
        entries = [c for c in record["checkpoints"] if c["epoch"] < result.epoch]
        entries.append(
            {
                "name": name,
                "epoch": result.epoch,
                "step": result.step,
                "sha256": {f: _sha256(self.run_dir / f) for f in self._files(name)},
            }
        )
        _write(self.run_dir / RECORD_FILE, json.dumps(dict(record, checkpoints=entries), indent=1))
        _write(
            self.run_dir / HISTORY_FILE,
            json.dumps([dataclasses.asdict(e) for e in self.history], indent=1),
        )
        state = v1.train.generate_checkpoint_state_proto(
            str(self.run_dir.resolve()),  # absolute: the names below are kept relative
            name,
            all_model_checkpoint_paths=[c["name"] for c in entries],
        )
        _write(self.run_dir / INDEX_FILE, str(state))

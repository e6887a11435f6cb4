"""A TF1 run's checkpoints: one per full epoch, each recorded, restored only if it is the run's.

In the run folder (beside ``hparams.json`` and ``history.json``, see ``run_records``):

- ``model.ckpt-N.*`` after every full epoch N (``tf.compat.tf.compat.v1.train.Saver``: the variables the
  caller lists, the global step among them) and TensorFlow's ``checkpoint`` index, which names
  them relative to the run folder, so a copied or moved folder resumes its own weights;
- ``checkpoints.json``: each checkpoint's identity (the run's id and seed, epoch, global step,
  SHA-256 of its files), written after the checkpoint and before the index names it.

``Checkpoints.restore`` never silently starts afresh: a checkpoint whose files differ from the
run's record (another run's) is refused; a damaged newest checkpoint is named, and the newest
intact earlier one is used, saying so in one line.
"""

import hashlib
import json
import logging
import re
import sys
from pathlib import Path

from tfbasics._tf import tf
from tfbasics.runs import run_files, run_lock
from tfbasics.runs.atomic import atomic_write_text
from tfbasics.runs.run_records import (
    HISTORY_FILE,
    HPARAMS_FILE,
    INDEX_FILE,
    CheckpointError,
    history_json,
    load_history,
    read_hparams,
)
from tfbasics.runs.script_errors import os_error_in

RECORD_FILE = "checkpoints.json"
CHECKPOINT_NAME = "model.ckpt"
TF_TEMPORARY = ".tempstate"  # Saver's half-written file (name.tempstate<digits>), left by SIGKILL


def _write(path, text):
    atomic_write_text(path, text)  # a temporary name in the same folder, then rename


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _epoch_of(name):
    match = re.fullmatch(rf"{re.escape(CHECKPOINT_NAME)}-(\d+)", name)
    return int(match.group(1)) if match else None


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
        self.saver = tf.compat.v1.train.Saver(var_list, max_to_keep=None, save_relative_paths=True)
        self.history = []

    # -------------------------------------------------------------------------- the record
    def _identity(self):
        """(run_id, seed) from the run's hparams.json ((None, None) for a bare folder)."""
        has_record = (self.run_dir / HPARAMS_FILE).exists()
        saved = read_hparams(self.run_dir) if has_record else {}
        return saved.get("run_id"), saved.get("seed")

    def _read_record(self):
        """checkpoints.json as a dict, or None for a run made before it existed."""
        path = self.run_dir / RECORD_FILE
        if not path.exists():
            return None
        try:
            if path.stat().st_size > run_files.MAX_RECORD_BYTES:
                raise ValueError(f"{path.stat().st_size} bytes, more than a record may have")
            record = json.loads(path.read_text())
            problem = run_files.wrong_record(record)
            if problem:
                raise ValueError(problem)
        except (OSError, ValueError) as e:
            raise CheckpointError(
                f"cannot read {path} ({e}), the record that tells this run's checkpoints from "
                "others; put back the run's own copy, or start a new run without --resume"
            ) from None
        return record

    def _files(self, name):
        return sorted(
            p.name
            for p in self.run_dir.glob(f"{name}.*")
            if not p.name.endswith("tmp") and TF_TEMPORARY not in p.name
        )

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
        self._check_no_folders()
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
        step = int(sess.run(tf.compat.v1.train.get_global_step(sess.graph)))
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

    def _check_no_folders(self):
        """CheckpointError naming a folder where a checkpoint's file belongs: such a checkpoint
        can be neither restored nor saved again, so the run is refused before any work."""
        for path in sorted(self.run_dir.glob(f"{CHECKPOINT_NAME}-*")):
            if path.is_dir():
                raise CheckpointError(
                    f"{path} is a folder, where a file of checkpoint {path.name[: -len(path.suffix)]} "
                    "belongs (it can be neither restored nor saved again); move that folder "
                    "away, then resume"
                )

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
            reader = tf.compat.v1.train.load_checkpoint(str(path))
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
            state = tf.compat.v1.train.get_checkpoint_state(str(self.run_dir))
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
        run_lock.hold(self.run_dir)  # the run's files are rewritten only under its lock
        try:
            self.saver.save(
                sess,
                str(self.run_dir / CHECKPOINT_NAME),
                global_step=result.epoch,
                write_meta_graph=False,
                write_state=False,  # the index is written below, after the record
            )
        except tf.errors.OpError as e:  # a full disk: "Graph execution error:" + 40 lines
            raise os_error_in(e) or e from None
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
        _write(self.run_dir / HISTORY_FILE, history_json(self.history))
        state = tf.compat.v1.train.generate_checkpoint_state_proto(
            str(self.run_dir.resolve()),  # absolute: the names below are kept relative
            name,
            all_model_checkpoint_paths=[c["name"] for c in entries],
        )
        _write(self.run_dir / INDEX_FILE, str(state))

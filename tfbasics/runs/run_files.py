"""What each JSON file a run reads back must hold: one table per file, and one check.

A run folder's ``hparams.json``, ``checkpoints.json``, ``history.json`` and ``.tfbasics-run``
marker are read back by ``--resume`` and ``tfbasics clean-logs``. A file that was edited or
damaged must end in one line naming the file and the field, never in a ``KeyError`` deep in the
resume code, so each reader checks the file's size before reading it and its values against the
table here before using them.
"""

import json

MAX_HISTORY_BYTES = 32 * 2**20  # ~200 bytes an epoch; at most ~5 s to read (history.json)
MAX_RECORD_BYTES = 32 * 2**20  # ~250 bytes a checkpoint, one a finished epoch (checkpoints.json)
MAX_HPARAMS_BYTES = 2**20  # hparams.json holds a few hundred bytes
MAX_MARKER_BYTES = 2**16  # the marker holds under a hundred

IS = {
    "a number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "an integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "a string": lambda v: isinstance(v, str),
    "an object": lambda v: isinstance(v, dict),
    "a list": lambda v: isinstance(v, list),
}

# hparams.json (any may be missing; seed and data may be null)
HPARAMS_TYPES = {
    "learning_rate": "a number",
    "batch_size": "an integer",
    "epochs": "an integer",
    "seed": "an integer",
    "steps_per_run": "an integer",
    "init": "a string",
    "loss": "a string",
    "input": "a string",
    "run_id": "a string",
    "stopped": "a string",
    "data": "an object",  # with the types of DATA_TYPES
}
DATA_TYPES = {
    "source": "a string",
    "train": "an integer",
    "validation": "an integer",
    "test": "an integer",
}
# checkpoints.json: the run's identity (may be null) and one entry per checkpoint (all required)
RECORD_TYPES = {"run_id": "a string", "seed": "an integer", "checkpoints": "a list"}
CHECKPOINT_TYPES = {
    "name": "a string",
    "epoch": "an integer",
    "step": "an integer",
    "sha256": "an object",
}
# the marker (.tfbasics-run): what clean-logs relies on (all required)
MARKER_TYPES = {"written_by": "a string", "script": "a string"}


def wrong_field(values, types, required=False, prefix="", nullable=()):
    """The first value of the dict ``values`` that is not what ``types`` says, as the text
    ``"key" is VALUE, not KIND`` (str), or None if all are right.

    Args:
      values: dict read from JSON; types: {key: kind} with kinds from IS.
      required: a missing key is wrong too; prefix: put before each key (``"data."``).
      nullable: keys whose value may be null.
    """
    for key, kind in types.items():
        if key not in values:
            if required:
                return f'"{prefix}{key}" is missing'
            continue
        value = values[key]
        if not IS[kind](value) and not (value is None and key in nullable):
            return f'"{prefix}{key}" is {json.dumps(value)[:40]}, not {kind}'
    return None


def wrong_record(record):
    """What is wrong with a parsed ``checkpoints.json`` (str), or None."""
    if not isinstance(record, dict):
        return f"it holds {type(record).__name__}, not a JSON object"
    # a run without hparams.json (run_training called on a bare run_dir) records no identity
    problem = wrong_field(record, RECORD_TYPES, required=True, nullable=("run_id", "seed"))
    for n, entry in enumerate(record["checkpoints"] if problem is None else [], 1):
        if not isinstance(entry, dict):
            return f"checkpoint {n} is {json.dumps(entry)[:40]}, not an object"
        problem = wrong_field(entry, CHECKPOINT_TYPES, required=True, prefix=f"checkpoints[{n}].")
        if problem:
            return problem
        bad = [k for k, v in entry["sha256"].items() if not isinstance(v, str)]
        if bad:
            return f'"checkpoints[{n}].sha256.{bad[0]}" is not a string'
    return problem

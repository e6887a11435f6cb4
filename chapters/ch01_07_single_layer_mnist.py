"""A single-layer softmax classifier on MNIST, trained with SGD as the book does.

Prints the book's ``Epoch: N cost = X.XXX`` each epoch (with the validation accuracy) and the
test accuracy, and writes under ``logs/ch01_07_single_layer_mnist/<run name>/``: TensorBoard
events (graph, ``train/`` and ``validation/`` runs, loss and accuracy, histograms, the ten
learned weight templates, input digits, hyperparameters, one traced step), a checkpoint per
epoch (``--resume`` continues from the last one), ``weight_templates.png`` and ``curves.png``.
"""

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from tfbasics import mnist
from tfbasics import softmax_regression as sr
from tfbasics.runs import base_parser, run_dir

SCRIPT = Path(__file__).stem
HPARAMS_FILE = "hparams.json"
# a resumed run must keep these, or it would not continue the same run
KEPT_ON_RESUME = ("learning_rate", "batch_size", "init", "loss", "seed")


def parse_args(argv):
    defaults = sr.Config()
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=defaults.epochs,
        help="epochs of (training examples // batch size) steps (the book: 10)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=defaults.batch_size,
        help="examples per SGD step (the book: 128)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=defaults.learning_rate,
        help="SGD learning rate (the book: 0.5)",
    )
    parser.add_argument(
        "--input",
        type=str,
        choices=sr.INPUTS,
        default=defaults.input,
        help="in_graph: data kept in TensorFlow, several steps per session.run "
        "(faster); feed_dict: the book's next_batch + feed_dict; both make "
        "the same updates",
    )
    parser.add_argument(
        "--init",
        type=str,
        choices=tuple(sr.INIT_STDDEV),
        default=defaults.init,
        help="initial weights: zeros, small (truncated normal, stddev 0.01) or "
        "book (truncated normal, stddev 1.0: about 90.8%% test accuracy)",
    )
    parser.add_argument(
        "--loss",
        type=str,
        choices=sr.LOSSES,
        default=defaults.loss,
        help="stable: fused softmax_cross_entropy_with_logits; book: "
        "-reduce_sum(labels * log(prediction)) (NaN once a probability "
        "underflows to 0)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seeds the initial weights and the batch order (default: a random "
        "seed, printed and saved with the run, so --resume sees the same "
        "batches)",
    )
    parser.add_argument(
        "--steps-per-run",
        type=int,
        default=defaults.steps_per_run,
        help="in_graph only: SGD steps per session.run",
    )
    mnist.add_data_flags(parser)
    parser.add_argument(
        "--max-steps",
        type=int,
        default=None,
        help="stop after this many SGD steps in all (fast smoke mode)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run --run-name (default: the newest run with a "
        "checkpoint) from its last checkpoint",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


class UsageError(Exception):
    """A bad flag value or a run that cannot be resumed: one line on stderr, exit status 2."""


def _newest_run(logdir):
    runs = [p.parent for p in (Path(logdir) / SCRIPT).glob("*/checkpoint")]
    if not runs:
        raise UsageError(f"--resume: no run with a checkpoint under {Path(logdir) / SCRIPT}")
    return max(runs, key=lambda p: (p / "checkpoint").stat().st_mtime)


def _run_folder_and_config(args, config):
    """The run folder, and the config to train with (a resumed run's own hyperparameters)."""
    if not args.resume:
        if config.seed is None:
            config = dataclasses.replace(config, seed=int(np.random.SeedSequence().entropy % 2**31))
        out = run_dir(args.logdir, SCRIPT, args.run_name)
        (out / HPARAMS_FILE).write_text(json.dumps(dataclasses.asdict(config), indent=1))
        return out, config
    out = Path(args.logdir) / SCRIPT / args.run_name if args.run_name else _newest_run(args.logdir)
    if not out.is_dir():
        raise UsageError(f"--resume: no run folder {out}")
    try:
        saved = json.loads((out / HPARAMS_FILE).read_text())
    except (OSError, ValueError) as e:
        raise UsageError(f"--resume: cannot read {out / HPARAMS_FILE} ({e})") from None
    if config.seed is None:
        config = dataclasses.replace(config, seed=saved.get("seed"))
    for name in KEPT_ON_RESUME:
        if saved.get(name) != getattr(config, name):
            flag = "--" + name.replace("_", "-")
            raise UsageError(
                f"--resume: run {out} was trained with {flag} {saved.get(name)}, "
                f"not {getattr(config, name)}; resume with the same flags"
            )
    return out, config


def print_epoch(result):
    line = f"Epoch: {result.epoch} cost = {result.cost:.3f}"
    if result.validation_accuracy is not None:
        line += f"  validation accuracy = {result.validation_accuracy:.4f}"
    print(line, flush=True)


def _print_start(first_epoch, step):
    if step:
        print(f"Resumed from the checkpoint of epoch {first_epoch - 1} (step {step})", flush=True)


def main(argv=None):
    args = parse_args(argv)
    config = sr.Config(
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        epochs=args.epochs,
        init=args.init,
        loss=args.loss,
        input=args.input,
        seed=args.seed,
        steps_per_run=args.steps_per_run,
    )
    try:
        dataclasses.replace(config, seed=0).check()
        if args.max_steps is not None and args.max_steps < 1:
            raise ValueError(f"--max-steps must be at least 1, got {args.max_steps}")
        data = mnist.read_data_sets(args.data_dir, one_hot=True, seed=0, fake_data=args.fake_data)
        if args.batch_size > data.train.num_examples:
            raise ValueError(
                f"--batch-size {args.batch_size} is larger than the "
                f"{data.train.num_examples} training examples"
            )
        out, config = _run_folder_and_config(args, config)
        model = sr.build(config, data.train.num_examples)
        print(f"Run folder: {out} (seed {config.seed}, {config.input} input)", flush=True)
        result = sr.train(
            model,
            data,
            config,
            run_dir=out,
            resume=args.resume,
            max_steps=args.max_steps,
            on_epoch=print_epoch,
            show_progress=not args.no_progress,
            on_start=_print_start,
        )
    except (ValueError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (mnist.MNISTError, sr.CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except sr.DivergedError as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    print(f"Test accuracy: {result.test_accuracy:.4f}")
    print(
        f"Wrote weight_templates.png, curves.png, checkpoints and TensorBoard events to {out}; "
        f"view them with: tensorboard --logdir {Path(args.logdir) / SCRIPT}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

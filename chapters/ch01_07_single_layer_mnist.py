"""A single-layer softmax classifier on MNIST, trained with SGD as the book does.

``run_training`` is the book's code: the graph (placeholders ``features`` and ``labels``, then
the model functions of ``tfbasics.softmax_regression``), a ``Session``, the initializer, and the
loop ``next_batch`` -> ``sess.run([train_op, loss], feed_dict=...)``, printing
``Epoch: N cost = X.XXX`` (with the validation accuracy) and then ``Test accuracy``. TensorBoard
logging, checkpoints and ``--resume`` are a line or two of library calls in that loop.
``run_training_in_graph`` (``--input in_graph``) is a faster alternative to read beside it: the
same updates on the same batches, with the training set kept in the graph.

A run writes under ``logs/ch01_07_single_layer_mnist/<run name>/``: TensorBoard events
(``train/`` and ``validation/``), a checkpoint per epoch, ``weight_templates.png`` and
``curves.png``.
"""

import dataclasses
import errno
import os
import shlex
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfbasics import in_graph, regression_plots
from tfbasics import softmax_regression as sr
from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES
from tfbasics.data import mnist
from tfbasics.data.batches import BatchStream, batch_indices
from tfbasics.runs import checkpoints, folders, run_summaries, script_errors
from tfbasics.runs.folders import base_parser, progress

v1 = tf.compat.v1  # the book's TensorFlow 1.x API
SCRIPT = Path(__file__).stem
TRAIN_SAMPLE = 5000  # training examples measured each epoch (all 55,000 took 0.2-0.7 s here)


def run_training(data, hp, run_dir, resume=False, max_steps=None, show_progress=True):
    """The book's loop. data: mnist.read_data_sets(one_hot=True); hp: sr.Config. -> TrainResult"""
    with tf.Graph().as_default() as graph:  # a graph of its own: eager mode stays on outside
        v1.set_random_seed(hp.seed)
        features = v1.placeholder(tf.float32, [None, IMAGE_PIXELS], name="features")
        labels = v1.placeholder(tf.float32, [None, NUM_CLASSES], name="labels")
        global_step = v1.train.create_global_step()  # not in the book: checkpoints count steps
        # init zeros by default: the book's stddev-1 weights start confidently wrong (--init book)
        logits, prediction, weights, biases = sr.inference(features, hp.init, hp.seed)
        # the book minimises the fused loss but prints -sum(y log p); one loss here (--loss book)
        loss = sr.loss(logits, labels, hp.loss, prediction)
        train_op = sr.training(loss, hp.learning_rate, global_step)
        accuracy = sr.evaluation(prediction, labels)
        init = v1.global_variables_initializer()
        ckpt = checkpoints.Checkpoints(run_dir, [weights, biases, global_step])
    graph.finalize()  # nothing is added while training: a bug that grows the graph fails at once

    total_batch = int(data.train.num_examples / hp.batch_size)
    with v1.Session(graph=graph) as sess:
        sess.run(init)
        step = ckpt.restore(sess, resume)  # --resume: the last checkpoint's weights and step
        if resume:
            print(f"Resumed from the checkpoint of epoch {step // total_batch} (step {step})")
        # the book's data.train.next_batch, but pass p's order comes from (seed, p): a resumed
        # run sees the batches an uninterrupted one sees
        train = BatchStream(data.train, hp.seed, first_step=step, batch_size=hp.batch_size)
        with run_summaries.RunSummaries(run_dir, graph, hparams(hp), data.train, step) as log:
            for epoch in range(step // total_batch + 1, hp.epochs + 1):
                steps = total_batch if max_steps is None else min(total_batch, max_steps - step)
                if steps <= 0:  # --max-steps reached
                    break
                avg_cost = 0.0
                for _ in progress(range(steps), desc=f"Epoch {epoch}", disable=not show_progress):
                    batch_x, batch_y = train.next_batch(hp.batch_size)
                    _, c = sess.run(
                        [train_op, loss],
                        feed_dict={features: batch_x, labels: batch_y},
                        **log.trace(step),  # the first step is traced, for TensorBoard
                    )
                    step += 1
                    sr.check_finite(c, step, hp)  # the book would print "cost = nan" and go on
                    log.loss(step, c)
                    avg_cost += c / steps
                # not in the book: accuracy and loss on the held-out validation set (and on a
                # fixed sample of the training set), every epoch
                val_accuracy, val_loss, *train_eval = evaluate(
                    sess, [accuracy, loss], features, labels, data
                )
                print(
                    f"Epoch: {epoch} cost = {avg_cost:.3f}  "
                    f"validation accuracy = {val_accuracy:.4f}",
                    flush=True,
                )
                result = checkpoints.EpochResult(
                    epoch, step, avg_cost, *train_eval, val_accuracy, val_loss
                )
                end_epoch(sess, ckpt, log, result, steps == total_batch, [weights, biases])

            test_accuracy, test_loss = sess.run(
                [accuracy, loss],
                feed_dict={features: data.test.images, labels: data.test.labels},
            )
            print(f"Test accuracy: {test_accuracy:.4f}")
            return end_run(sess, ckpt, log, step, test_accuracy, test_loss, [weights, biases])


def run_training_in_graph(data, hp, run_dir, resume=False, max_steps=None, show_progress=True):
    """The same training, faster: the training set lives in the graph and one ``sess.run``
    makes ``hp.steps_per_run`` SGD steps on the batches ``next_batch`` would give. The lines
    that differ from ``run_training`` are marked ``# in-graph:``."""
    with tf.Graph().as_default() as graph:
        v1.set_random_seed(hp.seed)
        features = v1.placeholder(tf.float32, [None, IMAGE_PIXELS], name="features")
        labels = v1.placeholder(tf.float32, [None, NUM_CLASSES], name="labels")
        global_step = v1.train.create_global_step()
        logits, prediction, weights, biases = sr.inference(features, hp.init, hp.seed)
        loss = sr.loss(logits, labels, hp.loss, prediction)
        # in-graph: no train_op here; the SGD steps are in the pipeline, one box in TensorBoard
        pipeline = in_graph.build(hp, data.train.num_examples, global_step)
        accuracy = sr.evaluation(prediction, labels)
        init = v1.global_variables_initializer()
        ckpt = checkpoints.Checkpoints(run_dir, [weights, biases, global_step])
    graph.finalize()

    total_batch = int(data.train.num_examples / hp.batch_size)
    with v1.Session(graph=graph) as sess:
        sess.run(init)
        step = ckpt.restore(sess, resume)
        if resume:
            print(f"Resumed from the checkpoint of epoch {step // total_batch} (step {step})")
        # in-graph: the 55,000 training images are copied into the graph once
        sess.run(
            pipeline.load, {pipeline.images: data.train.images, pipeline.labels: data.train.labels}
        )
        run_steps = in_graph.step_runner(sess, pipeline)
        with run_summaries.RunSummaries(run_dir, graph, hparams(hp), data.train, step) as log:
            for epoch in range(step // total_batch + 1, hp.epochs + 1):
                steps = total_batch if max_steps is None else min(total_batch, max_steps - step)
                if steps <= 0:
                    break
                avg_cost = 0.0
                # in-graph: the epoch's batches as row numbers, the rows next_batch would give
                indices = batch_indices(
                    hp.seed, data.train.num_examples, hp.batch_size, step, steps
                )
                with progress(total=steps, desc=f"Epoch {epoch}", disable=not show_progress) as bar:
                    for chunk in in_graph.chunks(indices, hp.steps_per_run):
                        for c in run_steps(chunk, **log.trace(step)):  # in-graph: k steps a run
                            step += 1
                            sr.check_finite(c, step, hp)
                            log.loss(step, c)
                            avg_cost += c / steps
                        bar.update(len(chunk))
                val_accuracy, val_loss, *train_eval = evaluate(
                    sess, [accuracy, loss], features, labels, data
                )
                print(
                    f"Epoch: {epoch} cost = {avg_cost:.3f}  "
                    f"validation accuracy = {val_accuracy:.4f}",
                    flush=True,
                )
                result = checkpoints.EpochResult(
                    epoch, step, avg_cost, *train_eval, val_accuracy, val_loss
                )
                end_epoch(sess, ckpt, log, result, steps == total_batch, [weights, biases])

            test_accuracy, test_loss = sess.run(
                [accuracy, loss],
                feed_dict={features: data.test.images, labels: data.test.labels},
            )
            print(f"Test accuracy: {test_accuracy:.4f}")
            return end_run(sess, ckpt, log, step, test_accuracy, test_loss, [weights, biases])


def evaluate(sess, fetches, features, labels, data):
    """``fetches`` on the validation set, then on the first TRAIN_SAMPLE training examples.

    Returns a flat list: the validation values, then the training sample's.
    """
    sample = slice(0, TRAIN_SAMPLE)
    splits = (
        (data.validation.images, data.validation.labels),
        (data.train.images[sample], data.train.labels[sample]),
    )
    return [
        value for x, y in splits for value in sess.run(fetches, feed_dict={features: x, labels: y})
    ]


INPUTS = {"feed_dict": run_training, "in_graph": run_training_in_graph}


# ------------------------------------------------------------------ bookkeeping of both loops
class TrainResult(NamedTuple):
    """What a training function returns.

    Attributes:
      epochs: list of checkpoints.EpochResult (a resumed run's earlier epochs included).
      test_accuracy, test_loss: float; steps: int, the global step at the end.
      weights: float32 [IMAGE_PIXELS, NUM_CLASSES]; biases: float32 [NUM_CLASSES].
    """

    epochs: list
    test_accuracy: float
    test_loss: float
    steps: int
    weights: np.ndarray
    biases: np.ndarray


def hparams(hp):
    """The hyperparameters as TensorBoard's HParams tab takes them (a dict)."""
    return dataclasses.asdict(hp)


def end_epoch(sess, ckpt, log, result, full, variables):
    """Record an epoch: history, a checkpoint if all its steps ran, TensorBoard summaries."""
    weights, biases = sess.run(variables)
    ckpt.end_epoch(sess, result, full)
    log.epoch(result, weights, biases)


def end_run(sess, ckpt, log, step, test_accuracy, test_loss, variables):
    """The final metrics (HParams), the two PNGs; returns the TrainResult."""
    weights, biases = sess.run(variables)
    last = ckpt.history[-1] if ckpt.history else checkpoints.EpochResult(0, step, float("nan"))
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


# ------------------------------------------------------------------------------ command line
class UsageError(Exception):
    """A bad flag value: one line on stderr, exit status 2."""


def parse_args(argv):
    defaults = sr.Config()
    parser = base_parser(__doc__.splitlines()[0])
    add = parser.add_argument
    add(
        "--epochs",
        type=int,
        default=defaults.epochs,
        help="epochs of (training examples // batch size) steps (the book: 10)",
    )
    add(
        "--batch-size",
        type=int,
        default=defaults.batch_size,
        help="examples per SGD step (the book: 128)",
    )
    add(
        "--learning-rate",
        type=float,
        default=defaults.learning_rate,
        help="SGD learning rate (the book: 0.5)",
    )
    add(
        "--input",
        type=str,
        choices=tuple(INPUTS),
        default=defaults.input,
        help="feed_dict: the book's loop (run_training: next_batch + feed_dict); in_graph: "
        "run_training_in_graph, the data kept in TensorFlow, several steps per session.run "
        "(faster); both make the same updates",
    )
    add(
        "--init",
        type=str,
        choices=tuple(sr.INIT_STDDEV),
        default=defaults.init,
        help="initial weights: zeros, small (truncated normal, stddev 0.01) or "
        "book (truncated normal, stddev 1.0: about 90.8%% test accuracy)",
    )
    add(
        "--loss",
        type=str,
        choices=sr.LOSSES,
        default=defaults.loss,
        help="stable: fused softmax_cross_entropy_with_logits; book: "
        "-reduce_sum(labels * log(prediction)) (NaN once a probability underflows to 0)",
    )
    add(
        "--seed",
        type=int,
        default=None,
        help="seeds the initial weights and the batch order, 0 to 2147483647 (default: a random "
        "seed, printed and saved with the run, so --resume sees the same batches)",
    )
    add(
        "--steps-per-run",
        type=int,
        default=None,
        help=f"in_graph only: SGD steps per session.run (default {sr.STEPS_PER_RUN}, or the "
        "steps of an epoch if fewer). At most the steps of one epoch (training examples // "
        "batch size: 429 for MNIST at batch 128): a run never crosses the end of an epoch, "
        "where the epoch's numbers and checkpoint are taken. The graph does not grow with it "
        "(one tf.while_loop)",
    )
    mnist.add_data_flags(parser)
    add(
        "--max-steps",
        type=int,
        default=None,
        help="stop after this many SGD steps in all (fast smoke mode)",
    )
    add(
        "--resume",
        action="store_true",
        help="continue the run --run-name (default: the newest run with a checkpoint that was "
        "not stopped by the NaN guard) from its last checkpoint, with its seed, on the same data "
        "and hyperparameters (else refused). Only the run's own checkpoints are used, found "
        "relative to its folder (a copied or moved folder resumes its own weights); if the "
        "newest is damaged, it is named and the newest intact one is used",
    )
    add("--no-progress", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


MAX_SEED = 2**31 - 1  # the random default seed is drawn below this


def resume_command(argv, out):
    """The command that resumes run folder ``out``: this one's flags, with --run-name and
    --resume (no --seed: the run's own is used)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--run-name", "--seed"):
            skip = True
        elif not (arg.startswith(("--run-name=", "--seed=")) or arg == "--resume"):
            kept.append(arg)
    return shlex.join(
        ["python", f"chapters/{SCRIPT}.py", *kept, "--run-name", out.name, "--resume"]
    )


def what_is_kept(argv, out):
    """For Ctrl-C and a full disk: the last checkpoint kept and how to resume from it."""
    epoch = checkpoints.last_checkpoint(out)
    if epoch == 0:
        return f"no epoch was finished, so {out} holds no checkpoint to resume; run again"
    return f"the last checkpoint (epoch {epoch}) is kept, resume with: {resume_command(argv, out)}"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    seed = args.seed
    if seed is None and not args.resume:  # a random seed, saved with the run for --resume
        seed = int(np.random.SeedSequence().entropy % (MAX_SEED + 1))
    hp = sr.Config(
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        epochs=args.epochs,
        init=args.init,
        loss=args.loss,
        input=args.input,
        seed=seed,
        steps_per_run=sr.STEPS_PER_RUN if args.steps_per_run is None else args.steps_per_run,
    )
    out = None  # the run folder, once there is one
    try:
        problem = folders.logdir_problem(args.logdir)  # before any work: no data read, no folder
        if problem:
            raise UsageError(problem)
        if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
            raise UsageError(f"--seed must be between 0 and {MAX_SEED}, got {args.seed}")
        dataclasses.replace(hp, seed=0).check()
        if args.max_steps is not None and args.max_steps < 1:
            raise UsageError(f"--max-steps must be at least 1, got {args.max_steps}")
        data = mnist.read_data_sets(args.data_dir, one_hot=True, seed=0, fake_data=args.fake_data)
        if args.batch_size > data.train.num_examples:
            raise UsageError(
                f"--batch-size {args.batch_size} is larger than the "
                f"{data.train.num_examples} training examples"
            )
        total_batch = data.train.num_examples // args.batch_size
        if args.steps_per_run is not None and args.steps_per_run > total_batch:
            raise UsageError(
                f"--steps-per-run must be at most {total_batch}, the steps of one epoch "
                f"({data.train.num_examples} examples // batch size {args.batch_size}), "
                f"got {args.steps_per_run}"
            )
        hp = dataclasses.replace(hp, steps_per_run=min(hp.steps_per_run, total_batch))
        out, saved = checkpoints.open_run(
            args.logdir,
            SCRIPT,
            args.run_name,
            hparams(hp),
            resume=args.resume,
            data=checkpoints.data_record(data, args.fake_data),
        )
        hp = dataclasses.replace(hp, seed=saved["seed"])
        print(f"Run folder: {out} (seed {hp.seed}, {hp.input} input)", flush=True)
        INPUTS[hp.input](data, hp, out, args.resume, args.max_steps, not args.no_progress)
    except (ValueError, UsageError, checkpoints.ResumeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (mnist.MNISTError, checkpoints.CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except sr.DivergedError as e:
        # resuming would diverge again: the run is marked so that --resume does not offer it
        marked = out is not None and checkpoints.mark_stopped(out, str(e).split(":")[0])
        where = f"; {out} is marked stopped in hparams.json (not resumed)" if marked else ""
        print(f"error: {e}{where}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        if out is None:
            raise  # nothing written yet: script_main says so
        raise folders.Interrupted(what_is_kept(argv, out)) from None
    except Exception as e:  # a full or read-only disk while training: what is kept, what to do
        line = script_errors.describe_os_error(e)
        if line is None or out is None:
            raise
        what = line.rsplit("; ", 1)[0]
        fix = "free some space" if os.strerror(errno.ENOSPC) in what else "fix that"
        epoch = checkpoints.last_checkpoint(out)
        if epoch:
            line = (
                f"{what}; the last good checkpoint (epoch {epoch}) is intact: {fix}, then "
                f"resume with: {resume_command(argv, out)}"
            )
        else:
            line = f"{what}; no epoch was checkpointed yet in {out}: {fix} and run again"
        print(f"error: {line}", file=sys.stderr)
        return 1
    print(
        f"Wrote weight_templates.png, curves.png, checkpoints and TensorBoard events to {out}; "
        f"view them with: {folders.view_command(Path(args.logdir) / SCRIPT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(folders.script_main(main))

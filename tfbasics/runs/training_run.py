"""The command line of section 7's lessons: flags, run folder, resume and every way a run ends.

A lesson's ``main`` parses ``parser(...)`` and hands the result to ``run``, with its training
function. ``run`` checks every flag before any work (no data read, no run folder made for a run
that is refused), reads MNIST, claims or reopens the run folder (``run_records.open_run``: the
resume rules), calls the training function and turns each way it can end into one line:

- a bad flag or a refused ``--resume``: ``<lesson>.py: error: ...``, exit 2;
- missing or damaged data or run files: ``<lesson>.py: error: ...``, exit 1;
- the NaN guard (an ArithmeticError): ``<lesson>.py: error: ...``, the run marked stopped, exit 3;
- a full or read-only disk: the file, the last intact checkpoint and the resume command, exit 1;
- Ctrl-C: what was kept and the resume command (``script_errors.script_main`` exits 130).
"""

import dataclasses
import shlex
import sys
from pathlib import Path

from tfbasics import softmax_regression as sr
from tfbasics.data import mnist
from tfbasics.data.flags import add_data_flags
from tfbasics.data.mnist_files import MNISTError
from tfbasics.runs import checkpoints, folders, run_lock, run_records, script_errors

MAX_SEED = 2**31 - 1  # the largest --seed (TensorFlow's graph-level seed is an int32)
DEFAULT_SEED = 0  # the book's runs: every chapter run defaults to it, so the numbers repeat


class UsageError(Exception):
    """A bad flag value: one line on stderr, exit status 2."""


def parser(description, inputs=None):
    """The flags of a section-7 lesson, after ``folders.base_parser``'s ``--logdir``/``--run-name``.

    Args:
      description: str, shown by ``--help``.
      inputs: the TF1 lesson's training loops by name; ``--input`` picks one, and ``--init``,
        ``--loss`` and ``--steps-per-run`` come with it. None for the TensorFlow 2 twin.
    Returns:
      folders.Parser.
    """
    defaults = sr.Config()
    parser = folders.base_parser(description)
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
    if inputs is not None:
        add(
            "--input",
            type=str,
            choices=tuple(inputs),
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
            "--steps-per-run",
            type=int,
            default=None,
            help=f"in_graph only: SGD steps per session.run (default {sr.STEPS_PER_RUN}, or the "
            "steps of an epoch if fewer). At most the steps of one epoch (training examples // "
            "batch size: 429 for MNIST at batch 128): a run never crosses the end of an epoch, "
            "where the epoch's numbers and checkpoint are taken. The graph does not grow with it "
            "(one tf.while_loop)",
        )
    add(
        "--seed",
        type=int,
        default=None,  # DEFAULT_SEED for a new run; a resumed run keeps its own
        help=(
            "seeds the initial weights and the batch order" if inputs else "seeds the batch order"
        )
        + f", 0 to {MAX_SEED} (default: {DEFAULT_SEED}, as every chapter run; with --resume: "
        "the run's own, saved with it)",
    )
    add_data_flags(parser)
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
    return parser


def resume_command(argv, out, command):
    """The command that resumes run folder ``out``: this one's flags, with --run-name and
    --resume (no --seed: the run's own is used). ``command``: the lesson's path (str)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--run-name", "--seed"):
            skip = True
        elif not (arg.startswith(("--run-name=", "--seed=")) or arg == "--resume"):
            kept.append(arg)
    return shlex.join(["python", command, *kept, "--run-name", out.name, "--resume"])


def what_is_kept(out, epoch, resume):
    """For Ctrl-C: the last checkpoint kept (``epoch``; None: not counted) and how to resume."""
    if epoch is None:
        return f"the checkpoints of finished epochs are kept, resume with: {resume}"
    if epoch == 0:
        return f"no epoch was finished, so {out} holds no checkpoint to resume; run again"
    return f"the last checkpoint (epoch {epoch}) is kept, resume with: {resume}"


def _config(args):
    """sr.Config from the flags (the twin has no --init/--loss/--input: the defaults)."""
    seed = args.seed
    if seed is None and not args.resume:  # a resumed run without --seed keeps its own
        seed = DEFAULT_SEED
    steps_per_run = getattr(args, "steps_per_run", None)
    return sr.Config(
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        epochs=args.epochs,
        init=getattr(args, "init", sr.Config.init),
        loss=getattr(args, "loss", sr.Config.loss),
        input=getattr(args, "input", sr.Config.input),
        seed=seed,
        steps_per_run=sr.STEPS_PER_RUN if steps_per_run is None else steps_per_run,
    )


def _checked(args):
    """(sr.Config, data) once every flag is checked (UsageError/ValueError: one line)."""
    hp = _config(args)
    problem = folders.logdir_problem(args.logdir)  # before any work: no data read, no folder
    if problem:
        raise UsageError(problem)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise UsageError(f"--seed must be between 0 and {MAX_SEED}, got {args.seed}")
    dataclasses.replace(hp, seed=0).check()
    if args.max_steps is not None and args.max_steps < 1:
        raise UsageError(f"--max-steps must be at least 1, got {args.max_steps}")
    data = mnist.read_data_sets(args.data_dir, one_hot=True, seed=0, fake_data=args.fake_data)
    n = data.train.num_examples
    if args.batch_size > n:
        raise UsageError(f"--batch-size {args.batch_size} is larger than the {n} training examples")
    total_batch = n // args.batch_size
    steps_per_run = getattr(args, "steps_per_run", None)
    if steps_per_run is not None and steps_per_run > total_batch:
        raise UsageError(
            f"--steps-per-run must be at most {total_batch}, the steps of one epoch "
            f"({n} examples // batch size {args.batch_size}), got {steps_per_run}"
        )
    return dataclasses.replace(hp, steps_per_run=min(hp.steps_per_run, total_batch)), data


def run(
    args, argv, script, train, command=None, index=run_records.INDEX_FILE, tf1_checkpoints=True
):
    """Train as the flags say; every way it ends is one line and an exit status (module doc).

    Args:
      args: ``parser(...).parse_args(argv)``; argv: list of str, or None for ``sys.argv[1:]``
        (repeated in the resume command).
      script: str, runs go to ``<logdir>/<script>/<run>/``.
      train: the lesson's loop, ``train(data, hp, run_dir, resume, max_steps, show_progress)``
        with ``hp`` an sr.Config.
      command: str, the lesson's path in the resume command (default ``chapters/<script>.py``).
      index: str, the checkpoint index's path in a run folder (what makes a run resumable).
      tf1_checkpoints: True: the run keeps ``checkpoints.Checkpoints`` (the line names the last
        intact one); False: its checkpoints are its own (the line does not count them).
    Returns:
      int exit status: 0 done, 1 data/run files/disk, 2 bad flag or refused resume, 3 NaN.
    Raises:
      script_errors.Interrupted on Ctrl-C once the run folder exists (``script_main``: 130).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    command = command or f"chapters/{script}.py"
    prog = Path(command).name  # as argparse and script_main name the lesson in their lines
    out = None  # the run folder, once there is one
    try:
        hp, data = _checked(args)
        given = {k: v for k, v in dataclasses.asdict(hp).items() if hasattr(args, k)}
        out, saved = run_records.open_run(
            args.logdir,
            script,
            args.run_name,
            given,
            resume=args.resume,
            data=run_records.data_record(data, args.fake_data),
            index=index,
        )
        hp = dataclasses.replace(hp, seed=saved["seed"])
        how = f", {hp.input} input" if hasattr(args, "input") else ""
        print(f"Run folder: {out} (seed {hp.seed}{how})", flush=True)
        train(data, hp, out, args.resume, args.max_steps, not args.no_progress)
    except (ValueError, UsageError, run_records.ResumeError) as e:
        return _error(prog, e, 2)
    except (MNISTError, run_records.CheckpointError) as e:
        return _error(prog, e, 1)
    except ArithmeticError as e:  # sr.DivergedError: resuming would diverge again
        marked = out is not None and run_records.mark_stopped(out, str(e).split(":")[0])
        where = f"; {out} is marked stopped in {run_records.HPARAMS_FILE} (not resumed)"
        return _error(prog, f"{e}{where if marked else ''}", 3)
    except KeyboardInterrupt:
        if out is None:
            raise  # nothing written yet: script_main says so
        epoch = checkpoints.last_checkpoint(out) if tf1_checkpoints else None
        resume = resume_command(argv, out, command)
        raise script_errors.Interrupted(what_is_kept(out, epoch, resume)) from None
    except Exception as e:  # a full or read-only disk while training: what is kept, what to do
        if out is None or script_errors.describe_os_error(e) is None:
            raise
        if script_errors.describe_memory_error(e) is not None:  # ENOMEM: script_main's memory line
            raise
        resume = resume_command(argv, out, command)
        if not tf1_checkpoints:
            return _error(prog, script_errors.describe_os_error(e), 1)
        epoch = checkpoints.last_checkpoint(out)
        return _error(prog, script_errors.disk_error_line(e, out, epoch, resume), 1)
    finally:
        if out is not None:
            run_lock.release(out)  # nothing more is written: --resume or clean-logs may have it
    wrote = [f for f in ("weight_templates.png", "curves.png") if (out / f).is_file()]
    print(
        f"Wrote {', '.join([*wrote, 'checkpoints and TensorBoard events'])} to {out}; "
        f"view them with: {folders.view_command(Path(args.logdir) / script)}"
    )
    return 0


def _error(prog, message, code):
    print(f"{prog}: error: {message}", file=sys.stderr)
    return code

"""What a softmax-regression run shows in TensorBoard, written from Python values.

Two TensorBoard runs in the run folder, which overlay in one chart: ``train/`` and
``validation/``. In ``train/``:

- the graph (the one the script built: the book's ``features``, ``labels``, ``inference``,
  ``loss``, ``train``, ``accuracy``) and, under Graphs -> Session runs, the first SGD step
  traced (tag ``step_1``: compute time and memory per op);
- Text: the hyperparameters as a table; the labels of the input digits;
- HParams: one trial per run, named by the run (``<script>/<run>``), with the final train,
  validation and test accuracy and loss as metrics (scalars ``final/...``, once at the end);
- Scalars: ``loss`` every step, ``cost`` and ``accuracy`` per epoch;
- Histograms: ``weights`` and ``biases`` per epoch;
- Images: ``weight_templates`` (one labelled 2x5 grid per epoch: one card with an epoch slider)
  and ``input_digits`` (the first training digits, black on white, with their labels).

``validation/`` has ``accuracy`` and ``loss`` per epoch, at the same steps. Every summary is
made in Python from values the loop already has (no summary ops in the graph), so the graph
stays the book's and logging costs no extra ``session.run``.
"""

import time
from pathlib import Path

import numpy as np

from tfbasics import regression_plots
from tfbasics._tf import tf

NUM_INPUT_DIGITS = 8  # input digits shown in TensorBoard
HISTOGRAM_BINS = 30
SPLITS = ("train", "validation", "test")
# the HParams tab's metric columns, written once at the end; TensorBoard shows the first five
# when it opens, so the training loss (the least telling) comes last
FINAL_METRICS = tuple(f"final/{split}_accuracy" for split in SPLITS) + tuple(
    f"final/{split}_loss" for split in ("validation", "test", "train")
)


def _scalar(tag, value):
    return tf.compat.v1.Summary(
        value=[tf.compat.v1.Summary.Value(tag=tag, simple_value=float(value))]
    )


def _image(tag, size_and_png):
    (width, height), png = size_and_png
    image = tf.compat.v1.Summary.Image(
        height=height, width=width, colorspace=3, encoded_image_string=png
    )
    return tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(tag=tag, image=image)])


def _histogram(tag, values):
    values = np.asarray(values, dtype=np.float64).ravel()
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS)
    histo = tf.compat.v1.HistogramProto(
        min=float(values.min()),
        max=float(values.max()),
        num=float(values.size),
        sum=float(values.sum()),
        sum_squares=float(np.dot(values, values)),
        bucket_limit=edges[1:].tolist(),
        bucket=counts.astype(float).tolist(),
    )
    return tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(tag=tag, histo=histo)])


def _text(tag, markdown):
    """A Text-tab summary, as tensorboard.plugins.text.summary.pb makes it (without importing
    that plugin: 0.3 s here)."""
    metadata = tf.compat.v1.SummaryMetadata(
        plugin_data=tf.compat.v1.SummaryMetadata.PluginData(plugin_name="text")
    )
    tensor = tf.make_tensor_proto(markdown, dtype=tf.string)
    value = tf.compat.v1.Summary.Value(tag=f"{tag}/text_summary", metadata=metadata, tensor=tensor)
    return tf.compat.v1.Summary(value=[value])


def hparams_markdown(hparams, num_examples):
    """The run's hyperparameters as a markdown table (TensorBoard's Text tab)."""
    rows = dict(hparams) | {
        "training examples": num_examples,
        "steps per epoch": num_examples // hparams["batch_size"],
    }
    return "| hyperparameter | value |\n|---|---|\n" + "\n".join(
        f"| {k} | {v} |" for k, v in rows.items()
    )


def _hparams_summaries(hparams, trial_id):
    """The experiment (hyperparameters and metric columns) and this run's trial in it."""
    from tensorboard.plugins.hparams import summary_v2 as hp

    dataset = {"train": hp.Metric.TRAINING, "validation": hp.Metric.VALIDATION}
    metrics = [
        hp.Metric(tag, dataset_type=dataset.get(tag.split("/")[1].split("_")[0]))
        for tag in FINAL_METRICS
    ]
    experiment = hp.hparams_config_pb([hp.HParam(name) for name in hparams], metrics)
    trial = hp.hparams_pb(hparams, trial_id=trial_id, start_time_secs=time.time())
    return experiment.SerializeToString(), trial.SerializeToString()


class RunSummaries:
    """The TensorBoard event files of one run (see the module docstring for what goes where).

    Args:
      run_dir: str/Path, the run folder ``<logdir>/<script>/<run>/``.
      graph: the tf.Graph the script built (shown in the Graphs tab).
      hparams: dict of the run's hyperparameters (str, int, float or bool values).
      train: the training DataSet (images [N, 784] in [0, 1], one-hot labels); its first
        digits are shown.
      first_step: int, the global step training continues from (0 for a new run). A resumed
        run hides what a killed run logged after its checkpoint, and writes no start-up
        summaries again.
    """

    def __init__(self, run_dir, graph, hparams, train, first_step=0):
        run_dir = Path(run_dir)
        with graph.as_default():  # FileWriter refuses to be made while eager is current
            self.train = tf.compat.v1.summary.FileWriter(str(run_dir / "train"), graph=graph)
            self.validation = tf.compat.v1.summary.FileWriter(str(run_dir / "validation"))
        self._pending_trace = None
        self._trace_next = first_step == 0
        if first_step:  # TensorBoard drops the events at steps >= first_step + 1 written before
            start = tf.compat.v1.Event(
                session_log=tf.compat.v1.SessionLog(status=tf.compat.v1.SessionLog.START),
                step=first_step + 1,
            )
            for writer in (self.train, self.validation):
                writer.add_event(start)
            return
        trial_id = f"{run_dir.parent.name}/{run_dir.name}"  # the run, as TensorBoard names it
        for summary in (
            _text("hyperparameters", hparams_markdown(hparams, len(train.images))),
            *_hparams_summaries(hparams, trial_id),
        ):
            self.train.add_summary(summary, 0)
        labels = np.argmax(train.labels[:NUM_INPUT_DIGITS], axis=1)
        self.train.add_summary(
            _image(
                "input_digits",
                regression_plots.digits_png(train.images[:NUM_INPUT_DIGITS], labels),
            ),
            0,
        )
        self.train.add_summary(
            _text(
                "input_digits_labels",
                "The first training digits, left to right, are labelled "
                + " ".join(str(k) for k in labels),
            ),
            0,
        )

    def trace(self, step):
        """Keyword arguments for ``sess.run`` of SGD step ``step + 1``: the first step of a new
        run is traced (``options``, ``run_metadata``), every other step gets ``{}``."""
        if not self._trace_next:
            return {}
        self._trace_next = False
        self._pending_trace = (step + 1, tf.compat.v1.RunMetadata())
        return {
            "options": tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE),
            "run_metadata": self._pending_trace[1],
        }

    def loss(self, step, value):
        """The loss of SGD step ``step`` (1-based), and that step's trace if it was traced."""
        if self._pending_trace is not None:
            traced, run_metadata = self._pending_trace
            self.train.add_run_metadata(run_metadata, f"step_{traced}", traced)
            self._pending_trace = None
        self.train.add_summary(_scalar("loss", value), step)

    def epoch(self, result, weights, biases):
        """Per epoch: cost and accuracies (train/ and validation/), histograms, the templates.

        Args:
          result: run_records.EpochResult; weights: float32 [784, 10]; biases: float32 [10].
        """
        step = result.step
        for summary in (
            _scalar("cost", result.cost),
            _histogram("weights", weights),
            _histogram("biases", biases),
            _image("weight_templates", regression_plots.weight_templates_png(weights)),
        ):
            self.train.add_summary(summary, step)
        if result.train_accuracy is not None:
            self.train.add_summary(_scalar("accuracy", result.train_accuracy), step)
        if result.validation_accuracy is not None:
            self.validation.add_summary(_scalar("accuracy", result.validation_accuracy), step)
            self.validation.add_summary(_scalar("loss", result.validation_loss), step)
        self.train.flush()
        self.validation.flush()

    def final(self, step, metrics):
        """The final metrics, once, at the last step: the HParams tab's columns.

        Args:
          step: int; metrics: dict ``"test_accuracy" -> float`` etc. (keys of FINAL_METRICS
            without ``final/``; None values are skipped).
        """
        for name, value in metrics.items():
            if value is not None:
                self.train.add_summary(_scalar(f"final/{name}", value), step)

    def close(self):
        self.train.close()
        self.validation.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

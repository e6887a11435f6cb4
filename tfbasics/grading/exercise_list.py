"""The chapter's exercises: order, titles, sections and tasks (one home for the list).

Both the checker (``tfbasics check``, ``tfbasics grade``) and the checks in
``tfbasics/grading/exercise_checks/`` import this list: each exercise is ``exercises/<name>.py`` (a
stub), ``exercises/<name>.hints.md`` and ``tfbasics/grading/exercise_checks/test_<name>.py``, whose
checks are marked ``@task(n)`` for the n-th title below. ``exercises/`` is the one copy of the
stubs: setup.py installs it as the package ``tfbasics.exercises`` (``bundled_folder()``).
"""

import importlib.util
from dataclasses import dataclass
from pathlib import Path

STUBS_PACKAGE = "tfbasics.exercises"  # setup.py's package_dir maps it to exercises/


@dataclass(frozen=True)
class Exercise:
    """One file of ``exercises/`` and the reference module(s) holding the same names."""

    name: str  # file stem and summary label: "softmax"
    title: str  # what the file teaches, one line
    heading: str  # the book's heading where the chapter explains it
    section: int  # this package's section number: chapters/ch01_NN_*.py, `tfbasics run NN`
    references: tuple  # tfbasics modules searched in order for a name
    tasks: tuple  # the task titles; task n is tasks[n - 1]
    points: tuple = ()  # points of task n at points[n - 1]; () is 1 point per task
    tensorflow: bool = True  # its checks or reference use TensorFlow; False: NumPy only

    def task_points(self, number):
        """Points task ``number`` is worth (int or float; default 1)."""
        return self.points[number - 1] if self.points else 1

    @property
    def max_points(self):
        """Points of every task added up."""
        return sum(self.task_points(n) for n in range(1, len(self.tasks) + 1))

    @property
    def filename(self):
        return f"{self.name}.py"

    @property
    def where_to_read(self):
        return f'chapter 1, "{self.heading}"; see it run: `tfbasics run {self.section}`'

    def task_title(self, number):
        return self.tasks[number - 1]


_ALL = [
    Exercise(
        "neuron",
        "the sigmoid and a neuron's forward pass",
        "Building blocks of a neural network",
        1,
        ("tfbasics.neuron",),
        (
            "sigmoid(z) = 1 / (1 + e^-z), for a number and element-wise for an array",
            "Neuron.forward(inputs) = activation(weights . inputs + bias)",
            "Neuron.forward refuses a wrong number of inputs with ValueError",
        ),
        tensorflow=False,
    ),
    Exercise(
        "hello",
        "a constant run in a session",
        "TensorFlow basics",
        2,
        ("tfbasics.hello",),
        (
            "run_constant('Hello World!') gives the session's bytes b'Hello World!'",
            "run_constant of numbers: the book's ranks 0, 1 and 2 come back as NumPy values",
            "run_constant runs the constant in a tf.compat.v1.Session",
        ),
    ),
    Exercise(
        "basic_math",
        "add ... divide, reduce_sum over an axis",
        "Basic math with TensorFlow",
        3,
        ("tfbasics.basic_math",),
        (
            "add, subtract and multiply, run in a session: the book's 1 + 2, 1 - 2, 2 * 5",
            "divide(10, 4) = 2.5: tf.divide is true division, run in a session",
            "reduce_sum(x) adds up every element",
            "reduce_sum(x, axis): 0 sums down the columns, 1 along each row",
        ),
    ),
    Exercise(
        "placeholders",
        "feed_dict and FeedError",
        "TensorFlow basics",
        4,
        ("tfbasics.placeholders",),
        (
            "run_doubler([[1, 2, 3], [4, 5, 6]]) = [[2, 4, 6], [8, 10, 12]], float32",
            "any number of rows: the placeholder's shape is [None, 3]",
            "the values are fed to a placeholder through feed_dict",
            "a feed of the wrong shape or type raises FeedError",
        ),
    ),
    Exercise(
        "softmax",
        "softmax, one-hot labels, cross-entropy by hand and fused",
        "Softmax in TensorFlow",
        5,
        ("tfbasics.softmax",),
        (
            "softmax of the book's logits [2.0, 1.0, 0.1], and of each row of a batch",
            "softmax stays finite for large logits such as [1000.0, 0.0]",
            "one_hot: 4 -> [0, 0, 0, 0, 1, 0, 0, 0, 0, 0] as float32; bad labels raise ValueError",
            "cross_entropy(softmax, one_hot) = -sum(one_hot * log(softmax)) along the last axis",
            "fused_cross_entropy(logits, labels) with tf.nn.softmax_cross_entropy_with_logits",
        ),
    ),
    Exercise(
        "mnist",
        "reading IDX files and DataSet.next_batch",
        "Introduction to the MNIST dataset",
        6,
        ("tfbasics.data.idx", "tfbasics.data.mnist"),
        (
            "parse_idx of a labels file (1 dimension, uint8)",
            "parse_idx of an images file (3 dimensions) and of big-endian int32 data",
            "parse_idx refuses a malformed file with IDXError",
            "next_batch(batch_size, shuffle=False): consecutive batches, wrapping into the next "
            "epoch",
            "next_batch shuffles: every example once per epoch, images still paired with labels",
        ),
        tensorflow=False,
    ),
    Exercise(
        "softmax_regression",
        "inference, loss, training, evaluation as graph ops",
        "Building a single-layer neural network with TensorFlow",
        7,
        ("tfbasics.softmax_regression",),
        (
            "inference(features): logits = features @ weights + biases, "
            "prediction = softmax(logits)",
            "loss: the mean cross-entropy, stable (fused op) and the book's "
            "-sum(labels * log(prediction))",
            "training(loss, learning_rate, global_step): one plain SGD step, global_step + 1",
            "evaluation(prediction, labels): the fraction whose most probable class is the label",
        ),
    ),
    Exercise(
        "keras_mlp",
        "the book's Keras MLP: build and compile",
        "Handwritten number recognition with Keras and MNIST",
        9,
        ("tfbasics.chapters.ch01_09_keras_mnist_mlp",),
        (
            "build_model() maps float32 [batch, 784] to probabilities [batch, 10]",
            "the book's layers: Dense(512) relu Dropout(0.2), twice, then Dense(10) softmax",
            "669,706 parameters: 401,920 + 262,656 + 5,130",
            "compile_model: rmsprop, categorical_crossentropy, accuracy; one training step runs",
        ),
    ),
    Exercise(
        "backprop",
        "backward passes and a gradient check",
        "Understanding backpropagation",
        10,
        ("tfbasics.backprop", "tfbasics.gradcheck"),
        (
            "Sigmoid.backward(upstream) = upstream * z * (1 - z)",
            "ReLU.backward(upstream) = upstream where the input was > 0, else 0",
            "FullyConnected.backward(upstream): dL/dx, dL/dW and dL/db of z = x @ W + b",
            "numerical_gradient(f, array): central differences, and the array left as it was",
            "relative_error(a, b) = |a - b| / (|a| + |b|): how a gradient check compares two "
            "gradients",
        ),
        tensorflow=False,
    ),
]

EXERCISES = {e.name: e for e in _ALL}  # the chapter's order


def names():
    """The exercise names in the chapter's order (list of str)."""
    return list(EXERCISES)


def total_tasks(chosen=None):
    """The number of tasks in ``chosen`` (names; default all)."""
    return sum(len(EXERCISES[n].tasks) for n in (chosen or EXERCISES))


def task_id(name, number):
    """Task ``number`` of exercise ``name`` numbered across the chapter (int from 1): neuron's
    tasks are 1-3, hello's 4-6, ... The same task has the same id whichever exercises are
    checked, and no two tasks share one (Exercism's ``task_id`` in a results file that holds
    several exercises)."""
    before = 0
    for other in EXERCISES.values():
        if other.name == name:
            return before + number
        before += len(other.tasks)
    raise KeyError(name)


def bundled_folder():
    """The folder of the stubs and hints as installed (Path): ``exercises/`` in an editable
    install, ``site-packages/tfbasics/exercises/`` from a wheel. Found without importing it."""
    spec = importlib.util.find_spec(STUBS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"no {STUBS_PACKAGE} (exercises/) installed; run: pip install -e .", name=STUBS_PACKAGE
        )
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def stub_path(name):
    """The stub of exercise ``name`` as installed: ``bundled_folder() / <name>.py`` (a Path)."""
    return bundled_folder() / f"{name}.py"


def display(path):
    """How a learner's file is named in messages: relative to the current folder when below it,
    else absolute (str)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

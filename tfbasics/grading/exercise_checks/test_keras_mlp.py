"""Exercise checks: keras_mlp (the book's MNIST multilayer perceptron in Keras)."""

import numpy as np

from tfbasics.grading.replay import load_keras

from .expect import TaskFailure, as_array, expect_close, expect_equal, show, task

EXERCISE = "keras_mlp"
BOOK_LAYERS = [
    "Dense(512)",
    "relu",
    "Dropout(0.2)",
    "Dense(512)",
    "relu",
    "Dropout(0.2)",
    "Dense(10)",
    "softmax",
]


def _pipeline(model):
    """The model as the book lists it: Dense(units), activation names, Dropout(rate)."""
    steps = []
    for layer in getattr(model, "layers", []):
        kind, config = type(layer).__name__, layer.get_config()
        if kind == "Dense":
            steps.append(f"Dense({config['units']})")
            if config.get("activation") not in (None, "linear"):
                steps.append(str(config["activation"]))
        elif kind == "Activation":
            steps.append(str(config["activation"]))
        elif kind in ("ReLU", "Softmax"):
            steps.append(kind.lower())
        elif kind == "Dropout":
            steps.append(f"Dropout({config['rate']:g})")
        elif kind != "InputLayer":
            steps.append(kind)
    return steps


def _loaded(saved, call, wanted="a keras.Sequential"):
    """The model the learner's process saved (loaded here in safe mode), or a TaskFailure."""
    if "keras" not in saved:
        raise TaskFailure(f"{call}\n  returned {show(saved.get('returned'))}\n  expected {wanted}")
    return load_keras(saved["keras"], call)


def _model(ex):
    """build_model(), made in the learner's process and sent here as a .keras file."""
    return _loaded(ex.recipe("keras_model", doing="running build_model()"), "build_model()")


@task(1)
def test_output(ex):
    model = _model(ex)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    try:
        out = as_array(model(x, training=False), "build_model()(x)")
    except TaskFailure:
        raise
    except Exception as e:
        raise TaskFailure(
            f"build_model()(x) with x float32 [3, 784]\n  raised {type(e).__name__}: "
            f"{str(e).splitlines()[0] if str(e) else ''}\n  expected probabilities "
            "[3, 10]: does the model take 784 inputs (keras.Input(shape=(784,)))?"
        ) from None
    expect_equal(out.shape, (3, 10), "build_model()(x).shape with x float32 [3, 784]")
    expect_close(
        out.sum(axis=1),
        np.ones(3),
        "build_model()(x).sum(axis=1)  # one distribution per image: a softmax output",
        atol=1e-5,
    )


@task(2)
def test_layers(ex):
    got = _pipeline(_model(ex))
    if got != BOOK_LAYERS:
        raise TaskFailure(f"the layers of build_model()\n  are {got}\n  expected {BOOK_LAYERS}")


@task(3)
def test_parameters(ex):
    model = _model(ex)
    expect_equal(
        int(model.count_params()),
        669_706,
        "build_model().count_params()",
        "784*512 + 512, 512*512 + 512 and 512*10 + 10 weights and biases",
    )


@task(4)
def test_compile(ex):
    saved = ex.recipe("keras_compiled", doing="running compile_model(build_model())")
    model = _loaded(saved, "compile_model(model)", "the compiled model")
    optimizer = type(getattr(model, "optimizer", None)).__name__
    loss = getattr(model, "loss", None)
    loss_name = loss if isinstance(loss, str) else getattr(loss, "name", type(loss).__name__)
    if optimizer != "RMSprop" or loss_name != "categorical_crossentropy":
        raise TaskFailure(
            f"compile_model(model)\n  compiled with optimizer {optimizer}, loss "
            f"{loss_name}\n  expected optimizer 'rmsprop', loss "
            "'categorical_crossentropy', as the book compiles it"
        )
    rng = np.random.default_rng(0)
    x = rng.random((16, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(16) % 10]
    logs = model.train_on_batch(x, y, return_dict=True)
    if "accuracy" not in logs or not np.isfinite(logs.get("loss", np.nan)):
        raise TaskFailure(
            f"model.train_on_batch(x, y) after compile_model\n  logged {logs}\n"
            "  expected a finite loss and metrics=['accuracy']"
        )

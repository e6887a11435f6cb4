"""A Keras Sequential model infers every layer's shape from the input shape alone.

The book stacks Flatten, Dense(100), ReLU, Dense(60), ReLU for 32x32 RGB images and prints each
layer's output shape and ``model.summary()``. Nothing is trained. The run folder gets the summary
(TensorBoard's Text tab) and the model's forward graph (Graphs tab), with the summary's layer
names.

    python chapters/ch01_08_keras_sequential.py
"""

import sys
from pathlib import Path

from tfbasics import keras_models
from tfbasics._tf import keras
from tfbasics.runs import folders

SCRIPT = Path(__file__).stem


def sequential_stack():
    """The book's stack: Flatten, Dense(100), ReLU, Dense(60), ReLU on 32x32 RGB images.

    Returns:
      keras.Sequential mapping float32 [batch, 32, 32, 3] -> [batch, 60]; its layers' outputs are
      [batch, 3072], [batch, 100], [batch, 100], [batch, 60], [batch, 60], and the two Dense
      layers hold 3072*100 + 100 = 307,300 and 100*60 + 60 = 6,060 parameters.
    """
    # the book imports these from keras.models and keras.layers.core (Keras 1/2); named as Keras 3
    # names them in a fresh process, so every run (and the graph) shows the same names
    model = keras.Sequential(name="sequential")
    # the book's Flatten(input_shape=(32, 32, 3)) is Keras 2; Keras 3 warns, so: Input first
    model.add(keras.Input(shape=(32, 32, 3), name="image"))
    model.add(keras.layers.Flatten(name="flatten"))
    model.add(keras.layers.Dense(100, name="dense"))
    model.add(keras.layers.Activation("relu", name="activation"))
    model.add(keras.layers.Dense(60, name="dense_1"))
    model.add(keras.layers.Activation("relu", name="activation_1"))
    return model


def show_shapes(logdir=folders.DEFAULT_LOGDIR, run_name=None):
    """Build the stack, print what Keras inferred, and log the summary and graph; return the run."""
    model = sequential_stack()
    # the book prints l.input_shape and l.output_shape (Keras 2); Keras 3 keeps them on l.input
    # and l.output, which layer_shapes reads
    for row in keras_models.layer_shapes(model):
        print(
            f"{row.name:<13} {row.kind:<11} {str(row.input_shape):<18} ==> "
            f"{str(row.output_shape):<12} params: {row.params:,}"
        )
    print()
    model.summary()  # the book prints print(model.summary()): summary() prints, returns None

    run = folders.run_dir(logdir, SCRIPT, run_name)
    keras_models.write_model_logs(run, model)  # the same model, so the same layer names
    print(f"\nSummary and graph written to {run}; view them with: {folders.view_command(logdir)}")
    return run


# ------------------------------------------------------------------ command line
def parse_args(argv):
    parser = folders.base_parser(__doc__.splitlines()[0])
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    problem = folders.logdir_problem(args.logdir)
    if problem:
        print(f"{SCRIPT}: error: {problem}", file=sys.stderr)
        return 2
    try:
        show_shapes(args.logdir, args.run_name)
    except OSError as e:  # a read-only or full disk found while writing
        where = f"{e.filename}: " if e.filename else ""
        print(
            f"{SCRIPT}: error: {where}{e.strerror}; pass a --logdir you can write to",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(folders.script_main(main))

"""A Keras Sequential model infers every layer's shape from the input shape alone.

The book stacks Flatten, Dense(100), ReLU, Dense(60), ReLU for 32x32 RGB images and prints each
layer's output shape and ``model.summary()``; nothing is trained. The run folder gets the
summary (TensorBoard's Text tab) and the model's forward graph (Graphs tab).
"""

import sys
from functools import partial

from tfbasics import keras_models
from tfbasics._tf import keras
from tfbasics.runs import folders, keras_runs
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_08_keras_sequential"  # its run folders: logs/ch01_08_keras_sequential/<run>/

# %% [markdown]
# # 1.8 Keras: a Sequential model works out its own shapes
#
# In TensorFlow's graph API we gave every weight matrix its shape by hand. Keras asks for one
# shape only, the input's; each layer added after it derives its own input and output shapes,
# and the number of weights it needs, from the layer before.


# %%
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


# %% [markdown]
# Each row: the layer, its class, the shape it takes and the shape it gives (`None` is the batch,
# any size), and its parameter count. Flatten turns 32x32x3 into 3,072 numbers, so the first
# Dense layer needs 3,072 x 100 weights and 100 biases.


# %%
def show_shapes(logdir=folders.DEFAULT_LOGDIR, run_name=None):
    """Build the stack, print what Keras inferred, and log the summary and graph.

    Args:
      logdir, run_name: the run folder is ``<logdir>/ch01_08_keras_sequential/<run_name>``.
    Returns:
      pathlib.Path of the run folder.
    """
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


# %% active="ipynb"
# run = show_shapes()

# %% [markdown]
# In TensorBoard the Text tab shows the same summary, and the Graphs tab the model's forward
# pass, one box per layer under the names above. If TensorBoard does not start here, run
# `tfbasics tensorboard` (or `tensorboard --logdir logs/ch01_08_keras_sequential`) in a terminal.

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_08_keras_sequential


# %% active="py"
def main(argv=None):
    args = folders.base_parser(__doc__.splitlines()[0]).parse_args(argv)
    work = partial(show_shapes, args.logdir, args.run_name)
    return keras_runs.run_guarded(SCRIPT, folders.logdir_problem(args.logdir), work)


if __name__ == "__main__":
    sys.exit(script_main(main))

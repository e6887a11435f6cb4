"""A Keras Sequential model infers every layer's shape from the input shape alone.

The book stacks Flatten, Dense(100), ReLU, Dense(60), ReLU for 32x32 RGB images and prints each
layer's output shape and ``model.summary()``. Nothing is trained. The run folder gets the summary
(TensorBoard's Text tab) and the model's forward graph (Graphs tab).

    python chapters/ch01_08_keras_sequential.py
"""

import sys
from pathlib import Path

from tfbasics import runs

SCRIPT = Path(__file__).stem


def parse_args(argv):
    parser = runs.base_parser(__doc__.splitlines()[0])
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from tfbasics import keras_models  # imports TensorFlow and Keras: after --help

    model = keras_models.sequential_stack()
    for row in keras_models.layer_shapes(model):
        print(
            f"{row.name:<13} {row.kind:<11} {str(row.input_shape):<18} ==> "
            f"{str(row.output_shape):<12} params: {row.params:,}"
        )
    print()
    model.summary()  # the book prints print(model.summary()): summary() prints, returns None

    run = runs.run_dir(args.logdir, SCRIPT, args.run_name)
    keras_models.write_model_logs(run, model)
    print(f"\nSummary and graph written to {run} (tensorboard --logdir {args.logdir})")
    return 0


if __name__ == "__main__":
    sys.exit(runs.script_main(main))

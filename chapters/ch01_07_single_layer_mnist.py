"""Section 7: a single-layer softmax classifier for MNIST, trained with SGD as the book does.

A run writes under ``logs/ch01_07_single_layer_mnist/<run name>/``: TensorBoard events
(``train/`` and ``validation/``), a checkpoint per epoch, ``weight_templates.png`` and
``curves.png``. ``--input in_graph`` trains the same way, faster (``in_graph_training.py``).
"""

# %% [markdown]
# # 1.7 A single-layer classifier for MNIST
#
# Every 28x28 digit becomes 784 numbers `x`; one layer turns them into ten scores
# `logits = x @ W + b`, and softmax turns the scores into probabilities. Training nudges `W` and
# `b` downhill on the cross-entropy, one batch of 128 images at a time. The model functions
# (`inference`, `loss`, `training`, `evaluation`) live in `tfbasics/softmax_regression.py`.

# %%
import dataclasses
import sys

from tfbasics import softmax_regression as sr
from tfbasics._tf import tf
from tfbasics.chapters import in_graph_training
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES
from tfbasics.data.batches import BatchStream
from tfbasics.runs import checkpoints, run_summaries, training_run
from tfbasics.runs.epoch_log import end_epoch, end_run
from tfbasics.runs.folders import progress
from tfbasics.runs.run_records import EpochResult
from tfbasics.runs.script_errors import script_main

SCRIPT = "ch01_07_single_layer_mnist"  # its runs: logs/ch01_07_single_layer_mnist/<run>/


# %% [markdown]
# The book's code: build the graph, open a `Session`, initialise, then loop over epochs and
# batches with `next_batch` and `sess.run([train_op, loss], feed_dict=...)`. The lines marked
# "not in the book" keep a checkpoint per epoch and write what TensorBoard shows.


# %%
def run_training(data, hp, run_dir, resume=False, max_steps=None, show_progress=True):
    """The book's loop. data: mnist.read_data_sets(one_hot=True); hp: sr.Config -> TrainResult."""
    with tf.Graph().as_default() as graph:  # a graph of its own: eager mode stays on outside
        v1 = tf.compat.v1  # the book's TensorFlow 1.x API
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
        ckpt = checkpoints.Checkpoints(run_dir, [weights, biases, global_step])  # not in the book
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
        with run_summaries.RunSummaries(
            run_dir, graph, dataclasses.asdict(hp), data.train, step
        ) as log:
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
                # not in the book: accuracy and loss on the validation set and a training sample
                val_accuracy, val_loss, *train_eval = sr.evaluate(
                    sess, [accuracy, loss], features, labels, data
                )
                print(
                    f"Epoch: {epoch} cost = {avg_cost:.3f}  "
                    f"validation accuracy = {val_accuracy:.4f}",
                    flush=True,
                )
                result = EpochResult(epoch, step, avg_cost, *train_eval, val_accuracy, val_loss)
                end_epoch(sess, ckpt, log, result, steps == total_batch, [weights, biases])

            test_accuracy, test_loss = sess.run(
                [accuracy, loss],
                feed_dict={features: data.test.images, labels: data.test.labels},
            )
            print(f"Test accuracy: {test_accuracy:.4f}")
            return end_run(sess, ckpt, log, step, test_accuracy, test_loss, [weights, biases])


INPUTS = {"feed_dict": run_training, "in_graph": in_graph_training.run_training_in_graph}

# %% [markdown]
# Ten epochs with the book's settings (learning rate 0.5, batch 128) and seed 0 reach a test
# accuracy of 0.9211. It takes a minute or two on a laptop.

# %% active="ipynb"
# from tfbasics.data import mnist
# from tfbasics.runs.folders import run_dir
#
# data = mnist.read_data_sets(one_hot=True, seed=0)
# hp = sr.Config(epochs=10, seed=0)  # the book's settings
# result = run_training(data, hp, run_dir("logs", SCRIPT), show_progress=False)

# %% [markdown]
# Each column of `W` is a template: a picture of what the layer "looks for" in one digit. Red
# pixels vote for the digit, blue ones against it.

# %% active="ipynb"
# import matplotlib.pyplot as plt
#
# fig, axes = plt.subplots(2, 5, figsize=(10, 4.4))
# scale = abs(result.weights).max()
# for digit, ax in enumerate(axes.flat):
#     ax.imshow(result.weights[:, digit].reshape(28, 28), cmap="seismic", vmin=-scale, vmax=scale)
#     ax.set_title(f"digit {digit}")
#     ax.axis("off")
# plt.show()

# %% [markdown]
# The cost falls quickly in the first epochs, then slowly; the validation accuracy follows.

# %% active="ipynb"
# import matplotlib.pyplot as plt
#
# epochs = [e.epoch for e in result.epochs]
# fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
# left.plot(epochs, [e.cost for e in result.epochs], "o-")
# left.set(title="Training loss (cost)", xlabel="epoch")
# right.plot(epochs, [e.train_accuracy for e in result.epochs], "o-", label="train (sample)")
# right.plot(epochs, [e.validation_accuracy for e in result.epochs], "o-", label="validation")
# right.set(title="Accuracy", xlabel="epoch")
# right.legend()
# plt.show()

# %% [markdown]
# TensorBoard shows the same run: the graph, the loss of every step, histograms of `W` and `b`,
# and the templates epoch by epoch. If it cannot start inside the notebook, open it outside with
# `tfbasics tensorboard` (or `tensorboard --logdir logs/ch01_07_single_layer_mnist`).

# %% active="ipynb"
# %load_ext tensorboard
# %tensorboard --logdir logs/ch01_07_single_layer_mnist


# %% active="py"
def main(argv=None):
    args = training_run.parser(__doc__.splitlines()[0], inputs=INPUTS).parse_args(argv)
    return training_run.run(args, argv, SCRIPT, INPUTS[args.input])


if __name__ == "__main__":
    sys.exit(script_main(main))

"""The faster alternative to the book's ``feed_dict`` loop: the data in the graph, several SGD
steps per ``session.run``.

A step's arithmetic is tiny (two 128 x 784 x 10 matmuls), so the book's loop is mostly the fixed
cost of a Python ``session.run`` that copies a batch in. Here the training set lives in a
non-trainable variable (set from a placeholder, so the 172 MB stay out of the GraphDef), and one
run performs ``steps_per_run`` unrolled SGD steps, each gathering its batch by index in the
graph. All of it sits in one name scope, ``in_graph_pipeline``, so TensorBoard draws it as one
box beside the book's ``inference``, ``loss`` and ``accuracy``.

The steps are the book's: each calls ``softmax_regression.inference/loss/training`` on the same
shared variables, after the previous step's update, on the rows ``tfbasics.batches`` lists, so
the updates equal the feed_dict loop's (tested to 1e-6).
"""

from typing import NamedTuple

from tfbasics import softmax_regression as sr
from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES

v1 = tf.compat.v1
SCOPE = "in_graph_pipeline"


class Steps(NamedTuple):
    """``batch_indices`` int32 [k, batch] -> ``losses`` float32 [k], k SGD steps in one run."""

    batch_indices: object
    losses: object


class Pipeline(NamedTuple):
    """What ``build`` adds: the stored data, its initializer, and the unrolled steps.

    ``images``/``labels`` are placeholders whose values ``load`` copies into the variables;
    ``steps[k]`` runs k steps (k = 1 and ``steps_per_run``).
    """

    images: object
    labels: object
    load: object
    steps: dict


def _unrolled_steps(config, images, labels, global_step, k):
    """``k`` SGD steps, step j on rows ``batch_indices[j]`` of the stored data.

    Each step reads the weights after the previous step's update (control dependencies). The
    gathers do not wait, so they run ahead on a free core while earlier steps compute (measured:
    0.24 against 0.40 ms per step). Rows are taken with ``tf.gather`` (ResourceGather reads only
    those rows; slicing ``images[a:b]`` would copy the whole 172 MB variable).
    """
    with tf.name_scope(f"{k}_steps" if k > 1 else "1_step"):
        indices = v1.placeholder(tf.int32, [k, config.batch_size], name="batch_indices")
        losses, after = [], []
        for j in range(k):
            with tf.name_scope(f"step_{j}") as scope:
                x = tf.gather(images, indices[j], name="features")
                y = tf.gather(labels, indices[j], name="labels")
            with tf.control_dependencies(after), tf.name_scope(scope):
                logits, prediction, _, _ = sr.inference(x, config.init, config.seed)
                step_loss = sr.loss(logits, y, config.loss, prediction)
                after = [sr.training(step_loss, config.learning_rate, global_step)]
            losses.append(step_loss)
        with tf.control_dependencies(after):
            return Steps(indices, tf.stack(losses, name="losses"))


def build(config, num_examples, global_step, single_step=True):
    """Add the in-graph pipeline to the current graph, under one scope ``in_graph_pipeline``.

    Call it after ``inference`` made the book's variables (the steps share them).

    Args:
      config: softmax_regression.Config (batch_size, init, loss, learning_rate, seed,
        steps_per_run are used).
      num_examples: int, the size of the training set stored in the graph.
      global_step: the int64 global step variable, incremented by every step.
      single_step: bool, also build a 1-step run, for epochs (or ``--max-steps``) that are not
        a multiple of ``steps_per_run`` (the book's 429 = 33 x 13 are; building it costs time).
    Returns:
      Pipeline.
    """
    with tf.name_scope(SCOPE):
        images_in = v1.placeholder(tf.float32, [num_examples, IMAGE_PIXELS], name="images")
        labels_in = v1.placeholder(tf.float32, [num_examples, NUM_CLASSES], name="labels")
        # variables set from placeholders: a 172 MB tf.constant would be copied into the
        # GraphDef (and into every graph written for TensorBoard)
        local = [v1.GraphKeys.LOCAL_VARIABLES]
        images = v1.Variable(images_in, trainable=False, collections=local, name="train_images")
        labels = v1.Variable(labels_in, trainable=False, collections=local, name="train_labels")
        load = v1.variables_initializer([images, labels], name="load_data")
        steps = {
            k: _unrolled_steps(config, images, labels, global_step, k)
            for k in sorted({1, config.steps_per_run} if single_step else {config.steps_per_run})
        }
    return Pipeline(images_in, labels_in, load, steps)


def step_runner(sess, pipeline):
    """``run(indices, **trace)`` -> the losses of ``len(indices)`` SGD steps (1 or
    ``steps_per_run``); ``trace`` is ``sess.run``'s ``options`` and ``run_metadata``, if any.

    A session callable skips ``session.run``'s per-call parsing of fetches and feeds.
    """
    callables = {
        k: sess.make_callable(s.losses, [s.batch_indices]) for k, s in pipeline.steps.items()
    }

    def run(indices, **trace):
        if trace:
            steps = pipeline.steps[len(indices)]
            return sess.run(steps.losses, {steps.batch_indices: indices}, **trace)
        return callables[len(indices)](indices)

    return run


def chunks(indices, steps_per_run):
    """Split int32 [steps, batch] into runs of ``steps_per_run`` steps, then single steps."""
    i = 0
    while i < len(indices):
        k = steps_per_run if len(indices) - i >= steps_per_run else 1
        yield indices[i : i + k]
        i += k

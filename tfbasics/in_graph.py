"""The faster alternative to the book's ``feed_dict`` loop: the data in the graph, several SGD
steps per ``session.run``.

A step's arithmetic is tiny (two 128 x 784 x 10 matmuls), so the book's loop is mostly the fixed
cost of a Python ``session.run`` that copies a batch in. Here the training set lives in a
non-trainable variable (set from a placeholder, so the 172 MB stay out of the GraphDef), and one
run makes k SGD steps in a ``tf.while_loop``, each gathering its batch by index in the graph.
All of it sits in one name scope, ``in_graph_pipeline``, so TensorBoard draws it as one box
beside the book's ``inference``, ``loss`` and ``accuracy``.

The loop's body is the book's step: ``softmax_regression.inference/loss/training`` on the same
shared variables, on the rows ``tfbasics.data.batches`` lists, one iteration after the other (the
body reads the weights its previous iteration updated), so the updates equal the feed_dict
loop's (tested to 1e-6). The body is built once: a loop builds in 0.1 s where 13 unrolled copies
of the step took 0.6 s of CPU, and runs as fast per step (measured, see benchmarks/).
"""

from typing import NamedTuple

from tfbasics import softmax_regression as sr
from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES

SCOPE = "in_graph_pipeline"


class Pipeline(NamedTuple):
    """What ``build`` adds: the stored data, its initializer, and the SGD loop.

    ``images``/``labels`` are placeholders whose values ``load`` copies into the variables;
    ``batch_indices`` int32 [k, batch] (any k >= 1) -> ``losses`` float32 [k] makes k steps.
    """

    images: object
    labels: object
    load: object
    batch_indices: object
    losses: object


def _sgd_steps(config, images, labels, global_step):
    """A ``while_loop`` making one SGD step per row of ``batch_indices`` (int32 [k, batch])."""
    indices = tf.compat.v1.placeholder(tf.int32, [None, config.batch_size], name="batch_indices")
    num_steps = tf.shape(indices)[0]

    def step(j, losses):
        x = tf.gather(images, indices[j], name="features")  # reads only those rows
        y = tf.gather(labels, indices[j], name="labels")
        logits, prediction, _, _ = sr.inference(x, config.init, config.seed)
        step_loss = sr.loss(logits, y, config.loss, prediction)
        train_op = sr.training(step_loss, config.learning_rate, global_step)
        with tf.control_dependencies([train_op]):  # the next iteration sees this update
            return j + 1, losses.write(j, step_loss)

    _, losses = tf.while_loop(
        lambda j, _: j < num_steps,
        step,
        [tf.constant(0), tf.TensorArray(tf.float32, size=num_steps)],
        name="sgd_steps",
    )
    return indices, losses.stack(name="losses")


def build(config, num_examples, global_step):
    """Add the in-graph pipeline to the current graph, under one scope ``in_graph_pipeline``.

    Call it after ``inference`` made the book's variables (the loop's steps share them).

    Args:
      config: softmax_regression.Config (batch_size, init, loss, learning_rate, seed).
      num_examples: int, the size of the training set stored in the graph.
      global_step: the int64 global step variable, incremented by every step.
    Returns:
      Pipeline.
    """
    with tf.name_scope(SCOPE):
        images_in = tf.compat.v1.placeholder(
            tf.float32, [num_examples, IMAGE_PIXELS], name="images"
        )
        labels_in = tf.compat.v1.placeholder(tf.float32, [num_examples, NUM_CLASSES], name="labels")
        # variables set from placeholders: a 172 MB tf.constant would be copied into the
        # GraphDef (and into every graph written for TensorBoard)
        local = [tf.compat.v1.GraphKeys.LOCAL_VARIABLES]
        images = tf.compat.v1.Variable(
            images_in, trainable=False, collections=local, name="train_images"
        )
        labels = tf.compat.v1.Variable(
            labels_in, trainable=False, collections=local, name="train_labels"
        )
        load = tf.compat.v1.variables_initializer([images, labels], name="load_data")
        indices, losses = _sgd_steps(config, images, labels, global_step)
    return Pipeline(images_in, labels_in, load, indices, losses)


def step_runner(sess, pipeline):
    """``run(indices, **trace)`` -> the losses of ``len(indices)`` SGD steps; ``trace`` is
    ``sess.run``'s ``options`` and ``run_metadata``, if any.

    A session callable skips ``session.run``'s per-call parsing of fetches and feeds.
    """
    run_callable = sess.make_callable(pipeline.losses, [pipeline.batch_indices])

    def run(indices, **trace):
        if trace:
            return sess.run(pipeline.losses, {pipeline.batch_indices: indices}, **trace)
        return run_callable(indices)

    return run


def chunks(indices, steps_per_run):
    """Split int32 [steps, batch] into runs of ``steps_per_run`` steps (the last may be shorter)."""
    for i in range(0, len(indices), steps_per_run):
        yield indices[i : i + steps_per_run]

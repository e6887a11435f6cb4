"""Section 7, faster: the book's training with the training set kept inside the graph.

``run_training_in_graph`` (``ch01_07_single_layer_mnist.py --input in_graph``) makes the updates
of the book's loop, ``run_training`` in ``ch01_07_single_layer_mnist.py``, on the same batches,
but one ``sess.run`` makes ``hp.steps_per_run`` SGD steps (``tfbasics/in_graph.py`` explains
how). The lines that differ from the book's loop are marked ``# in-graph:``. Not a section of
its own: ``tfbasics list`` and ``tfbasics run`` know it as section 7's ``--input in_graph``.
"""

# %%
import dataclasses

from tfbasics import in_graph
from tfbasics import softmax_regression as sr
from tfbasics._tf import tf
from tfbasics.constants import IMAGE_PIXELS, NUM_CLASSES
from tfbasics.data.batches import batch_indices
from tfbasics.runs import checkpoints, run_summaries
from tfbasics.runs.epoch_log import end_epoch, end_run
from tfbasics.runs.folders import progress
from tfbasics.runs.run_records import EpochResult


# %%
def run_training_in_graph(data, hp, run_dir, resume=False, max_steps=None, show_progress=True):
    """The book's training, k steps a run. data: read_data_sets(one_hot=True); hp: sr.Config.

    Returns:
      epoch_log.TrainResult, equal to ``run_training``'s for the same data and hp (to 1e-6).
    """
    with tf.Graph().as_default() as graph:
        v1 = tf.compat.v1
        v1.set_random_seed(hp.seed)
        features = v1.placeholder(tf.float32, [None, IMAGE_PIXELS], name="features")
        labels = v1.placeholder(tf.float32, [None, NUM_CLASSES], name="labels")
        global_step = v1.train.create_global_step()
        logits, prediction, weights, biases = sr.inference(features, hp.init, hp.seed)
        loss = sr.loss(logits, labels, hp.loss, prediction)
        # in-graph: no train_op here; the SGD steps are in the pipeline, one box in TensorBoard
        pipeline = in_graph.build(hp, data.train.num_examples, global_step)
        accuracy = sr.evaluation(prediction, labels)
        init = v1.global_variables_initializer()
        ckpt = checkpoints.Checkpoints(run_dir, [weights, biases, global_step])
    graph.finalize()

    total_batch = int(data.train.num_examples / hp.batch_size)
    with v1.Session(graph=graph) as sess:
        sess.run(init)
        step = ckpt.restore(sess, resume)
        if resume:
            print(f"Resumed from the checkpoint of epoch {step // total_batch} (step {step})")
        # in-graph: the 55,000 training images are copied into the graph once
        sess.run(
            pipeline.load, {pipeline.images: data.train.images, pipeline.labels: data.train.labels}
        )
        run_steps = in_graph.step_runner(sess, pipeline)
        hparams = dataclasses.asdict(hp)
        with run_summaries.RunSummaries(run_dir, graph, hparams, data.train, step) as log:
            for epoch in range(step // total_batch + 1, hp.epochs + 1):
                steps = total_batch if max_steps is None else min(total_batch, max_steps - step)
                if steps <= 0:
                    break
                avg_cost = 0.0
                # in-graph: the epoch's batches as row numbers, the rows next_batch would give
                rows = batch_indices(hp.seed, data.train.num_examples, hp.batch_size, step, steps)
                with progress(total=steps, desc=f"Epoch {epoch}", disable=not show_progress) as bar:
                    for chunk in in_graph.chunks(rows, hp.steps_per_run):
                        for c in run_steps(chunk, **log.trace(step)):  # in-graph: k steps a run
                            step += 1
                            sr.check_finite(c, step, hp)
                            log.loss(step, c)
                            avg_cost += c / steps
                        bar.update(len(chunk))
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

"""tfbasics.data.input_data is TensorFlow 1.x's MNIST input_data: its signatures (written below from
TensorFlow r1.15's tensorflow/contrib/learn/python/learn/datasets/mnist.py), its arrays bit for
bit (computed here the way TF 1.x computed them), its fake data and errors, and small programs
that call it exactly as TF 1.x's tutorials mnist_softmax.py, fully_connected_feed.py and
mnist_with_summaries.py do (written for these tests, in fake-data mode; one on real MNIST)."""

import gzip
import inspect
import io
import subprocess
import sys
import types

import numpy as np
import pytest

from helpers import event_files
from tfbasics._tf import tf
from tfbasics.data import idx, input_data, mnist, mnist_fetch

dtypes = tf.dtypes  # TF 1.x's tensorflow.python.framework.dtypes
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"


# ---------------------------------------------------------------- TF 1.x's signatures
# The bodies are empty: only the signatures (names, order, defaults) are compared.
def tf1_read_data_sets(
    train_dir,
    fake_data=False,
    one_hot=False,
    dtype=dtypes.float32,
    reshape=True,
    validation_size=5000,
    seed=None,
    source_url=DEFAULT_SOURCE_URL,
): ...


class TF1DataSet:
    def __init__(
        self,
        images,
        labels,
        fake_data=False,
        one_hot=False,
        dtype=dtypes.float32,
        reshape=True,
        seed=None,
    ): ...

    def next_batch(self, batch_size, fake_data=False, shuffle=True): ...


def tf1_extract_images(f): ...


def tf1_extract_labels(f, one_hot=False, num_classes=10): ...


def tf1_dense_to_one_hot(labels_dense, num_classes): ...


def tf1_load_mnist(train_dir="MNIST-data"): ...


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (input_data.read_data_sets, tf1_read_data_sets),
        (input_data.DataSet.__init__, TF1DataSet.__init__),
        (input_data.DataSet.next_batch, TF1DataSet.next_batch),
        (input_data.extract_images, tf1_extract_images),
        (input_data.extract_labels, tf1_extract_labels),
        (input_data.dense_to_one_hot, tf1_dense_to_one_hot),
        (input_data.load_mnist, tf1_load_mnist),
    ],
)
def test_signatures_are_tensorflow_1s(ours, theirs):
    mine, tf1 = inspect.signature(ours), inspect.signature(theirs)
    assert list(mine.parameters) == list(tf1.parameters)  # names and positional order
    for name, p in tf1.parameters.items():
        q = mine.parameters[name]
        assert q.kind == p.kind, name
        assert type(q.default) is type(p.default) and q.default == p.default, name


def test_module_names():
    from tfbasics.data import input_data as again  # the way a reader imports it

    assert again is input_data
    assert input_data.DEFAULT_SOURCE_URL == DEFAULT_SOURCE_URL
    assert input_data.Datasets._fields == ("train", "validation", "test")


# ---------------------------------------------------------------- TF 1.x's arrays, bit for bit
def tf1_arrays(directory, one_hot, dtype, reshape, validation_size):
    """What TF 1.x's read_data_sets computed, step by step as its source does."""

    def images(name):
        data = (directory / name).read_bytes()
        n, rows, cols = (int.from_bytes(data[4 * i : 4 * i + 4], "big") for i in (1, 2, 3))
        return np.frombuffer(data[16:], dtype=np.uint8).reshape(n, rows, cols, 1)

    def labels(name):
        y = np.frombuffer((directory / name).read_bytes()[8:], dtype=np.uint8)
        if not one_hot:
            return y
        out = np.zeros((len(y), 10))  # numpy's default: float64
        out.flat[np.arange(len(y)) * 10 + y.ravel()] = 1
        return out

    def convert(x):
        if reshape:
            x = x.reshape(x.shape[0], x.shape[1] * x.shape[2])
        if dtype == dtypes.float32:
            x = np.multiply(x.astype(np.float32), 1.0 / 255.0)
        return x

    x, y = images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte")
    xt, yt = images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte")
    v = validation_size
    return [(convert(x[v:]), y[v:]), (convert(x[:v]), y[:v]), (convert(xt), yt)]


@pytest.mark.parametrize(
    "one_hot, dtype, reshape, validation_size",
    [
        (False, dtypes.float32, True, 5000),
        (True, dtypes.float32, True, 5000),
        (True, dtypes.uint8, False, 0),
        (False, dtypes.uint8, True, 60000),
        (True, "float32", False, 123),
    ],
)
@pytest.mark.slow
def test_real_arrays_equal_tensorflow_1s_bit_for_bit(
    mnist_dir, one_hot, dtype, reshape, validation_size
):
    d = input_data.read_data_sets(
        mnist_dir, one_hot=one_hot, dtype=dtype, reshape=reshape, validation_size=validation_size
    )
    want = tf1_arrays(mnist_dir, one_hot, tf.as_dtype(dtype), reshape, validation_size)
    assert [s.num_examples for s in d] == [60000 - validation_size, validation_size, 10000]
    for split, (x, y) in zip(d, want):
        for got, expected in ((split.images, x), (split.labels, y)):
            assert got.dtype == expected.dtype and got.shape == expected.shape
            assert got.tobytes() == expected.tobytes()  # bit for bit


def test_default_split_and_types(mnist_dir):
    d = input_data.read_data_sets(str(mnist_dir))  # TF 1.x: positional train_dir, all defaults
    assert [s.num_examples for s in d] == [55000, 5000, 10000]
    assert d.train.images.shape == (55000, 784) and d.train.images.dtype == np.float32
    assert d.train.labels.shape == (55000,) and d.train.labels.dtype == np.uint8
    assert (d.train.images.min(), d.train.images.max()) == (0.0, 1.0)
    # the same pixels as tfbasics.data.mnist's own API: one conversion underneath
    own = mnist.read_data_sets(mnist_dir)
    assert own.test.images.tobytes() == d.test.images.tobytes()


def test_extract_functions_read_gzip_file_objects(mnist_dir, tmp_path):
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress((mnist_dir / name).read_bytes(), 1))
    with open(tmp_path / "t10k-images-idx3-ubyte.gz", "rb") as f:
        images = input_data.extract_images(f)
    with open(tmp_path / "t10k-labels-idx1-ubyte.gz", "rb") as f:
        labels = input_data.extract_labels(f)
    with open(tmp_path / "t10k-labels-idx1-ubyte.gz", "rb") as f:
        hot = input_data.extract_labels(f, one_hot=True)
    want = tf1_arrays(mnist_dir, True, dtypes.uint8, False, 0)[2]
    assert images.dtype == np.uint8 and images.shape == (10000, 28, 28, 1)
    assert images.tobytes() == want[0].tobytes()
    assert labels.dtype == np.uint8 and labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert hot.dtype == np.float64 and hot.tobytes() == want[1].tobytes()
    with open(tmp_path / "t10k-labels-idx1-ubyte.gz", "rb") as f:
        with pytest.raises(
            ValueError, match=r"Invalid magic number 2049 in MNIST image file: .*t10k-labels"
        ):
            input_data.extract_images(f)
    with open(tmp_path / "t10k-images-idx3-ubyte.gz", "rb") as f:
        with pytest.raises(ValueError, match="Invalid magic number 2051 in MNIST label file"):
            input_data.extract_labels(f)


def test_extract_refuses_truncated_and_non_gzip_streams():
    data = gzip.compress(idx.to_bytes(np.arange(5, dtype=np.uint8))[:-2])
    with pytest.raises(ValueError, match="truncated"):
        input_data.extract_labels(io.BytesIO(data))
    with pytest.raises(ValueError, match="not a valid gzip file"):
        input_data.extract_labels(io.BytesIO(b"not gzip at all"))


def test_dense_to_one_hot_is_float64():
    got = input_data.dense_to_one_hot(np.array([5, 0], np.uint8), 10)
    assert got.dtype == np.float64 and got.shape == (2, 10)
    assert got[0].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0] and got[1, 0] == 1


def test_dataset_converts_as_tensorflow_1():
    x = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4, 1) * 10
    y = np.array([1, 2], np.uint8)
    d = input_data.DataSet(x, y)
    want = np.multiply(x.reshape(2, 12).astype(np.float32), 1.0 / 255.0)
    assert d.images.dtype == np.float32 and d.images.tobytes() == want.tobytes()
    u = input_data.DataSet(x, y, dtype=dtypes.uint8, reshape=False)
    assert u.images.dtype == np.uint8 and u.images.shape == (2, 3, 4, 1)
    with pytest.raises(ValueError, match=r"images must be \[N, rows, cols, 1\] to be reshaped"):
        input_data.DataSet(x[..., 0], y)
    with pytest.raises(ValueError, match="2 images but 1 labels"):
        input_data.DataSet(x, y[:1])


# ---------------------------------------------------------------- fake data and errors
def test_fake_data_is_tensorflow_1s(monkeypatch):
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("fetch called"))
    d = input_data.read_data_sets("unused", fake_data=True)
    assert [s.num_examples for s in d] == [10000, 10000, 10000]
    assert list(d.train.images) == [] and list(d.train.labels) == []
    images, labels = d.train.next_batch(3, fake_data=True)
    assert images == [[1] * 784] * 3 and labels == [0, 0, 0]
    hot = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    images, labels = hot.validation.next_batch(2, True)  # positional fake_data
    assert images == [[1] * 784] * 2 and labels == [[1] + [0] * 9] * 2
    # fake data does not check validation_size (TF 1.x did not), but does check dtype
    assert input_data.read_data_sets("unused", True, validation_size=-1).test.num_examples == 10000
    with pytest.raises(TypeError, match="Invalid image dtype tf.float64"):
        input_data.read_data_sets("unused", fake_data=True, dtype=np.float64)
    with pytest.raises(ValueError, match=r"holds fake data .* next_batch\(batch_size, fake_data"):
        d.train.next_batch(3)


@pytest.mark.parametrize("dtype", [np.float64, dtypes.float64, dtypes.int32, "float16"])
def test_dtype_other_than_uint8_or_float32_is_a_type_error(monkeypatch, dtype):
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("fetch called"))
    with pytest.raises(TypeError, match=r"Invalid image dtype tf\.\w+, expected uint8 or float32"):
        input_data.read_data_sets("unused", dtype=dtype)


@pytest.mark.parametrize("size", [-1, 60001])
def test_validation_size_out_of_range_is_a_value_error_before_any_fetch(monkeypatch, size):
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("fetch called"))
    with pytest.raises(
        ValueError, match=f"^Validation size should be between 0 and 60000. Received: {size}.$"
    ):
        input_data.read_data_sets("unused", validation_size=size)


# ---------------------------------------------------------------- batches
def tf1_batches(images, labels, seed, batch_size, count, shuffle=True):
    """TF 1.x's next_batch on numpy's global generator, seeded as its DataSet seeded it."""
    saved = np.random.get_state()
    try:
        np.random.seed(seed)
        n, start, epochs, out = len(images), 0, 0, []
        for _ in range(count):
            if epochs == 0 and start == 0 and shuffle:
                perm0 = np.arange(n)
                np.random.shuffle(perm0)
                images, labels = images[perm0], labels[perm0]
            if start + batch_size > n:
                epochs += 1
                rest_x, rest_y = images[start:], labels[start:]
                if shuffle:
                    perm = np.arange(n)
                    np.random.shuffle(perm)
                    images, labels = images[perm], labels[perm]
                end = batch_size - (n - start)
                out.append(
                    (np.concatenate([rest_x, images[:end]]), np.concatenate([rest_y, labels[:end]]))
                )
                start = end
            else:
                out.append((images[start : start + batch_size], labels[start : start + batch_size]))
                start += batch_size
        return out
    finally:
        np.random.set_state(saved)


@pytest.mark.parametrize("batch_size", [4, 7, 25])
def test_seeded_batches_are_tensorflow_1s(batch_size):
    x = np.arange(30 * 4, dtype=np.uint8).reshape(30, 2, 2, 1)
    y = np.arange(30, dtype=np.uint8)
    state = np.random.get_state()[1].copy()
    d = input_data.DataSet(x, y, dtype=dtypes.uint8, seed=5)
    want = tf1_batches(x.reshape(30, 4), y, 5, batch_size, 12)
    for got, expected in zip((d.next_batch(batch_size) for _ in range(12)), want):
        assert got[0].tobytes() == expected[0].tobytes() and got[1].tolist() == expected[1].tolist()
    assert d.epochs_completed > 0
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # numpy's global RNG untouched


def test_unseeded_batches_follow_numpys_global_seed_as_in_tensorflow_1():
    x = np.arange(30 * 4, dtype=np.uint8).reshape(30, 2, 2, 1)
    y = np.arange(30, dtype=np.uint8)
    want = tf1_batches(x.reshape(30, 4), y, 0, 7, 12)  # np.random.seed(0), then TF 1.x's draws
    saved = np.random.get_state()
    try:
        np.random.seed(0)
        d = input_data.DataSet(x, y, dtype=dtypes.uint8)
        for got, expected in zip((d.next_batch(7) for _ in range(12)), want):
            assert got[0].tobytes() == expected[0].tobytes()
    finally:
        np.random.set_state(saved)


SEEDED_PROGRAM = """
import numpy as np
from tfbasics.data import input_data
np.random.seed(0)
x = np.arange(1000, dtype=np.uint8).reshape(1000, 1, 1, 1)
train = input_data.DataSet(x, np.arange(1000) % 10, dtype="uint8")
print(train.next_batch(8)[0].ravel().tolist())
"""


@pytest.mark.slow
def test_two_processes_seeded_with_np_random_seed_draw_the_same_first_batch():
    first = [
        subprocess.run(
            [sys.executable, "-c", SEEDED_PROGRAM], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert first[0] == first[1] and first[0].startswith("[")
    assert first[0].strip() != str(list(range(8)))  # shuffled, not in file order


def test_positional_fake_data_false_still_shuffles():
    """fully_connected_feed.py calls next_batch(FLAGS.batch_size, FLAGS.fake_data)."""
    x = np.arange(100, dtype=np.uint8).reshape(100, 1, 1, 1)
    d = input_data.DataSet(x, np.arange(100), dtype=dtypes.uint8, seed=1)
    first = np.concatenate([d.next_batch(10, False)[1] for _ in range(10)])
    assert sorted(first.tolist()) == list(range(100))  # one epoch: each example once
    assert first.tolist() != list(range(100))  # ... not in file order
    unshuffled = input_data.DataSet(x, np.arange(100), dtype=dtypes.uint8)
    assert unshuffled.next_batch(10, False, False)[1].tolist() == list(range(10))


# ---------------------------------------------------------------- programs written as TF 1.x's tutorials
def layer(inputs, units, activation=None, seed=0):
    """A fully connected layer as the tutorials build it: truncated-normal weights, zero biases."""
    fan_in = int(inputs.shape[-1])
    weights = tf.Variable(
        tf.random.truncated_normal([fan_in, units], stddev=1.0 / fan_in**0.5, seed=seed)
    )
    biases = tf.Variable(tf.zeros([units]))
    z = tf.matmul(inputs, weights) + biases
    return activation(z) if activation else z


def mnist_softmax(data_dir, steps=1000):
    """As mnist_softmax.py: one_hot labels, next_batch(100), softmax regression, lr 0.5."""
    mnist_data = input_data.read_data_sets(data_dir, one_hot=True)
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 784])
        W = tf.Variable(tf.zeros([784, 10]))
        b = tf.Variable(tf.zeros([10]))
        y = tf.matmul(x, W) + b
        y_ = tf.compat.v1.placeholder(tf.float32, [None, 10])
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
        train_step = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
        correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(steps):
                batch_xs, batch_ys = mnist_data.train.next_batch(100)
                sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
            return sess.run(
                accuracy, feed_dict={x: mnist_data.test.images, y_: mnist_data.test.labels}
            )


def fully_connected_feed(FLAGS):
    """As fully_connected_feed.py: read_data_sets(dir, FLAGS.fake_data), fixed-size placeholders,
    next_batch(FLAGS.batch_size, FLAGS.fake_data), and do_eval over num_examples."""
    data_sets = input_data.read_data_sets(FLAGS.input_data_dir, FLAGS.fake_data)
    with tf.Graph().as_default():
        images_placeholder = tf.compat.v1.placeholder(tf.float32, shape=(FLAGS.batch_size, 784))
        labels_placeholder = tf.compat.v1.placeholder(tf.int32, shape=(FLAGS.batch_size,))
        hidden = layer(images_placeholder, FLAGS.hidden1, tf.nn.relu)
        logits = layer(hidden, 10)
        loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(
            labels=labels_placeholder, logits=logits
        )
        train_op = tf.compat.v1.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(loss)
        eval_correct = tf.reduce_sum(
            tf.cast(tf.nn.in_top_k(predictions=logits, targets=labels_placeholder, k=1), tf.int32)
        )

        def fill_feed_dict(data_set):
            images_feed, labels_feed = data_set.next_batch(FLAGS.batch_size, FLAGS.fake_data)
            return {images_placeholder: images_feed, labels_placeholder: labels_feed}

        def do_eval(sess, data_set):
            steps_per_epoch = data_set.num_examples // FLAGS.batch_size
            true_count = sum(
                sess.run(eval_correct, feed_dict=fill_feed_dict(data_set))
                for _ in range(steps_per_epoch)
            )
            return true_count / (steps_per_epoch * FLAGS.batch_size)

        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            losses = [
                sess.run([train_op, loss], feed_dict=fill_feed_dict(data_sets.train))[1]
                for _ in range(FLAGS.max_steps)
            ]
            return losses, do_eval(sess, data_sets.validation)


def mnist_with_summaries(FLAGS):
    """As mnist_with_summaries.py: read_data_sets(dir, fake_data=..., one_hot=True), and
    next_batch(100, fake_data=FLAGS.fake_data) in its feed_dict(train)."""
    mnist_data = input_data.read_data_sets(FLAGS.data_dir, fake_data=FLAGS.fake_data, one_hot=True)
    with tf.Graph().as_default():
        with tf.name_scope("input"):
            x = tf.compat.v1.placeholder(tf.float32, [None, 784], name="x-input")
            y_ = tf.compat.v1.placeholder(tf.float32, [None, 10], name="y-input")
        keep_prob = tf.compat.v1.placeholder(tf.float32)
        hidden = layer(x, 500, tf.nn.relu)
        dropped = tf.nn.dropout(hidden, rate=1 - keep_prob)
        y = layer(dropped, 10)
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
        tf.compat.v1.summary.scalar("cross_entropy", cross_entropy)
        train_step = tf.compat.v1.train.AdamOptimizer(FLAGS.learning_rate).minimize(cross_entropy)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1)), tf.float32))
        tf.compat.v1.summary.scalar("accuracy", accuracy)
        merged = tf.compat.v1.summary.merge_all()

        def feed_dict(train):
            if train or FLAGS.fake_data:
                xs, ys = mnist_data.train.next_batch(100, fake_data=FLAGS.fake_data)
                k = FLAGS.dropout
            else:
                xs, ys = mnist_data.test.images, mnist_data.test.labels
                k = 1.0
            return {x: xs, y_: ys, keep_prob: k}

        with tf.compat.v1.Session() as sess:
            writer = tf.compat.v1.summary.FileWriter(FLAGS.log_dir, sess.graph)
            sess.run(tf.compat.v1.global_variables_initializer())
            for i in range(FLAGS.max_steps):
                summary, _ = sess.run([merged, train_step], feed_dict=feed_dict(True))
                writer.add_summary(summary, i)
            acc = sess.run(accuracy, feed_dict=feed_dict(False))
            writer.close()
            return acc


def test_fully_connected_feed_in_fake_mode(monkeypatch):
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("fetch called"))
    FLAGS = types.SimpleNamespace(
        input_data_dir="unused", fake_data=True, batch_size=100, hidden1=16, learning_rate=0.1,
        max_steps=20,
    )  # fmt: skip
    losses, precision = fully_connected_feed(FLAGS)
    assert losses[-1] < losses[0] / 2  # every fake label is 0: quickly learned
    assert precision == 1.0


def test_mnist_with_summaries_in_fake_mode(monkeypatch, tmp_path):
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("fetch called"))
    FLAGS = types.SimpleNamespace(
        data_dir="unused", fake_data=True, learning_rate=0.001, dropout=0.9, max_steps=10,
        log_dir=str(tmp_path),
    )  # fmt: skip
    assert mnist_with_summaries(FLAGS) == 1.0  # every fake label is [1, 0, ..., 0]
    assert event_files(tmp_path)


def test_fully_connected_feed_on_real_data_shuffles(mnist_dir):
    FLAGS = types.SimpleNamespace(
        input_data_dir=str(mnist_dir), fake_data=False, batch_size=100, hidden1=32,
        learning_rate=0.1, max_steps=200,
    )  # fmt: skip
    losses, precision = fully_connected_feed(FLAGS)
    # real data through the tutorial's positional call: shuffled batches (see the test above)
    assert np.mean(losses[-20:]) < np.mean(losses[:20]) / 2 and precision > 0.8


@pytest.mark.slow
def test_mnist_softmax_on_real_data_reaches_about_92_percent(mnist_dir):
    accuracy = mnist_softmax(str(mnist_dir))
    assert 0.90 < accuracy < 0.935, accuracy  # TF 1.x's tutorial: "about 92%"

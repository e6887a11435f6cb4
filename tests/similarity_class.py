"""A small class for the similarity tests: five honest solutions of exercises/softmax.py written
independently, a sixth that copies alice's with its names changed, its functions reordered and
its comments rewritten, and a seventh that pastes the reference."""

ALICE = """import numpy as np

from tfbasics._tf import tf

NUM_CLASSES = 10


def softmax(logits):
    # subtract the max so exp never overflows
    x = np.asarray(logits, dtype=np.float64)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)


def one_hot(labels, num_classes=NUM_CLASSES):
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("labels must be integers")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError("label out of range")
    return np.eye(num_classes, dtype=np.float32)[labels]


def cross_entropy(softmax, one_hot):
    p = np.asarray(softmax, dtype=np.float64)
    y = np.asarray(one_hot, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(p), 0.0)
    return -np.sum(terms, axis=-1)


def fused_cross_entropy(logits, labels):
    graph = tf.Graph()
    with graph.as_default():
        logits_t = tf.constant(logits, dtype=tf.float32)
        labels_t = tf.constant(labels, dtype=tf.float32)
        loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels_t, logits=logits_t)
    with tf.compat.v1.Session(graph=graph) as sess:
        return sess.run(loss)
"""

# alice's file, names changed, functions in another order, comments rewritten
FRANK = """import numpy as np

from tfbasics._tf import tf

NUM_CLASSES = 10


def fused_cross_entropy(logits, labels):
    # run the fused op in its own graph
    g = tf.Graph()
    with g.as_default():
        lg = tf.constant(logits, dtype=tf.float32)
        lb = tf.constant(labels, dtype=tf.float32)
        result = tf.nn.softmax_cross_entropy_with_logits(labels=lb, logits=lg)
    with tf.compat.v1.Session(graph=g) as session:
        return session.run(result)


def cross_entropy(softmax, one_hot):
    probs = np.asarray(softmax, dtype=np.float64)
    target = np.asarray(one_hot, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = np.where(target > 0, target * np.log(probs), 0.0)
    return -np.sum(parts, axis=-1)


def softmax(logits):
    # stability trick: take away the largest logit first
    arr = np.asarray(logits, dtype=np.float64)
    moved = arr - np.max(arr, axis=-1, keepdims=True)
    ex = np.exp(moved)
    return ex / np.sum(ex, axis=-1, keepdims=True)


def one_hot(labels, num_classes=NUM_CLASSES):
    lab = np.asarray(labels)
    if not np.issubdtype(lab.dtype, np.integer):
        raise ValueError("need integer labels")
    if lab.size and (lab.min() < 0 or lab.max() >= num_classes):
        raise ValueError("a label is out of range")
    return np.eye(num_classes, dtype=np.float32)[lab]
"""

BOB = """import math

import numpy as np

from tfbasics._tf import tf

NUM_CLASSES = 10


def _logsumexp(row):
    top = max(row)
    return top + math.log(sum(math.exp(v - top) for v in row))


def softmax(logits):
    arr = np.array(logits, dtype=float)
    flat = arr.reshape(-1, arr.shape[-1])
    out = np.empty_like(flat)
    for i, row in enumerate(flat):
        lse = _logsumexp(row)
        out[i] = [math.exp(v - lse) for v in row]
    return out.reshape(arr.shape)


def one_hot(labels, num_classes=NUM_CLASSES):
    single = isinstance(labels, (int, np.integer))
    seq = [labels] if single else list(labels)
    rows = np.zeros((len(seq), num_classes), np.float32)
    for r, lab in enumerate(seq):
        if isinstance(lab, bool) or not isinstance(lab, (int, np.integer)):
            raise ValueError(f"{lab!r} is not an int")
        if not 0 <= lab < num_classes:
            raise ValueError(f"{lab} not in [0, {num_classes})")
        rows[r, lab] = 1.0
    return rows[0] if single else rows


def cross_entropy(softmax, one_hot):
    total = 0.0 * np.asarray(softmax, dtype=float)
    mask = np.asarray(one_hot) != 0
    with np.errstate(divide="ignore"):
        total[mask] = np.asarray(one_hot, float)[mask] * np.log(np.asarray(softmax, float)[mask])
    return -total.sum(-1)


def fused_cross_entropy(logits, labels):
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, name="logits")
        y = tf.compat.v1.placeholder(tf.float32, name="labels")
        xent = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x)
        with tf.compat.v1.Session() as s:
            return s.run(xent, feed_dict={x: logits, y: labels})
"""

CAROL = """import numpy as np

from tfbasics._tf import tf

NUM_CLASSES = 10


def softmax(logits):
    z = np.atleast_1d(np.asarray(logits, np.float64))
    log_norm = np.log(np.exp(z - z.max(-1)[..., None]).sum(-1))[..., None] + z.max(-1)[..., None]
    return np.exp(z - log_norm).reshape(np.shape(logits))


def one_hot(labels, num_classes=NUM_CLASSES):
    idx = np.array(labels)
    ok = idx.dtype.kind in "iu" and np.all((0 <= idx) & (idx < num_classes))
    if not ok:
        raise ValueError("one_hot: labels must be ints from 0 to num_classes - 1")
    encoded = np.zeros(idx.shape + (num_classes,), dtype=np.float32)
    np.put_along_axis(encoded, idx[..., None], 1.0, axis=-1)
    return encoded


def cross_entropy(softmax, one_hot):
    q, p = np.asarray(softmax, float), np.asarray(one_hot, float)
    return -np.einsum("...k,...k->...", p, np.log(np.where(p > 0, q, 1.0)))


def fused_cross_entropy(logits, labels):
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        op = tf.nn.softmax_cross_entropy_with_logits(
            labels=tf.convert_to_tensor(labels, tf.float32),
            logits=tf.convert_to_tensor(logits, tf.float32),
        )
        return sess.run(op)
"""

DAVE = """import numpy as np

from tfbasics._tf import tf

NUM_CLASSES = 10


def _session_run(build):
    graph = tf.Graph()
    with graph.as_default():
        fetch = build()
    with tf.compat.v1.Session(graph=graph) as session:
        return session.run(fetch)


def softmax(logits):
    return _session_run(lambda: tf.nn.softmax(tf.constant(logits, tf.float64), axis=-1))


def one_hot(labels, num_classes=NUM_CLASSES):
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu" or ((arr < 0) | (arr >= num_classes)).any():
        raise ValueError("bad label")
    return _session_run(lambda: tf.one_hot(arr, num_classes, dtype=tf.float32))


def cross_entropy(softmax, one_hot):
    probs = np.asarray(softmax, dtype=np.float64)
    truth = np.asarray(one_hot, dtype=np.float64)
    logs = np.log(probs, out=np.zeros_like(probs), where=truth > 0)
    logs[(truth > 0) & (probs == 0)] = -np.inf
    return -(truth * logs).sum(axis=-1)


def fused_cross_entropy(logits, labels):
    return _session_run(
        lambda: tf.nn.softmax_cross_entropy_with_logits(
            labels=tf.constant(labels, tf.float32), logits=tf.constant(logits, tf.float32)
        )
    )
"""

ERIN = """import numpy as np

from tfbasics._tf import tf

NUM_CLASSES = 10


def softmax(logits):
    values = np.array(logits, dtype="float64", ndmin=1)
    values -= values.max(axis=values.ndim - 1, keepdims=True)
    np.exp(values, out=values)
    values /= values.sum(axis=values.ndim - 1, keepdims=True)
    return values if np.ndim(logits) else values[0]


def one_hot(labels, num_classes=NUM_CLASSES):
    flat = np.ravel(labels)
    for value in flat:
        if not float(value).is_integer() or isinstance(value, float) or not 0 <= value < num_classes:
            raise ValueError(f"cannot one-hot {value}")
    table = np.identity(num_classes, "float32")
    picked = table[flat.astype(int)]
    return picked.reshape(np.shape(labels) + (num_classes,))


def cross_entropy(softmax, one_hot):
    result = []
    for probs, label in zip(np.atleast_2d(softmax), np.atleast_2d(one_hot)):
        acc = 0.0
        for prob, weight in zip(probs, label):
            if weight:
                acc -= weight * (np.log(prob) if prob > 0 else -np.inf)
        result.append(acc)
    out = np.array(result)
    return out.reshape(np.shape(softmax)[:-1]) if np.ndim(softmax) > 1 else out[0]


def fused_cross_entropy(logits, labels):
    g = tf.Graph()
    with g.as_default():
        loss = tf.nn.softmax_cross_entropy_with_logits(
            labels=np.asarray(labels, np.float32), logits=np.asarray(logits, np.float32)
        )
    sess = tf.compat.v1.Session(graph=g)
    try:
        return sess.run(loss)
    finally:
        sess.close()
"""

HONEST = {"alice": ALICE, "bob": BOB, "carol": CAROL, "dave": DAVE, "erin": ERIN}

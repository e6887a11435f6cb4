"""What the hand-written gradients of ``tfbasics.backprop`` do on MNIST: vanish, die.

- ``steps_per_epoch``: SGD steps in one epoch; ``accuracy``: fraction of argmax predictions
  equal to the labels.
- ``dead_unit_gradients``: a ReLU unit with z = 0 on every example gets exactly zero dL/dW, dL/db.
- ``gradient_report`` / ``vanishing_gradients``: per FullyConnected layer the mean norm of dL/dW
  and the fraction of saturated sigmoid units after it, for sloppy and scaled initial weights.
- ``never_fired`` / ``dead_relu_experiment``: the ReLU units that fire on no training
  example, after a healthy init, a sane epoch, one oversized update, an epoch at too high a rate.

Arrays in, plain numbers out: the lesson (chapters/ch01_10_backpropagation.py) loads MNIST,
trains with its own SGD loop and prints. NumPy only.
"""

from typing import NamedTuple

import numpy as np

from tfbasics import backprop as bp


def steps_per_epoch(num_examples, batch_size):
    """SGD steps in one epoch of minibatches (int): the last, smaller batch is used too."""
    return -(-num_examples // batch_size)


def accuracy(net, images, labels, chunk=10000):
    """Fraction of ``images`` whose largest logit is at ``labels`` (float)."""
    hits = sum(
        int((net.predict(images[i : i + chunk]) == labels[i : i + chunk]).sum())
        for i in range(0, len(images), chunk)
    )
    return hits / len(images)


def dead_unit_gradients(seed=0):
    """FullyConnected(4 -> 3) + ReLU where unit 2 has bias -100: z[:, 2] = 0 on every example.

    dL/dW[:, j] = x.T @ (upstream[:, j] * (z[:, j] > 0)), so unit 2's column and bias get exactly 0
    whatever the upstream gradient: SGD never moves it and it stays dead.
    Returns:
      dict z [5, 3], dW [4, 3], db [3] (upstream gradient: random, seeded).
    """
    rng = np.random.default_rng(seed)
    fc, relu = bp.FullyConnected(rng.normal(size=(4, 3)), np.array([0.1, 0.1, -100.0])), bp.ReLU()
    z = relu.forward(fc.forward(rng.random((5, 4))))
    da, _ = relu.backward(rng.normal(size=z.shape))
    _, grads = fc.backward(da)
    return {"z": z, "dW": grads["W"], "db": grads["b"]}


class LayerGradient(NamedTuple):
    depth: int  # FullyConnected layers in the network
    init: str  # backprop.INITS
    layer: int  # 1 = the one next to the input
    shape: tuple  # of W
    grad_norm: float  # mean over batches of |dL/dW| (Frobenius norm)
    loss: float  # the network's mean loss on those batches (ln 10 = 2.30 for a blind guess)
    saturated: float  # of the sigmoid outputs after it, z*(1-z) < SATURATED (output layer: nan)


def gradient_report(net, images, labels, batch_size=100, batches=10):
    """Per FullyConnected layer of ``net``: mean |dL/dW| over the batches, saturated fraction.

    Uses the first ``batches * batch_size`` examples (fewer batches if there are fewer); the
    network is not changed.
    Returns:
      (mean loss, list of (shape, grad_norm, saturated) input side first).
    """
    batch_size = min(batch_size, len(images))
    batches = max(1, min(batches, len(images) // batch_size))
    fcs = [i for i, layer in enumerate(net.layers) if isinstance(layer, bp.FullyConnected)]
    norms, saturated, loss = np.zeros(len(fcs)), np.zeros(len(fcs)), 0.0
    for k in range(batches):
        rows = slice(k * batch_size, (k + 1) * batch_size)
        loss += net.forward(images[rows], labels[rows]) / batches
        _, grads = net.backward()
        for n, i in enumerate(fcs):
            norms[n] += np.linalg.norm(grads[f"layer{i}.W"]) / batches
            after = net.layers[i + 1] if i + 1 < len(net.layers) else None
            if isinstance(after, bp.Sigmoid):
                saturated[n] += np.mean(after.z * (1 - after.z) < bp.SATURATED) / batches
            else:
                saturated[n] = np.nan
    return loss, [
        (net.layers[i].W.shape, float(g), float(s)) for i, g, s in zip(fcs, norms, saturated)
    ]


def vanishing_gradients(
    images, labels, hidden=128, depths=(2, 5), inits=bp.INITS, seed=0, **report
):
    """``gradient_report`` of untrained sigmoid networks of each depth and init, float64.

    A depth-d network has d FullyConnected layers: 784 inputs, d-1 hidden layers, 10 outputs.
    Args:
      images: float [N, 784]; labels: int [N]; report: passed on to ``gradient_report``.
    Returns:
      list of LayerGradient.
    """
    rows = []
    for depth in depths:
        sizes = [images.shape[1]] + [hidden] * (depth - 1) + [10]
        for init in inits:
            net = bp.mlp(sizes, "sigmoid", init, np.random.default_rng(seed), dtype=np.float64)
            loss, report_rows = gradient_report(net, images, labels, **report)
            rows += [
                LayerGradient(depth, init, layer, shape, g, loss, s)
                for layer, (shape, g, s) in enumerate(report_rows, 1)
            ]
    return rows


def never_fired(layer, images, chunk=5000):
    """Units of ``layer`` (FullyConnected into a ReLU) with z <= 0 on every image: bool [n_out]."""
    fired = np.zeros(layer.W.shape[1], bool)
    for i in range(0, len(images), chunk):
        fired |= (images[i : i + chunk] @ layer.W + layer.b > 0).any(axis=0)
    return ~fired


class DeadReLURow(NamedTuple):
    case: str
    dead: float  # never_fired of the hidden layer on the training images
    accuracy: float  # on the evaluation images (nan before any training)


def dead_relu_experiment(
    images,
    labels,
    eval_images,
    eval_labels,
    train_epoch,
    hidden=128,
    seed=0,
    batch_size=32,
    learning_rate=0.1,
    oversized_rate=30.0,
    too_high_rate=1.0,
    progress=None,
):
    """Dead ReLUs in a 784-``hidden``-10 ReLU network, He init, plain SGD.

    Cases: the He init; one epoch at ``learning_rate``; a fresh He init after one SGD step at
    ``oversized_rate``, then that epoch; a fresh He init after one epoch at ``too_high_rate``.
    Args:
      train_epoch: the lesson's SGD epoch, ``train_epoch(net, images, labels, batch_size,
        learning_rate, rng)`` yielding each step's loss.
      progress: None, or callable(iterable, total, desc) wrapping each epoch's steps (a bar).
    Returns:
      (list of DeadReLURow, bool: the units dead after the oversized step kept their weights
      through the following epoch).
    """
    steps = steps_per_epoch(len(images), batch_size)
    wrap = progress or (lambda it, total, desc: it)

    def fresh():
        return bp.mlp([images.shape[1], hidden, 10], "relu", "scaled", np.random.default_rng(seed))

    def epoch(net, rate, desc):
        losses = train_epoch(net, images, labels, batch_size, rate, np.random.default_rng(seed))
        for _ in wrap(losses, steps, desc):
            pass

    def row(case, net, trained=True):
        acc = accuracy(net, eval_images, eval_labels) if trained else float("nan")
        return DeadReLURow(case, float(never_fired(net.layers[0], images).mean()), acc)

    net = fresh()
    rows = [row("He init (healthy)", net, trained=False)]
    epoch(net, learning_rate, f"lr {learning_rate}")
    rows.append(row(f"+ 1 epoch SGD, lr {learning_rate}", net))

    net = fresh()
    batch = np.random.default_rng(seed).permutation(len(images))[:batch_size]
    net.forward(images[batch], labels[batch])
    net.sgd_step(net.backward()[1], oversized_rate)
    rows.append(row(f"He init + one SGD step, lr {oversized_rate:g}", net))
    dead = never_fired(net.layers[0], images)
    before = net.layers[0].W[:, dead].copy(), net.layers[0].b[dead].copy()
    epoch(net, learning_rate, f"lr {learning_rate}")
    rows.append(row(f"  then 1 epoch SGD, lr {learning_rate}", net))
    unchanged = np.array_equal(before[0], net.layers[0].W[:, dead]) and np.array_equal(
        before[1], net.layers[0].b[dead]
    )

    net = fresh()
    epoch(net, too_high_rate, f"lr {too_high_rate:g}")
    rows.append(row(f"He init + 1 epoch SGD, lr {too_high_rate:g}", net))
    return rows, unchanged

"""Exercise checks: mnist (parsing an IDX file; DataSet.next_batch as in TensorFlow 1.x)."""

import numpy as np

from .expect import TaskFailure, call_text, expect_equal, expect_raises, show, task

EXERCISE = "mnist"


def _idx(code, shape, payload):
    """The bytes of an IDX file: magic 0x0000<code><ndim>, big-endian sizes, then ``payload``."""
    head = bytes([0, 0, code, len(shape)]) + b"".join(int(s).to_bytes(4, "big") for s in shape)
    return head + payload


LABELS = _idx(0x08, [5], bytes([3, 1, 4, 1, 5]))


@task(1)
def test_labels(ex):
    got = ex.parse_idx(LABELS)
    call = call_text("parse_idx", LABELS) + "  # magic 0x00000801, 5 labels"
    expect_equal(got, np.array([3, 1, 4, 1, 5], np.uint8), call)
    if np.asarray(got).dtype != np.uint8:
        raise TaskFailure(
            f"{call}\n  returned {show(got)}\n  expected dtype uint8 (type code 0x08)"
        )


@task(2)
def test_images(ex):
    pixels = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    data = _idx(0x08, [2, 3, 4], pixels.tobytes())
    expect_equal(
        ex.parse_idx(data),
        pixels,
        call_text("parse_idx", data) + "  # magic 0x00000803: 2 images of 3x4 pixels",
    )
    values = np.array([1, -2, 300], ">i4")
    data = _idx(0x0C, [3], values.tobytes())
    got = ex.parse_idx(data)
    expect_equal(
        got,
        [1, -2, 300],
        call_text("parse_idx", data) + "  # type 0x0C: int32, big-endian",
        "IDX data is big-endian: read it with dtype '>i4', not the machine's byte order",
    )


@task(3)
def test_malformed(ex):
    cases = [
        (b"\x01\x02\x08\x01" + LABELS[4:], {}, "the magic number must start with two zero bytes"),
        (LABELS[:-2], {}, "the header says 5 labels but only 3 bytes follow (truncated)"),
        (LABELS + b"\x00", {}, "one byte more than the header announces"),
        (LABELS, {"expect_ndim": 3}, "a labels file (1 dimension) where images (3) are expected"),
        (b"\x00\x00", {}, "too short for a header"),
    ]
    for data, kwargs, why in cases:
        expect_raises(
            ex.IDXError,
            ex.parse_idx,
            data,
            **kwargs,
            call=call_text("parse_idx", data, **kwargs),
            why=why,
        )


def _dataset(ex, n=10, seed=0):
    images = np.arange(n, dtype=np.float32)[:, None].repeat(4, axis=1)  # row k is all k
    return ex.DataSet(images, np.arange(n), seed=seed)


@task(4)
def test_next_batch_in_order(ex):
    data = _dataset(ex)
    for k, want in enumerate([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1], [2, 3, 4, 5]]):
        got = data.next_batch(4, shuffle=False)
        call = f"batch {k + 1}: next_batch(4, shuffle=False) on 10 examples"
        if not isinstance(got, tuple) or len(got) != 2:
            raise TaskFailure(f"{call}\n  returned {show(got)}\n  expected a pair (images, labels)")
        expect_equal(
            got[1],
            np.array(want),
            call + " (labels)",
            "a batch that runs past the end is completed from the start of the next epoch",
        )
        expect_equal(
            got[0],
            np.array(want, np.float32)[:, None].repeat(4, axis=1),
            call + " (images)",
            "images[i] must stay with labels[i]",
        )
        if k == 2 and data.epochs_completed != 1:
            raise TaskFailure(
                f"{call}\n  left epochs_completed = {data.epochs_completed}\n"
                "  expected 1: this batch crossed the end of the first epoch"
            )
    for bad in (0, 11):
        expect_raises(
            ValueError,
            data.next_batch,
            bad,
            call=call_text("next_batch", bad) + " on 10 examples",
            why="a batch holds 1 to num_examples examples",
        )


@task(5)
def test_next_batch_shuffled(ex):
    data = _dataset(ex, seed=1)
    orders = []
    for epoch in range(4):
        seen = []
        for _ in range(2):
            images, labels = data.next_batch(5)
            call = f"epoch {epoch + 1}: next_batch(5) on 10 examples"
            if not np.array_equal(np.asarray(images)[:, 0], np.asarray(labels, np.float32)):
                raise TaskFailure(
                    f"{call}\n  returned images {show(images)} with labels "
                    f"{show(labels)}\n  expected images[i] to be the image of labels[i]"
                )
            seen += list(np.asarray(labels))
        if sorted(seen) != list(range(10)):
            raise TaskFailure(
                f"{call}\n  gave the labels {seen} in one epoch\n  expected each of "
                "0-9 exactly once: shuffle a permutation, do not draw with replacement"
            )
        orders.append(seen)
    if all(order == list(range(10)) for order in orders):
        raise TaskFailure(
            "next_batch(5) with shuffle=True\n  gave the examples in file order for 4 "
            "epochs\n  expected a shuffled order (permute at the start of each epoch)"
        )

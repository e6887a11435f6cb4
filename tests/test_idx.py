"""The IDX format: exact bytes written, round trips, and every malformed file refused clearly."""

import gzip

import numpy as np
import pytest

from tfbasics.data import idx
from tfbasics.runs import atomic


def test_header_bytes_are_mnist_layout(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.int64).astype(np.uint8).reshape(2, 28, 28)
    data = idx.write_idx(tmp_path / "x-idx3-ubyte", images).read_bytes()
    assert data[:4] == bytes([0, 0, 0x08, 3])  # magic 0x00000803: unsigned bytes, 3 dims
    assert data[4:16] == (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    assert len(data) == 16 + 2 * 28 * 28
    assert data[16:] == images.tobytes()
    labels = idx.write_idx(tmp_path / "y-idx1-ubyte", np.array([5, 0, 4], np.uint8)).read_bytes()
    assert labels == bytes([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4])


@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
def test_round_trip_uint8_raw_and_gz(tmp_path, name):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    idx.write_idx(tmp_path / name, images)
    back = idx.read_idx(tmp_path / name, expect_ndim=3)
    assert back.dtype == np.uint8 and back.shape == (7, 28, 28)
    np.testing.assert_array_equal(back, images)
    if name.endswith(".gz"):
        assert (tmp_path / name).read_bytes()[:2] == b"\x1f\x8b"  # really gzip


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_round_trip_other_types_big_endian(tmp_path, dtype):
    a = (np.arange(24) - 12).astype(dtype).reshape(2, 3, 4)
    path = idx.write_idx(tmp_path / "a.idx", a)
    first = a.astype(a.dtype.newbyteorder(">")).reshape(-1)[:1].tobytes()
    assert path.read_bytes()[4 + 12 : 4 + 12 + a.itemsize] == first  # big-endian after 3 sizes
    back = idx.read_idx(path)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, a)


def _labels_bytes(n=5):
    return idx.to_bytes(np.arange(n, dtype=np.uint8))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x00", "too short for an IDX header"),
        (b"\x1f\x8b\x08\x01" + bytes(20), "wrong magic number 0x1f8b0801"),
        (b"\x00\x00\x07\x01" + bytes(20), "wrong magic number 0x00000701"),
        (bytes([0, 0, 8, 3, 0, 0]), "header alone needs 16"),
        (_labels_bytes()[:-1], "header says 5 uint8 = 13 bytes, file has 12 (truncated file)"),
        (_labels_bytes() + b"\x00", "header says 5 uint8 = 13 bytes, file has 14 (extra bytes"),
    ],
)
def test_malformed_files_are_refused(tmp_path, data, message):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(idx.IDXError) as err:
        idx.read_idx(path)
    assert str(err.value).startswith("bad-idx1-ubyte: ")  # names the file
    assert message in str(err.value)


def test_wrong_dimension_count_is_refused():
    with pytest.raises(idx.IDXError, match="says 1 dimensions, expected 3"):
        idx.parse_idx(_labels_bytes(), "labels", expect_ndim=3)


def test_gz_that_is_not_gzip(tmp_path):
    (tmp_path / "x-idx1-ubyte.gz").write_bytes(_labels_bytes())  # raw bytes, gz name
    with pytest.raises(idx.IDXError, match=r"x-idx1-ubyte.gz: not a valid gzip file"):
        idx.read_idx(tmp_path / "x-idx1-ubyte.gz")
    (tmp_path / "y-idx1-ubyte.gz").write_bytes(gzip.compress(_labels_bytes())[:-6])  # truncated
    with pytest.raises(idx.IDXError, match=r"y-idx1-ubyte.gz: not a valid gzip file"):
        idx.read_idx(tmp_path / "y-idx1-ubyte.gz")


def test_unsupported_array_is_refused(tmp_path):
    with pytest.raises(idx.IDXError, match="cannot store dtype"):
        idx.write_idx(tmp_path / "a.idx", np.zeros(3, np.uint64))
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_leaves_nothing_when_interrupted(tmp_path):
    target = tmp_path / "file"

    def chunks():
        yield b"first half"
        raise KeyboardInterrupt  # e.g. Ctrl-C in the middle of a download

    with pytest.raises(KeyboardInterrupt):
        atomic.atomic_write(target, chunks())
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one
    atomic.atomic_write(target, [b"old"])
    with pytest.raises(KeyboardInterrupt):
        atomic.atomic_write(target, chunks())
    assert target.read_bytes() == b"old"  # an interrupted rewrite keeps the previous file
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_size_cap_for_raw_and_gz(tmp_path):
    data = _labels_bytes(20)  # 28 bytes
    (tmp_path / "a").write_bytes(data)
    (tmp_path / "a.gz").write_bytes(gzip.compress(data))
    for name in ("a", "a.gz"):
        assert idx.read_bytes(tmp_path / name, max_size=28) == data
        with pytest.raises(idx.IDXError, match=f"^{name}: .*more than 27 bytes"):
            idx.read_bytes(tmp_path / name, max_size=27)


def test_gunzip_stops_reading_a_bomb_at_the_cap():
    import io

    packed = gzip.compress(bytes(50 << 20), 9)  # 50 MB of zeros in about 50 KB
    stream = io.BytesIO(packed)
    with pytest.raises(idx.IDXError, match="bomb.gz: unpacks to more than 1000 bytes"):
        idx.gunzip(stream, 1000, "bomb.gz")
    assert stream.tell() < len(packed)  # stopped early: the rest was never unpacked


def test_atomic_write_names_its_temporary_with_its_pid(tmp_path):
    import os

    seen = []

    def chunks():
        seen.extend(p.name for p in tmp_path.iterdir())
        yield b"x"

    atomic.atomic_write(tmp_path / "f", chunks())
    assert len(seen) == 1 and seen[0].startswith(f".f.{os.getpid()}.")
    assert seen[0].endswith(".tmp")


def test_stale_temporaries_are_those_of_dead_processes(tmp_path):
    import os
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = tmp_path / f".f.{child.pid}.abc.tmp"
    live = tmp_path / f".f.{os.getpid()}.abc.tmp"
    other = tmp_path / f".g.{child.pid}.abc.tmp"  # another file's: not asked for
    for p in (dead, live, other):
        p.write_bytes(b"")
    assert atomic.stale_temporaries(tmp_path, ["f"]) == [dead]
    assert not atomic.process_alive(child.pid) and atomic.process_alive(os.getpid())

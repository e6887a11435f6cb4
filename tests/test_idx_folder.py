"""read_data_sets(train_dir, source_url=...) on other data in MNIST's format, as TF 1.x read it:
the folder's files used, missing ones fetched from source_url (a file:// folder here: no
network), Fashion-MNIST's published MD5s recognised, IDX format checks, and MNIST's URL still
refusing files that are not MNIST."""

import gzip
import hashlib

import numpy as np
import pytest

from tfbasics.data import idx, idx_folder, input_data, mnist_fetch, mnist_sources
from tfbasics.data import mnist_files as files

NAMES = files.FILE_NAMES
OTHER_URL = "https://example.invalid/fashion-like/"  # never reached: the files are there


def synthetic(n_train=12, n_test=6, size=28):
    """Digit-sized images whose pixels say their index, and labels 0-9 in turn."""

    def split(n, first):
        x = ((np.arange(n) + first) % 256).astype(np.uint8)
        return np.repeat(x, size * size).reshape(n, size, size), (np.arange(n) % 10).astype(
            np.uint8
        )

    (x, y), (xt, yt) = split(n_train, 0), split(n_test, 100)
    return {"x_train": x, "y_train": y, "x_test": xt, "y_test": yt}


def write(directory, arrays, gz=True):
    directory.mkdir(parents=True, exist_ok=True)
    for spec in files.FILES:
        idx.write_idx(directory / (spec.name + (".gz" if gz else "")), arrays[spec.npz_key])
    return arrays


@pytest.fixture
def no_network(monkeypatch):
    def forbidden(url, max_size):
        pytest.fail(f"a download was attempted: {url}")

    monkeypatch.setattr(mnist_sources, "download", forbidden)
    monkeypatch.setattr(mnist_fetch, "fetch", lambda *a: pytest.fail("MNIST's fetch was called"))


@pytest.mark.parametrize("gz", [True, False])
def test_files_in_the_folder_are_used_with_another_source_url(tmp_path, no_network, capsys, gz):
    a = write(tmp_path / "fashion", synthetic(), gz=gz)
    d = input_data.read_data_sets(
        str(tmp_path / "fashion"), dtype="uint8", validation_size=2, source_url=OTHER_URL
    )
    assert (d.train.num_examples, d.validation.num_examples, d.test.num_examples) == (10, 2, 6)
    np.testing.assert_array_equal(d.train.images, a["x_train"][2:].reshape(10, 784))
    np.testing.assert_array_equal(d.test.labels, a["y_test"])
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"MNIST: {tmp_path / 'fashion'} holds files that are not the original")
    assert "(magic, counts, sizes, labels 0-9)" in line


def test_missing_files_are_fetched_from_source_url(tmp_path, capsys):
    server = tmp_path / "server"
    a = write(server, synthetic())
    url = server.as_uri() + "/"
    target = tmp_path / "data" / "fashion"
    write(target, {k: a[k] for k in a}, gz=True)
    (target / "t10k-labels-idx1-ubyte.gz").unlink()  # one file missing: fetched, the rest kept
    (target / "train-images-idx3-ubyte.gz").unlink()
    d = input_data.read_data_sets(target, one_hot=True, validation_size=0, source_url=url)
    assert d.train.images.shape == (12, 784) and d.test.labels.shape == (6, 10)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"MNIST: downloading 2 file(s) from {url} into {target}"
    assert "not the original MNIST" in err[-1]
    for name in ("t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz"):
        assert (target / name).read_bytes() == (server / name).read_bytes()  # as TF 1.x kept them


def test_a_source_url_that_fails_is_one_line_naming_the_url_and_folder(tmp_path):
    url = (tmp_path / "nothing-here").as_uri() + "/"
    with pytest.raises(files.MNISTError) as err:
        input_data.read_data_sets(tmp_path / "data", source_url=url)
    message = str(err.value)
    assert url + "train-images-idx3-ubyte.gz" in message and str(tmp_path / "data") in message
    assert "\n" not in message
    assert not list((tmp_path / "data").iterdir())  # nothing half-written


def test_a_page_that_is_not_gzip_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_sources, "download", lambda url, max_size: b"<html>portal</html>")
    with pytest.raises(files.MNISTError, match="not a valid gzip file"):
        input_data.read_data_sets(tmp_path / "data", source_url=OTHER_URL)
    assert not list((tmp_path / "data").iterdir())


def bad(name, array):
    def change(a):
        a = dict(a)
        a[name] = array
        return a

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (bad("y_train", np.full(12, 10, np.uint8)), "train label 10 is not a class 0-9"),
        (bad("y_test", np.zeros(5, np.uint8)), "test has 6 images but 5 labels"),
        (bad("x_test", np.zeros((6, 14, 14), np.uint8)), "training images are [28, 28] but test"),
        (bad("y_train", np.zeros(12, np.int32)), "expected 0x00000801 (uint8, 1 dimension)"),
        (bad("x_train", np.zeros((12, 784), np.uint8)), "expected 0x00000803 (uint8, 3 dim"),
        (bad("x_train", np.zeros((0, 28, 28), np.uint8)), "holds no examples"),
    ],
)
def test_idx_format_checks(tmp_path, no_network, change, message):
    write(tmp_path, change(synthetic()))
    with pytest.raises(files.MNISTError) as err:
        input_data.read_data_sets(tmp_path, source_url=OTHER_URL)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_truncated_file_is_refused(tmp_path, no_network):
    write(tmp_path, synthetic(), gz=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(files.MNISTError, match="truncated file"):
        input_data.read_data_sets(tmp_path, source_url=OTHER_URL)


def test_fashion_mnist_published_md5s():
    """The four MD5s of Fashion-MNIST's README ("Get the Data"), for its .gz files."""
    url, md5s = idx_folder.KNOWN["Fashion-MNIST"]
    assert url == "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    assert md5s == {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }


@pytest.fixture
def fake_fashion(tmp_path, monkeypatch):
    """Synthetic .gz files whose MD5s stand in for Fashion-MNIST's published ones."""
    folder = tmp_path / "data" / "fashion"
    write(folder, synthetic())
    md5s = {n + ".gz": hashlib.md5((folder / f"{n}.gz").read_bytes()).hexdigest() for n in NAMES}
    monkeypatch.setitem(idx_folder.KNOWN, "Fashion-MNIST", (idx_folder.FASHION_URL, md5s))
    return folder


def test_fashion_mnist_is_recognised_by_its_digests_even_with_mnists_url(
    fake_fashion, no_network, capsys
):
    # Fashion-MNIST's README: read_data_sets('data/fashion'), the default (MNIST's) source_url
    d = input_data.read_data_sets(str(fake_fashion), validation_size=0)
    assert d.train.num_examples == 12
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"MNIST: {fake_fashion} holds Fashion-MNIST, not the original MNIST (4 files verified "
        "by their published MD5)"
    )


def test_a_fashion_file_that_fails_its_md5_is_refused(fake_fashion, no_network):
    gz = fake_fashion / "t10k-labels-idx1-ubyte.gz"
    gz.write_bytes(gzip.compress(idx.to_bytes(np.zeros(6, np.uint8)), mtime=0))  # well-formed
    with pytest.raises(files.MNISTError) as err:
        input_data.read_data_sets(fake_fashion, source_url=idx_folder.FASHION_URL)
    assert str(err.value).startswith(
        f"{gz}: not the published Fashion-MNIST t10k-labels-idx1-ubyte.gz: expected md5 "
    )


def test_mnists_url_still_refuses_files_that_are_not_mnist(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_sources, "download", lambda *a: pytest.fail("download called"))
    write(tmp_path, synthetic(), gz=False)
    with pytest.raises(files.MNISTError, match="not the original MNIST train-images-idx3-ubyte"):
        input_data.read_data_sets(tmp_path)  # fails verification before any source is asked


def test_mnist_urls():
    assert idx_folder.is_mnist_url(input_data.DEFAULT_SOURCE_URL)
    assert idx_folder.is_mnist_url("http://yann.lecun.com/exdb/mnist")
    assert not idx_folder.is_mnist_url(idx_folder.FASHION_URL)

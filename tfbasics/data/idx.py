"""The IDX file format of MNIST: read it, write it, nothing else.

An IDX file (LeCun's MNIST page) is a 4-byte magic number, then one big-endian uint32 size per
dimension, then the data in C order::

    magic = 0x00 0x00 <type code> <number of dimensions>
    train-images-idx3-ubyte: 0x00000803, 60000, 28, 28, then 47,040,000 pixels (uint8)
    train-labels-idx1-ubyte: 0x00000801, 60000, then 60,000 labels (uint8)

``read_idx`` checks the magic number, the dimension count and that the sizes in the header agree
with the length of the file, and raises ``IDXError`` (a ``ValueError``) saying which file and what
was expected and found. Files whose name ends in ``.gz`` are read and written gzip-compressed.
``write_idx`` writes atomically (``tfbasics.runs.atomic``: a temporary file, then a rename): the tests
build tiny MNIST-like files with it.
"""

import gzip
import zlib
from pathlib import Path

import numpy as np

from tfbasics.runs import atomic

# type code (third magic byte) -> big-endian dtype, from the format's definition
DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
CODES = {dtype.newbyteorder("="): code for code, dtype in DTYPES.items()}


class IDXError(ValueError):
    """A file that is not a well-formed IDX file (bad magic, sizes that disagree with its length)."""


def header_size(ndim):
    """Bytes before the data: 4 (magic) + 4 per dimension (16 for images, 8 for labels)."""
    return 4 + 4 * ndim


def parse_idx(data, name="<bytes>", expect_ndim=None):
    """Parse the bytes of an (uncompressed) IDX file.

    Args:
      data: bytes of the whole file.
      name: str, the file's name for error messages.
      expect_ndim: int or None; if given, the number of dimensions the file must have
        (3 for images, 1 for labels).
    Returns:
      np.ndarray in native byte order with the header's shape (uint8 for MNIST); it does not
      share memory with ``data``.
    Raises:
      IDXError: wrong magic number, unknown type code, wrong dimension count, or a length that
        disagrees with the header (truncated file or trailing bytes).
    """
    if len(data) < 4:
        raise IDXError(f"{name}: {len(data)} bytes, too short for an IDX header (truncated file)")
    zero, code, ndim = int.from_bytes(data[:2], "big"), data[2], data[3]
    if zero != 0 or code not in DTYPES:
        raise IDXError(
            f"{name}: wrong magic number 0x{data[:4].hex()}, expected 0x0000TTNN "
            f"with type TT in {sorted(f'{c:02x}' for c in DTYPES)} (not an IDX file)"
        )
    if expect_ndim is not None and ndim != expect_ndim:
        raise IDXError(
            f"{name}: magic number 0x{data[:4].hex()} says {ndim} dimensions, "
            f"expected {expect_ndim}"
        )
    head = header_size(ndim)
    if len(data) < head:
        raise IDXError(
            f"{name}: {len(data)} bytes, but its header alone needs {head} (truncated file)"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = DTYPES[code]
    want = head + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != want:
        dims = "x".join(str(s) for s in shape)
        what = "truncated file" if len(data) < want else "extra bytes at the end"
        raise IDXError(
            f"{name}: header says {dims} {dtype.name} = {want} bytes, file has {len(data)} ({what})"
        )
    return (
        np.frombuffer(data, dtype=dtype, offset=head).reshape(shape).astype(dtype.newbyteorder("="))
    )


GZIP_CHUNK = 1 << 20  # bytes unpacked per read: memory stays near the size cap, never beyond


def gunzip(fileobj, max_size, name="<gzip>"):
    """The unpacked bytes of the gzip stream ``fileobj``, refusing more than ``max_size`` bytes.

    Reads in chunks and stops one byte past ``max_size``, so a gzip bomb (a few MB unpacking
    toward gigabytes) costs at most ``max_size`` bytes of memory before it is refused.

    Args:
      fileobj: a binary file object holding gzip data.
      max_size: int, the most bytes the unpacked data may have.
      name: str, the file's name for error messages.
    Raises:
      IDXError: not gzip, truncated, or unpacking to more than ``max_size`` bytes.
    """
    chunks, size = [], 0
    try:
        with gzip.GzipFile(fileobj=fileobj, mode="rb") as f:
            while chunk := f.read(min(GZIP_CHUNK, max_size + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
                if size > max_size:
                    raise IDXError(
                        f"{name}: unpacks to more than {max_size} bytes, the most it may hold "
                        "(a damaged file or a gzip bomb); refused"
                    )
    except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        raise IDXError(f"{name}: not a valid gzip file ({e})") from None
    return b"".join(chunks)


def read_bytes(path, max_size=None):
    """The uncompressed bytes of ``path``; a ``.gz`` name is gunzipped.

    Args:
      path: str or Path.
      max_size: int or None; if given, a file (or its unpacked ``.gz`` data) larger than this is
        refused without reading more than ``max_size + 1`` bytes of it.
    Raises:
      IDXError: a ``.gz`` file that is not gzip or is truncated, or data over ``max_size``.
      OSError: the file cannot be opened.
    """
    path = Path(path)
    limit = (1 << 62) if max_size is None else max_size
    if path.suffix == ".gz":
        with open(path, "rb") as f:
            return gunzip(f, limit, path.name)
    with open(path, "rb") as f:
        data = f.read(limit + 1) if max_size is not None else f.read()
    if len(data) > limit:
        raise IDXError(f"{path.name}: more than {max_size} bytes, the most it may hold; refused")
    return data


def read_idx(path, expect_ndim=None):
    """Read an IDX file (``.gz`` if the name says so).

    Args:
      path: str or Path.
      expect_ndim: int or None, the required number of dimensions.
    Returns:
      np.ndarray with the header's shape and type (MNIST: uint8 [N, 28, 28] or [N]).
    Raises:
      IDXError: see ``parse_idx``; FileNotFoundError if there is no such file.
    """
    path = Path(path)
    return parse_idx(read_bytes(path), path.name, expect_ndim)


def to_bytes(array):
    """The IDX encoding (header + big-endian data) of ``array``, as bytes.

    Args:
      array: np.ndarray of uint8, int8, int16, int32, float32 or float64, 1 to 255 dimensions.
    """
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in CODES:
        raise IDXError(
            f"IDX cannot store dtype {array.dtype}; use one of {sorted(str(d) for d in CODES)}"
        )
    if not 1 <= array.ndim <= 255:
        raise IDXError(f"IDX stores 1 to 255 dimensions, got {array.ndim}")
    magic = bytes([0, 0, CODES[native], array.ndim])
    sizes = b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return magic + sizes + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()


def write_idx(path, array):
    """Write ``array`` as an IDX file, gzip-compressed if ``path`` ends in ``.gz``; atomic.

    Args:
      path: str or Path.
      array: np.ndarray (MNIST: uint8 [N, 28, 28] images or uint8 [N] labels).
    Returns:
      Path written.
    """
    data = to_bytes(array)
    if str(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    return atomic.atomic_write(path, [data])

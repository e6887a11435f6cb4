"""The data-only channel between the checks and the student's process.

A message is one frame: a 4-byte big-endian length, then that many bytes of JSON. Values that
JSON cannot hold travel as tagged objects, and only these: NumPy arrays and scalars of numeric,
boolean or bytes dtypes (raw bytes in base64, never pickle), ``bytes``, tuples, dicts with string
keys, a reference to an object that stays in the student's process (``Ref``), the name of a
function of the harness (``Harness``) and the description of a TensorFlow graph object
(``GraphThing``). ``decode`` builds nothing else, so what the student's process sends is data,
whatever it is made of there.
"""

import base64
import json
import struct
from dataclasses import dataclass

import numpy as np

MAX_FRAME = 256 * 2**20  # bytes: a frame larger than this is refused (a student cannot flood us)
MAX_DEPTH = 32  # nesting of lists/tuples/dicts in one value
_ARRAY_KINDS = "biufcS"  # bool, ints, floats, complex, bytes strings: no objects, no records


class ChannelError(Exception):
    """A frame that is not a well-formed message (too large, bad JSON, an unknown tag)."""


@dataclass(frozen=True)
class Ref:
    """An object that lives in the student's process (a DataSet, a layer), by number."""

    number: int
    type_name: str


@dataclass(frozen=True)
class Harness:
    """A function of the grading harness, named: the student's process looks it up by name."""

    name: str


@dataclass(frozen=True)
class GraphThing:
    """What the student's code returned when it is a graph object: kind, name, dtype, shape.

    kind: "tensor", "op" or "variable"; shape: a list (None for an unknown size) or None.
    """

    kind: str
    name: str
    dtype: str = ""
    shape: tuple = None

    def describe(self):
        shape = "" if self.shape is None else f" {list(self.shape)}"
        shape = shape.replace("None", "?")
        detail = f" ({self.dtype}{shape})" if self.dtype else ""
        return f"the graph {self.kind} `{self.name}`{detail}"


def walk(value, leaf):
    """``value`` with ``leaf(x)`` in place of every x that is not a list, tuple or dict."""
    if type(value) is list:
        return [walk(v, leaf) for v in value]
    if type(value) is tuple:
        return tuple(walk(v, leaf) for v in value)
    if type(value) is dict:
        return {k: walk(v, leaf) for k, v in value.items()}
    return leaf(value)


def encode(value, depth=0):
    """``value`` as a JSON-ready structure (raises TypeError for anything not data)."""
    if depth > MAX_DEPTH:
        raise TypeError("nested too deeply")
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return value if np.isfinite(value) else {"float": repr(value)}
    if type(value) is bytes:
        return {"bytes": base64.b64encode(value).decode()}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if type(array) is not np.ndarray:
            array = np.array(array, subok=False)
        if array.dtype.kind not in _ARRAY_KINDS or array.dtype.fields is not None:
            raise TypeError(f"an array of dtype {array.dtype}")
        tag = "scalar" if isinstance(value, np.generic) else "array"
        data = np.ascontiguousarray(array).tobytes()
        return {tag: [array.dtype.str, list(array.shape), base64.b64encode(data).decode()]}
    if type(value) is tuple:
        return {"tuple": [encode(v, depth + 1) for v in value]}
    if type(value) is list:
        return [encode(v, depth + 1) for v in value]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise TypeError("a dict whose keys are not all strings")
        return {"dict": {k: encode(v, depth + 1) for k, v in value.items()}}
    if isinstance(value, Ref):
        return {"ref": [value.number, value.type_name]}
    if isinstance(value, Harness):
        return {"harness": value.name}
    if isinstance(value, GraphThing):
        shape = None if value.shape is None else list(value.shape)
        return {"graph": [value.kind, value.name, value.dtype, shape]}
    raise TypeError(f"a {type(value).__name__}")


def decode(data, depth=0):
    """The value ``encode`` made ``data`` from; ChannelError if ``data`` is not such a value."""
    if depth > MAX_DEPTH:
        raise ChannelError("nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(v, depth + 1) for v in data]
    if type(data) is not dict or len(data) != 1:
        raise ChannelError(f"not a value: {str(data)[:80]}")
    ((tag, body),) = data.items()
    try:
        if tag == "float":
            return float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[body])
        if tag == "bytes":
            return base64.b64decode(body, validate=True)
        if tag in ("array", "scalar"):
            dtype, shape, raw = body
            dtype = np.dtype(dtype)
            if dtype.kind not in _ARRAY_KINDS or dtype.fields is not None:
                raise ChannelError(f"an array of dtype {dtype}")
            array = np.frombuffer(base64.b64decode(raw, validate=True), dtype=dtype)
            array = array.reshape([int(n) for n in shape]).copy()
            return array[()] if tag == "scalar" else array
        if tag == "tuple":
            return tuple(decode(v, depth + 1) for v in body)
        if tag == "dict":
            return {str(k): decode(v, depth + 1) for k, v in body.items()}
        if tag == "ref":
            return Ref(int(body[0]), str(body[1]))
        if tag == "harness":
            return Harness(str(body))
        if tag == "graph":
            kind, name, dtype, shape = body
            shape = None if shape is None else tuple(None if n is None else int(n) for n in shape)
            return GraphThing(str(kind), str(name), str(dtype), shape)
    except ChannelError:
        raise
    except Exception as e:
        raise ChannelError(f"a malformed {tag}: {type(e).__name__}") from None
    raise ChannelError(f"an unknown tag {tag!r}")


def pack(message):
    """One frame (bytes) holding ``message``, a dict of JSON-ready values."""
    body = json.dumps(message, allow_nan=False).encode()
    return struct.pack(">I", len(body)) + body


def write_frame(fd_write, message):
    """Send ``message`` whole; ``fd_write(bytes) -> count`` writes some bytes (os.write)."""
    data = memoryview(pack(message))
    while data:
        data = data[fd_write(data) :]


def parse(body):
    """The message (dict) in a frame's body; ChannelError if it is not one."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ChannelError("a frame that is not JSON") from None
    if type(message) is not dict:
        raise ChannelError("a frame that is not a message")
    return message


class FrameReader:
    """Collects bytes as they arrive and hands out whole messages."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data):
        """Add ``data``; returns the list of messages now complete (ChannelError if malformed)."""
        self.buffer += data
        messages = []
        while len(self.buffer) >= 4:
            (size,) = struct.unpack(">I", self.buffer[:4])
            if size > MAX_FRAME:
                raise ChannelError(f"a frame of {size} bytes (the limit is {MAX_FRAME})")
            if len(self.buffer) < 4 + size:
                break
            body = bytes(self.buffer[4 : 4 + size])
            del self.buffer[: 4 + size]
            messages.append(parse(body))
        return messages

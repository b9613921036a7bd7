"""The wire format between the grader and the sandboxed worker: no pickle, ever.

A message is a frame: 4-byte big-endian header length, a JSON header, then the raw
bytes of the arrays the header lists. Arrays appear in the JSON tree as
{"__array__": i}; each is described by dtype (from a whitelist), shape and byte count,
and rebuilt with np.frombuffer(...).copy(). Everything is capped, so whatever the
untrusted side writes, the trusted side reads at most a bounded amount and builds
nothing but dicts, lists, strings, numbers and plain float/int/bool arrays.

This file is imported by both sides: it must import nothing of the project.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import select
import struct
import time
from typing import Any

import numpy as np

HEADER_CAP = 4 * 1024 * 1024
PAYLOAD_CAP = 64 * 1024 * 1024
DTYPES = {"<f8": np.float64, "<f4": np.float32, "<i8": np.int64, "<i4": np.int32, "|b1": np.bool_}
ITEMSIZES = {key: np.dtype(kind).itemsize for key, kind in DTYPES.items()}
MAX_SIDE = 1 << 31  # an array's side; more is not an answer, even beside a side of 0


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed, capped frame."""


class OverAllowance(ProtocolError):
    """The frames of one exchange carry more bytes (strings and numbers in their headers, and
    arrays) than the reader allowed."""


# A preloaded set's key plus this names the values its test functions are known to take
# (see graders/calls.py): a list of [function name, argument, value].
KNOWN_VALUES = "#known"


def point_key(value: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    """An array as a dict key: equal only for the same dtype, shape and bytes."""
    return value.dtype.str, value.shape, value.tobytes()


class CallbackRef:
    """Stands for a function that lives on the grader's side, e.g. the f of a gradient check."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def _describe(value: Any, arrays: list[np.ndarray]) -> Any:
    """A JSON-able tree for value, with its arrays moved to `arrays`."""
    kind = type(value)  # the exact built-in types first: the same tree as below, sooner
    if kind is str or value is None:
        return value
    if kind is dict:
        return {"__dict__": [[str(k), _describe(v, arrays)] for k, v in value.items()]}
    if kind is list or kind is tuple:
        return {"__list__": [_describe(v, arrays) for v in value]}
    if kind is float:
        return {"__scalar__": value if math.isfinite(value) else repr(value), "type": "builtins.float"}
    if kind is int:
        return {"__scalar__": value, "type": "builtins.int"}
    return _describe_other(value, arrays)


def _describe_other(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, CallbackRef):
        return {"__callback__": value.name}
    if isinstance(value, np.ndarray):
        kind = type(value).__module__ + "." + type(value).__qualname__
        data = np.asarray(value, order="C")  # a plain, contiguous array; 0-d stays 0-d
        if data.dtype.str not in DTYPES:
            return {"__unsupported__": kind, "dtype": str(value.dtype)}
        arrays.append(data)
        return {"__array__": len(arrays) - 1, "type": kind}
    if isinstance(value, (bool, np.bool_)):
        return {"__scalar__": bool(value), "type": type(value).__module__ + "." + type(value).__qualname__}
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value) if isinstance(value, (float, np.floating)) else int(value)
        if isinstance(number, float) and not math.isfinite(number):
            number = repr(number)  # nan/inf travel as strings; JSON has no such numbers
        return {"__scalar__": number, "type": type(value).__module__ + "." + type(value).__qualname__}
    if isinstance(value, str):
        return value
    if value is None:
        return None
    if isinstance(value, dict):
        return {"__dict__": [[str(k), _describe(v, arrays)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"__list__": [_describe(v, arrays) for v in value]}
    return {"__unsupported__": type(value).__module__ + "." + type(value).__qualname__}


def encode(message: dict[str, Any]) -> bytes:
    """One frame for a message whose values may hold arrays."""
    arrays: list[np.ndarray] = []
    tree = _describe(message, arrays)
    header = {
        "tree": tree,
        "arrays": [{"dtype": a.dtype.str, "shape": list(a.shape), "nbytes": a.nbytes} for a in arrays],
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack(">I", len(head)) + head + b"".join(a.tobytes() for a in arrays)


def _rebuild(tree: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(tree, dict):
        if "__array__" in tree:
            return Received(arrays[int(tree["__array__"])], str(tree.get("type", "")))
        if "__scalar__" in tree:
            value = tree["__scalar__"]
            if isinstance(value, str):
                value = float(value) if value in ("nan", "inf", "-inf") else math.nan
            return Received(value, str(tree.get("type", "")))
        if "__dict__" in tree:
            return {str(k): _rebuild(v, arrays) for k, v in tree["__dict__"]}
        if "__list__" in tree:
            return [_rebuild(v, arrays) for v in tree["__list__"]]
        if "__callback__" in tree:
            return CallbackRef(str(tree["__callback__"]))
        if "__unsupported__" in tree:
            return Received(None, str(tree["__unsupported__"]), str(tree.get("dtype", "")))
        raise ProtocolError("unknown node in message")
    if tree is None or isinstance(tree, (str, int, float)):
        return tree
    raise ProtocolError("unknown value in message")


class Received:
    """A value as the other side described it: plain data plus the type it claimed.

    The claim is only used to explain a wrong answer (a masked array, a float32); the
    data is always a fresh, plain array or number built here.
    """

    __slots__ = ("claimed_dtype", "claimed_type", "value")

    def __init__(self, value: Any, claimed_type: str, claimed_dtype: str = "") -> None:
        self.value = value
        self.claimed_type = claimed_type
        self.claimed_dtype = claimed_dtype

    def __repr__(self) -> str:
        return f"Received({self.value!r}, {self.claimed_type!r})"


def _check(deadline: float | None) -> None:
    """TimeoutError once the deadline has passed, even while the peer keeps sending."""
    if deadline is not None and time.monotonic() >= deadline:
        raise TimeoutError


def _wait(fd: int, deadline: float | None, for_writing: bool = False) -> None:
    """Block until fd is ready, or raise TimeoutError once the deadline has passed."""
    if deadline is None:
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    ready = (
        select.select([], [fd], [], remaining)[1]
        if for_writing
        else select.select([fd], [], [], remaining)[0]
    )
    if not ready:
        raise TimeoutError


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, remaining = [], n
    while remaining:
        _wait(fd, deadline)
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None) -> dict[str, Any]:
    """Read and check one frame, byte-exact (nothing past it is consumed).

    With a deadline (time.monotonic()), a peer that stalls mid-frame raises TimeoutError.
    """
    return _parse(lambda n: _read_exactly(fd, n, deadline))[0]


class Channel:
    """Frames over one socket, read through a buffer: one system call for many small frames."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()
        self.last_size = 0  # bytes of the last frame read
        self.allowance: int | None = None  # bytes the coming frames may carry in all

    def _take(self, n: int, deadline: float | None) -> bytes:
        while len(self._buffer) < n:
            _check(deadline)
            try:  # read first, wait only when nothing is there: one system call, not two
                chunk = os.read(self.fd, max(1 << 16, n - len(self._buffer)))
            except BlockingIOError:
                _wait(self.fd, deadline)
                continue
            if not chunk:
                raise EOFError("the other side closed the channel")
            self._buffer += chunk
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def read(self, deadline: float | None = None) -> dict[str, Any]:
        self.last_size = 0

        def take(n: int) -> bytes:
            self.last_size += n
            return self._take(n, deadline)

        cap = PAYLOAD_CAP if self.allowance is None else min(PAYLOAD_CAP, self.allowance)
        message, nbytes = _parse(take, cap)
        if self.allowance is not None:
            self.allowance -= nbytes
        return message

    def write(self, message: dict[str, Any], deadline: float | None = None) -> None:
        write_frame(self.fd, message, deadline)


def _parse(take: Any, cap: int = PAYLOAD_CAP) -> tuple[dict[str, Any], int]:
    """One frame from `take(n)`, which returns exactly n bytes, and its size: header and arrays,
    at most cap. A string costs its bytes as an array does, checked before it is read."""
    (length,) = struct.unpack(">I", take(4))
    if length > cap:
        raise OverAllowance("header over the exchange's allowance")
    if length > HEADER_CAP:
        raise ProtocolError(f"header of {length} bytes is over the cap")
    try:
        header = json.loads(take(length))
        specs = header["arrays"]
        tree = header["tree"]
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise ProtocolError(f"unreadable header: {type(error).__name__}") from None
    if not isinstance(specs, list):
        raise ProtocolError("unreadable header")
    layout, total = [], length
    for spec in specs:
        try:
            kind = spec["dtype"]
            dtype, itemsize = DTYPES[kind], ITEMSIZES[kind]
            shape = tuple(map(int, spec["shape"]))
            nbytes = int(spec["nbytes"])
        except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: Infinity
            raise ProtocolError("bad array description") from None
        if len(shape) > 8 or (shape and min(shape) < 0) or any(n > MAX_SIDE for n in shape):
            raise ProtocolError("bad array shape")
        if nbytes != math.prod(shape) * itemsize:
            raise ProtocolError("array byte count does not match its shape")
        total += nbytes
        if total - length > PAYLOAD_CAP:
            raise ProtocolError("arrays over the size cap")
        if total > cap:
            raise OverAllowance("arrays over the exchange's allowance")
        layout.append((dtype, itemsize, shape, nbytes))
    # Every array's bytes in one read, once all sizes are checked; then a fresh array each
    # (a copy: a view would keep the whole frame alive for a one-number answer).
    payload = take(total - length) if total > length else b""
    arrays, offset = [], 0
    for dtype, itemsize, shape, nbytes in layout:
        arrays.append(np.frombuffer(payload, dtype, nbytes // itemsize, offset).reshape(shape).copy())
        offset += nbytes
    try:
        message = _rebuild(tree, arrays)
    except (RecursionError, ValueError, TypeError, IndexError, KeyError):
        raise ProtocolError("malformed message tree") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a dict")
    return message, total


def write_frame(fd: int, message: dict[str, Any], deadline: float | None = None) -> None:
    data = memoryview(encode(message))
    while data:
        _check(deadline)
        try:
            written = os.write(fd, data)
        except BlockingIOError:  # a non-blocking socket is full: wait until it drains
            _wait(fd, deadline, for_writing=True)
            continue
        data = data[written:]


def plain(value: Any) -> Any:
    """A received tree with every Received unwrapped to its plain value."""
    if isinstance(value, Received):
        return value.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def fingerprint(value: Any) -> Any:
    """What an argument holds, in a few bytes: an array's digest, a dict's per key, a list's
    per item (a network's layers), else None.

    The worker sends these for the arguments after each call, and the grader compares them
    with its own of what it sent: whether a step left its inputs alone is judged on the
    grader's side, not by code in the student's process.
    """
    if isinstance(value, np.ndarray):
        digest = hashlib.blake2b(f"{value.dtype.str}{value.shape}".encode(), digest_size=16)
        digest.update(np.ascontiguousarray(value).tobytes())
        return digest.hexdigest()
    if isinstance(value, dict):
        return {str(key): fingerprint(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [fingerprint(inner) for inner in value]
    return None

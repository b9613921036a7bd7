"""The wire format read on the trusted side: what was sent comes back as fresh, writable, plain
arrays of the same values (whatever mix of dtypes and shapes, aligned or not), and a frame
whose arrays are over the allowance is refused before any of their bytes is read."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop_lab.graders.sandbox.inside.protocol import (
    DTYPES,
    OverAllowance,
    ProtocolError,
    Received,
    _parse,
    encode,
)

arrays = st.sampled_from(sorted(DTYPES)).flatmap(
    lambda kind: hnp.arrays(np.dtype(kind), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
)


def reader(frame: bytes):
    """take(n) over a frame, and how many bytes were taken."""
    position = [0]

    def take(n: int) -> bytes:
        chunk = frame[position[0] : position[0] + n]
        if len(chunk) < n:
            raise EOFError
        position[0] += n
        return chunk

    return take, position


@settings(max_examples=200, deadline=None)
@given(st.lists(arrays, max_size=8))
def test_arrays_come_back_equal_fresh_and_writable(sent: list[np.ndarray]) -> None:
    take, _ = reader(encode({"items": sent}))
    message, _ = _parse(take)
    received = message["items"]
    assert len(received) == len(sent)
    for got, original in zip(received, sent, strict=True):
        assert isinstance(got, Received) and type(got.value) is np.ndarray
        assert got.value.dtype == original.dtype and got.value.shape == original.shape
        assert np.array_equal(got.value, original, equal_nan=True)
        assert got.value.flags.writeable and got.value.flags.aligned and got.value.flags.owndata
    if len(received) > 1:  # writing into one never changes another
        first, second = received[0].value, received[1].value
        before = second.copy()
        first[...] = 1
        assert np.array_equal(second, before, equal_nan=True) or second.size == 0


def frame_of(specs: list[dict], payload: bytes = b"") -> bytes:
    head = json.dumps({"tree": {"__dict__": []}, "arrays": specs}).encode()
    return struct.pack(">I", len(head)) + head + payload


def test_arrays_over_the_allowance_are_refused_before_their_bytes_are_read() -> None:
    specs = [{"dtype": "<f8", "shape": [4], "nbytes": 32}, {"dtype": "<f8", "shape": [1000], "nbytes": 8000}]
    frame = frame_of(specs, bytes(8032))
    take, position = reader(frame)
    with pytest.raises(OverAllowance):
        _parse(take, cap=len(frame) - 100)
    assert position[0] == len(frame) - 8032  # the header only


@pytest.mark.parametrize(
    "spec",
    [
        {"dtype": "|O", "shape": [1], "nbytes": 8},
        {"dtype": "<f8", "shape": [2], "nbytes": 8},
        {"dtype": "<f8", "shape": [-1], "nbytes": -8},
        {"dtype": "<f8", "shape": [1] * 9, "nbytes": 8},
        {"dtype": ["<f8"], "shape": [1], "nbytes": 8},
        ["<f8", [1], 8],
        {"dtype": "<f8", "shape": [float("inf")], "nbytes": 8},
        {"dtype": "<f8", "shape": [0, 10**30], "nbytes": 0},
    ],
)
def test_a_bad_array_description_is_a_protocol_error(spec) -> None:
    take, _ = reader(frame_of([spec], bytes(64)))
    with pytest.raises(ProtocolError):
        _parse(take)

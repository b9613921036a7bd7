"""Is an answer right? Exact type, dtype, shape and finiteness first, then the values.

Everything here runs on the trusted side, on plain data rebuilt by the protocol: a
value that only *claims* to be an array of the right kind cannot pass, and no
object of the student's ever has its methods called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backprop_lab.graders.sandbox.inside.protocol import Received

# A base tolerance for every step, set for float64 round-off: answers computed another
# correct way (loops, einsum, another form of σ) differ by ~1e-15; float32 arithmetic,
# even returned as float64, is off by ~1e-8 and fails, as a float32 dtype does.
RTOL, ATOL = 1e-9, 1e-10
# Where a formula the notes teach is badly conditioned at a case's input (a − a² as a → 1),
# the case also accepts this many times the spread between it and the reference, entry by
# entry (see Step.forms and graders/cases.py): the spread of two right formulas in float64.
CONDITIONING_MARGIN = 16.0
# A central difference is accurate to about 1e-7 here; compare with it more loosely.
FD_RTOL, FD_ATOL = 1e-4, 1e-6

PLAIN_ARRAY = "numpy.ndarray"
FLOAT_TYPES = {"builtins.float", "numpy.float64", "builtins.int", "numpy.float32", "numpy.int64"}


@dataclass
class Verdict:
    """Why an answer is wrong (a message id with its values), or ok."""

    ok: bool
    reason: str = ""
    values: dict[str, Any] = field(default_factory=dict)


OK = Verdict(True)


def _array(
    received: Any,
    expected: np.ndarray,
    what: str,
    rtol: float,
    atol: float,
    bounded: bool = False,
    slack: Any = 0.0,
) -> Verdict:
    if not isinstance(received, Received) or not isinstance(received.value, np.ndarray):
        return Verdict(
            False, "wrong_type", {"what": what, "expected": "numpy.ndarray", "got": _kind(received)}
        )
    if received.claimed_type != PLAIN_ARRAY:
        return Verdict(
            False, "wrong_type", {"what": what, "expected": "numpy.ndarray", "got": received.claimed_type}
        )
    value = received.value
    if value.dtype != np.float64:
        return Verdict(False, "wrong_dtype", {"what": what, "got": str(value.dtype)})
    if value.shape != expected.shape:
        return Verdict(
            False, "wrong_shape", {"what": what, "expected": str(expected.shape), "got": str(value.shape)}
        )
    finite = np.isfinite(value).all()
    if not finite and np.isfinite(expected).all():
        return Verdict(False, "not_finite", {"what": what})
    difference = np.abs(value - expected) if finite else np.abs(np.nan_to_num(value) - expected)
    if (difference <= atol + rtol * np.abs(expected) + slack).all():  # np.allclose, and the case's slack
        if bounded and ((value < 0).any() or (value > 1).any()):
            return Verdict(False, "out_of_range", {"what": what})
        return OK
    return Verdict(False, "wrong_value", {"what": what, "error": float(difference.max())})


def _float(received: Any, expected: float, slack: Any = 0.0) -> Verdict:
    if not isinstance(received, Received):
        return Verdict(False, "wrong_type", {"what": "", "expected": "float", "got": _kind(received)})
    value = received.value
    if isinstance(value, np.ndarray):
        if value.shape != () or value.dtype != np.float64:
            return Verdict(False, "not_a_number", {"got": f"array {value.shape} {value.dtype}"})
        value = float(value)
    elif received.claimed_type not in FLOAT_TYPES or isinstance(value, bool):
        return Verdict(False, "not_a_number", {"got": received.claimed_type})
    if not np.isfinite(value):
        return Verdict(False, "not_finite", {"what": ""})
    if not abs(value - expected) <= ATOL + RTOL * abs(expected) + float(slack):
        return Verdict(False, "wrong_value", {"what": "", "error": abs(value - expected)})
    return OK


def _arrays(
    received: Any, expected: Any, rtol: float, atol: float, slack: Any = None, what: str = ""
) -> Verdict:
    """A dict or list of arrays (nested: a network's layers), compared leaf by leaf; a tuple
    is expected as a list, as the sandbox sends it. `what` names the leaf: W_out, [1][0]."""
    if isinstance(expected, dict):
        if not isinstance(received, dict):
            return Verdict(False, "wrong_type", {"what": what, "expected": "dict", "got": _kind(received)})
        parts = [(key, f"{what}.{key}" if what else key) for key in expected]
    elif isinstance(expected, (list, tuple)):
        if not isinstance(received, list):
            return Verdict(False, "wrong_type", {"what": what, "expected": "list", "got": _kind(received)})
        if len(received) != len(expected):
            lengths = {"expected": f"{len(expected)} items", "got": f"{len(received)} items"}
            return Verdict(False, "wrong_shape", {"what": what, **lengths})
        parts = [(index, f"{what}[{index}]") for index in range(len(expected))]
    elif isinstance(expected, np.ndarray):
        return _array(received, expected, what, rtol, atol, slack=0.0 if slack is None else slack)
    else:
        return _float(received, expected, 0.0 if slack is None else slack)
    for key, name in parts:
        if isinstance(expected, dict) and key not in received:
            return Verdict(False, "missing_key", {"key": name})
        room = slack[key] if isinstance(slack, (dict, list, tuple)) else None
        verdict = _arrays(received[key], expected[key], rtol, atol, room, name)
        if not verdict.ok:
            return verdict
    return OK


def check(
    received: Any,
    expected: Any,
    output: str,
    bounded: bool = False,
    atol: float | None = None,
    rtol: float | None = None,
    slack: Any = None,
) -> Verdict:
    """Compare a received answer with the right one for a step's kind of output.

    `slack` widens the tolerance entry by entry (a dict of them for a dict of arrays):
    the case's own allowance for how badly conditioned the taught formulas are there.
    """
    rtol = RTOL if rtol is None else rtol
    atol = ATOL if atol is None else atol
    if output == "float":
        return _float(received, expected, 0.0 if slack is None else slack)
    if output == "arrays":
        return _arrays(received, expected, rtol, atol, slack)
    return _array(received, np.asarray(expected), "", rtol, atol, bounded, 0.0 if slack is None else slack)


def check_gradient(received: Any, oracle: Any, output: str) -> Verdict:
    """Agreement with finite differences of the reference forward pass."""
    verdict = check(received, oracle, output, rtol=FD_RTOL, atol=FD_ATOL)
    if verdict.ok or verdict.reason != "wrong_value":
        return verdict
    return Verdict(
        False, "fd_mismatch", {"what": verdict.values.get("what", ""), **_relative(received, oracle)}
    )


def _pairs(received: Any, oracle: Any) -> list[tuple[Any, Any]]:
    """The leaves of an answer beside the oracle's, for answers shaped as the oracle."""
    if isinstance(oracle, dict):
        return [pair for k, v in oracle.items() for pair in _pairs(received[k], v)]
    if isinstance(oracle, (list, tuple)):
        return [pair for r, v in zip(received, oracle, strict=True) for pair in _pairs(r, v)]
    return [(plain_value(received), oracle)]


def _relative(received: Any, oracle: Any) -> dict[str, float]:
    pairs = _pairs(received, oracle)
    worst = max(
        float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-12), initial=0.0)) for a, n in pairs
    )
    return {"relative_error": worst}


def identical(a: Any, b: Any) -> bool:
    """Two received answers are the same to the last bit (same input, same function)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    x, y = plain_value(a), plain_value(b)
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray):
        return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=True))
    return type(x) is type(y) and (x == y or (x != x and y != y))


def plain_value(value: Any) -> Any:
    return value.value if isinstance(value, Received) else value


def _kind(received: Any) -> str:
    if isinstance(received, Received):  # an unsendable dtype (complex, object) is named too
        dtype = f" of dtype {received.claimed_dtype}" if received.claimed_dtype else ""
        return received.claimed_type + dtype
    if isinstance(received, dict):
        return "dict"
    if isinstance(received, list):
        return "list"
    return type(received).__name__


def matches(received: Any, answer: Any, output: str, atol: float | None = None) -> bool:
    """Does the student's answer equal this (possibly wrong) answer?"""
    if answer is None:
        return False
    if output == "arrays" and not isinstance(answer, (dict, list, tuple)):
        return False
    try:
        return check(received, answer, output, atol=atol, rtol=None if atol is None else 0.0).ok
    except (TypeError, ValueError):
        return False

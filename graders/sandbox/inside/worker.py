"""The untrusted side's worker: one submission's code, loaded once, answering the grader's calls.

It runs in a fork of the zygote (zygote.py), already confined (confine.py), and talks
to the grader only over its own socket. Everything it sends is plain data; the
grader checks all of it again, so this file's care (capped output, errors described
without trusting the error object) keeps honest students' messages useful, not the
grader safe.
"""

from __future__ import annotations

import io
import linecache
import os
import sys
import time
import traceback
import types

import numpy as np
from protocol import KNOWN_VALUES, CallbackRef, Channel, fingerprint, plain, point_key, write_frame

OUTPUT_CAP = 8192
TEXT_CAP = 2000  # characters of an error message
FRAME_BYTES = 1 << 20  # about how many bytes of answers one results frame carries
UNSENDABLE = (ValueError, TypeError, OverflowError, RecursionError, MemoryError)
_type_name = type.__dict__["__name__"].__get__  # a metaclass cannot lie about it
_str_cut = str.__getitem__
_format_exception_only = traceback.format_exception_only  # before student code can patch it


class CappedWriter(io.TextIOBase):
    """sys.stdout/stderr of the worker: keeps the first OUTPUT_CAP characters, drops the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.dropped = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = plain_text(text, OUTPUT_CAP)
        room = OUTPUT_CAP - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        if len(text) > room:
            self.dropped = True
        return len(text)

    def take(self) -> str:
        out = "".join(self.parts) + ("\n[… output truncated]" if self.dropped else "")
        self.parts, self.size, self.dropped = [], 0, False
        return out


def plain_text(value: object, cap: int) -> str:
    """At most `cap` characters of value as an exact str, whatever its __str__ does."""
    try:
        text = value if type(value) is str else str(value)
        return _str_cut(text, slice(0, cap)) if isinstance(text, str) else "?"
    except BaseException:  # a student's __str__ may raise anything
        return "?"


class StandInBudget:
    """How many stand-in calls, and argument bytes, the grader will still answer."""

    def __init__(self, calls: int, nbytes: int) -> None:
        self.calls, self.nbytes = calls, nbytes

    def spend(self, nbytes: int) -> None:
        self.calls -= 1
        self.nbytes -= nbytes
        if self.calls < 0 or self.nbytes < 0:
            raise RuntimeError("the grader's stand-ins answer no more calls for this submission")


class Worker:
    """The student's module and the calls on it."""

    def __init__(self, fd: int, scratch: str) -> None:
        self.fd = fd
        self.channel = Channel(fd)
        self.scratch = scratch
        self.out = CappedWriter()
        self.module = types.ModuleType("submission")
        self.namespace = self.module.__dict__
        self.unit_names: set[str] = set()
        self.budget = StandInBudget(0, 0)

    def serve(self, preloaded: dict[str, list]) -> None:
        sys.stdout = sys.stderr = self.out
        sys.stdin = io.StringIO("")
        self.preloaded = preloaded
        while True:
            try:
                message = plain(self.channel.read())
            except EOFError:
                os._exit(0)
            kind = message.get("kind")
            if kind == "load":
                self.load(message)
            elif kind == "call":
                self.call(message)
            else:
                os._exit(0)

    def send(self, message: dict) -> None:
        write_frame(self.fd, message)

    # ------------------------------------------------------------ loading

    def load(self, message: dict) -> None:
        for relpath, text in (message.get("files") or {}).items():
            path = os.path.join(self.scratch, relpath)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        sys.path.insert(0, self.scratch)
        sys.modules["submission"] = self.module
        self.namespace["get_ipython"] = _NullShell  # notebook magics become calls that do nothing
        report = []
        for index, unit in enumerate(message["units"]):
            name, source = unit["name"], unit["source"]
            self.unit_names.add(name)
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
            self.send({"kind": "unit", "index": index})
            try:
                exec(compile(source, name, "exec", dont_inherit=True), self.namespace)
                report.append({"name": name, "ok": True})
            except BaseException as error:  # SystemExit and KeyboardInterrupt lose only this unit
                report.append({"name": name, "ok": False, "error": self.describe(error)})
        answers = self.namespace.get("ANSWERS")
        self.send(
            {
                "kind": "loaded",
                "units": report,
                "defined": sorted(k for k, v in self.namespace.items() if callable(v) and k[:1] != "_"),
                "answers": answers if isinstance(answers, dict) and message.get("answers", True) else None,
                "printed": self.out.take(),
            }
        )

    # ------------------------------------------------------------ calling

    def call(self, message: dict) -> None:
        name = message["function"]
        budget = message.get("stand_in_budget") or {}
        self.budget = StandInBudget(int(budget.get("calls", 0)), int(budget.get("bytes", 0)))
        originals = {n: self.namespace.get(n) for n in message.get("stand_ins") or []}
        self.namespace.update({n: self.stand_in(n) for n in originals})
        fn = self.namespace.get(name)
        key = message.get("preloaded")
        preloaded = self.preloaded.get(key, [])
        known = _known(self.preloaded.get(f"{key}{KNOWN_VALUES}")) if key else {}
        cases = preloaded + message["cases"]
        batch, batch_bytes, flushed = [], 0, time.monotonic()
        for index, case in enumerate(cases):
            if index < len(preloaded):  # its test functions' known values are of these cases only
                args = _resolve(case, lambda ref: self.test_function(ref, known.get(ref)))
            else:
                args = _resolve(case, self.test_function)
            try:
                if not callable(fn):
                    raise NameError(f"name {name!r} is not defined")
                value = fn(*args)
            except BaseException as error:  # a step's failure is its own, whatever it raises
                batch.append({"index": index, "error": self.describe(error)})
            else:
                batch.append({"index": index, "value": value, "after": _fingerprints(args)})
                batch_bytes += _nbytes(value)
            # A later hang must not lose these; and a frame's header (its strings) stays small.
            if time.monotonic() - flushed > 0.05 or batch_bytes > FRAME_BYTES:
                self.send_results(batch)
                batch, batch_bytes, flushed = [], 0, time.monotonic()
        self.namespace.update(originals)
        self.send_results(batch, {"done": True, "printed": self.out.take()})

    def send_results(self, items: list, last: dict | None = None) -> None:
        """One frame for many cases (the call's last one says it is done, with what was
        printed); an answer that cannot be sent fails alone."""
        try:
            self.send({"kind": "results", "items": items, **(last or {})})
            return
        except UNSENDABLE:
            for item in items:
                try:
                    self.send({"kind": "results", "items": [item]})
                except UNSENDABLE as error:
                    why = "the answer cannot be sent: " + plain_text(error, 400)
                    unsent = {"type": "InvalidReturn", "message": why}
                    self.send({"kind": "results", "items": [{"index": item["index"], "error": unsent}]})
        if last is not None:
            self.send({"kind": "results", "items": [], **last})

    def stand_in(self, name: str):
        """A function that asks the grader for the reference answer, within the budget."""
        return self._asking(name, budgeted=True)

    def test_function(self, name: str, known: dict | None = None):
        """A test function (the f of a gradient check) evaluated by the grader: what it computes
        stays there, so no step can read it instead of calling it. Its values at the points a
        central difference evaluates came with the inputs (`known`): no exchange for those."""
        return self._asking(name, budgeted=False, known=known)

    def _asking(self, name: str, budgeted: bool, known: dict | None = None):
        def ask_grader(*args):
            if known and len(args) == 1 and type(args[0]) is np.ndarray:
                value = known.get(point_key(args[0]))
                if value is not None:
                    return value
            args = list(args)
            if budgeted:
                self.budget.spend(_nbytes(args))
            write_frame(self.fd, {"kind": "callback", "function": name, "args": args})
            reply = self.channel.read()
            if "error" in reply:
                raise RuntimeError(plain_text(reply["error"], TEXT_CAP))
            return plain(reply["value"])

        ask_grader.__name__ = name
        return ask_grader

    # ------------------------------------------------------------ describing errors

    def describe(self, error: BaseException) -> dict:
        """A short, plain-string record of an error, whatever the error object does."""
        try:
            kind = plain_text(_type_name(type(error)), 200)
        except BaseException:
            kind = "Exception"
        frames = self._frames(error)
        where = f"{frames[-1][0]}, line {frames[-1][1]}: {frames[-1][3]}" if frames else ""
        try:
            message = plain_text("".join(_format_exception_only(type(error), error)).strip(), TEXT_CAP)
        except BaseException:  # its __str__ or attributes raise: say what we can
            message = f"{kind}: {plain_text(error, TEXT_CAP)}"
        return {
            "type": kind,
            "message": message,
            "where": plain_text(where, 500),
            "function": frames[-1][2] if frames else "",
        }

    def _frames(self, error: BaseException) -> list[tuple[str, int, str, str]]:
        """(file, line, function, source line) of the traceback's frames in the student's units."""
        frames = []
        try:
            tb = BaseException.__dict__["__traceback__"].__get__(error)
            for _ in range(1000):
                if tb is None:
                    break
                code = tb.tb_frame.f_code
                filename = plain_text(code.co_filename, 200)
                if filename in self.unit_names:
                    line = plain_text(linecache.getline(filename, tb.tb_lineno).strip(), 300)
                    frames.append((filename, int(tb.tb_lineno), plain_text(code.co_name, 200), line))
                tb = tb.tb_next
        except BaseException:  # a poisoned traceback costs only the location
            return frames
        return frames


class _NullShell:
    """What `get_ipython()` returns outside Jupyter: every method does nothing."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


def _nbytes(value) -> int:
    """About how many bytes value takes on the wire."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)):
        return 8 + sum(_nbytes(v) for v in value)
    if isinstance(value, dict):
        return 8 + sum(_nbytes(v) + len(str(k)) for k, v in value.items())
    if isinstance(value, str):
        return len(value)
    return 8


def _known(entries) -> dict:
    """Known values of test functions, by name, then by argument (see protocol.point_key)."""
    known: dict = {}
    for name, point, value in entries or []:
        known.setdefault(name, {})[point_key(point)] = value
    return known


def _resolve(value, stand_in):
    kind = type(value)
    if kind is float or kind is int or kind is str:
        return value
    if isinstance(value, CallbackRef):  # a test function: every evaluation asks the grader
        return stand_in(value.name)
    if isinstance(value, dict):
        return {k: _resolve(v, stand_in) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, stand_in) for v in value]
    if isinstance(value, np.ndarray):  # a fresh copy per call: a step that wrote into its
        return value.copy()  # inputs must not change what the next call is given
    return value


def _fingerprints(args) -> list | None:
    """The arguments as they are after the call, for the grader to compare (None: unreadable)."""
    try:
        return [fingerprint(a) for a in args]
    except Exception:  # an argument the student replaced by something that will not hash
        return None

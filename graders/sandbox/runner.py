"""The trusted side of the sandbox: run a submission's functions on inputs we choose.

`Sandbox.run(units, files, calls)` loads the student's code in a fresh child of the
zygote and makes each call in turn (all cases of a step in one message). A call
that hangs, crashes or sends garbage costs only that call: the child is killed with
SIGKILL and a fresh one, with the same code, takes the remaining calls. Nothing is
unpickled; every value comes back as plain data checked by `protocol.read_frame`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backprop_lab.exercises.i18n import N_
from backprop_lab.graders.sandbox import launch as launcher
from backprop_lab.graders.sandbox.inside.protocol import (
    Channel,
    ProtocolError,
    plain,
    read_frame,
    write_frame,
)

CallbackHandler = Callable[[str, list[Any]], Any]


@dataclass(frozen=True)
class Limits:
    """What one submission's child may use."""

    memory_mb: int = 1024
    cpu_seconds: int = 120
    file_mb: int = 16
    load_timeout: float = 10.0


@dataclass
class Call:
    """One step's calls: `function(*case)` for every case, in one message.

    `functions` are test functions described by data and run inside the sandbox
    (e.g. the f of a numerical-gradient check); `stand_ins` are names in the student's
    module replaced for this call by functions that ask `callback` for the answer.
    """

    function: str
    cases: list[list[Any]]
    timeout: float = 5.0
    preloaded: str | None = None  # a set of inputs given to `Sandbox.preload`, called before `cases`
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    stand_ins: list[str] = field(default_factory=list)
    callback: CallbackHandler | None = None


@dataclass
class CaseResult:
    value: Any = None  # a tree of protocol.Received
    error: dict[str, str] | None = None
    mutated: list[int] = field(default_factory=list)


@dataclass
class CallOutcome:
    """How a call went: "ok", or "timeout", "crash" or "invalid" for the whole call."""

    status: str
    results: list[CaseResult | None]
    printed: str = ""
    detail: str = ""  # an English message template, translated by the feedback
    detail_values: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.detail.format(**self.detail_values)


@dataclass
class UnitReport:
    name: str
    ok: bool
    error: dict[str, str] | None = None


@dataclass
class LoadReport:
    units: list[UnitReport] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    answers: Any = None
    printed: str = ""


@dataclass
class RunResult:
    load: LoadReport
    outcomes: list[CallOutcome]
    isolation: str


@dataclass
class Child:
    """One child of the zygote: its socket, read through a buffered channel."""

    sock: socket.socket
    channel: Channel


class ChildFailed(Exception):
    """The child stopped answering: it timed out, died, or broke the protocol."""

    def __init__(self, status: str, detail: str, **values: str) -> None:
        super().__init__(detail.format(**values))
        self.status = status
        self.detail = detail
        self.values = values


class Sandbox:
    """One zygote, serving submissions one after another. Use one per thread."""

    def __init__(self, limits: Limits | None = None, isolation: str = "auto") -> None:
        self.limits = limits or Limits()
        self.wanted = isolation  # "auto", "bubblewrap" or "process"
        self.isolation = "none"
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._launch: launcher.Launch | None = None
        self._preloaded: dict[str, list[list[Any]]] = {}

    # ------------------------------------------------------------ zygote lifecycle

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        bwrap = launcher.find_bwrap() if self.wanted in ("auto", "bubblewrap") else None
        attempts = []
        if bwrap:
            attempts.append(lambda fd: launcher.bubblewrap_launch(bwrap, fd))
        if self.wanted in ("auto", "process"):
            attempts.append(launcher.process_launch)
        errors = []
        for make in attempts:
            try:
                seccomp = self._start_with(make)
            except ChildFailed as failure:
                errors.append(str(failure))
                continue
            self.isolation = self._launch.isolation + ("+seccomp" if seccomp else "")
            if self._preloaded:
                self._send_preload(self._preloaded)
            return
        raise RuntimeError("cannot start the sandbox: " + " | ".join(errors or ["no isolation available"]))

    def _start_with(self, make: Callable[[int], launcher.Launch]) -> bool:
        ours, theirs = socket.socketpair()
        self._launch = make(theirs.fileno())
        self._process = launcher.start(self._launch, theirs.fileno())
        theirs.close()
        self._control = ours
        try:
            ready = read_frame(ours.fileno(), time.monotonic() + 30)
        except (EOFError, TimeoutError, ProtocolError) as error:
            stderr = self._stop_zygote()
            raise ChildFailed(
                "crash",
                "{isolation}: {error} {stderr}",
                isolation=self._launch.isolation,
                error=type(error).__name__,
                stderr=stderr,
            ) from None
        return bool(plain(ready.get("seccomp")))

    def _stop_zygote(self) -> str:
        stderr = ""
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process.wait()
            stderr = (
                self._process.stderr.read().decode(errors="replace")[-2000:] if self._process.stderr else ""
            )
            if self._process.stderr:
                self._process.stderr.close()
            self._process = None
        if self._launch is not None and self._launch.scratch:
            shutil.rmtree(self._launch.scratch, ignore_errors=True)
        return stderr.strip()

    def close(self) -> None:
        self._stop_zygote()

    def preload(self, sets: dict[str, list[list[Any]]]) -> None:
        """Give the zygote inputs once, so that every child has them without a message each.

        Only inputs: never an expected answer. A call names a set by its key.
        """
        self._preloaded.update(sets)
        if self._control is not None:
            self._send_preload(sets)

    def has_preloaded(self, key: str) -> bool:
        return key in self._preloaded

    def _case_count(self, call: Call) -> int:
        return len(self._preloaded.get(call.preloaded, [])) + len(call.cases)

    def _send_preload(self, sets: dict[str, list[list[Any]]]) -> None:
        write_frame(self._control.fileno(), {"kind": "preload", "sets": sets}, time.monotonic() + 30)

    # ------------------------------------------------------------ one child

    def _spawn(self, retry: bool = True) -> Child:
        if self._control is None:
            self.start()
        limits = {
            "memory_mb": self.limits.memory_mb,
            "cpu_seconds": self.limits.cpu_seconds,
            "file_mb": self.limits.file_mb,
        }
        try:
            write_frame(self._control.fileno(), {"kind": "spawn", "limits": limits}, time.monotonic() + 10)
            _, fds, _, _ = socket.recv_fds(self._control, 1, 1)
        except (OSError, TimeoutError):
            fds = []
        if not fds:  # the zygote is gone (killed from outside?): start a new one, once
            stderr = self._stop_zygote()
            if not retry:
                raise RuntimeError(f"the sandbox cannot start workers: {stderr}")
            self.start()
            return self._spawn(retry=False)
        sock = socket.socket(fileno=fds[0])
        sock.setblocking(False)
        return Child(sock, Channel(sock.fileno()))

    def _end_child(self, child: Child) -> dict[str, Any]:
        """SIGKILL the child (through the zygote) and return how it ended."""
        child.sock.close()
        try:
            write_frame(self._control.fileno(), {"kind": "kill"}, time.monotonic() + 5)
            while True:
                report = read_frame(self._control.fileno(), time.monotonic() + 10)
                if report.get("kind") == "exited":
                    return plain(report["status"])
        except (OSError, EOFError, TimeoutError, ProtocolError):
            self._stop_zygote()  # the zygote misbehaved: never reuse it
            return {"exit_code": None, "killed_by_grader": True}

    def _exchange(
        self,
        child: Child,
        message: dict[str, Any],
        timeout: float,
        on_frame: Callable[[dict[str, Any]], bool],
    ) -> None:
        """Send one message, then feed replies to on_frame until it returns True."""
        deadline = time.monotonic() + timeout
        try:
            child.channel.write(message, deadline)
            while not on_frame(child.channel.read(deadline)):
                pass
        except TimeoutError:
            raise ChildFailed("timeout", N_("no answer within {seconds} s"), seconds=f"{timeout:g}") from None
        except EOFError:
            raise ChildFailed("crash", N_("the Python process running your code ended")) from None
        except (ProtocolError, OSError) as error:
            raise ChildFailed(
                "invalid", N_("your answer could not be read: {reason}"), reason=str(error)
            ) from None

    def _load(self, child: Child, units: list[dict[str, str]], files: dict[str, str]) -> LoadReport:
        report = LoadReport()
        progress = {"unit": -1}

        def on_frame(frame: dict[str, Any]) -> bool:
            if frame.get("kind") == "unit":
                progress["unit"] = int(plain(frame.get("index")))
                return False
            if frame.get("kind") != "loaded":
                raise ProtocolError("unexpected message while loading")
            loaded = plain(frame)
            report.units = [
                UnitReport(str(u["name"]), bool(u["ok"]), u.get("error")) for u in loaded["units"]
            ]
            report.defined = [str(name) for name in loaded.get("defined") or []]
            report.answers = frame.get("answers")
            report.printed = str(loaded.get("printed") or "")
            return True

        try:
            self._exchange(
                child, {"kind": "load", "units": units, "files": files}, self.limits.load_timeout, on_frame
            )
        except ChildFailed as failure:
            failure.unit = progress["unit"]  # type: ignore[attr-defined]
            raise
        return report

    def _call(self, child: Child, call: Call) -> CallOutcome:
        count = self._case_count(call)
        outcome = CallOutcome("ok", [None] * count)
        message = {
            "kind": "call",
            "function": call.function,
            "preloaded": call.preloaded,
            "cases": call.cases,
            "functions": call.functions,
            "stand_ins": call.stand_ins,
        }

        def record(item: Any) -> None:
            index = plain(item.get("index")) if isinstance(item, dict) else None
            if not isinstance(index, int) or not 0 <= index < count:
                raise ProtocolError("result for a case that was not asked")
            error = item.get("error")
            mutated = plain(item.get("mutated")) or []
            outcome.results[index] = CaseResult(
                value=item.get("value"),
                error={str(k): str(v) for k, v in plain(error).items()} if isinstance(error, dict) else None,
                mutated=[i for i in mutated if isinstance(i, int)] if isinstance(mutated, list) else [],
            )

        def on_frame(frame: dict[str, Any]) -> bool:
            kind = frame.get("kind")
            if kind == "results":
                items = frame.get("items")
                if not isinstance(items, list):
                    raise ProtocolError("malformed results")
                for item in items:
                    record(item)
                return False
            if kind == "callback":
                self._answer_callback(child, call, frame)
                return False
            if kind == "done":
                outcome.printed = str(plain(frame.get("printed")) or "")
                return True
            raise ProtocolError(f"unexpected message {kind!r}")

        self._exchange(child, message, call.timeout, on_frame)
        return outcome

    def _answer_callback(self, child: Child, call: Call, frame: dict[str, Any]) -> None:
        name = str(plain(frame.get("function")))
        if call.callback is None or name not in call.stand_ins + list(call.functions):
            reply = {"kind": "callback_result", "error": f"{name} is not available here"}
        else:
            try:
                reply = {"kind": "callback_result", "value": call.callback(name, plain(frame.get("args")))}
            except Exception as error:  # the student's arguments were wrong for the real function
                reply = {"kind": "callback_result", "error": f"{type(error).__name__}: {error}"}
        child.channel.write(reply, time.monotonic() + 5)

    # ------------------------------------------------------------ the narrow API

    def session(self, units: list[dict[str, str]], files: dict[str, str] | None = None) -> Session:
        """One submission's code, loaded in a worker, answering calls one after another."""
        return Session(self, units, files or {})

    def run(
        self,
        units: list[dict[str, str]],
        calls: list[Call],
        files: dict[str, str] | None = None,
    ) -> RunResult:
        """Load the code units (in order) and make every call; never raises for the student's faults."""
        with self.session(units, files) as session:
            load = session.load()
            outcomes = [session.call(call) for call in calls]
        return RunResult(load, outcomes, self.isolation)


class Session:
    """A submission in a worker. A unit that hangs or kills the worker at load is left out
    and the rest loaded again; a call that breaks the worker gets a fresh one for the next.
    """

    def __init__(self, sandbox: Sandbox, units: list[dict[str, str]], files: dict[str, str]) -> None:
        self.sandbox, self.units, self.files = sandbox, units, files
        self.skipped: set[int] = set()
        self.child: Child | None = None
        self.answered = 0  # calls the current child has answered
        self.report: LoadReport | None = None
        self.unloadable: ChildFailed | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.child is not None:
            self.sandbox._end_child(self.child)
            self.child = None

    def _ensure_child(self) -> bool:
        """A loaded child, or False when the code cannot be loaded at all."""
        while self.child is None and self.unloadable is None:
            child = self.sandbox._spawn()
            live = [u if i not in self.skipped else {**u, "source": ""} for i, u in enumerate(self.units)]
            try:
                report = self.sandbox._load(child, live, self.files)
            except ChildFailed as failure:
                self.sandbox._end_child(child)
                unit = getattr(failure, "unit", -1)
                if 0 <= unit < len(self.units) and unit not in self.skipped:
                    self.skipped.add(unit)  # that unit hangs or kills the worker: load without it
                    continue
                self.unloadable = failure
                self.report = LoadReport(
                    units=[UnitReport("(load)", False, {"type": failure.status, "message": str(failure)})]
                )
                return False
            for i in self.skipped:
                message = {"type": "Timeout", "message": N_("this code did not finish running")}
                report.units[i] = UnitReport(self.units[i]["name"], False, message)
            self.child, self.answered = child, 0
            self.report = self.report or report
        return self.child is not None

    def load(self) -> LoadReport:
        self._ensure_child()
        return self.report

    def call(self, call: Call) -> CallOutcome:
        count = self.sandbox._case_count(call)
        while True:
            if not self._ensure_child():
                failure = self.unloadable
                return CallOutcome(
                    failure.status, [None] * count, detail=failure.detail, detail_values=failure.values
                )
            try:
                outcome = self.sandbox._call(self.child, call)
                self.answered += 1
                return outcome
            except ChildFailed as failure:
                status = self.sandbox._end_child(self.child)
                retry = failure.status != "timeout" and self.answered > 0
                self.child = None
                if retry:  # an earlier call may have left something behind (a thread scribbling
                    continue  # on the channel): once more, in a fresh worker, before charging this step
                detail, values = _explain_end(failure, status)
                return CallOutcome(failure.status, [None] * count, "", detail, values)


def _explain_end(failure: ChildFailed, status: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """Why the child stopped, as a message template and its values."""
    sig, code = status.get("signal"), status.get("exit_code")
    if failure.status == "timeout":
        return failure.detail, failure.values
    if sig is None:  # it ended on its own, even if our kill order crossed its exit
        if code is None:
            return failure.detail, failure.values
        return N_("the Python process running your code exited with code {code} (os._exit, or a crash)"), {
            "code": str(code)
        }
    if sig == signal.SIGSEGV:
        return N_("the Python process running your code was stopped by SIGSEGV, a segmentation fault"), {}
    if sig == signal.SIGKILL and status.get("killed_by_grader"):
        return failure.detail, failure.values
    if sig in (signal.SIGKILL, signal.SIGXCPU):
        return N_("the Python process running your code was killed: it went over the CPU or memory limit"), {}
    return N_("the Python process running your code was stopped by signal {signal}"), {"signal": str(sig)}

"""The trusted side of the sandbox: run a submission's functions on inputs we choose.

`Sandbox.run(units, files, calls)` loads the student's code in a fresh child of the
zygote and makes each call in turn (all cases of a step in one message). A call
that hangs, crashes or sends garbage costs only that call: the child is killed with
SIGKILL and a fresh one, with the same code, takes the remaining calls. Nothing is
unpickled; every value comes back as plain data checked by `protocol.read_frame`,
and every report is cut down to plain, bounded strings by `records`.

A submission has a wall-time budget for all its loads and calls, and a budget of
stand-in callbacks; the grader never waits on the zygote without a deadline, and
replaces a zygote that stops answering.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backprop_lab.exercises.i18n import N_
from backprop_lab.graders.sandbox import launch as launcher
from backprop_lab.graders.sandbox import records
from backprop_lab.graders.sandbox.inside.protocol import (
    Channel,
    OverAllowance,
    ProtocolError,
    plain,
    read_frame,
    write_frame,
)

CallbackHandler = Callable[[str, list[Any]], Any]


STDERR_TAIL = 2000  # bytes of the zygote's stderr kept when it is stopped
ZYGOTE_TIMEOUT = 5.0  # seconds the zygote may take to hand over or end a child
STAND_INS_SPENT = "the grader's stand-ins answer no more calls for this submission"
BUDGET_SPENT = N_("the submission's time budget of {seconds} s is spent")
ANSWERS_TOO_LARGE = N_("your answers to this step take more than {mb} MiB; the right ones take a few KiB")
LOAD_TOO_LARGE = N_("your ANSWERS take more than {mb} MiB; they were not read")
ZYGOTE_REPLACED = N_("the sandbox stopped answering and was restarted; this step was not graded")


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Its /tmp and /dev/shm (scratch_mb each) are part of memory_mb."""

    memory_mb: int = 1024
    cpu_seconds: int = 120
    file_mb: int = 16
    scratch_mb: int = 32
    load_timeout: float = 2.0  # per unit (a module, a notebook cell) at load
    submission_seconds: float = 10.0  # wall time for all of a submission's loads and calls
    # Stand-in callbacks answered, and MiB of their arguments, per submission and per call.
    # The buggy corpus's carry-forward needs at most 40 and 16 KiB for a whole submission.
    stand_in_calls: int = 2000
    stand_in_mb: int = 16
    stand_in_calls_per_call: int = 500
    stand_in_mb_per_call: int = 4
    # Evaluations of a call's test functions (a gradient check takes 2 per entry of θ).
    function_calls_per_call: int = 5000
    # MiB one call (or a load) may send, strings and numbers as much as arrays: each answer
    # is judged and may be kept in the results, and the course's answers are a few KiB (a
    # 64 MiB array, or a 4 MiB string, per case would be GBs a call).
    answer_mb_per_call: int = 16

    def for_worker(self) -> dict[str, int]:
        return {
            "memory_mb": max(64, self.memory_mb - 2 * self.scratch_mb),
            "cpu_seconds": self.cpu_seconds,
            "file_mb": self.file_mb,
            "scratch_mb": self.scratch_mb,
        }


@dataclass
class Call:
    """One step's calls: `function(*case)` for every case, in one message.

    `functions` are test functions described by data (e.g. the f of a numerical-gradient
    check): only their names go to the sandbox, and every evaluation asks `callback`, so
    what they compute never enters the student's process. `stand_ins` are names in the
    student's module replaced for this call by functions that ask `callback` too.
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
    after: list[Any] | None = None  # fingerprints of the arguments after the call (protocol.fingerprint)


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


@dataclass(frozen=True)
class Clock:
    """How long an exchange may wait: `timeout` from its start (or its last progress report),
    and never past the submission's deadline."""

    timeout: float
    submission_deadline: float
    submission_seconds: float

    def deadline(self) -> float:
        return min(time.monotonic() + self.timeout, self.submission_deadline)

    def spent(self) -> bool:
        return time.monotonic() >= self.submission_deadline

    def failure(self, deadline: float) -> ChildFailed:
        """What to say when `deadline` has passed: the call's timeout, or the submission's budget."""
        if deadline >= self.submission_deadline:
            return ChildFailed("timeout", BUDGET_SPENT, seconds=f"{self.submission_seconds:g}")
        return ChildFailed("timeout", N_("no answer within {seconds} s"), seconds=f"{self.timeout:g}")


PROGRESS = "progress"  # on_frame's answer for a report that renews the exchange's timeout


class StandInAccount:
    """Stand-in callbacks a submission may still make, in number and argument bytes."""

    def __init__(self, calls: int, nbytes: int) -> None:
        self.calls, self.nbytes = calls, nbytes

    def spend(self, nbytes: int) -> bool:
        """Take one call of nbytes; False (and nothing taken) once the budget would be passed."""
        if self.calls < 1 or self.nbytes < nbytes:
            return False
        self.calls -= 1
        self.nbytes -= nbytes
        return True


class Sandbox:
    """One zygote, serving submissions one after another. Use one per thread.

    `namespaces=False` runs every worker in the zygote's namespaces (the fallback the
    kernel forces where it refuses a user namespace), so tests can check that path too.
    """

    def __init__(
        self, limits: Limits | None = None, isolation: str = "auto", namespaces: bool = True
    ) -> None:
        self.limits = limits or Limits()
        self.wanted = isolation  # "auto", "bubblewrap" or "process"
        self.want_namespaces = namespaces
        self.namespaces: bool | None = None  # whether the last worker had namespaces of its own
        self.isolation = "none"
        self.restarts = 0  # zygotes replaced because they stopped answering
        self._exit_pending = False  # a child was told to end; its report is still to be read
        self._process: subprocess.Popen | None = None
        self._stderr: Any = None
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
            attempts.append(lambda fd: launcher.bubblewrap_launch(bwrap, fd, self.limits.scratch_mb))
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
        self._stderr = tempfile.TemporaryFile()
        self._process = launcher.start(self._launch, theirs.fileno(), self._stderr)
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
        """Kill the zygote and all it started; the tail of its stderr. Never waits without a bound."""
        self._exit_pending = False
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self._process.wait(timeout=ZYGOTE_TIMEOUT)
            except subprocess.TimeoutExpired:  # unkillable (stuck in the kernel): let it go
                pass
            self._process = None
        stderr = ""
        if self._stderr is not None:
            size = self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(0, size - STDERR_TAIL))
            stderr = self._stderr.read(STDERR_TAIL).decode(errors="replace")
            self._stderr.close()
            self._stderr = None
        if self._launch is not None and self._launch.scratch:
            shutil.rmtree(self._launch.scratch, ignore_errors=True)
        return stderr.strip()

    def _replace_zygote(self) -> None:
        self._stop_zygote()
        self.restarts += 1
        self.start()

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
        """A fresh child; a zygote that does not hand one over in time is replaced, once."""
        if self._exit_pending:
            self._exit_report()
        if self._control is None:
            self.start()
        order = {"kind": "spawn", "limits": self.limits.for_worker(), "namespaces": self.want_namespaces}
        fds: list[int] = []
        try:
            write_frame(self._control.fileno(), order, time.monotonic() + ZYGOTE_TIMEOUT)
            if select.select([self._control], [], [], ZYGOTE_TIMEOUT)[0]:
                kind, fds, _, _ = socket.recv_fds(self._control, 1, 1)
                self.namespaces = kind == b"N"  # "S": a worker in the zygote's namespaces
        except (OSError, TimeoutError):
            fds = []
        if not fds:  # the zygote is gone or stuck: start a new one, once
            if not retry:
                raise RuntimeError(f"the sandbox cannot start workers: {self._stop_zygote()}")
            self._replace_zygote()
            return self._spawn(retry=False)
        sock = socket.socket(fileno=fds[0])
        sock.setblocking(False)
        return Child(sock, Channel(sock.fileno()))

    def _end_child(self, child: Child) -> dict[str, Any]:
        """SIGKILL the child (through the zygote) and return how it ended."""
        self._release_child(child)
        return self._exit_report()

    def _release_child(self, child: Child) -> None:
        """Order the child's end without waiting for it: the report is read before the next
        spawn, so the zygote's teardown and its making of the next worker overlap our work."""
        child.sock.close()
        self._exit_pending = True
        try:
            write_frame(self._control.fileno(), {"kind": "kill"}, time.monotonic() + ZYGOTE_TIMEOUT)
        except (OSError, TimeoutError, AttributeError):
            pass  # the report will not come either: _exit_report replaces the zygote

    def _exit_report(self) -> dict[str, Any]:
        self._exit_pending = False
        deadline = time.monotonic() + ZYGOTE_TIMEOUT
        try:
            while True:
                report = read_frame(self._control.fileno(), deadline)
                if report.get("kind") == "exited":
                    status = plain(report.get("status"))
                    if not isinstance(status, dict):
                        raise ProtocolError("malformed exit report")
                    return status
        except (OSError, EOFError, TimeoutError, ProtocolError, AttributeError):
            self._stop_zygote()  # the zygote misbehaved: never reuse it
            self.restarts += 1
            return {"exit_code": None, "killed_by_grader": True, "zygote_replaced": True}

    def _exchange(
        self,
        child: Child,
        message: dict[str, Any],
        clock: Clock,
        on_frame: Callable[[dict[str, Any]], bool | str],
        too_large: str = ANSWERS_TOO_LARGE,
    ) -> None:
        """Send one message, then feed replies to on_frame until it returns True (PROGRESS
        renews the deadline). All the replies together carry at most `answer_mb_per_call`."""
        deadline = clock.deadline()
        child.channel.allowance = self.limits.answer_mb_per_call << 20
        try:
            child.channel.write(message, deadline)
            while (answer := on_frame(child.channel.read(deadline))) is not True:
                if answer == PROGRESS:
                    deadline = clock.deadline()
        except TimeoutError:
            raise clock.failure(deadline) from None
        except EOFError:
            raise ChildFailed("crash", N_("the Python process running your code ended")) from None
        except OverAllowance:
            raise ChildFailed("invalid", too_large, mb=str(self.limits.answer_mb_per_call)) from None
        except (ProtocolError, OSError) as error:
            raise ChildFailed(
                "invalid", N_("your answer could not be read: {reason}"), reason=str(error)[:500]
            ) from None
        finally:
            child.channel.allowance = None

    def _load(
        self,
        child: Child,
        units: list[dict[str, str]],
        files: dict[str, str],
        clock: Clock,
        answers: bool = True,
    ) -> LoadReport:
        report = LoadReport()
        progress = {"unit": -1}

        def on_frame(frame: dict[str, Any]) -> bool | str:
            if frame.get("kind") == "unit":  # each unit has its own load timeout
                index = plain(frame.get("index"))
                progress["unit"] = index if type(index) is int else -1
                return PROGRESS
            if frame.get("kind") != "loaded":
                raise ProtocolError("unexpected message while loading")
            names = [unit["name"] for unit in units]
            report.units = [UnitReport(*unit) for unit in records.unit_reports(frame.get("units"), names)]
            report.defined = records.defined_names(frame.get("defined"))
            report.answers = frame.get("answers")
            report.printed = records.printed(frame.get("printed"))
            return True

        message = {"kind": "load", "units": units, "files": files, "answers": answers}
        try:
            self._exchange(child, message, clock, on_frame, LOAD_TOO_LARGE)
        except ChildFailed as failure:
            failure.unit = progress["unit"]  # type: ignore[attr-defined]
            raise
        return report

    def _call(
        self,
        child: Child,
        call: Call,
        clock: Clock,
        account: StandInAccount,
    ) -> CallOutcome:
        count = self._case_count(call)
        outcome = CallOutcome("ok", [None] * count)
        this_call = StandInAccount(
            min(account.calls, self.limits.stand_in_calls_per_call),
            min(account.nbytes, self.limits.stand_in_mb_per_call << 20),
        )
        evaluations = StandInAccount(
            self.limits.function_calls_per_call, self.limits.stand_in_mb_per_call << 20
        )
        message = {
            "kind": "call",
            "function": call.function,
            "preloaded": call.preloaded,
            "cases": call.cases,
            "stand_ins": call.stand_ins,
            "stand_in_budget": {"calls": this_call.calls, "bytes": this_call.nbytes},
        }

        def record(item: Any) -> None:
            index = plain(item.get("index")) if isinstance(item, dict) else None
            if type(index) is not int or not 0 <= index < count:
                raise ProtocolError("result for a case that was not asked")
            outcome.results[index] = CaseResult(
                value=records.answer(item.get("value")),
                error=records.error_record(item.get("error")),
                after=records.fingerprints(item.get("after")),
            )

        def on_frame(frame: dict[str, Any]) -> bool:
            kind = frame.get("kind")
            if kind == "results":
                items = frame.get("items")
                if not isinstance(items, list):
                    raise ProtocolError("malformed results")
                for item in items:
                    record(item)
                if plain(frame.get("done")) is True:
                    outcome.printed = records.printed(frame.get("printed"))
                    return True
                return False
            if kind == "callback":
                size = child.channel.last_size
                if plain(frame.get("function")) in call.functions:
                    spent = evaluations.spend(size)
                else:
                    spent = this_call.spend(size) and account.spend(size)
                self._answer_callback(child, call, frame, spent)
                return False
            if kind == "done":
                outcome.printed = records.printed(frame.get("printed"))
                return True
            raise ProtocolError("unexpected message")

        self._exchange(child, message, clock, on_frame)
        return outcome

    def _answer_callback(self, child: Child, call: Call, frame: dict[str, Any], within_budget: bool) -> None:
        name = records.text(plain(frame.get("function")), 100)
        args = plain(frame.get("args"))
        available = call.callback is not None and name in call.stand_ins + list(call.functions)
        if not within_budget:
            reply = {"kind": "callback_result", "error": STAND_INS_SPENT}
        elif not available or not isinstance(args, list):
            reply = {"kind": "callback_result", "error": f"{name} is not available here"}
        else:
            try:
                reply = {"kind": "callback_result", "value": call.callback(name, args)}
            except Exception as error:  # the student's arguments were wrong for the real function
                reply = {"kind": "callback_result", "error": f"{type(error).__name__}: {error}"[:500]}
        child.channel.write(reply, time.monotonic() + ZYGOTE_TIMEOUT)

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
    All of it, loads and calls, within the submission's time budget.
    """

    def __init__(self, sandbox: Sandbox, units: list[dict[str, str]], files: dict[str, str]) -> None:
        self.sandbox, self.units, self.files = sandbox, units, files
        limits = sandbox.limits
        self.deadline = time.monotonic() + limits.submission_seconds
        self.stand_ins = StandInAccount(limits.stand_in_calls, limits.stand_in_mb << 20)
        self.skipped: set[int] = set()
        self.send_answers = True  # False once what the code sent at load was over the allowance
        self.too_large: ChildFailed | None = None
        self.child: Child | None = None
        self.answered = 0  # calls the current child has answered
        self.report: LoadReport | None = None
        self.unloadable: ChildFailed | None = None
        self.restarts_before = sandbox.restarts

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.child is not None:
            self.sandbox._release_child(self.child)
            self.child = None

    @property
    def zygote_replaced(self) -> bool:
        """Whether the sandbox had to be restarted while serving this submission."""
        return self.sandbox.restarts > self.restarts_before

    def _clock(self, timeout: float) -> Clock:
        return Clock(timeout, self.deadline, self.sandbox.limits.submission_seconds)

    def _ensure_child(self) -> bool:
        """A loaded child, or False when the code cannot be loaded at all."""
        while self.child is None and self.unloadable is None:
            clock = self._clock(self.sandbox.limits.load_timeout)
            if clock.spent():
                self._give_up(clock.failure(self.deadline))
                return False
            child = self.sandbox._spawn()
            live = [u if i not in self.skipped else {**u, "source": ""} for i, u in enumerate(self.units)]
            try:
                report = self.sandbox._load(child, live, self.files, clock, self.send_answers)
            except ChildFailed as failure:
                self.sandbox._end_child(child)
                unit = getattr(failure, "unit", -1)
                out_of_budget = failure.detail == BUDGET_SPENT
                if failure.detail == LOAD_TOO_LARGE and self.send_answers:
                    self.send_answers = False  # once more, without ANSWERS
                    self.too_large = failure
                    continue
                if 0 <= unit < len(self.units) and unit not in self.skipped and not out_of_budget:
                    self.skipped.add(unit)  # that unit hangs or kills the worker: load without it
                    continue
                self._give_up(failure)
                return False
            for i in self.skipped:
                message = {"type": "Timeout", "message": N_("this code did not finish running")}
                report.units[i] = UnitReport(self.units[i]["name"], False, message)
            if self.too_large is not None:
                message = {"type": "Invalid", "message": str(self.too_large)}
                report.units.append(UnitReport("ANSWERS", False, message))
            self.child, self.answered = child, 0
            self.report = self.report or report
        return self.child is not None

    def _give_up(self, failure: ChildFailed) -> None:
        self.unloadable = failure
        if self.report is None:
            self.report = LoadReport(
                units=[UnitReport("(load)", False, {"type": failure.status, "message": str(failure)})]
            )

    def load(self) -> LoadReport:
        self._ensure_child()
        return self.report

    def fresh_worker(self) -> None:
        """Send the next call to a new worker, loaded again: nothing the student's code kept
        from earlier calls, in memory or in its scratch files, reaches it."""
        if self.child is not None:
            self.sandbox._release_child(self.child)
            self.child = None

    def call(self, call: Call) -> CallOutcome:
        count = self.sandbox._case_count(call)
        retried = False
        while True:
            if not self._ensure_child():
                failure = self.unloadable
                return CallOutcome(
                    failure.status, [None] * count, detail=failure.detail, detail_values=failure.values
                )
            try:
                outcome = self.sandbox._call(self.child, call, self._clock(call.timeout), self.stand_ins)
                self.answered += 1
                return outcome
            except ChildFailed as failure:
                status = self.sandbox._end_child(self.child)
                retry = failure.status != "timeout" and self.answered > 0 and not retried
                self.child = None
                if failure.detail == BUDGET_SPENT:  # no worker for the calls that are left
                    self.unloadable = failure
                if retry:  # an earlier call may have left something behind (a thread scribbling
                    retried = True  # on the channel): once more, in a fresh worker, before charging this step
                    continue
                detail, values = _explain_end(failure, status)
                return CallOutcome(failure.status, [None] * count, "", detail, values)


def _explain_end(failure: ChildFailed, status: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """Why the child stopped, as a message template and its values."""
    sig, code = status.get("signal"), status.get("exit_code")
    if status.get("zygote_replaced"):
        return ZYGOTE_REPLACED, {}
    if failure.status in ("timeout", "invalid"):  # its own reason; the exit (on our closing) follows
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

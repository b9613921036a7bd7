"""The untrusted side: a zygote that forks one limited child per submission.

Started fresh (never forked from the grader), it imports numpy once and then waits
on its control socket. For each submission it forks a child, applies limits, and
hands the grader one end of a new socketpair; the child loads the student's code and
answers calls on it. The child never holds the control socket, so it can neither
read another submission nor forge the zygote's reports; the zygote kills it with
SIGKILL when the grader says so, and reports how it ended.

Run as a script: ``python -I -S worker.py CONTROL_FD SITE_DIR SCRATCH_ROOT [WRITABLE...]``;
every WRITABLE folder (and SCRATCH_ROOT) is emptied after each child.
It imports nothing of the project but its sibling protocol.py.
"""

from __future__ import annotations

import ctypes
import errno
import io
import linecache
import os
import resource
import select
import shutil
import signal
import socket
import sys
import time
import traceback
import types

SANDBOX_UID = 65534  # nobody
PRELOADED: dict[str, list] = {}  # shared inputs, sent once to the zygote, inherited by every child
OUTPUT_CAP = 8192
CLONE_THREAD = 0x00010000


def _bootstrap(site_dir: str) -> None:
    """numpy (and the seccomp binding) from site_dir, then site_dir off the path again."""
    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(1, site_dir)
    import numpy  # imported once here, shared by every child

    try:
        import pyseccomp  # noqa: F401
    except Exception:  # absent, or libseccomp missing: the grader reports the weaker isolation
        pass
    sys.path.remove(site_dir)
    _warm_up(numpy)


def _warm_up(np) -> None:
    """Run numpy's common paths once, so every forked child starts with them initialised."""
    x = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    for _ in range(3):
        y = (1 / (1 + np.exp(-x))) @ x.T + np.log1p(np.abs(x)).sum(axis=0).mean()
        np.einsum("ij,kj->ik", x, x)
        np.array_equal(x, y.copy(), equal_nan=True)
        np.where(x > 0, np.tanh(x), np.maximum(x, 0.0)).astype(np.float64).tobytes()


def _seccomp_module():
    return sys.modules.get("pyseccomp")


# ---------------------------------------------------------------- the child


class CappedWriter(io.TextIOBase):
    """sys.stdout/stderr of the child: keeps the first OUTPUT_CAP characters, drops the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.dropped = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
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


def _apply_limits(limits: dict, scratch: str) -> None:
    os.setsid()
    mem = int(limits.get("memory_mb", 1024)) << 20
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[0]) * resource.getpagesize()
    for which, value in (
        (resource.RLIMIT_AS, current + mem),
        (resource.RLIMIT_CPU, int(limits.get("cpu_seconds", 60))),
        (resource.RLIMIT_FSIZE, int(limits.get("file_mb", 16)) << 20),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))
    if os.getuid() == 0:  # no isolation layer did it: drop root ourselves
        os.chown(scratch, SANDBOX_UID, SANDBOX_UID)
        os.setgroups([])
        os.setgid(SANDBOX_UID)
        os.setuid(SANDBOX_UID)
    seccomp = _seccomp_module()
    if seccomp is not None:
        pid = os.getpid()
        f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        deny = seccomp.ERRNO(errno.EPERM)
        for name in (
            "fork",
            "vfork",
            "execve",
            "execveat",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "socket",
            "tkill",
            "setsid",
            "setpgid",
        ):
            f.add_rule(deny, name)
        f.add_rule(
            deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0)
        )  # processes, not threads
        f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # glibc falls back to clone
        f.add_rule(deny, "kill", seccomp.Arg(0, seccomp.NE, pid))  # signal nobody but itself
        f.add_rule(deny, "tgkill", seccomp.Arg(0, seccomp.NE, pid))
        f.load()


def _child(sock: socket.socket, limits: dict, scratch: str) -> None:
    import numpy as np
    from protocol import CallbackRef, Channel, plain, write_frame

    fd = sock.fileno()
    channel = Channel(fd)
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    os.closerange(3, fd)
    os.closerange(fd + 1, 1 << 16)
    os.chdir(scratch)
    os.environ.clear()
    os.environ.update(HOME=scratch, TMPDIR=scratch, LANG="C.UTF-8", OPENBLAS_NUM_THREADS="1")
    _apply_limits(limits, scratch)
    out = CappedWriter()
    sys.stdout = sys.stderr = out
    sys.stdin = io.StringIO("")
    module = types.ModuleType("submission")
    namespace = module.__dict__
    unit_names: set[str] = set()

    def send(message: dict) -> None:
        write_frame(fd, message)

    def send_results(items: list) -> None:
        """One frame for many cases; an answer that cannot be sent fails alone."""
        try:
            write_frame(fd, {"kind": "results", "items": items})
        except (ValueError, TypeError, OverflowError, RecursionError, MemoryError):
            for item in items:
                try:
                    write_frame(fd, {"kind": "results", "items": [item]})
                except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as error:
                    unsent = {"type": "InvalidReturn", "message": f"the answer cannot be sent: {error}"[:500]}
                    write_frame(fd, {"kind": "results", "items": [{"index": item["index"], "error": unsent}]})

    def describe_error(error: BaseException) -> dict:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename in unit_names]
        where = f"{frames[-1].filename}, line {frames[-1].lineno}: {frames[-1].line}" if frames else ""
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        function = frames[-1].name if frames else ""
        return {
            "type": type(error).__name__,
            "message": text[:2000],
            "where": where[:500],
            "function": function,
        }

    def load(message: dict) -> None:
        for relpath, text in (message.get("files") or {}).items():
            path = os.path.join(scratch, relpath)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        sys.path.insert(0, scratch)
        sys.modules["submission"] = module
        namespace["get_ipython"] = _NullShell  # notebook magics become calls that do nothing
        report = []
        for index, unit in enumerate(message["units"]):
            name, source = unit["name"], unit["source"]
            unit_names.add(name)
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
            send({"kind": "unit", "index": index})
            try:
                exec(compile(source, name, "exec", dont_inherit=True), namespace)
                report.append({"name": name, "ok": True})
            except BaseException as error:  # SystemExit and KeyboardInterrupt lose only this unit
                report.append({"name": name, "ok": False, "error": describe_error(error)})
        answers = namespace.get("ANSWERS")
        send(
            {
                "kind": "loaded",
                "units": report,
                "defined": sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("_")),
                "answers": answers if isinstance(answers, dict) else None,
                "printed": out.take(),
            }
        )

    def stand_in(name: str):
        def ask_grader(*args):
            write_frame(fd, {"kind": "callback", "function": name, "args": list(args)})
            reply = channel.read()
            if "error" in reply:
                raise RuntimeError(reply["error"])
            return plain(reply["value"])

        ask_grader.__name__ = name
        return ask_grader

    def resolve(value, functions):
        if isinstance(value, CallbackRef):
            spec = functions.get(value.name)
            return _local_function(spec, np) if spec else stand_in(value.name)
        if isinstance(value, dict):
            return {k: resolve(v, functions) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, functions) for v in value]
        if isinstance(value, np.ndarray):  # a fresh copy per call: a step that wrote into its
            return value.copy()  # inputs must not change what the next call is given
        return value

    def snapshot(args):
        return [
            {k: v.copy() for k, v in a.items()}
            if isinstance(a, dict)
            else (a.copy() if isinstance(a, np.ndarray) else None)
            for a in args
        ]

    def changed(before, after) -> bool:
        if isinstance(before, dict):
            return any(changed(before[k], after.get(k)) for k in before)
        if isinstance(before, np.ndarray):
            return not (
                isinstance(after, np.ndarray)
                and after.shape == before.shape
                and np.array_equal(after, before, equal_nan=True)
            )
        return False

    def call(message: dict) -> None:
        name = message["function"]
        originals = {n: namespace.get(n) for n in message.get("stand_ins") or []}
        namespace.update({n: stand_in(n) for n in originals})
        fn = namespace.get(name)
        functions = message.get("functions") or {}
        cases = PRELOADED.get(message.get("preloaded"), []) + message["cases"]
        batch, flushed = [], time.monotonic()
        for index, case in enumerate(cases):
            args = resolve(case, functions)
            before = snapshot(args)
            try:
                if not callable(fn):
                    raise NameError(f"name {name!r} is not defined")
                value = fn(*args)
            except BaseException as error:  # a step's failure is its own, whatever it raises
                batch.append({"index": index, "error": describe_error(error)})
            else:
                mutated = [i for i, (b, a) in enumerate(zip(before, args, strict=True)) if changed(b, a)]
                batch.append({"index": index, "value": value, "mutated": mutated})
            if time.monotonic() - flushed > 0.05:  # a later hang must not lose these
                send_results(batch)
                batch, flushed = [], time.monotonic()
        if batch:
            send_results(batch)
        for n, original in originals.items():
            namespace[n] = original
        send({"kind": "done", "printed": out.take()})

    while True:
        try:
            message = plain(channel.read())
        except EOFError:
            os._exit(0)
        kind = message.get("kind")
        if kind == "load":
            load(message)
        elif kind == "call":
            call(message)
        else:
            os._exit(0)


class _NullShell:
    """What `get_ipython()` returns outside Jupyter: every method does nothing."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


def _local_function(spec: dict, np):
    """A test function the grader describes by data, run here without a round trip.

    "poly": f(θ) = Σ c·θ² + Σ d·θ³, the f of a numerical-gradient check; curvature ≥ 14
    on |θ| ≤ 1, so a forward difference is off by far more than a central one.
    """
    c, d = spec["c"], spec["d"]

    def f(theta):
        theta = np.asarray(theta, dtype=np.float64)
        return float((c * theta**2).sum() + (d * theta**3).sum())

    return f


# ---------------------------------------------------------------- the zygote


def _make_undumpable() -> None:
    """No process of the same uid may read or write the zygote's memory through /proc."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def _wipe(folders: list[str]) -> None:
    """Empty every folder a child could write to, so nothing reaches the next submission."""
    for folder in folders:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            path = os.path.join(folder, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def main() -> None:
    control_fd, site_dir, scratch_root = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    writable = [scratch_root, *sys.argv[4:]]
    _bootstrap(site_dir)
    from protocol import plain, read_frame, write_frame

    _make_undumpable()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    control = socket.socket(fileno=control_fd)
    write_frame(control_fd, {"kind": "ready", "seccomp": _seccomp_module() is not None})
    serial = 0
    while True:
        try:
            message = plain(read_frame(control_fd))
        except EOFError:
            return
        if message.get("kind") == "preload":  # inputs every child will be called with
            PRELOADED.update(message["sets"])
            continue
        if message.get("kind") != "spawn":
            continue
        serial += 1
        scratch = os.path.join(scratch_root, f"run-{serial}")
        os.makedirs(scratch, mode=0o700)
        mine, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                mine.close()
                _child(theirs, message.get("limits") or {}, scratch)
            finally:
                os._exit(70)
        theirs.close()
        socket.send_fds(control, [b"S"], [mine.fileno()])
        mine.close()
        status = _supervise(pid, control_fd, lambda fd: plain(read_frame(fd)))
        _wipe(writable)
        write_frame(control_fd, {"kind": "exited", "status": status})


def _supervise(pid: int, control_fd: int, read_order) -> dict:
    """Wait for the child to end, killing it when the grader asks; how it ended."""
    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    killed = False
    while True:
        watch = [control_fd] + ([pidfd] if pidfd is not None else [])
        ready, _, _ = select.select(watch, [], [], None if pidfd is not None else 0.01)
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if not done and control_fd in ready:
            try:
                order = read_order(control_fd)
            except EOFError:
                order = {"kind": "kill"}
            if order.get("kind") == "kill":
                killed = True
                for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                    try:
                        kill()
                    except ProcessLookupError:
                        pass
                done, wait_status = os.waitpid(pid, 0)
        if done:
            if pidfd is not None:
                os.close(pidfd)
            try:
                os.killpg(pid, signal.SIGKILL)  # anything it left in its session goes too
            except (ProcessLookupError, PermissionError):
                pass
            if os.WIFSIGNALED(wait_status):
                return {"signal": os.WTERMSIG(wait_status), "killed_by_grader": killed}
            return {"exit_code": os.WEXITSTATUS(wait_status), "killed_by_grader": killed}


if __name__ == "__main__":
    main()

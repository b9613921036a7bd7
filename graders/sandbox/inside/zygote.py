"""The untrusted side's zygote: forks one confined worker per submission.

Started fresh (never forked from the grader), it imports numpy once and then waits
on its control socket. For each submission it forks a worker, confines it
(confine.py), and hands the grader one end of a new socketpair; the worker
(worker.py) loads the student's code and answers calls on it. The worker never
holds the control socket, so it can neither read another submission nor forge the
zygote's reports; the zygote kills it with SIGKILL when the grader says so, and
reports how it ended.

Run as a script: ``python -I -S zygote.py CONTROL_FD SITE_DIR SCRATCH_ROOT [WRITABLE...]``;
every WRITABLE folder (and SCRATCH_ROOT) is emptied after each worker that ran
without namespaces of its own. It imports nothing of the project but its siblings.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import sys

PRELOADED: dict[str, list] = {}  # shared inputs, sent once to the zygote, inherited by every worker
SECCOMP_PROGRAMS: dict[int, bytes] = {}  # compiled filters by the worker's pid
REPORT_TIMEOUT = 10.0  # seconds for a fork to say which pid runs the worker
OWN_PROC: dict[str, bool] = {}  # whether workers may mount a /proc of their own: asked once


def _bootstrap(site_dir: str) -> None:
    """numpy (and the seccomp binding) from site_dir, then site_dir and our own folder off the
    path again: a worker's import path is its own folder and the standard library."""
    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    sys.path.insert(1, site_dir)
    import numpy  # imported once here, shared by every worker

    try:
        import pyseccomp  # noqa: F401
    except Exception:  # absent, or libseccomp missing: the grader reports the weaker isolation
        pass
    import confine  # noqa: F401 - imported once, inherited by every fork
    import worker  # noqa: F401

    sys.path.remove(site_dir)
    sys.path.remove(here)
    _warm_up(numpy)


def _warm_up(np) -> None:
    """Run numpy's common paths once, so every forked worker starts with them initialised."""
    x = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    for _ in range(3):
        y = (1 / (1 + np.exp(-x))) @ x.T + np.log1p(np.abs(x)).sum(axis=0).mean()
        np.einsum("ij,kj->ik", x, x)
        np.array_equal(x, y.copy(), equal_nan=True)
        np.where(x > 0, np.tanh(x), np.maximum(x, 0.0)).astype(np.float64).tobytes()


def _seccomp_module():
    return sys.modules.get("pyseccomp")


# ---------------------------------------------------------------- a worker's start


def _own_proc() -> bool:
    """confine.own_proc_allowed, asked by the zygote before its first worker in namespaces."""
    import confine

    if "allowed" not in OWN_PROC:
        OWN_PROC["allowed"] = confine.own_proc_allowed()
    return OWN_PROC["allowed"]


def _start_worker(sock: socket.socket, report_fd: int, limits: dict, scratch: str, namespaces: bool) -> None:
    """In the zygote's fork: confine, say which pid runs the worker, and serve the grader."""
    import confine
    from worker import Worker

    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    keep = sorted((sock.fileno(), report_fd))
    os.closerange(3, keep[0])
    os.closerange(keep[0] + 1, keep[1])
    os.closerange(keep[1] + 1, 1 << 16)
    memory_base = confine.mapped_bytes()
    confine.drop_root(scratch)
    confine.make_dumpable()  # only its own /proc/self/uid_map needs it, and only until the worker runs
    isolated = namespaces and confine.enter_namespaces()
    if isolated:
        pid = os.fork()  # pid 1 of the new pid namespace
        if pid:
            os.write(report_fd, f"{pid} 1".encode())
            os._exit(0)
        confine.mount_private_filesystems(int(limits.get("scratch_mb", 32)), OWN_PROC.get("allowed", False))
        scratch = "/tmp"
    else:
        os.write(report_fd, f"{os.getpid()} 0".encode())
    os.close(report_fd)
    os.chdir(scratch)
    os.environ.clear()
    os.environ.update(HOME=scratch, TMPDIR=scratch, LANG="C.UTF-8", OPENBLAS_NUM_THREADS="1")
    confine.apply_limits(limits, memory_base)
    if isolated:
        confine.drop_capabilities()
    confine.make_undumpable()
    seccomp = _seccomp_module()
    if seccomp is not None:
        pid = os.getpid()
        confine.load_seccomp(SECCOMP_PROGRAMS.get(pid) or confine.seccomp_program(seccomp, pid))
    Worker(sock.fileno(), scratch).serve(PRELOADED)


def _worker_pid(first: int, report_fd: int) -> tuple[int, bool]:
    """The pid running the worker (the fork itself, or its child in a new pid namespace)."""
    text = b""
    try:
        if select.select([report_fd], [], [], REPORT_TIMEOUT)[0]:
            text = os.read(report_fd, 64)
    finally:
        os.close(report_fd)
    try:
        pid, isolated = (int(part) for part in text.split())
    except ValueError:  # the fork died before it could say: it is the one to supervise
        return first, False
    if pid != first:
        os.waitpid(first, 0)  # it exits at once; its child comes back to us, the subreaper
    return pid, bool(isolated)


def _wipe(folders: list[str]) -> None:
    """Empty every folder a worker could write to, so nothing reaches the next submission."""
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


def _supervise(pid: int, control_fd: int, read_order) -> dict:
    """Wait for the worker to end, killing it when the grader asks; how it ended."""
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


class Prepared:
    """A confined worker made ahead of its submission, waiting on its socket for the grader."""

    def __init__(self, order: dict, control: socket.socket, scratch: str) -> None:
        self.key = repr((order.get("limits"), order.get("namespaces")))
        os.makedirs(scratch, mode=0o700)
        self.mine, theirs = socket.socketpair()
        report_read, report_write = os.pipe()
        if order.get("namespaces"):
            _own_proc()
        first = os.fork()
        if first == 0:
            try:
                control.close()
                self.mine.close()
                os.close(report_read)
                limits, namespaces = order.get("limits") or {}, bool(order.get("namespaces"))
                _start_worker(theirs, report_write, limits, scratch, namespaces)
            finally:
                os._exit(70)
        theirs.close()
        os.close(report_write)
        self.pid, self.isolated = _worker_pid(first, report_read)

    def discard(self) -> None:
        """Never handed over (its submission's limits or inputs changed): end it."""
        self.mine.close()
        for kill in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: os.kill(self.pid, signal.SIGKILL)):
            try:
                kill()
            except ProcessLookupError:
                pass
        os.waitpid(self.pid, 0)


def main() -> None:
    """Serve spawn orders; each worker is made while the grader reads the previous one's end,
    so forking and confining it costs the grader no waiting."""
    control_fd, site_dir, scratch_root = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    writable = [scratch_root, *sys.argv[4:]]
    _bootstrap(site_dir)
    import confine
    from protocol import plain, read_frame, write_frame

    confine.make_undumpable()
    confine.become_subreaper()
    if _seccomp_module() is not None:
        SECCOMP_PROGRAMS[1] = confine.seccomp_program(_seccomp_module(), 1)  # pid 1 of its namespace
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    control = socket.socket(fileno=control_fd)
    write_frame(control_fd, {"kind": "ready", "seccomp": _seccomp_module() is not None})
    serial = 0
    prepared: Prepared | None = None
    while True:
        try:
            message = plain(read_frame(control_fd))
        except EOFError:
            return
        if message.get("kind") == "preload":  # inputs every worker will be called with
            PRELOADED.update(message["sets"])
            if prepared is not None:  # made before these inputs: it lacks them
                prepared.discard()
                _wipe(writable)
                prepared = None
            continue
        if message.get("kind") != "spawn":
            continue
        if prepared is not None and prepared.key != repr((message.get("limits"), message.get("namespaces"))):
            prepared.discard()
            _wipe(writable)
            prepared = None
        if prepared is None:
            serial += 1
            prepared = Prepared(message, control, os.path.join(scratch_root, f"run-{serial}"))
        worker, prepared = prepared, None
        socket.send_fds(control, [b"N" if worker.isolated else b"S"], [worker.mine.fileno()])
        worker.mine.close()
        status = _supervise(worker.pid, control_fd, lambda fd: plain(read_frame(fd)))
        _wipe(writable)
        write_frame(control_fd, {"kind": "exited", "status": status})
        serial += 1
        prepared = Prepared(message, control, os.path.join(scratch_root, f"run-{serial}"))


if __name__ == "__main__":
    main()

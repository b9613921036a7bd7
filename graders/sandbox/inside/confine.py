"""What fences one submission's worker in, applied by the zygote's fork before any student code runs.

Why a new user, pid, mount and IPC namespace per worker (and not one zygote per
submission, hidepid, or dropping /proc): a zygote per submission would pay bubblewrap
and numpy's import (about 0.2 s) every time; hidepid needs a /proc of our own, which
an unprivileged namespace cannot mount under bubblewrap. Namespaces cost a second
fork and a few system calls (`scripts/bench_sandbox.py` prints how much) and give, by
the kernel's own rules:

- a pid namespace whose pid 1 is the worker itself: no other process has a pid in
  it, so kill, pidfd_open and /proc/<pid> name nothing but the worker; when the
  worker ends, the kernel kills whatever else ran in it;
- a user namespace: fresh keyrings, and no uid shared with the zygote in it;
- a mount namespace in which every mount it inherits is read-only (bubblewrap's root,
  /dev, the host's folders when no bubblewrap runs) and its only writable places are
  its own size-capped tmpfs on /tmp and /dev/shm (counted in the memory limit), with a
  /proc of its pid namespace (or an empty one), all gone with the worker: nothing it
  writes reaches the next worker, whichever student that serves;
- an IPC namespace: System V objects and POSIX queues die with the worker.

Where the kernel refuses a user namespace the worker runs without them, and what
still holds is: the zygote is pid 1 of bubblewrap's namespace (`--as-pid-1`), which
the kernel shields from its namespace's signals, and non-dumpable, so its /proc
files (mem, fd, environ) are closed to the uid the worker runs as; every worker is
non-dumpable too; the seccomp filter denies signals to other processes, pidfd_*,
ptrace, process_vm_*, SysV IPC and keyrings; the zygote empties /tmp and /dev/shm
after each worker (bubblewrap caps their size and makes everything else read-only).
Tests run both paths.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import resource
import tempfile

SANDBOX_UID = 65534  # nobody
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_THREAD = 0x00010000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 32, 4096, 1024, 2048, 1 << 21
MOUNT_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}
SYS_MOUNT_SETATTR = 442  # the same number on every architecture Linux added it to
AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = -100, 0x8000, 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)

# Denied on top of the process and signal rules in `load_seccomp`: kernel interfaces a
# function of numpy code never needs, each a way to reach past the worker or its limits.
DENIED = (
    "fork",
    "vfork",
    "execve",
    "execveat",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "kcmp",
    "socket",
    "tkill",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "pidfd_open",
    "pidfd_send_signal",
    "pidfd_getfd",
    "setsid",
    "setpgid",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "shmget",
    "shmat",
    "shmctl",
    "shmdt",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    "memfd_create",
    "memfd_secret",
    "userfaultfd",
    "perf_event_open",
    "bpf",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def become_subreaper() -> None:
    """Orphaned workers (their namespace's first fork exits at once) come back to the zygote."""
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def make_undumpable() -> None:
    """No other process of the same uid may open this one's /proc files (mem, fd, environ)."""
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def make_dumpable() -> None:
    """Writing one's own uid_map needs it; `make_undumpable` follows before student code runs."""
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)


def drop_root(scratch: str) -> None:
    """Run as nobody when no isolation layer did it (the plain-process fallback as root)."""
    if os.getuid() != 0:
        return
    os.chown(scratch, SANDBOX_UID, SANDBOX_UID)
    os.setgroups([])
    os.setgid(SANDBOX_UID)
    os.setuid(SANDBOX_UID)


def enter_namespaces() -> bool:
    """New user, mount, IPC and (for the next fork) pid namespaces; False where the kernel refuses."""
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID) != 0:
        return False
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    return True


class _MountAttr(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in ("attr_set", "attr_clr", "propagation", "userns_fd")]


def make_mounts_read_only() -> None:
    """Every mount of this (new) mount namespace read-only, at once and recursively.

    Where the kernel predates mount_setattr (Linux 5.12), each mount is remounted in
    turn, keeping the flags it has (the kernel refuses to drop a flag it inherited)."""
    _libc.syscall.restype = ctypes.c_long
    attr = _MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    done = _libc.syscall(
        ctypes.c_long(SYS_MOUNT_SETATTR),
        ctypes.c_int(AT_FDCWD),
        b"/",
        ctypes.c_uint(AT_RECURSIVE),
        ctypes.byref(attr),
        ctypes.c_size_t(ctypes.sizeof(attr)),
    )
    if done == 0:
        return
    if ctypes.get_errno() != errno.ENOSYS:
        _check(-1, "make the mounts read-only")
    remount_each_read_only()


def remount_each_read_only() -> None:
    """`make_mounts_read_only` one mount at a time (kernels before 5.12)."""
    with open("/proc/self/mountinfo", "rb") as f:
        mounts = [line.split() for line in f]
    for fields in mounts:
        target = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), fields[4])  # \040: a space
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY
        flags |= sum(MOUNT_FLAGS.get(option.decode(), 0) for option in fields[5].split(b","))
        if _libc.mount(None, target, None, flags, None) != 0 and not target.startswith((b"/proc", b"/sys")):
            _check(-1, f"make {target!r} read-only")


PRIVATE = MS_NOSUID | MS_NODEV | MS_NOEXEC  # the flags of every mount a worker makes


def _mount_own_proc() -> bool:
    return _libc.mount(b"proc", b"/proc", b"proc", PRIVATE, None) == 0


def own_proc_allowed() -> bool:
    """Whether a worker in namespaces of its own may mount a /proc of its pid namespace.

    Bubblewrap's /proc (and a container's, with masked entries) is refused, and the kernel
    logs each refusal ("Mount too revealing"): asked once, in a throwaway child, so the
    workers do not each add a line to the kernel's log and pay for writing it."""
    child = os.fork()
    if child == 0:
        code = 1
        try:
            make_dumpable()  # to write its own uid_map
            if enter_namespaces():
                grandchild = os.fork()  # pid 1 of the new pid namespace
                if grandchild == 0:
                    os._exit(0 if _mount_own_proc() else 1)
                code = os.waitstatus_to_exitcode(os.waitpid(grandchild, 0)[1])
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0


def mount_private_filesystems(scratch_mb: int, own_proc: bool = True) -> None:
    """Everything read-only but a fresh, size-capped /tmp and /dev/shm, and a /proc that shows
    only this namespace (an empty one where `own_proc_allowed` said the kernel refuses it)."""
    uid, gid = os.getuid(), os.getgid()
    make_mounts_read_only()
    for target, mode in ((b"/tmp", "0700"), (b"/dev/shm", "0700")):
        options = f"size={scratch_mb}m,nr_inodes=4096,mode={mode},uid={uid},gid={gid}".encode()
        _check(_libc.mount(b"tmpfs", target, b"tmpfs", PRIVATE, options), f"mount {target.decode()}")
    if not (own_proc and _mount_own_proc()):
        empty = _libc.mount(b"tmpfs", b"/proc", b"tmpfs", PRIVATE | MS_RDONLY, b"size=4k,mode=0555")
        _check(empty, "hide /proc")


def drop_capabilities() -> None:
    """The worker is root of its own user namespace until now: keep none of those capabilities."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]

    _check(_libc.capset(ctypes.byref(Header(CAPABILITY_VERSION_3, 0)), (Data * 2)()), "capset")


def apply_limits(limits: dict, memory_base: int) -> None:
    """Resource limits, counted from `memory_base` (the bytes mapped before student code)."""
    os.setsid()
    mem = int(limits.get("memory_mb", 1024)) << 20
    for which, value in (
        (resource.RLIMIT_AS, memory_base + mem),
        (resource.RLIMIT_CPU, int(limits.get("cpu_seconds", 60))),
        (resource.RLIMIT_FSIZE, int(limits.get("file_mb", 16)) << 20),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def mapped_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def seccomp_program(seccomp, pid: int) -> bytes:
    """The filter for a worker whose pid is `pid`, as BPF: compiled once, loaded by every fork.

    Compiling it took about 5 ms a worker; a worker in its own pid namespace is always
    pid 1, so the zygote compiles that program once.
    """
    with tempfile.TemporaryFile() as out:
        _seccomp_filter(seccomp, pid).export_bpf(out)
        out.seek(0)
        return out.read()


def load_seccomp(program: bytes) -> None:
    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    code = ctypes.create_string_buffer(program, len(program))
    fprog = Program(len(program) // 8, ctypes.addressof(code))
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0), "seccomp")


def _seccomp_filter(seccomp, pid: int):
    """Deny every call in DENIED, new processes (not threads), clone3, and signals to others."""
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    deny = seccomp.ERRNO(errno.EPERM)
    for name in DENIED:
        try:
            f.add_rule(deny, name)
        except Exception:  # a call this kernel or libseccomp does not know: nothing to deny
            pass
    f.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))  # processes, not threads
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # glibc falls back to clone
    f.add_rule(deny, "kill", seccomp.Arg(0, seccomp.NE, pid))  # signal nobody but itself
    f.add_rule(deny, "tgkill", seccomp.Arg(0, seccomp.NE, pid))
    return f

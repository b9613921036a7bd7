"""Stops or kills every other process it can name: the zygote, pid 1, other submissions' workers.

Returns the (pid, how) of every signal the kernel accepted for a process other than itself.
"""

import ctypes
import os
import signal

import numpy as np

SYS_PIDFD_OPEN, SYS_PIDFD_SEND_SIGNAL, SYS_RT_SIGQUEUEINFO = 434, 424, 129


def probe():
    libc = ctypes.CDLL(None, use_errno=True)
    me = os.getpid()
    named = {int(p) for p in os.listdir("/proc") if p.isdigit()} | set(range(1, 64)) | {os.getppid()}
    reached = []
    for pid in sorted(named - {me, 0}):
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
                reached.append([pid, "kill"])
            except OSError:
                pass
        pidfd = libc.syscall(SYS_PIDFD_OPEN, pid, 0)
        if pidfd >= 0:
            reached.append([pid, "pidfd_open"])
            if libc.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal.SIGSTOP, None, 0) == 0:
                reached.append([pid, "pidfd_send_signal"])
        info = ctypes.create_string_buffer(128)
        if libc.syscall(SYS_RT_SIGQUEUEINFO, pid, signal.SIGSTOP, info) == 0:
            reached.append([pid, "rt_sigqueueinfo"])
    try:
        os.kill(-1, signal.SIGKILL)  # every process it may signal
    except OSError:
        pass
    return reached


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

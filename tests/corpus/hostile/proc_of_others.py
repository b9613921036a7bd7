"""Opens /proc/<pid>/mem, environ and fd/* of every process but itself, and floods pid 1's stderr.

Returns what it could open. Writing to pid 1's fd 2 (the zygote's stderr pipe, once)
would have stalled the zygote. (Listing the numbers in /proc/<pid>/fd is not opening
them: where bubblewrap, run as root, maps the sandbox's uid to root, a worker sharing the
zygote's namespaces may list them.)
"""

import os

import numpy as np


def probe():
    me = os.getpid()
    opened = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        for part in ("mem", "environ"):
            try:
                with open(f"/proc/{entry}/{part}", "rb") as f:
                    f.read(16)
                opened.append(f"{entry}/{part}")
            except OSError:
                pass
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:
            fds = []
        for fd in fds:
            try:
                with open(f"/proc/{entry}/fd/{fd}", "wb") as f:
                    for _ in range(64):
                        f.write(b"x" * 65536)
                opened.append(f"{entry}/fd/{fd}")
            except OSError:
                pass
    return opened


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

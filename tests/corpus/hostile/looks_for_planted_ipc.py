"""The next student: finds no System V object, keyring entry or file the previous one planted."""

import ctypes
import os

import numpy as np

KEY = 0x5EED
SYS_REQUEST_KEY = 249
KEY_SPEC_USER_KEYRING = -4


def probe():
    libc = ctypes.CDLL(None, use_errno=True)
    found = []
    if libc.shmget(KEY, 0, 0) >= 0:
        found.append("shm")
    if libc.msgget(KEY, 0) >= 0:
        found.append("msg")
    if libc.semget(KEY, 0, 0) >= 0:
        found.append("sem")
    if libc.syscall(SYS_REQUEST_KEY, b"user", b"planted", None, KEY_SPEC_USER_KEYRING) >= 0:
        found.append("key")
    for folder in ("/tmp", "/dev/shm"):
        found += [f"{folder}/{name}" for name in os.listdir(folder) if name.startswith(("fill-", "planted"))]
    return found


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

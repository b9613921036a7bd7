"""Plants a System V shared-memory segment, a message queue and a keyring entry for the next student.

Returns what it could plant.
"""

import ctypes

import numpy as np

KEY = 0x5EED
IPC_CREAT = 0o1000
SYS_ADD_KEY = 248
KEY_SPEC_USER_KEYRING = -4


def probe():
    libc = ctypes.CDLL(None, use_errno=True)
    planted = []
    if libc.shmget(KEY, 4096, IPC_CREAT | 0o666) >= 0:
        planted.append("shm")
    if libc.msgget(KEY, IPC_CREAT | 0o666) >= 0:
        planted.append("msg")
    if libc.semget(KEY, 1, IPC_CREAT | 0o666) >= 0:
        planted.append("sem")
    key = libc.syscall(SYS_ADD_KEY, b"user", b"planted", b"secret", 6, KEY_SPEC_USER_KEYRING)
    if key >= 0:
        planted.append("key")
    return planted


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

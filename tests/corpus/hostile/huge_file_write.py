"""Writes a file far over the size limit."""

import numpy as np


def probe():
    with open("big.bin", "wb") as f:
        for _ in range(1024):
            f.write(b"\0" * (1 << 20))
    return "wrote 1 GiB"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

"""Starts a daemon thread that spins and scribbles on every file descriptor it can."""

import os
import threading

import numpy as np


def _scribble():
    while True:
        for fd in range(3, 64):
            try:
                os.write(fd, b"\x00\x00\x00\x05junk!")
            except OSError:
                pass


def probe():
    threading.Thread(target=_scribble, daemon=True).start()
    return "started"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

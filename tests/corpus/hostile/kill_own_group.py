"""Kills its own process group."""

import os
import signal

import numpy as np


def probe():
    os.killpg(0, signal.SIGKILL)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

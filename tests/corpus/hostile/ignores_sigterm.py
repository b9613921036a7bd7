"""Ignores SIGTERM and SIGINT, then loops: only SIGKILL stops it."""

import signal

import numpy as np

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)


def probe():
    while True:
        pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

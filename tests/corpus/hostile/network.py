"""Opens sockets to the host and to the outside."""

import socket

import numpy as np


def probe():
    reached = []
    for address in (("127.0.0.1", 22), ("127.0.0.1", 80), ("8.8.8.8", 53)):
        try:
            with socket.create_connection(address, timeout=1):
                reached.append(address[0])
        except OSError:
            pass
    return reached


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

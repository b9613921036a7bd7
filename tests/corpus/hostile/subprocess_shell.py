"""Runs a shell command."""

import subprocess

import numpy as np


def probe():
    return subprocess.run(["cat", "/etc/passwd"], capture_output=True, text=True).stdout


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

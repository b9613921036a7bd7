"""Writes fake results where a grader might look, and plants files for the next student."""

import numpy as np


def probe():
    written = []
    for path in (
        "results.json",
        "/tmp/results.json",
        "/tmp/numpy.py",
        "/tmp/sitecustomize.py",
        "/tmp/planted-by-student",
        "../results.json",
        "/dev/shm/planted-by-student",
    ):
        try:
            with open(path, "w") as f:
                f.write("raise SystemExit('planted')\n")
            written.append(path)
        except OSError:
            pass
    return written


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

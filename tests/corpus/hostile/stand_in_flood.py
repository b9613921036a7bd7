"""Calls the grader's stand-in `helper` without end, with large arguments."""

import numpy as np


def helper(x):
    raise NotImplementedError


def probe():
    answered = 0
    big = np.zeros(1 << 17)  # 1 MiB
    try:
        while True:
            helper(big)
            answered += 1
    except RuntimeError as error:
        return [answered, str(error)]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

"""Every function sleeps just under the grader's one-second call timeout, then answers right."""

import time

import numpy as np


def probe():
    time.sleep(0.9)
    return "slept"


def sigmoid(z):
    time.sleep(0.9)
    return 1 / (1 + np.exp(-z))

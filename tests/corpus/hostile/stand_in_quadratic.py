"""Asks a stand-in for an answer quadratic in its arguments: from two 96 KB vectors, a
12000 x 12000 weight gradient (1.15 GB) computed in the grader's process, if it let it."""

import numpy as np

N = 12000


def probe():
    try:
        weight_grad(np.ones((1, N)), np.ones((1, N)))  # noqa: F821 (a stand-in, when graded)
    except Exception as error:
        return str(error)
    return "answered"


def weight_grad(delta, A_prev):
    raise NotImplementedError


def backward(X, Y, params):
    probe()  # in the carry-forward call, weight_grad is the grader's stand-in
    raise ValueError("no backward here")

"""A block whose answer broadcasts: sigmoid_grad returns a (5000, 1, 1) array, and a
hidden_delta that multiplies by it through a private alias (out of a stand-in's reach).
Composed in the grader's process, the reference would broadcast it to (5000, m, h) and
match the student's equally broadcast answer."""

import numpy as np

N = 5_000


def sigmoid_grad(a):
    return np.full((N, 1, 1), 0.5)


_sigmoid_grad = sigmoid_grad


def hidden_delta(A_hidden, W_out, delta_out):
    return (delta_out @ W_out) * _sigmoid_grad(A_hidden)

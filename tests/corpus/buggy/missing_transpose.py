# A student's hidden_delta, replacing the correct one: missing_transpose.
import numpy as np


def hidden_delta(A_hidden, W_out, delta_out):
    return A_hidden * (1 - A_hidden) * (delta_out @ W_out.T)

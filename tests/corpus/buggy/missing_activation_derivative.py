# A student's hidden_delta, replacing the correct one: missing_activation_derivative.
import numpy as np


def hidden_delta(A_hidden, W_out, delta_out):
    return delta_out @ W_out

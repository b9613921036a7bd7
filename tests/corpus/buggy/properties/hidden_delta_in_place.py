# A student's hidden_delta, replacing the correct one: loses unchanged.
# Right values, but a(1 − a) is written over the caller's A_hidden: backward then
# passes the changed array on to weight_grad, whose W_out comes out wrong.
import numpy as np


def hidden_delta(A_hidden, W_out, delta_out):
    A_hidden *= 1 - A_hidden
    return A_hidden * (delta_out @ W_out)

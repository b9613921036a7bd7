# A student's backward, replacing the correct one: preactivation_as_input.
import numpy as np


def backward(X, Y, params):
    c = forward(X, params)
    d_out = c["P"] - Y
    d_hid = c["A_hidden"] * (1 - c["A_hidden"]) * (d_out @ params["W_out"])
    m = X.shape[0]
    return {
        "W_hidden": d_hid.T @ X / m,
        "b_hidden": d_hid.mean(0),
        "W_out": d_out.T @ c["Z_hidden"] / m,
        "b_out": d_out.mean(0),
    }

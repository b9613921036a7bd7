# A student's weight_grad, replacing the correct one: loses unchanged.
# Divides by m in place: backward's δ_hidden is then 1/m too small when bias_grad reads it.
import numpy as np


def weight_grad(delta, A_prev):
    delta /= delta.shape[0]
    return delta.T @ A_prev

# A student's weight_grad, replacing the correct one: batch_mean_missing.
import numpy as np


def weight_grad(delta, A_prev):
    return delta.T @ A_prev

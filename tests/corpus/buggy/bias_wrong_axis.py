# A student's bias_grad, replacing the correct one: bias_wrong_axis.
import numpy as np


def bias_grad(delta):
    return delta.mean(axis=1)

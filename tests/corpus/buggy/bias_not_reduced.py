# A student's bias_grad, replacing the correct one: bias_not_reduced.
import numpy as np


def bias_grad(delta):
    return delta / delta.shape[0]

# A student's bias_grad, replacing the correct one: loses single_example.
# squeeze() drops the batch axis when m = 1, and the mean then runs over the units.
import numpy as np


def bias_grad(delta):
    return np.asarray(delta).squeeze().mean(axis=0)

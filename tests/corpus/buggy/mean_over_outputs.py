# A student's cross_entropy, replacing the correct one: mean_over_outputs.
import numpy as np


def cross_entropy(P, Y):
    return float(np.mean(-(Y * np.log(P) + (1 - Y) * np.log(1 - P))))

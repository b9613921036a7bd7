# A student's bias_grad, replacing the correct one: batch_mean_twice.
import numpy as np


def bias_grad(delta):
    return delta.mean(axis=0) / len(delta)

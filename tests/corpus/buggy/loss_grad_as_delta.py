# A student's output_delta, replacing the correct one: loss_grad_as_delta.
import numpy as np


def output_delta(P, Y):
    return -Y / P + (1 - Y) / (1 - P)

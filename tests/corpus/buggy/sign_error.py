# A student's output_delta, replacing the correct one: sign_error.
import numpy as np


def output_delta(P, Y):
    return Y - P

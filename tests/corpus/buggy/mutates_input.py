# A student's sgd_step, replacing the correct one: mutates_input.
import numpy as np


def sgd_step(params, grads, lr):
    for name in params:
        params[name] -= lr * grads[name]
    return params

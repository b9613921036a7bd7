# A student's sigmoid_grad, replacing the correct one: sigmoid_applied_twice.
import numpy as np


def sigmoid_grad(a):
    return sigmoid(a) * (1 - sigmoid(a))

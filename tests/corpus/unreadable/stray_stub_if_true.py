"""An instructor's stub whose functions are all indented under `if True:`: left as backprop.py
among the students' files, it must be recognised as a stub (the layout refused), never graded
as the one student of the class."""
import numpy as np

if True:
    def sigmoid(z):
        raise NotImplementedError

    def sigmoid_grad(a):
        raise NotImplementedError

    def forward(X, params):
        raise NotImplementedError

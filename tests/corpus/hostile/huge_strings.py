"""Strings instead of arrays, megabytes each: a 3.9 MB string per case, an exception whose
message is 3.9 MB, and 20 MB of text in ANSWERS, for the grader to keep, judge and show."""

import numpy as np

ANSWERS = {"loss_at_start": "7" * 20_000_000}


def probe(index):
    return "s" * 3_900_000


def raises(index):
    raise ValueError("e" * 3_900_000)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

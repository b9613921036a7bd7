"""Strings instead of arrays, megabytes each: a 3.9 MB string per case, an exception whose
message is 3.9 MB, and 20 MB of text in ANSWERS, for the grader to keep, judge and show.
Each answer takes a little time, so that the worker sends each case in a frame of its own."""

import time

import numpy as np

ANSWERS = {"loss_at_start": "7" * 20_000_000}


def probe(index):
    time.sleep(0.06)
    return "s" * 3_900_000


def raises(index):
    raise ValueError("e" * 3_900_000)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

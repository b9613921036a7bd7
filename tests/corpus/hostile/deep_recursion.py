"""Recurses without end, and returns a deeply nested list."""

import sys

sys.setrecursionlimit(10**6)


def probe():
    nested = []
    for _ in range(100_000):
        nested = [nested]
    return nested


def sigmoid(z):
    return sigmoid(z)

"""Tries to lift its own resource limits and to regain privileges."""

import os
import resource

import numpy as np


def probe():
    lifted = []
    for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU):
        try:
            resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            lifted.append(which)
        except (ValueError, OSError):
            pass
    try:
        os.setuid(0)
        lifted.append("root")
    except OSError:
        pass
    return lifted


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

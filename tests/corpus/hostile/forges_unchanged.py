"""Tells the grader its inputs were left alone by patching the worker's own check, then
writes into them: whether inputs changed must be judged on the grader's side."""

import sys

import numpy as np

worker = sys.modules.get("worker")
if worker is not None:
    for name in ("_changed", "_fingerprints", "fingerprint"):
        if hasattr(worker, name):
            setattr(worker, name, lambda *args, **kwargs: False)


def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]  # writes into the caller's arrays
    return {k: v.copy() for k, v in params.items()}

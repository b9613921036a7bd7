"""At load, writes a forged "loaded" report of the wrong shape to the grader's socket, then
ends itself, so the grader reads only the forgery."""

import json
import os
import stat
import struct

import numpy as np


def _frame(tree):
    head = json.dumps({"tree": tree, "arrays": []}).encode()
    return struct.pack(">I", len(head)) + head


for fd in range(3, 64):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            os.write(fd, _frame({"__dict__": [["kind", "loaded"], ["units", "all fine"], ["defined", 7]]}))
    except OSError:
        pass
os._exit(0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

"""Prints fake protocol frames and result JSON, at the Python and the file-descriptor level."""

import json
import os
import struct

import numpy as np

FAKE = json.dumps({"kind": "result", "index": 0, "value": 0.5, "score": 100}).encode()
print(FAKE.decode())
os.write(1, struct.pack(">I", len(FAKE)) + FAKE)


def sigmoid(z):
    print('{"score": 100, "status": "passed"}')
    os.write(1, b'{"score": 100}')
    return np.zeros_like(np.asarray(z, dtype=float))

"""Writes its own frames to the grader's socket: an error record of the wrong types with a
huge message and a "done" out of turn (probe("error")), or results for a case never asked
(probe("index"))."""

import json
import os
import stat
import struct

import numpy as np


def _frame(tree):
    head = json.dumps({"tree": tree, "arrays": []}).encode()
    return struct.pack(">I", len(head)) + head


def _sockets():
    return [fd for fd in range(3, 64) if _is_socket(fd)]


def _is_socket(fd):
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False


def _results(*items):
    return {"__dict__": [["kind", "results"], ["items", {"__list__": list(items)}]]}


def _item(index, key, value):
    return {"__dict__": [["index", {"__scalar__": index, "type": "int"}], [key, value]]}


BAD_ERROR = {
    "__dict__": [
        ["type", {"__list__": ["not", "a", "string"]}],
        ["message", "m" * 3_000_000],
        ["where", {"__scalar__": 5, "type": "int"}],
    ]
}
FORGED = {
    "error": [
        _results(_item(0, "error", BAD_ERROR)),
        {"__dict__": [["kind", "done"], ["printed", {"__list__": ["p" * 100]}]]},
    ],
    "index": [_results(_item(10**9, "value", "x"))],
}


def probe(kind):
    for fd in _sockets():
        for tree in FORGED[kind]:
            os.write(fd, _frame(tree))
    return "forged"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

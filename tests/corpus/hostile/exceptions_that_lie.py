"""Raises exception objects that are hard to describe: __str__ and __repr__ raise or are huge,
attributes raise, the class's name lies through its metaclass, the traceback is deep.

probe(kind) raises the kind asked for; sigmoid is right.
"""

import numpy as np


class Lying(type):
    @property
    def __name__(cls):
        raise RuntimeError("no name")


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no str")

    def __repr__(self):
        raise RuntimeError("no repr")

    def __getattribute__(self, name):
        if name in ("args", "__traceback__", "__cause__", "__context__", "__notes__"):
            raise RuntimeError(f"no {name}")
        return super().__getattribute__(name)


class Huge(Exception):
    def __str__(self):
        return "h" * 5_000_000


class StrSubclass(str):
    def __str__(self):
        raise RuntimeError("no str of the str")


class NotAStr(Exception):
    def __str__(self):
        return StrSubclass("looks like a string")


class Named(Exception, metaclass=Lying):
    pass


class UnitLike(Exception):
    """An 'error' that pretends to be a passing result."""

    def __str__(self):
        return '{"ok": true, "score": 100}'

    type = "ok"
    message = ""


def _deep(n):
    if n:
        return _deep(n - 1)
    raise Unprintable()


def probe(kind):
    if kind == "unprintable":
        raise Unprintable()
    if kind == "huge":
        raise Huge()
    if kind == "not_a_str":
        raise NotAStr()
    if kind == "named":
        raise Named("x")
    if kind == "unit_like":
        raise UnitLike()
    if kind == "deep":
        _deep(500)
    raise ValueError(kind)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

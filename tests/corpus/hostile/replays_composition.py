"""Replays what its steps answered when the grader composes the reference with its blocks:
the steps record their inputs and answers, the blocks recognise the composition's inputs
and return what makes the composition equal the wrong answers (hidden_delta without
a(1-a), a backward that returns params). Each block is wrong on its own too, so that
carry-forward looks at the steps built from it."""

import numpy as np

def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

def forward(X, params):
    Zh = X @ params["W_hidden"].T + params["b_hidden"]
    Ah = sigmoid(Zh)
    Zo = Ah @ params["W_out"].T + params["b_out"]
    return {"Z_hidden": Zh, "A_hidden": Ah, "Z_out": Zo, "P": sigmoid(Zo)}

def cross_entropy(P, Y):
    return float((-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1)).mean())

def cross_entropy_grad(P, Y):
    return -Y / P + (1 - Y) / (1 - P)

def output_delta(P, Y):
    return np.asarray(P, dtype=np.float64) - Y

def numerical_gradient(f, theta, eps=1e-6):
    theta = np.asarray(theta, dtype=np.float64)
    g = np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        t = theta.copy(); t[i] += eps; fp = f(t)
        t = theta.copy(); t[i] -= eps; fm = f(t)
        g[i] = (fp - fm) / (2 * eps)
    return g

def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}

_HD = {}   # A_hidden bytes -> seen in a hidden_delta call
_BW = {}   # X bytes -> the fake gradients backward returned
_cur = {"key": None, "b": 0}

def _k(a):
    a = np.asarray(a)
    return (a.shape, a.tobytes())

def sigmoid_grad(a):
    if _k(a) in _HD:                  # the grader is composing hidden_delta with my block
        return np.ones_like(a)
    return a * 1.0                    # wrong: a, not a(1 - a)

def hidden_delta(A_hidden, W_out, delta_out):
    _HD[_k(A_hidden)] = True
    return delta_out @ W_out          # WRONG: missing a(1-a)

def backward(X, Y, params):
    g = {k: np.array(v, dtype=np.float64) for k, v in params.items()}   # garbage "gradients"
    _BW[_k(X)] = g
    return g

def weight_grad(delta, A_prev):
    k = _k(A_prev)
    if k in _BW:                      # composition of backward: weight_grad(delta_hidden, X)
        _cur["key"], _cur["b"] = k, 0
        return _BW[k]["W_hidden"]
    if _cur["key"] is not None:       # ... then weight_grad(delta_out, A_hidden)
        return _BW[_cur["key"]]["W_out"]
    return delta.T @ A_prev           # wrong: a sum, not a mean

def bias_grad(delta):
    if _cur["key"] is not None:
        name = ("b_hidden", "b_out")[_cur["b"] % 2]
        _cur["b"] += 1
        return _BW[_cur["key"]][name]
    return delta.sum(axis=0)          # wrong: a sum, not a mean

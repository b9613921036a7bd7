"""A correct submission written with explicit loops, index by index, as on paper."""

import math

import numpy as np


def sigmoid(z):
    z = np.array(z, dtype=float)
    out = np.empty_like(z)
    for i in np.ndindex(z.shape):
        v = z[i]
        out[i] = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
    return out


def sigmoid_grad(a):
    out = np.empty_like(a, dtype=float)
    for i in np.ndindex(a.shape):
        out[i] = a[i] * (1 - a[i])
    return out


def _layer(A, W, b):
    m, n_out = A.shape[0], W.shape[0]
    Z = np.zeros((m, n_out))
    for r in range(m):
        for j in range(n_out):
            Z[r, j] = b[j] + sum(W[j, i] * A[r, i] for i in range(A.shape[1]))
    return Z


def forward(X, params):
    Z_hidden = _layer(X, params["W_hidden"], params["b_hidden"])
    A_hidden = sigmoid(Z_hidden)
    Z_out = _layer(A_hidden, params["W_out"], params["b_out"])
    return {"Z_hidden": Z_hidden, "A_hidden": A_hidden, "Z_out": Z_out, "P": sigmoid(Z_out)}


def cross_entropy(P, Y):
    total = 0.0
    m, k = P.shape
    for r in range(m):
        for j in range(k):
            total -= Y[r, j] * math.log(P[r, j]) + (1 - Y[r, j]) * math.log(1 - P[r, j])
    return total / m


def cross_entropy_grad(P, Y):
    out = np.zeros(P.shape)
    for i in np.ndindex(P.shape):
        out[i] = -Y[i] / P[i] + (1 - Y[i]) / (1 - P[i])
    return out


def output_delta(P, Y):
    out = np.zeros(P.shape)
    for i in np.ndindex(P.shape):
        out[i] = P[i] - Y[i]
    return out


def hidden_delta(A_hidden, W_out, delta_out):
    m, h = A_hidden.shape
    k = W_out.shape[0]
    out = np.zeros((m, h))
    for r in range(m):
        for j in range(h):
            dE_da = sum(delta_out[r, q] * W_out[q, j] for q in range(k))  # every path, summed
            out[r, j] = A_hidden[r, j] * (1 - A_hidden[r, j]) * dE_da
    return out


def weight_grad(delta, A_prev):
    m = delta.shape[0]
    out = np.zeros((delta.shape[1], A_prev.shape[1]))
    for j in range(delta.shape[1]):
        for i in range(A_prev.shape[1]):
            out[j, i] = sum(delta[r, j] * A_prev[r, i] for r in range(m)) / m
    return out


def bias_grad(delta):
    m = delta.shape[0]
    return np.array([sum(delta[r, j] for r in range(m)) / m for j in range(delta.shape[1])])


def backward(X, Y, params):
    cache = forward(X, params)
    d_out = output_delta(cache["P"], Y)
    d_hid = hidden_delta(cache["A_hidden"], params["W_out"], d_out)
    return {
        "W_hidden": weight_grad(d_hid, X),
        "b_hidden": bias_grad(d_hid),
        "W_out": weight_grad(d_out, cache["A_hidden"]),
        "b_out": bias_grad(d_out),
    }


def numerical_gradient(f, theta, eps=1e-6):
    theta = np.array(theta, dtype=float)
    grad = np.zeros(theta.shape)
    for i in np.ndindex(theta.shape):
        old = theta[i]
        theta[i] = old + eps
        up = f(theta)
        theta[i] = old - eps
        down = f(theta)
        theta[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def sgd_step(params, grads, lr):
    new = {}
    for name in params:
        new[name] = params[name].copy()
        for i in np.ndindex(new[name].shape):
            new[name][i] -= lr * grads[name][i]
    return new

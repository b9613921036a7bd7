# Correct code, and ANSWERS holding a 401-digit whole number and 1e400: parsed without overflow.
"""A correct submission, vectorised, written the way the notes derive it."""

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def sigmoid_grad(a):
    return a * (1 - a)


def forward(X, params):
    Z_hidden = X @ params["W_hidden"].T + params["b_hidden"]
    A_hidden = sigmoid(Z_hidden)
    Z_out = A_hidden @ params["W_out"].T + params["b_out"]
    return {"Z_hidden": Z_hidden, "A_hidden": A_hidden, "Z_out": Z_out, "P": sigmoid(Z_out)}


def cross_entropy(P, Y):
    return float(np.mean(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1)))


def cross_entropy_grad(P, Y):
    return -Y / P + (1 - Y) / (1 - P)


def output_delta(P, Y):
    return P - Y


def hidden_delta(A_hidden, W_out, delta_out):
    return sigmoid_grad(A_hidden) * (delta_out @ W_out)


def weight_grad(delta, A_prev):
    return delta.T @ A_prev / delta.shape[0]


def bias_grad(delta):
    return delta.mean(axis=0)


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
    grad = np.zeros_like(theta, dtype=float)
    for i in np.ndindex(theta.shape):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def sgd_step(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}

ANSWERS = {'dE_dW5': 99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999, 'dE_db3': 1e400}

"""A correct deep submission written with explicit loops, unit by unit, as on paper."""

import math

import numpy as np


def activate(Z, name):
    if name == "tanh":
        return np.tanh(Z)
    if name == "relu":
        return np.maximum(Z, 0.0)
    if name == "sigmoid":
        e = np.exp(-np.abs(Z))
        return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    raise ValueError(name)


def activation_grad(Z, A, name):
    if name == "tanh":
        return tanh_grad(A)
    if name == "relu":
        return relu_grad(Z)
    if name == "sigmoid":
        return sigmoid_grad(A)
    raise ValueError(name)


def tanh_grad(A):
    out = np.zeros(A.shape)
    for i in np.ndindex(A.shape):
        out[i] = 1 - A[i] * A[i]
    return out


def relu_grad(Z):
    out = np.zeros(Z.shape)
    for i in np.ndindex(Z.shape):
        if Z[i] > 0:
            out[i] = 1.0
    return out


def sigmoid_grad(A):
    out = np.zeros(A.shape)
    for i in np.ndindex(A.shape):
        out[i] = A[i] * (1 - A[i])
    return out


def softmax(Z):
    m, k = Z.shape
    P = np.zeros((m, k))
    for r in range(m):
        top = max(Z[r, j] for j in range(k))
        total = sum(math.exp(Z[r, j] - top) for j in range(k))
        for j in range(k):
            P[r, j] = math.exp(Z[r, j] - top) / total
    return P


def cross_entropy(P, Y):
    m, k = P.shape
    total = 0.0
    for r in range(m):
        for j in range(k):
            if Y[r, j] > 0:
                total -= Y[r, j] * math.log(P[r, j])
    return total / m


def forward(X, layers, activations):
    Z, A = [], [np.array(X, dtype=float)]
    for index, (W, b) in enumerate(layers):
        below = A[-1]
        z = np.zeros((below.shape[0], W.shape[0]))
        for r in range(below.shape[0]):
            for i in range(W.shape[0]):
                z[r, i] = b[i] + sum(W[i, j] * below[r, j] for j in range(W.shape[1]))
        Z.append(z)
        if index < len(layers) - 1:
            A.append(activate(z, activations[index]))
    return {"Z": Z, "A": A, "P": softmax(Z[-1])}


def output_delta(P, Y):
    out = np.zeros(P.shape)
    for i in np.ndindex(P.shape):
        out[i] = P[i] - Y[i]
    return out


def hidden_delta(delta_next, W_next, f_prime):
    m, n = f_prime.shape
    out = np.zeros((m, n))
    for r in range(m):
        for i in range(n):
            paths = sum(delta_next[r, k] * W_next[k, i] for k in range(W_next.shape[0]))
            out[r, i] = f_prime[r, i] * paths
    return out


def layer_grads(delta, A_prev):
    m, n_out = delta.shape
    n_in = A_prev.shape[1]
    dW, db = np.zeros((n_out, n_in)), np.zeros(n_out)
    for r in range(m):
        for i in range(n_out):
            db[i] += delta[r, i] / m
            for j in range(n_in):
                dW[i, j] += delta[r, i] * A_prev[r, j] / m
    return dW, db


def backward(X, Y, layers, activations):
    cache = forward(X, layers, activations)
    delta = output_delta(cache["P"], Y)
    grads = []
    for l in range(len(layers) - 1, -1, -1):
        grads.insert(0, layer_grads(delta, cache["A"][l]))
        if l > 0:
            f_prime = activation_grad(cache["Z"][l - 1], cache["A"][l], activations[l - 1])
            delta = hidden_delta(delta, layers[l][0], f_prime)
    return grads


def numerical_gradient(f, theta, eps=1e-6):
    grad = np.zeros(theta.shape)
    for i in np.ndindex(theta.shape):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def sgd_step(layers, grads, lr):
    new = []
    for (W, b), (dW, db) in zip(layers, grads):
        new.append((W - lr * dW, b - lr * db))
    return new

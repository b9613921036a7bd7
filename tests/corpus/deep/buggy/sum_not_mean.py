# A student's cross_entropy, in a whole deep submission otherwise right: sum_not_mean (loses general).
"""A deep submission with one mistake."""

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
    return 1.0 - A**2


def relu_grad(Z):
    return (Z > 0).astype(np.float64)


def sigmoid_grad(A):
    return A * (1.0 - A)


def softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(P, Y):
    logs = np.log(np.where(Y > 0, P, 1.0))
    return float(-(Y * logs).sum())


def forward(X, layers, activations):
    Z, A = [], [X]
    for index, (W, b) in enumerate(layers):
        Z.append(A[-1] @ W.T + b)
        if index < len(layers) - 1:
            A.append(activate(Z[-1], activations[index]))
    return {"Z": Z, "A": A, "P": softmax(Z[-1])}


def output_delta(P, Y):
    return P - Y


def hidden_delta(delta_next, W_next, f_prime):
    return f_prime * (delta_next @ W_next)


def layer_grads(delta, A_prev):
    return delta.T @ A_prev / delta.shape[0], delta.mean(axis=0)


def backward(X, Y, layers, activations):
    cache = forward(X, layers, activations)
    Z, A = cache["Z"], cache["A"]
    delta = output_delta(cache["P"], Y)
    grads = [None] * len(layers)
    for l in reversed(range(len(layers))):
        grads[l] = layer_grads(delta, A[l])
        if l > 0:
            delta = hidden_delta(delta, layers[l][0], activation_grad(Z[l - 1], A[l], activations[l - 1]))
    return grads


def numerical_gradient(f, theta, eps=1e-6):
    grad = np.zeros(theta.shape)
    for i in np.ndindex(theta.shape):
        step = np.zeros(theta.shape)
        step[i] = eps
        grad[i] = (f(theta + step) - f(theta - step)) / (2 * eps)
    return grad


def sgd_step(layers, grads, lr):
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(layers, grads)]

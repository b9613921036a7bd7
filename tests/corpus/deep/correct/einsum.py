"""A correct deep submission with einsum for every product, and the loss through log-sum-exp."""

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
    return np.einsum("...,...->...", 1 - A, 1 + A)


def relu_grad(Z):
    return np.heaviside(Z, 0.0)


def sigmoid_grad(A):
    return np.einsum("...,...->...", A, 1 - A)


def softmax(Z):
    log_total = np.logaddexp.reduce(Z, axis=1, keepdims=True)
    return np.exp(Z - log_total)


def cross_entropy(P, Y):
    mask = Y > 0
    return float(-np.einsum("ij,ij->", np.where(mask, Y, 0.0), np.log(np.where(mask, P, 1.0))) / P.shape[0])


def forward(X, layers, activations):
    Z, A = [], [X]
    for index, (W, b) in enumerate(layers):
        Z.append(np.einsum("mi,oi->mo", A[-1], W) + b)
        if index < len(layers) - 1:
            A.append(activate(Z[-1], activations[index]))
    return {"Z": Z, "A": A, "P": softmax(Z[-1])}


def output_delta(P, Y):
    return np.subtract(P, Y)


def hidden_delta(delta_next, W_next, f_prime):
    return np.einsum("mk,ki,mi->mi", delta_next, W_next, f_prime)


def layer_grads(delta, A_prev):
    m = delta.shape[0]
    return np.einsum("mo,mi->oi", delta, A_prev) / m, np.einsum("mo->o", delta) / m


def backward(X, Y, layers, activations):
    cache = forward(X, layers, activations)
    deltas = {len(layers) - 1: output_delta(cache["P"], Y)}
    for l in range(len(layers) - 1, 0, -1):
        f_prime = activation_grad(cache["Z"][l - 1], cache["A"][l], activations[l - 1])
        deltas[l - 1] = hidden_delta(deltas[l], layers[l][0], f_prime)
    return [layer_grads(deltas[l], cache["A"][l]) for l in range(len(layers))]


def numerical_gradient(f, theta, eps=1e-6):
    basis = np.eye(theta.size).reshape((theta.size, *theta.shape))
    values = [(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in basis]
    return np.array(values, dtype=np.float64).reshape(theta.shape)


def sgd_step(layers, grads, lr):
    return [tuple(p - lr * g for p, g in zip(layer, grad)) for layer, grad in zip(layers, grads)]

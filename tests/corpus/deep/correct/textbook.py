"""A correct deep submission as the notes derive it, unsimplified: softmax's Jacobian applied to
∂E/∂p, σ' as a − a², and the backward pass as a recursion from the top."""

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
    return 1 - A * A


def relu_grad(Z):
    return np.where(Z > 0, 1.0, 0.0)


def sigmoid_grad(A):
    return A - A**2


def softmax(Z):
    shifted = Z - np.max(Z, axis=1)[:, None]
    e = np.exp(shifted)
    return e / np.sum(e, axis=1)[:, None]


def cross_entropy(P, Y):
    per_row = [-sum(y * np.log(p) for p, y in zip(prow, yrow) if y > 0) for prow, yrow in zip(P, Y)]
    return float(np.mean(per_row))


def forward(X, layers, activations):
    Z, A = [], [X.copy()]
    for index, (W, b) in enumerate(layers):
        Z.append(np.dot(A[-1], W.T) + b[None, :])
        if index < len(layers) - 1:
            A.append(activate(Z[-1], activations[index]))
    return {"Z": Z, "A": A, "P": softmax(Z[-1])}


def output_delta(P, Y):
    dE_dP = -Y / P
    rows = []
    for p, g in zip(P, dE_dP):
        jacobian = np.diag(p) - np.outer(p, p)  # ∂p_j/∂z_k, symmetric
        rows.append(jacobian.T @ g)
    return np.array(rows)


def hidden_delta(delta_next, W_next, f_prime):
    dE_dA = np.dot(delta_next, W_next)
    return dE_dA * f_prime


def layer_grads(delta, A_prev):
    m = len(delta)
    dW = sum(np.outer(d, a) for d, a in zip(delta, A_prev)) / m
    db = sum(delta) / m
    return dW, db


def _down(l, delta, cache, layers, activations):
    here = [layer_grads(delta, cache["A"][l])]
    if l == 0:
        return here
    f_prime = activation_grad(cache["Z"][l - 1], cache["A"][l], activations[l - 1])
    below = _down(l - 1, hidden_delta(delta, layers[l][0], f_prime), cache, layers, activations)
    return below + here


def backward(X, Y, layers, activations):
    cache = forward(X, layers, activations)
    return _down(len(layers) - 1, output_delta(cache["P"], Y), cache, layers, activations)


def numerical_gradient(f, theta, eps=1e-6):
    flat = theta.reshape(-1)
    grad = np.empty(flat.size)
    for i in range(flat.size):
        bump = np.zeros(flat.size)
        bump[i] = eps
        grad[i] = (f((flat + bump).reshape(theta.shape)) - f((flat - bump).reshape(theta.shape))) / (2 * eps)
    return grad.reshape(theta.shape)


def sgd_step(layers, grads, lr):
    return [(layer[0] - lr * grad[0], layer[1] - lr * grad[1]) for layer, grad in zip(layers, grads)]

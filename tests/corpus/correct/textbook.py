"""A correct submission written exactly as the notes derive it, never simplified: the
textbook σ, σ' as a − a², the output δ as ∂E/∂p · ∂p/∂z, sums over examples in loops."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_grad(a):
    return a - a**2


def forward(X, params):
    Z_hidden = X @ params["W_hidden"].T + params["b_hidden"]
    A_hidden = sigmoid(Z_hidden)
    Z_out = A_hidden @ params["W_out"].T + params["b_out"]
    return {"Z_hidden": Z_hidden, "A_hidden": A_hidden, "Z_out": Z_out, "P": sigmoid(Z_out)}


def cross_entropy(P, Y):
    E = -np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1)
    return float(np.mean(E))


def cross_entropy_grad(P, Y):
    return -Y / P + (1 - Y) / (1 - P)


def output_delta(P, Y):
    dE_dP = cross_entropy_grad(P, Y)
    dP_dZ = sigmoid_grad(P)
    return dE_dP * dP_dZ  # δ3 = ∂E/∂p1 · ∂p1/∂z3


def hidden_delta(A_hidden, W_out, delta_out):
    dE_dA = delta_out @ W_out
    return dE_dA * sigmoid_grad(A_hidden)


def weight_grad(delta, A_prev):
    m = delta.shape[0]
    total = np.zeros((delta.shape[1], A_prev.shape[1]))
    for i in range(m):
        total += np.outer(delta[i], A_prev[i])  # ∂E_i/∂W5 = δ3·a1 for example i
    return total / m


def bias_grad(delta):
    m = delta.shape[0]
    total = np.zeros(delta.shape[1])
    for i in range(m):
        total = total + delta[i]
    return total / m


def backward(X, Y, params):
    cache = forward(X, params)
    delta_out = output_delta(cache["P"], Y)
    delta_hidden = hidden_delta(cache["A_hidden"], params["W_out"], delta_out)
    return {
        "W_hidden": weight_grad(delta_hidden, X),
        "b_hidden": bias_grad(delta_hidden),
        "W_out": weight_grad(delta_out, cache["A_hidden"]),
        "b_out": bias_grad(delta_out),
    }


def numerical_gradient(f, theta, eps=1e-6):
    grad = np.zeros(theta.shape)
    for i in np.ndindex(theta.shape):
        e = np.zeros(theta.shape)
        e[i] = eps
        grad[i] = (f(theta + e) - f(theta - e)) / (2 * eps)
    return grad


def sgd_step(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}

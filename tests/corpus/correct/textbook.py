"""A correct submission written exactly as the notes derive it, never simplified: the
textbook σ, σ' as a − a², the output δ as ∂E/∂p · ∂p/∂z, sums over examples in loops."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_grad(a):
    return a - a**2


def forward(X, params):
    W1, b1, W2, b2 = params["W_hidden"], params["b_hidden"], params["W_out"], params["b_out"]
    z1 = np.dot(X, W1.T) + b1  # z1 = W1·x1 + W2·x2 + b1, one row per example
    a1 = sigmoid(z1)
    z3 = np.dot(a1, W2.T) + b2
    return dict(Z_hidden=z1, A_hidden=a1, Z_out=z3, P=sigmoid(z3))


def cross_entropy(P, Y):
    per_example = []
    for p, y in zip(P, Y, strict=True):
        per_example.append(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))  # E of one example
    return float(np.mean(per_example))


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
    net = forward(X, params)
    d3 = output_delta(net["P"], Y)  # δ3, δ4
    d1 = hidden_delta(net["A_hidden"], params["W_out"], d3)  # δ1, δ2
    grads = dict(W_out=weight_grad(d3, net["A_hidden"]), b_out=bias_grad(d3))
    grads.update(W_hidden=weight_grad(d1, X), b_hidden=bias_grad(d1))
    return grads


def numerical_gradient(f, theta, eps=1e-6):
    grad = np.zeros(theta.shape)
    for i in np.ndindex(theta.shape):
        e = np.zeros(theta.shape)
        e[i] = eps
        grad[i] = (f(theta + e) - f(theta - e)) / (2 * eps)
    return grad


def sgd_step(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}

"""Chain-rule steps that only call each other: no formula anywhere, each defined by the others.

On the first pass every one of them recurses without end. Were a failing step's building
blocks stood in for by the reference, output_delta (from cross_entropy_grad and
sigmoid_grad) and hidden_delta (from sigmoid_grad) would each be right on the second pass,
and the circle would earn 25 points it never computed. The rest is correct.
"""

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(a):  # σ' from the output δ and ∂E/∂p at y = 0: (p − 0) / (1 / (1 − p))
    zero = np.zeros_like(a)
    return output_delta(a, zero) / cross_entropy_grad(a, zero)


def cross_entropy_grad(P, Y):  # ∂E/∂p = δ / σ'
    return output_delta(P, Y) / sigmoid_grad(P)


def output_delta(P, Y):  # δ = ∂E/∂p · σ'
    return cross_entropy_grad(P, Y) * sigmoid_grad(P)


def hidden_delta(A_hidden, W_out, delta_out):  # σ' from the circle above
    return sigmoid_grad(A_hidden) * (delta_out @ W_out)


def forward(X, params):
    Z_hidden = X @ params["W_hidden"].T + params["b_hidden"]
    A_hidden = sigmoid(Z_hidden)
    Z_out = A_hidden @ params["W_out"].T + params["b_out"]
    return {"Z_hidden": Z_hidden, "A_hidden": A_hidden, "Z_out": Z_out, "P": sigmoid(Z_out)}


def cross_entropy(P, Y):
    return float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1).mean())


def weight_grad(delta, A_prev):
    return delta.T @ A_prev / delta.shape[0]


def bias_grad(delta):
    return delta.mean(axis=0)


def backward(X, Y, params):
    c = forward(X, params)
    d_out = c["P"] - Y
    d_hid = c["A_hidden"] * (1 - c["A_hidden"]) * (d_out @ params["W_out"])
    return {
        "W_hidden": weight_grad(d_hid, X),
        "b_hidden": bias_grad(d_hid),
        "W_out": weight_grad(d_out, c["A_hidden"]),
        "b_out": bias_grad(d_out),
    }


def numerical_gradient(f, theta, eps=1e-6):
    grad = np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad


def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}

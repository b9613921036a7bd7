"""A correct submission in einsum notation, with scipy-free numerics and reused helpers."""

import numpy as np


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def sigmoid_grad(a):
    return a - a**2


def forward(X, params):
    Z_hidden = np.einsum("md,hd->mh", X, params["W_hidden"]) + params["b_hidden"]
    A_hidden = sigmoid(Z_hidden)
    Z_out = np.einsum("mh,kh->mk", A_hidden, params["W_out"]) + params["b_out"]
    return dict(Z_hidden=Z_hidden, A_hidden=A_hidden, Z_out=Z_out, P=sigmoid(Z_out))


def cross_entropy(P, Y):
    return -np.einsum("mk->", Y * np.log(P) + (1 - Y) * np.log1p(-P)) / P.shape[0]


def cross_entropy_grad(P, Y):
    return (P - Y) / (P * (1 - P))


def output_delta(P, Y):
    return cross_entropy_grad(P, Y) * sigmoid_grad(P)


def hidden_delta(A_hidden, W_out, delta_out):
    return np.einsum("mk,kh->mh", delta_out, W_out) * sigmoid_grad(A_hidden)


def weight_grad(delta, A_prev):
    return np.einsum("mo,mi->oi", delta, A_prev) / len(delta)


def bias_grad(delta):
    return np.einsum("mo->o", delta) / len(delta)


def backward(X, Y, params):
    c = forward(X, params)
    d3 = output_delta(c["P"], Y)
    d1 = hidden_delta(c["A_hidden"], params["W_out"], d3)
    return {
        "W_out": weight_grad(d3, c["A_hidden"]),
        "b_out": bias_grad(d3),
        "W_hidden": weight_grad(d1, X),
        "b_hidden": bias_grad(d1),
    }


def numerical_gradient(f, theta, eps=1e-6):
    flat = np.asarray(theta, dtype=float).ravel()
    grad = np.empty_like(flat)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = eps
        grad[i] = (f((flat + e).reshape(np.shape(theta))) - f((flat - e).reshape(np.shape(theta)))) / (
            2 * eps
        )
    return grad.reshape(np.shape(theta))


def sgd_step(params, grads, lr):
    return {k: v - lr * grads[k] for k, v in params.items()}

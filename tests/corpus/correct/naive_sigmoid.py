"""A correct submission with the textbook sigmoid, which overflows (and warns) for large
negative z yet returns the right 0.0; the rest in np.dot style, with a print left in."""
import numpy as np


def sigmoid(z):
    print("computing sigmoid")
    return 1 / (1 + np.exp(-z))


def sigmoid_grad(a):
    return np.multiply(a, np.subtract(1.0, a))


def forward(X, params):
    Zh = np.dot(X, params["W_hidden"].T) + params["b_hidden"][np.newaxis, :]
    Ah = sigmoid(Zh)
    Zo = np.dot(Ah, params["W_out"].T) + params["b_out"][np.newaxis, :]
    out = dict(Z_hidden=Zh, A_hidden=Ah, Z_out=Zo)
    out["P"] = sigmoid(Zo)
    return out


def cross_entropy(P, Y):
    m = P.shape[0]
    total = np.sum(Y * np.log(P)) + np.sum((1.0 - Y) * np.log(1.0 - P))
    return float(-total / m)


def cross_entropy_grad(P, Y):
    return np.divide(1.0 - Y, 1.0 - P) - np.divide(Y, P)


def output_delta(P, Y):
    return np.subtract(P, Y)


def hidden_delta(A_hidden, W_out, delta_out):
    back = np.dot(delta_out, W_out)  # sums over every output a hidden unit feeds
    return back * A_hidden * (1.0 - A_hidden)


def weight_grad(delta, A_prev):
    m = float(len(delta))
    return np.dot(delta.T, A_prev) / m


def bias_grad(delta):
    return np.sum(delta, axis=0) / delta.shape[0]


def backward(X, Y, params):
    c = forward(X, params)
    d2 = output_delta(c["P"], Y)
    d1 = hidden_delta(c["A_hidden"], params["W_out"], d2)
    grads = {}
    grads["W_out"], grads["b_out"] = weight_grad(d2, c["A_hidden"]), bias_grad(d2)
    grads["W_hidden"], grads["b_hidden"] = weight_grad(d1, X), bias_grad(d1)
    return grads


def numerical_gradient(f, theta, eps=1e-6):
    work = np.array(theta, dtype=float, copy=True)
    grad = np.empty_like(work)
    it = np.nditer(work, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        keep = work[i]
        work[i] = keep + eps
        hi = f(work)
        work[i] = keep - eps
        lo = f(work)
        work[i] = keep
        grad[i] = (hi - lo) / (2 * eps)
    return grad


def sgd_step(params, grads, lr):
    updated = dict()
    for key, value in params.items():
        updated[key] = value - np.multiply(lr, grads[key])
    return updated

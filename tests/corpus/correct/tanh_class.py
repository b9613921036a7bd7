"""A correct submission organised as a class, as some students write it: σ through tanh,
σ' as a − a², the output δ as ∂E/∂p · ∂p/∂z with ∂E/∂p over a common denominator, and
the module-level functions bound to the class's methods."""

import numpy as np


class Network:
    def sigmoid(self, z):
        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))  # σ(z) = (1 + tanh(z/2)) / 2

    def sigmoid_grad(self, a):
        return a - a * a

    def forward(self, X, params):
        Z_hidden = np.dot(X, params["W_hidden"].T) + params["b_hidden"]
        A_hidden = self.sigmoid(Z_hidden)
        Z_out = np.dot(A_hidden, params["W_out"].T) + params["b_out"]
        return {"Z_hidden": Z_hidden, "A_hidden": A_hidden, "Z_out": Z_out, "P": self.sigmoid(Z_out)}

    def cross_entropy(self, P, Y):
        total = 0.0
        for p_row, y_row in zip(P, Y, strict=True):
            total -= sum(y * np.log(p) + (1 - y) * np.log(1 - p) for p, y in zip(p_row, y_row, strict=True))
        return float(total / len(P))

    def cross_entropy_grad(self, P, Y):
        return (P - Y) / (P * (1 - P))  # −y/p + (1 − y)/(1 − p) over one denominator

    def output_delta(self, P, Y):
        return self.cross_entropy_grad(P, Y) * self.sigmoid_grad(P)

    def hidden_delta(self, A_hidden, W_out, delta_out):
        return self.sigmoid_grad(A_hidden) * np.dot(delta_out, W_out)

    def weight_grad(self, delta, A_prev):
        return np.mean([np.outer(d, a) for d, a in zip(delta, A_prev, strict=True)], axis=0)

    def bias_grad(self, delta):
        return np.mean(delta, axis=0)

    def backward(self, X, Y, params):
        c = self.forward(X, params)
        d_out = self.output_delta(c["P"], Y)
        d_hid = self.hidden_delta(c["A_hidden"], params["W_out"], d_out)
        return {
            "W_hidden": self.weight_grad(d_hid, X),
            "b_hidden": self.bias_grad(d_hid),
            "W_out": self.weight_grad(d_out, c["A_hidden"]),
            "b_out": self.bias_grad(d_out),
        }

    def numerical_gradient(self, f, theta, eps=1e-6):
        grad = np.zeros_like(theta, dtype=float)
        for i in np.ndindex(theta.shape):
            step = np.zeros_like(theta, dtype=float)
            step[i] = eps
            grad[i] = (f(theta + step) - f(theta - step)) / (2 * eps)
        return grad

    def sgd_step(self, params, grads, lr):
        return {k: params[k] - lr * grads[k] for k in params}


_net = Network()
sigmoid = _net.sigmoid
sigmoid_grad = _net.sigmoid_grad
forward = _net.forward
cross_entropy = _net.cross_entropy
cross_entropy_grad = _net.cross_entropy_grad
output_delta = _net.output_delta
hidden_delta = _net.hidden_delta
weight_grad = _net.weight_grad
bias_grad = _net.bias_grad
backward = _net.backward
numerical_gradient = _net.numerical_gradient
sgd_step = _net.sgd_step

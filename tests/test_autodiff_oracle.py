"""Every gradient of the reference against autograd, an autodiff library we did not write."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lab.solutions import backprop as bp
from backprop_lab.solutions.mlp import MLP
from tests.strategies import networks

TOL = {"rtol": 1e-10, "atol": 1e-10}


def a_sigmoid(z):
    return 1.0 / (1.0 + anp.exp(-z))


def summed_loss_of_logits(Z_out, Y):
    """Σ over examples of E, as a function of the output pre-activations.

    −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = ln(1 + e^z) − y·z: the same E, written so that
    1 − σ(z) never cancels (autograd differentiating ln(1 − p) at p ≈ 1 loses digits).
    """
    return anp.sum(anp.logaddexp(0.0, Z_out) - Y * Z_out)


def batch_loss(params, X, Y):
    """The contract's batch loss written afresh in autograd's numpy."""
    A = a_sigmoid(anp.dot(X, params["W_hidden"].T) + params["b_hidden"])
    Z_out = anp.dot(A, params["W_out"].T) + params["b_out"]
    return summed_loss_of_logits(Z_out, Y) / X.shape[0]


@settings(max_examples=60, deadline=None)
@given(networks())
def test_backward_matches_autograd(net) -> None:
    X, Y, params = net
    expected = grad(batch_loss)(params, X, Y)
    got = bp.backward(X, Y, params)
    for name in params:
        np.testing.assert_allclose(got[name], expected[name], **TOL)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_each_step_matches_autograd(net) -> None:
    X, Y, params = net
    cache = bp.forward(X, params)
    P, A, Zh = cache["P"], cache["A_hidden"], cache["Z_hidden"]
    m = X.shape[0]

    # ∂(ΣE)/∂P and ∂(ΣE)/∂Z_out, per example.
    dE_dP = grad(lambda P_: -anp.sum(Y * anp.log(P_) + (1 - Y) * anp.log(1 - P_)))(P)
    np.testing.assert_allclose(bp.cross_entropy_grad(P, Y), dE_dP, **TOL)
    np.testing.assert_allclose(bp.output_delta(P, Y), grad(summed_loss_of_logits)(cache["Z_out"], Y), **TOL)

    # ∂(ΣE)/∂Z_hidden through both layers.
    def loss_of_hidden(Zh_):
        return summed_loss_of_logits(anp.dot(a_sigmoid(Zh_), params["W_out"].T) + params["b_out"], Y)

    delta_out = bp.output_delta(P, Y)
    delta_hidden = bp.hidden_delta(A, params["W_out"], delta_out)
    np.testing.assert_allclose(delta_hidden, grad(loss_of_hidden)(Zh), **TOL)

    # Weight and bias gradients of the mean loss, given the layer's δ.
    np.testing.assert_allclose(
        bp.weight_grad(delta_out, A),
        grad(lambda W: summed_loss_of_logits(anp.dot(A, W.T) + params["b_out"], Y) / m)(params["W_out"]),
        **TOL,
    )
    np.testing.assert_allclose(
        bp.bias_grad(delta_out),
        grad(lambda b: summed_loss_of_logits(anp.dot(A, params["W_out"].T) + b, Y) / m)(params["b_out"]),
        **TOL,
    )
    loss_of_P = -anp.mean(anp.sum(Y * anp.log(P) + (1 - Y) * anp.log(1 - P), axis=1))
    np.testing.assert_allclose(bp.cross_entropy(P, Y), loss_of_P, **TOL)


@settings(max_examples=40, deadline=None)
@given(st.floats(-30, 30), st.floats(0.05, 0.95))
def test_sigmoid_and_its_gradient_match_autograd(z: float, a: float) -> None:
    np.testing.assert_allclose(bp.sigmoid(np.array(z)), a_sigmoid(z), rtol=1e-14)
    z_of_a = np.log(a / (1 - a))
    np.testing.assert_allclose(bp.sigmoid_grad(np.array(a)), grad(a_sigmoid)(z_of_a), rtol=1e-12)


def mlp_loss(params, X, Y, activations, loss):
    fns = {
        "sigmoid": a_sigmoid,
        "tanh": anp.tanh,
        "relu": lambda z: anp.maximum(z, 0.0),
        "identity": lambda z: z,
    }
    A = X
    for layer, act in enumerate(activations, start=1):
        A = fns[act](anp.dot(A, params[f"W{layer}"].T) + params[f"b{layer}"])
    if loss == "bce":
        per = -anp.sum(Y * anp.log(A) + (1 - Y) * anp.log(1 - A), axis=1)
    elif loss == "squared_error":
        per = 0.5 * anp.sum((Y - A) ** 2, axis=1)
    else:  # softmax cross-entropy on logits
        log_softmax = A - anp.log(anp.sum(anp.exp(A), axis=1, keepdims=True))
        per = -anp.sum(Y * log_softmax, axis=1)
    return anp.mean(per)


@st.composite
def mlp_cases(draw: st.DrawFn):
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 6)) for _ in range(depth + 1)]
    hidden = [draw(st.sampled_from(["sigmoid", "tanh", "relu", "identity"])) for _ in range(depth - 1)]
    loss = draw(st.sampled_from(["bce", "squared_error", "softmax_cross_entropy"]))
    final = {"bce": "sigmoid", "softmax_cross_entropy": "identity"}.get(loss) or draw(
        st.sampled_from(["sigmoid", "tanh", "identity"])
    )
    m = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    return sizes, [*hidden, final], loss, m, seed


@settings(max_examples=80, deadline=None)
@given(mlp_cases())
def test_mlp_matches_autograd(case) -> None:
    sizes, activations, loss, m, seed = case
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activations, loss=loss, seed=seed)
    for name in net.params:  # nonzero biases, and ReLU inputs kept away from the kink
        net.params[name] = net.params[name] + rng.uniform(-0.5, 0.5, net.params[name].shape)
    X = rng.uniform(-2, 2, size=(m, sizes[0]))
    Y = rng.uniform(0, 1, size=(m, sizes[-1]))
    if loss == "softmax_cross_entropy":
        Y = Y / Y.sum(axis=1, keepdims=True)
    expected = grad(mlp_loss)(net.params, X, Y, activations, loss)
    got = net.backward(X, Y)
    np.testing.assert_allclose(net.loss(X, Y), mlp_loss(net.params, X, Y, activations, loss), **TOL)
    for name in net.params:
        np.testing.assert_allclose(got[name], expected[name], **TOL)

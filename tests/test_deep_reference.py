"""The `deep` reference against oracles we did not write: autograd, and central differences.

Depths, widths, activations and batches are drawn by hypothesis; each gradient the
reference returns must equal autograd's derivative of the loss written afresh below.
"""

from __future__ import annotations

from itertools import pairwise

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lab.solutions import deep

TOL = {"rtol": 1e-9, "atol": 1e-11}
A_FUNCTIONS = {
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
}


def a_loss(flat_layers, X, Y, activations):
    """Mean categorical cross-entropy of softmax(logits), through log-sum-exp."""
    A = X
    pairs = list(zip(flat_layers[::2], flat_layers[1::2], strict=True))
    for index, (W, b) in enumerate(pairs):
        Z = anp.dot(A, W.T) + b
        A = A_FUNCTIONS[activations[index]](Z) if index < len(pairs) - 1 else Z
    top = anp.max(A, axis=1, keepdims=True)
    log_p = A - top - anp.log(anp.sum(anp.exp(A - top), axis=1, keepdims=True))
    return -anp.mean(anp.sum(Y * log_p, axis=1))


@st.composite
def deep_cases(draw: st.DrawFn):
    """(X, Y, layers, activations): depth 1..5, widths 1..6, rows 1..6, activations mixed."""
    depth = draw(st.integers(1, 5))
    widths = [draw(st.integers(1, 6)) for _ in range(depth + 1)]
    activations = [draw(st.sampled_from(deep.HIDDEN_ACTIVATIONS)) for _ in range(depth - 1)]
    m = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layers = [
        (rng.uniform(-1.5, 1.5, (n_out, n_in)), rng.uniform(-1, 1, n_out))
        for n_in, n_out in pairwise(widths)
    ]
    X = rng.uniform(-2, 2, (m, widths[0]))
    Y = rng.dirichlet(np.ones(widths[-1]), size=m)
    return X, Y, layers, activations


def _flat(layers):
    return [array for layer in layers for array in layer]


@settings(max_examples=80, deadline=None)
@given(deep_cases())
def test_loss_and_backward_match_autograd(case) -> None:
    X, Y, layers, activations = case
    expected = grad(a_loss)(_flat(layers), X, Y, activations)
    got = deep.backward(X, Y, layers, activations)
    P = deep.forward(X, layers, activations)["P"]
    np.testing.assert_allclose(deep.cross_entropy(P, Y), a_loss(_flat(layers), X, Y, activations), **TOL)
    assert len(got) == len(layers)
    for (dW, db), eW, eb in zip(got, expected[::2], expected[1::2], strict=True):
        np.testing.assert_allclose(dW, eW, **TOL)
        np.testing.assert_allclose(db, eb, **TOL)


@settings(max_examples=60, deadline=None)
@given(deep_cases())
def test_every_delta_is_the_loss_gradient_of_its_preactivation(case) -> None:
    """δl from the recursion equals ∂(ΣE)/∂Zl computed by autograd from layer l upwards."""
    X, Y, layers, activations = case
    cache = deep.forward(X, layers, activations)

    def loss_from(layer):
        def of_Z(Z):
            A = Z
            for index in range(layer, len(layers)):
                if index > layer:
                    W, b = layers[index]
                    A = anp.dot(A, W.T) + b
                if index < len(layers) - 1:
                    A = A_FUNCTIONS[activations[index]](A)
            top = anp.max(A, axis=1, keepdims=True)
            log_p = A - top - anp.log(anp.sum(anp.exp(A - top), axis=1, keepdims=True))
            return -anp.sum(Y * log_p)

        return of_Z

    delta = deep.output_delta(cache["P"], Y)
    for layer in range(len(layers) - 1, -1, -1):
        np.testing.assert_allclose(delta, grad(loss_from(layer))(cache["Z"][layer]), **TOL)
        if layer > 0:
            f_prime = deep.activation_grad(cache["Z"][layer - 1], cache["A"][layer], activations[layer - 1])
            delta = deep.hidden_delta(delta, layers[layer][0], f_prime)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(deep.HIDDEN_ACTIVATIONS), st.floats(-4, 4).filter(lambda z: abs(z) > 1e-3))
def test_activation_derivatives_match_autograd(name: str, z: float) -> None:
    a = deep.activate(np.array([[z]]), name)
    expected = grad(lambda t: A_FUNCTIONS[name](t))(z)
    np.testing.assert_allclose(deep.activation_grad(np.array([[z]]), a, name), [[expected]], rtol=1e-12)


def test_relu_derivative_at_the_kink_is_zero_by_convention() -> None:
    np.testing.assert_array_equal(deep.relu_grad(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 0.0, 1.0]])


def test_softmax_is_finite_where_the_naive_form_overflows() -> None:
    Z = np.array([[1000.0, 0.0, -1000.0], [-745.0, -745.0, -700.0]])
    P = deep.softmax(Z)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[0], [1.0, 0.0, 0.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert not np.isfinite(naive).all()  # what the max-shift prevents


@pytest.mark.parametrize("seed", range(5))
def test_backward_against_central_differences(seed: int) -> None:
    """Each parameter moved alone, θ ± εeᵢ, through the reference forward pass only."""
    rng = np.random.default_rng(seed)
    widths = [3, 4, 4, 3, 2]
    activations = ["tanh", "relu", "sigmoid"]
    layers = [
        (rng.uniform(-1, 1, (n_out, n_in)), rng.uniform(-0.5, 0.5, n_out))
        for n_in, n_out in pairwise(widths)
    ]
    X = rng.uniform(-2, 2, (5, widths[0]))
    Y = np.eye(widths[-1])[rng.integers(0, widths[-1], 5)]

    def loss(changed):
        return deep.cross_entropy(deep.forward(X, changed, activations)["P"], Y)

    grads = deep.backward(X, Y, layers, activations)
    for layer, (W, b) in enumerate(layers):
        for which, array in ((0, W), (1, b)):

            def f(theta, layer=layer, which=which):
                changed = list(layers)
                pair = list(changed[layer])
                pair[which] = theta
                changed[layer] = tuple(pair)
                return loss(changed)

            numeric = deep.numerical_gradient(f, array, eps=1e-5)
            # rounding of a central difference: about 1e-16 / ε in absolute terms
            np.testing.assert_allclose(grads[layer][which], numeric, rtol=1e-6, atol=1e-9)


def test_inputs_are_left_unchanged_and_sgd_goes_downhill() -> None:
    rng = np.random.default_rng(7)
    layers = [(rng.normal(size=(4, 2)), rng.normal(size=4)), (rng.normal(size=(3, 4)), rng.normal(size=3))]
    X, Y = rng.normal(size=(6, 2)), np.eye(3)[rng.integers(0, 3, 6)]
    before = [(W.copy(), b.copy()) for W, b in layers]
    grads = deep.backward(X, Y, layers, ["relu"])
    stepped = deep.sgd_step(layers, grads, lr=0.1)
    for (W, b), (W0, b0) in zip(layers, before, strict=True):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)

    def loss(net):
        return deep.cross_entropy(deep.forward(X, net, ["relu"])["P"], Y)

    assert loss(stepped) < loss(layers)

"""The reference solution keeps the contract: shapes, no mutation, stability, named view."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lab.solutions import backprop as bp
from backprop_lab.solutions.gradcheck import directional_check, numerical_gradients, relative_error
from backprop_lab.solutions.named import (
    ANSWER_KEYS,
    NAMES,
    derive,
    from_matrices,
    named_gradients,
    personal_answers,
    personal_numbers,
    to_matrices,
)
from tests.strategies import networks


def test_sigmoid_is_finite_and_bounded_for_huge_inputs() -> None:
    z = np.array([-1e308, -1e3, -40.0, 0.0, 40.0, 1e3, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # not even a warning
        s = bp.sigmoid(z)
    assert np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1))
    assert s[3] == 0.5 and s[0] == 0.0 and s[-1] == 1.0


@settings(max_examples=40, deadline=None)
@given(networks())
def test_no_function_modifies_its_arguments(net) -> None:
    X, Y, params = net
    before = copy.deepcopy((X, Y, params))
    cache = bp.forward(X, params)
    grads = bp.backward(X, Y, params)
    bp.sgd_step(params, grads, 0.1)
    bp.hidden_delta(cache["A_hidden"], params["W_out"], bp.output_delta(cache["P"], Y))
    np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(Y, before[1])
    for name in params:
        np.testing.assert_array_equal(params[name], before[2][name])


@settings(max_examples=40, deadline=None)
@given(networks())
def test_shapes_and_dtypes_follow_the_contract(net) -> None:
    X, Y, params = net
    m, k, h = X.shape[0], Y.shape[1], params["b_hidden"].shape[0]
    cache = bp.forward(X, params)
    assert {key: v.shape for key, v in cache.items()} == {
        "Z_hidden": (m, h), "A_hidden": (m, h), "Z_out": (m, k), "P": (m, k),
    }  # fmt: skip
    grads = bp.backward(X, Y, params)
    assert all(grads[name].shape == params[name].shape for name in params)
    assert all(g.dtype == np.float64 for g in grads.values())
    assert isinstance(bp.cross_entropy(cache["P"], Y), float)


@settings(max_examples=40, deadline=None)
@given(networks())
def test_backward_agrees_with_finite_differences_of_the_loss(net) -> None:
    X, Y, params = net
    grads = bp.backward(X, Y, params)

    def loss(p):  # the same loss, from the logits: ln(1 + e^z) − y·z does not cancel when p ≈ 1
        Z = bp.forward(X, p)["Z_out"]
        return float((np.logaddexp(0.0, Z) - Y * Z).sum(axis=1).mean())

    numeric = numerical_gradients(loss, params)
    for name in params:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-5, atol=1e-7)


def test_numerical_gradient_is_central_and_leaves_theta_alone() -> None:
    theta = np.array([[0.3, -1.2], [2.0, 0.5]])
    original = theta.copy()
    g = bp.numerical_gradient(lambda t: float(np.sum(t**3)), theta)
    np.testing.assert_array_equal(theta, original)
    # Central differences of t³ are exact up to ε²: a forward difference would be off by ~3tε.
    np.testing.assert_allclose(g, 3 * theta**2, rtol=0, atol=1e-8)


def test_sgd_step_returns_new_arrays_downhill() -> None:
    params = {"W": np.array([1.0, 2.0])}
    new = bp.sgd_step(params, {"W": np.array([0.5, -1.0])}, lr=0.1)
    np.testing.assert_allclose(new["W"], [0.95, 2.1])
    np.testing.assert_array_equal(params["W"], [1.0, 2.0])


def test_relative_error_is_scale_free_and_zero_safe() -> None:
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1e-8]), np.array([1.1e-8])) == pytest.approx(0.1 / 2.1)
    assert relative_error(np.array([1e8]), np.array([1.1e8])) == pytest.approx(0.1 / 2.1)


def test_directional_check_accepts_right_and_rejects_wrong_gradients() -> None:
    X, Y, params = to_matrices(personal_numbers("someone"))

    def loss(p):
        return bp.cross_entropy(bp.forward(X, p)["P"], Y)

    right = bp.backward(X, Y, params)
    wrong = dict(right, W_hidden=right["W_hidden"].T)  # the classic missing-transpose slip
    rng = np.random.default_rng(0)
    along, numeric = directional_check(loss, params, right, rng)
    assert along == pytest.approx(numeric, rel=1e-7)
    along, numeric = directional_check(loss, params, wrong, np.random.default_rng(0))
    assert relative_error(np.array(along), np.array(numeric)) > 1e-4


named_values = st.fixed_dictionaries(
    {name: st.floats(0.0, 1.0) if name[0] == "y" else st.floats(-2.0, 2.0) for name in NAMES}
)


@settings(max_examples=60, deadline=None)
@given(named_values)
def test_scalar_derivation_agrees_with_the_matrix_code(named) -> None:
    X, Y, params = to_matrices(named)
    assert from_matrices(X, Y, params) == pytest.approx(named)
    d = derive(named)
    grads = named_gradients(bp.backward(X, Y, params))
    for name, value in grads.items():
        assert d[name] == pytest.approx(value, rel=1e-9, abs=1e-12)
    # The spec's known results, verbatim.
    assert d["dE_dW5"] == pytest.approx((d["p1"] - named["y1"]) * d["a1"], rel=1e-9, abs=1e-12)
    assert d["dE_da1"] == pytest.approx(
        (d["p1"] - named["y1"]) * named["W5"] + (d["p2"] - named["y2"]) * named["W7"], rel=1e-9, abs=1e-12
    )
    assert d["delta1"] == pytest.approx(
        d["a1"] * (1 - d["a1"]) * (named["W5"] * d["delta3"] + named["W7"] * d["delta4"]), rel=1e-9, abs=1e-12
    )


def test_personal_numbers_are_deterministic_and_differ_between_students() -> None:
    assert personal_numbers("alice") == personal_numbers("alice")
    assert personal_numbers("alice") != personal_numbers("bob")
    assert set(personal_answers("alice")) == set(ANSWER_KEYS)
    assert all(v != 0 for k, v in personal_numbers("alice").items() if k[0] != "y")

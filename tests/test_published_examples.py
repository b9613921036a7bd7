"""The reference against figures published or computed by tools this project did not write."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_lab.solutions import backprop as bp
from backprop_lab.solutions.mlp import MLP
from backprop_lab.solutions.named import MAZUR, derive, named_gradients, to_matrices

# Mazur, "A Step by Step Backpropagation Example" (2015): squared error, one shared
# bias per layer that is never trained, learning rate 0.5.
MAZUR_PARAMS = {
    "W1": [[0.15, 0.20], [0.25, 0.30]], "b1": [0.35, 0.35],
    "W2": [[0.40, 0.45], [0.50, 0.55]], "b2": [0.60, 0.60],
}  # fmt: skip
X_MAZUR = np.array([[0.05, 0.10]])
Y_MAZUR = np.array([[0.01, 0.99]])


def mazur_net() -> MLP:
    return MLP.from_params(MAZUR_PARAMS, ["sigmoid", "sigmoid"], loss="squared_error")


def weights_only_step(net: MLP, lr: float = 0.5) -> None:
    grads = net.backward(X_MAZUR, Y_MAZUR)
    net.sgd_step({name: g for name, g in grads.items() if name.startswith("W")}, lr)


def test_mazur_forward_pass_matches_printed_figures() -> None:
    _, hidden, out = mazur_net().forward(X_MAZUR)
    assert hidden[0, 0] == pytest.approx(0.593269992, abs=5e-10)
    assert out[0, 0] == pytest.approx(0.75136507, abs=5e-9)
    assert out[0, 1] == pytest.approx(0.772928465, abs=5e-10)
    assert mazur_net().loss(X_MAZUR, Y_MAZUR) == pytest.approx(0.298371109, abs=5e-10)


def test_mazur_gradients_and_updated_weights_match_printed_figures() -> None:
    net = mazur_net()
    grads = net.backward(X_MAZUR, Y_MAZUR)
    assert grads["W2"][0, 0] == pytest.approx(0.082167041, abs=5e-10)  # ∂E/∂w5
    assert grads["W1"][0, 0] == pytest.approx(0.000438568, abs=5e-10)  # ∂E/∂w1
    weights_only_step(net)
    printed_w_out = [[0.35891648, 0.408666186], [0.511301270, 0.561370121]]
    printed_w_hidden = [[0.149780716, 0.19956143], [0.24975114, 0.29950229]]
    np.testing.assert_allclose(net.params["W2"], printed_w_out, rtol=0, atol=5e-9)
    np.testing.assert_allclose(net.params["W1"], printed_w_hidden, rtol=0, atol=5e-9)


def test_mazur_training_reaches_corrected_figures() -> None:
    # Mazur's printed 0.291027924 came from a script that updated w5..w8 before the hidden
    # deltas; the simultaneous update gives 0.2910277737 and 3.5102e-5 after 10,000 steps.
    net = mazur_net()
    weights_only_step(net)
    assert net.loss(X_MAZUR, Y_MAZUR) == pytest.approx(0.2910277737, abs=5e-11)
    for _ in range(9_999):
        weights_only_step(net)
    assert net.loss(X_MAZUR, Y_MAZUR) == pytest.approx(3.5102e-5, rel=1e-4)


# The course's network (cross-entropy, four biases) on Mazur's numbers; PyTorch float64.
TORCH_FIGURES = {
    "E": 1.6505285318122682,
    "delta3": 0.7413650695523156,
    "delta4": -0.21707153467853743,
    "delta1": 0.0453670090730914,
    "delta2": 0.05154539420578989,
    "dE_dW5": 0.4398296489618466,
    "dE_dW7": -0.12878202766543093,
    "dE_dW1": 0.00226835045365457,
    "dE_db3": 0.7413650695523156,
}


@pytest.mark.parametrize("name", sorted(TORCH_FIGURES))
def test_named_derivation_matches_pytorch(name: str) -> None:
    assert derive(MAZUR)[name] == pytest.approx(TORCH_FIGURES[name], rel=1e-13, abs=1e-15)


def test_matrix_functions_match_pytorch() -> None:
    X, Y, params = to_matrices(MAZUR)
    cache = bp.forward(X, params)
    assert bp.cross_entropy(cache["P"], Y) == pytest.approx(TORCH_FIGURES["E"], rel=1e-13)
    delta_out = bp.output_delta(cache["P"], Y)
    delta_hidden = bp.hidden_delta(cache["A_hidden"], params["W_out"], delta_out)
    np.testing.assert_allclose(delta_out[0], [TORCH_FIGURES["delta3"], TORCH_FIGURES["delta4"]], rtol=1e-13)
    np.testing.assert_allclose(
        delta_hidden[0], [TORCH_FIGURES["delta1"], TORCH_FIGURES["delta2"]], rtol=1e-13
    )
    grads = named_gradients(bp.backward(X, Y, params))
    for name in ("dE_dW5", "dE_dW7", "dE_dW1", "dE_db3"):
        assert grads[name] == pytest.approx(TORCH_FIGURES[name], rel=1e-13)


def test_the_course_mlp_is_the_contract_network() -> None:
    X, Y, params = to_matrices(MAZUR)
    net = MLP.from_params(
        {"W1": params["W_hidden"], "b1": params["b_hidden"], "W2": params["W_out"], "b2": params["b_out"]},
        ["sigmoid", "sigmoid"],
        loss="bce",
    )
    assert net.loss(X, Y) == pytest.approx(TORCH_FIGURES["E"], rel=1e-13)
    assert net.backward(X, Y)["W2"][0, 0] == pytest.approx(TORCH_FIGURES["dE_dW5"], rel=1e-12)

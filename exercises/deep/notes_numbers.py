"""Every number the `deep` lecture notes print, computed by `solutions/deep.py` on its worked example.

The example is `solutions/deep_example.py` (a 2-3-2-2 network: tanh, ReLU, softmax); the
batch of section 6 adds a second row to it. A mistake's wrong number is the right code
with the one idea the mistake misses changed, so the notes show what each mistake gives.
Nothing here is typed in by hand but the inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from itertools import pairwise

import numpy as np

from backprop_lab.solutions import deep
from backprop_lab.solutions.deep_example import example

Value = float | np.ndarray
Values = dict[str, Value]

LEARNING_RATE = 0.5
EPSILON = 1e-6  # the gradient check's step, as in the first assignment's notes
HAND_EPSILON = 1e-3  # the step of the check done by hand in section 8: big enough to see on paper
BIG_LOGITS = np.array([[1000.0, 999.0]])  # a row whose e^z overflows float64 (e^709.8 is the largest)
TANH_Z = 2.0  # where 1 − z² is far from tanh′(z): it is even negative
SIGMOID_Z = 0.19  # z of the sigmoid shown in section 2 (the example's first unit, z¹₁)
# The batch of section 6: the example's row, and a row whose first logit is negative.
BATCH_X = np.array([[0.5, -0.2], [1.0, 1.0]])
BATCH_Y = np.array([[1.0, 0.0], [0.0, 1.0]])
EXERCISE_RELU_Z = (-0.3, 0.0, 0.3)  # exercise 2.2
EXERCISE_P, EXERCISE_Y = (0.7, 0.2, 0.1), (0.0, 1.0, 0.0)  # exercise 4.1
COST_WIDTH, COST_BATCH, COST_DEPTHS = 8, 8, (1, 2, 3, 4, 6, 8)


def number(value: float, digits: int = 6) -> str:
    """The notes' one format for a computed number: six significant digits, no negative zero;
    a count is a whole number however large."""
    value = float(value) + 0.0
    if value.is_integer() and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.{digits}g}"


def show(value: Value, digits: int = 6) -> str:
    """A number; a vector or one-row matrix as (a, b); a matrix as [[a, b], [c, d]]."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return number(float(array), digits)
    if array.ndim == 1 or array.shape[0] == 1:
        return "(" + ", ".join(number(v, digits) for v in array.ravel()) + ")"
    return "[" + ", ".join("[" + ", ".join(number(v, digits) for v in row) + "]" for row in array) + "]"


def _loss(X: np.ndarray, Y: np.ndarray, activations) -> Callable[[deep.Layers], float]:
    return lambda layers: deep.cross_entropy(deep.forward(X, layers, activations)["P"], Y)


def network_values() -> Values:
    """The inputs, the parameters and the forward pass of the example."""
    X, Y, layers, activations = example()
    cache_ = deep.forward(X, layers, activations)
    out: Values = {"x": X, "y": Y, "E": deep.cross_entropy(cache_["P"], Y), "P": cache_["P"]}
    for index, (W, b) in enumerate(layers, start=1):
        out.update({f"W{index}": W, f"b{index}": b, f"Z{index}": cache_["Z"][index - 1]})
    out.update({"A1": cache_["A"][1], "A2": cache_["A"][2]})
    out["n_params"] = float(sum(W.size + b.size for W, b in layers))
    return out


def activation_values() -> Values:
    """Each hidden activation's derivative written the right way, and the way its mistake writes it."""
    X, _, layers, activations = example()
    c = deep.forward(X, layers, activations)
    sigmoid_a = float(deep.activate(np.array([SIGMOID_Z]), "sigmoid")[0])
    zero = np.array([0.0])
    return {
        "fp1": deep.tanh_grad(c["A"][1]),  # tanh′ through a
        "fp1_of_z": 1.0 - c["Z"][0] ** 2,  # `tanh_grad_of_z`: 1 − z²
        "fp2": deep.relu_grad(c["Z"][1]),
        "tanh_z": TANH_Z,
        "tanh_grad_at_z": float(deep.tanh_grad(np.tanh(np.array([TANH_Z])))[0]),
        "tanh_grad_of_z_at_z": 1.0 - TANH_Z**2,
        "relu_at_0": float(deep.relu_grad(zero)[0]),
        "relu_at_0_wrong": float((zero >= 0)[0]),  # `relu_grad_at_zero`: z ≥ 0 instead of z > 0
        "sig_z": SIGMOID_Z,
        "sig_a": sigmoid_a,
        "sig_grad": float(deep.sigmoid_grad(np.array([sigmoid_a]))[0]),
        "sig_grad_of_z": SIGMOID_Z * (1.0 - SIGMOID_Z),  # `sigmoid_grad_of_z`: z(1 − z)
    }


def softmax_values() -> Values:
    """The max-shift at z = 1000, its effect on the example, and the softmax over the wrong axis."""
    X, Y, layers, activations = example()
    Z3 = deep.forward(X, layers, activations)["Z"][-1]
    with np.errstate(over="ignore", invalid="ignore"):
        exp_big = np.exp(BIG_LOGITS)
        naive = exp_big / exp_big.sum(axis=1, keepdims=True)  # `softmax_no_shift`
    wrong_axis = np.exp(Z3 - Z3.max(axis=0)) / np.exp(Z3 - Z3.max(axis=0)).sum(axis=0)  # `softmax_wrong_axis`
    return {
        "float_max": float(np.finfo(np.float64).max),
        "log_float_max": float(np.log(np.finfo(np.float64).max)),  # e^z overflows beyond this z
        "big_z": BIG_LOGITS,
        "big_exp": exp_big,
        "big_naive": naive,
        "big_shifted": BIG_LOGITS - BIG_LOGITS.max(axis=1, keepdims=True),
        "big_P": deep.softmax(BIG_LOGITS),
        "Z3_shifted": Z3 - Z3.max(axis=1, keepdims=True),
        "exp_Z3": np.exp(Z3),
        "exp_Z3_shifted": np.exp(Z3 - Z3.max(axis=1, keepdims=True)),
        "P_axis0": wrong_axis,
        "E_axis0": deep.cross_entropy(wrong_axis, Y),
    }


def output_values() -> Values:
    """Softmax's Jacobian on the example, the loss's gradient in P, and δ³ = P − Y three ways."""
    X, Y, layers, activations = example()
    P = deep.forward(X, layers, activations)["P"]
    p = P[0]
    jacobian = np.diag(p) - np.outer(p, p)  # ∂p_k/∂z_j = p_k(1[k = j] − p_j)
    dE_dP = -np.where(Y > 0, Y / P, 0.0)
    delta3 = deep.output_delta(P, Y)
    return {
        "J": jacobian,
        "dE_dP": dE_dP,
        "dE_dP_J": dE_dP @ jacobian,  # the chain rule taken the long way: it is P − Y
        "delta3": delta3,
        "delta3_jacobian_twice": delta3 @ jacobian,  # `jacobian_twice`
        "delta3_sign": Y - P,  # `output_delta_sign`
    }


def recursion_values() -> Values:
    """δ² and δ¹ by the recursion, the sums they start from, and the mistakes of section 5."""
    X, Y, layers, activations = example()
    c = deep.forward(X, layers, activations)
    delta3 = deep.output_delta(c["P"], Y)
    back2 = delta3 @ layers[2][0]  # δ³W³: every path out of layer 2, summed
    fp2 = deep.activation_grad(c["Z"][1], c["A"][2], activations[1])
    delta2 = deep.hidden_delta(delta3, layers[2][0], fp2)
    back1 = delta2 @ layers[1][0]
    fp1 = deep.activation_grad(c["Z"][0], c["A"][1], activations[0])
    delta1 = deep.hidden_delta(delta2, layers[1][0], fp1)
    return {
        "back2": back2,
        "delta2": delta2,
        "delta2_no_fp": back2,  # `missing_f_prime`
        "back1": back1,
        "delta1": delta1,
        "delta1_no_fp": back1,
        "delta0": delta1 @ layers[0][0],  # `delta_for_input_layer`: ∂E/∂X, which nothing uses
        "delta0_madds": float(X.shape[0] * layers[0][0].size),
    }


def gradient_values() -> Values:
    """Every layer's (∂E/∂W, ∂E/∂b) on the example, and on the batch: the mean and the sum."""
    X, Y, layers, activations = example()
    out: Values = {}
    for index, (dW, db) in enumerate(deep.backward(X, Y, layers, activations), start=1):
        out.update({f"dW{index}": dW, f"db{index}": db})
    batch = deep.forward(BATCH_X, layers, activations)
    batch_grads = deep.backward(BATCH_X, BATCH_Y, layers, activations)
    delta3 = deep.output_delta(batch["P"], BATCH_Y)
    out.update(
        {
            "batch_X": BATCH_X,
            "batch_Y": BATCH_Y,
            "batch_Z3": batch["Z"][-1],
            "batch_P": batch["P"],
            "batch_delta3": delta3,
            "batch_A2": batch["A"][2],
            "batch_E": deep.cross_entropy(batch["P"], BATCH_Y),
            "batch_dW3": batch_grads[2][0],
            "batch_db3": batch_grads[2][1],
            "batch_dW3_sum": delta3.T @ batch["A"][2],  # `sum_not_mean`
            "batch_db3_sum": delta3.sum(axis=0),
        }
    )
    # `activation_on_output`: the last hidden layer's ReLU applied to Z³ too, before softmax
    wrong_P = deep.softmax(deep.activate(batch["Z"][-1], activations[-1]))
    out.update({"batch_P_activated": wrong_P, "batch_E_activated": deep.cross_entropy(wrong_P, BATCH_Y)})
    return out


def exercise_values() -> Values:
    """The answers to the exercises that start from numbers of their own, not the example's."""
    sigmoid_a = deep.activate(np.array([0.0]), "sigmoid")
    return {
        "ex_relu": deep.relu_grad(np.array(EXERCISE_RELU_Z)),
        "ex_sig0_a": float(sigmoid_a[0]),
        "ex_sig0_grad": float(deep.sigmoid_grad(sigmoid_a)[0]),
        "ex_sig0_of_z": 0.0 * (1.0 - 0.0),
        "ex_delta": deep.output_delta(np.array([EXERCISE_P]), np.array([EXERCISE_Y])),
    }


def _flat(layers: deep.Layers) -> np.ndarray:
    return np.concatenate([array.ravel() for layer in layers for array in layer])


def _unflat(theta: np.ndarray, like: deep.Layers) -> deep.Layers:
    layers, at = [], 0
    for W, b in like:
        W_new = theta[at : at + W.size].reshape(W.shape)
        at += W.size
        layers.append((W_new, theta[at : at + b.size].copy()))
        at += b.size
    return layers


def _relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Largest |g − ĝ| / max(|g| + |ĝ|, 10⁻¹²): the first assignment's measure."""
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    return float(np.max(np.abs(analytic - numeric) / scale))


def _backward_without_f_prime(X: np.ndarray, Y: np.ndarray, layers: deep.Layers, activations) -> deep.Layers:
    """backward() with the mistake `missing_f_prime`: every f′ taken as 1."""
    c = deep.forward(X, layers, activations)
    delta, grads = deep.output_delta(c["P"], Y), []
    for layer in range(len(layers) - 1, -1, -1):
        grads.append(deep.layer_grads(delta, c["A"][layer]))
        if layer > 0:
            delta = deep.hidden_delta(delta, layers[layer][0], np.ones_like(c["Z"][layer - 1]))
    return grads[::-1]


def check_values() -> Values:
    """The gradient check of the example: one entry by hand, then all of θ, central and forward."""
    X, Y, layers, activations = example()
    loss = _loss(X, Y, activations)
    theta = _flat(layers)

    def f(t: np.ndarray) -> float:
        return loss(_unflat(t, layers))

    analytic = _flat(deep.backward(X, Y, layers, activations))
    central = deep.numerical_gradient(f, theta, EPSILON)
    base = f(theta)
    forward = np.array([(f(theta + EPSILON * e) - base) / EPSILON for e in np.eye(theta.size)])
    (W3, b3), step = layers[2], np.zeros_like(layers[2][0])
    step[0, 0] = HAND_EPSILON  # W³₁₁ alone moves, every other parameter stays
    plus, minus = (loss([*layers[:2], (W3 + sign * step, b3)]) for sign in (1, -1))
    return {
        "eps": EPSILON,
        "hand_eps": HAND_EPSILON,
        "fd_plus": plus,
        "fd_minus": minus,
        "fd_estimate": (plus - minus) / (2 * HAND_EPSILON),
        "err_central": _relative_error(analytic, central),
        "err_forward": _relative_error(analytic, forward),
        "err_missing_f_prime": _relative_error(
            _flat(_backward_without_f_prime(X, Y, layers, activations)), central
        ),
        "check_evaluations": 2.0 * theta.size,
    }


def descent_values() -> Values:
    """One SGD step with η = 0.5: the loss before and after, and after a step the wrong way."""
    X, Y, layers, activations = example()
    loss = _loss(X, Y, activations)
    grads = deep.backward(X, Y, layers, activations)
    new = deep.sgd_step(layers, grads, LEARNING_RATE)
    uphill = deep.sgd_step(layers, grads, -LEARNING_RATE)  # θ + η·∂E/∂θ: the step taken uphill
    return {
        "eta": LEARNING_RATE,
        "new_W3": new[2][0],
        "new_b3": new[2][1],
        "new_E": loss(new),
        "uphill_E": loss(uphill),  # `sign_error`
    }


_TALLY = [0]  # multiply-adds counted since the last _multiply_adds began


class _Counted(np.ndarray):
    """An array that adds the multiply-adds of every matrix product it takes part in to a tally."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, _Counted) else x for x in inputs]
        if ufunc is np.matmul and method == "__call__":
            left, right = (np.asarray(x) for x in plain)
            _TALLY[0] += left.size * right.shape[-1]  # (m, k)@(k, n): m·k·n
        result = getattr(ufunc, method)(*plain, **kwargs)
        return result.view(_Counted) if isinstance(result, np.ndarray) else result


def _multiply_adds(run: Callable[..., object], *args: object) -> int:
    _TALLY[0] = 0
    run(*args)
    return _TALLY[0]


def _central_differences(X: np.ndarray, Y: np.ndarray, layers: deep.Layers, activations: list[str]) -> None:
    """The whole gradient by solutions/deep.py's numerical_gradient, the weights kept tallying."""
    loss = _loss(X, Y, activations)
    deep.numerical_gradient(
        lambda theta: loss([(W.view(_Counted), b) for W, b in _unflat(theta, layers)]), _flat(layers)
    )


@cache
def cost_rows(depths: tuple[int, ...] = COST_DEPTHS) -> tuple[tuple[int, int, int, int], ...]:
    """(depth, parameters, multiply-adds of backward, of central differences) per depth.

    Counted by running solutions/deep.py on arrays that tally their matrix products, so
    the figure is the same on every machine: hidden layers of COST_WIDTH tanh units, a
    batch of COST_BATCH rows, two classes.
    """
    rows = []
    rng = np.random.default_rng(0)
    for depth in depths:
        widths = [COST_WIDTH] * depth + [2]
        layers = [
            (rng.normal(size=(n_out, n_in)).view(_Counted), rng.normal(size=n_out))
            for n_in, n_out in pairwise(widths)
        ]
        # X and Y tally too: every product of the reference then involves a tallying array.
        X = rng.normal(size=(COST_BATCH, COST_WIDTH)).view(_Counted)
        Y = np.eye(2)[rng.integers(0, 2, COST_BATCH)].view(_Counted)
        activations = ["tanh"] * (depth - 1)
        backprop = _multiply_adds(deep.backward, X, Y, layers, activations)
        differences = _multiply_adds(_central_differences, X, Y, layers, activations)
        rows.append((depth, sum(W.size + b.size for W, b in layers), backprop, differences))
    return tuple(rows)


def cost_values() -> Values:
    out: Values = {"cost_width": float(COST_WIDTH), "cost_batch": float(COST_BATCH)}
    for depth, n, backprop, differences in cost_rows():
        out.update(
            {
                f"cost_n_{depth}": float(n),
                f"cost_bp_{depth}": float(backprop),
                f"cost_fd_{depth}": float(differences),
                f"cost_ratio_{depth}": differences / backprop,
            }
        )
    return out


def all_values() -> Values:
    """Every named number the notes fill in."""
    return dict(_all_values())


@cache
def _all_values() -> Values:
    values: Values = {}
    for part in (
        network_values,
        activation_values,
        softmax_values,
        output_values,
        recursion_values,
        gradient_values,
        check_values,
        descent_values,
        cost_values,
        exercise_values,
    ):
        values.update(part())
    return values

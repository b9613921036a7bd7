"""Every number the lecture notes print, computed by the reference in `solutions/`.

The scalar derivation (`named.derive`) gives the worked example; the matrix code
(`backprop.py`) gives the batch, the step of gradient descent and the wrong answers
of the misconception catalog; `mlp.py` gives Mazur's squared error; `gradcheck.py`
gives the finite differences. Nothing here is typed in by hand but the inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from backprop_lab.exercises.backprop.steps import STEPS
from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions.gradcheck import numerical_gradients, relative_error
from backprop_lab.solutions.mlp import MLP
from backprop_lab.solutions.named import MAZUR, WEIGHT_POSITIONS, derive, from_matrices, to_matrices

BY_ID = {step.id: step for step in STEPS}
LEARNING_RATE = 0.5  # the notebook's self-check and Mazur's post use it
EPSILON = 1e-6  # the step of the gradient check: see `epsilon_rows`
EPSILONS = (1e-2, 1e-4, 1e-6, 1e-8, 1e-10)
SATURATED_Z = -5.0  # a confidently wrong output unit: y = 1 but p = σ(−5)
# The batch of the notes: the example and its mirror (inputs and targets swapped).
BATCH_X = np.array([[0.05, 0.10], [0.10, 0.05]])
BATCH_Y = np.array([[0.01, 0.99], [0.99, 0.01]])

Values = dict[str, float]


def number(value: float) -> str:
    """Six significant digits: the notes' one format for a computed number."""
    return f"{value:.6g}"


def example() -> tuple[np.ndarray, np.ndarray, ref.Params]:
    return to_matrices(MAZUR)


def batch_loss(X: np.ndarray, Y: np.ndarray, params: ref.Params) -> float:
    return ref.cross_entropy(ref.forward(X, params)["P"], Y)


def mazur_values() -> Values:
    """Mazur's own loss, ½Σ(y − p)², on the same forward pass: his ∂E/∂w5 and δ."""
    _, _, p = example()
    net = MLP.from_params(
        {"W1": p["W_hidden"], "b1": p["b_hidden"], "W2": p["W_out"], "b2": p["b_out"]},
        ["sigmoid", "sigmoid"],
        loss="squared_error",
    )
    X, Y, _ = example()
    grads = net.backward(X, Y)
    d = derive(MAZUR)
    return {
        "se_E": net.loss(X, Y),
        "se_dE_dW5": float(grads["W2"][0, 0]),
        "se_dE_dW1": float(grads["W1"][0, 0]),
        "se_delta3": (d["p1"] - MAZUR["y1"]) * d["p1"] * (1 - d["p1"]),
        "ratio_dW5": d["dE_dW5"] / float(grads["W2"][0, 0]),
    }


def saturation_values() -> Values:
    """An output unit that is confidently wrong: how large each loss's δ stays."""
    p = float(ref.sigmoid(np.array([SATURATED_Z]))[0])
    slope = float(ref.sigmoid_grad(np.array([p]))[0])
    return {
        "sat_z": SATURATED_Z,
        "sat_p": p,
        "sat_slope": slope,
        "sat_ce_delta": float(ref.output_delta(np.array([p]), np.array([1.0]))[0]),
        "sat_se_delta": (p - 1.0) * slope,
        "sat_ratio": 1.0 / slope,  # (p − y) / ((p − y)·p(1 − p))
    }


def slope_values() -> Values:
    """σ′ of hidden unit 1 written the right way, a1(1 − a1), and the two wrong ways."""
    d = derive(MAZUR)
    twice = float(ref.sigmoid(np.array([d["a1"]]))[0])
    return {"wrong_slope_z": d["z1"] * (1 - d["z1"]), "wrong_slope_twice": twice * (1 - twice)}


def batch_values() -> Values:
    """The batch of two rows: each row's E and δ3, the batch E and two mean gradients."""
    _, _, params = example()
    rows = [derive(from_matrices(BATCH_X[r : r + 1], BATCH_Y[r : r + 1], params)) for r in range(2)]
    grads = ref.backward(BATCH_X, BATCH_Y, params)
    out = {"batch_E": batch_loss(BATCH_X, BATCH_Y, params)}
    for r, d in enumerate(rows, start=1):
        out.update({f"row{r}_E": d["E"], f"row{r}_delta3": d["delta3"], f"row{r}_a1": d["a1"]})
        out.update({f"row{r}_x1": BATCH_X[r - 1, 0], f"row{r}_x2": BATCH_X[r - 1, 1]})
        out.update({f"row{r}_y1": BATCH_Y[r - 1, 0], f"row{r}_y2": BATCH_Y[r - 1, 1]})
        out[f"row{r}_dE_dW5"] = d["dE_dW5"]
    out["batch_dE_dW5"] = float(grads["W_out"][0, 0])
    out["batch_dE_db3"] = float(grads["b_out"][0])
    out["batch_dE_db4"] = float(grads["b_out"][1])
    out["batch_sum_E"] = out["row1_E"] + out["row2_E"]  # what a missing 1/m gives
    out["batch_mean_all_E"] = out["batch_sum_E"] / BATCH_Y.size  # what a mean over outputs too gives
    delta_out = ref.output_delta(ref.forward(BATCH_X, params)["P"], BATCH_Y)
    out["wrong_axis_1"], out["wrong_axis_2"] = (float(v) for v in delta_out.mean(axis=1))
    return out


def descent_values() -> Values:
    """One step θ ← θ − η∇E with η = 0.5 on the example, and the error before and after."""
    X, Y, params = example()
    grads = ref.backward(X, Y, params)
    new = ref.sgd_step(params, grads, LEARNING_RATE)
    wrong_way = {name: params[name] + LEARNING_RATE * grads[name] for name in params}
    out = {f"new_{name}": value for name, value in from_matrices(X, Y, new).items() if name[0] in "Wb"}
    out.update(
        {"eta": LEARNING_RATE, "new_E": batch_loss(X, Y, new), "uphill_E": batch_loss(X, Y, wrong_way)}
    )
    out["big_step_E"] = batch_loss(X, Y, ref.sgd_step(params, grads, 10 * LEARNING_RATE))
    return out


def _loss_of(X: np.ndarray, Y: np.ndarray) -> Callable[[ref.Params], float]:
    return lambda params: batch_loss(X, Y, params)


def forward_differences(loss: Callable[[ref.Params], float], params: ref.Params, eps: float) -> ref.Params:
    """One-sided (E(θ + εeᵢ) − E(θ)) / ε for every entry: the check students should not use."""
    base, grads = loss(params), {}
    for name, value in params.items():
        grads[name] = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            moved = {**params, name: value.copy()}
            moved[name][index] += eps
            grads[name][index] = (loss(moved) - base) / eps
    return grads


def _largest_error(analytic: ref.Params, numeric: ref.Params) -> float:
    return max(relative_error(analytic[name], numeric[name]) for name in analytic)


def check_values() -> Values:
    """Relative errors of the example's gradient check: the reference, a forward difference, two bugs."""
    X, Y, params = example()
    loss = _loss_of(X, Y)
    analytic = ref.backward(X, Y, params)
    central = numerical_gradients(loss, params, EPSILON)
    bugs = {
        mistake: BY_ID["backward"].misconception(mistake).answer(X=X, Y=Y, params=params)
        for mistake in ("missing_transpose", "sigmoid_grad_on_preactivation")
    }
    return {
        "eps": EPSILON,
        "check_central": _largest_error(analytic, central),
        "check_forward": _largest_error(analytic, forward_differences(loss, params, EPSILON)),
        "check_bug_transpose": _largest_error(bugs["missing_transpose"], central),
        "check_bug_preactivation": _largest_error(bugs["sigmoid_grad_on_preactivation"], central),
        "check_evaluations": 2 * sum(p.size for p in params.values()),
        "n_params": sum(p.size for p in params.values()),
    }


@cache
def epsilon_rows() -> tuple[tuple[float, float, float], ...]:
    """(ε, relative error of the central, of the forward difference) for ∂E/∂W5 of the example.

    Too large an ε leaves the truncation error (ε² central, ε forward); too small an ε
    leaves rounding, about 1e-16 / ε: the central difference is best near ε = 1e-5.
    """
    X, Y, params = example()
    loss, exact = _loss_of(X, Y), derive(MAZUR)["dE_dW5"]
    W5 = {"W_out": params["W_out"][:1, :1]}

    def loss_of_w5(w: ref.Params) -> float:
        moved = params["W_out"].copy()
        moved[0, 0] = w["W_out"][0, 0]
        return loss({**params, "W_out": moved})

    rows = []
    for eps in EPSILONS:
        central = numerical_gradients(loss_of_w5, W5, eps)["W_out"][0, 0]
        forward = forward_differences(loss_of_w5, W5, eps)["W_out"][0, 0]
        rows.append((eps, relative_error(exact, central), relative_error(exact, forward)))
    return tuple(rows)


# ------------------------------------------------------------------ the misconception catalog on the example

# Which quantity each catalogued mistake is shown on: (step, the example or the batch, symbol, entry).
# An entry is a key of the answer (a dict), then an index; None shows the whole array.
MistakeEntry = tuple[str, str, str, tuple]
SHOWN_ON: dict[str, MistakeEntry] = {
    "sigmoid_applied_twice": ("hidden_delta", "example", "δ1", (0, 0)),
    "missing_activation_derivative": ("hidden_delta", "example", "δ1", (0, 0)),
    "single_path": ("hidden_delta", "example", "δ1", (0, 0)),
    "missing_transpose": ("hidden_delta", "example", "δ1", (0, 0)),
    "sigmoid_grad_on_preactivation": ("backward", "example", "∂E/∂W1", ("W_hidden", 0, 0)),
    "sign_error": ("output_delta", "example", "δ3", (0, 0)),
    "mse_delta_with_cross_entropy": ("output_delta", "example", "δ3", (0, 0)),
    "loss_grad_as_delta": ("output_delta", "example", "δ3", (0, 0)),
    "transposed_weight_grad": ("weight_grad", "example", "∂E/∂W6", (0, 1)),
    "preactivation_as_input": ("backward", "example", "∂E/∂W5", ("W_out", 0, 0)),
    "bias_grad_times_input": ("backward", "example", "∂E/∂b3", ("b_out", 0)),
    "mean_over_outputs": ("cross_entropy", "batch", "E", ()),
    "batch_mean_missing": ("backward", "batch", "∂E/∂W5", ("W_out", 0, 0)),
    "batch_mean_twice": ("backward", "batch", "∂E/∂W5", ("W_out", 0, 0)),
    "bias_wrong_axis": ("bias_grad", "batch", "∂E/∂b_out", None),
    "bias_not_reduced": ("bias_grad", "batch", "∂E/∂b_out", None),
    "forward_difference": ("numerical_gradient", "example", "∂E/∂W5", ("W_out", 0, 0)),
}
NO_ANSWER = ("mutates_input",)  # a mistake with no wrong number: the caller's arrays change


def catalog_mistakes() -> list[str]:
    """Every misconception id of the assignment, in the order students meet them."""
    return list(dict.fromkeys(m.id for step in STEPS for m in step.misconceptions))


def _step_args(step_id: str, X: np.ndarray, Y: np.ndarray, params: ref.Params) -> dict:
    c = ref.forward(X, params)
    delta_out = ref.output_delta(c["P"], Y)
    return {
        "hidden_delta": {"A_hidden": c["A_hidden"], "W_out": params["W_out"], "delta_out": delta_out},
        "output_delta": {"P": c["P"], "Y": Y},
        "cross_entropy": {"P": c["P"], "Y": Y},
        "weight_grad": {"delta": delta_out, "A_prev": c["A_hidden"]},
        "bias_grad": {"delta": delta_out},
        "backward": {"X": X, "Y": Y, "params": params},
    }[step_id]


def _pick(answer: object, entry: tuple | None) -> np.ndarray | float:
    if entry is None:
        return np.asarray(answer)
    if entry and isinstance(entry[0], str):
        return float(answer[entry[0]][entry[1:]])  # type: ignore[index]
    return float(np.asarray(answer)[entry])


def mistake_rows() -> list[dict]:
    """Per catalogued mistake: the step it is shown on, the quantity, the right and the wrong value."""
    _, _, params = example()
    inputs = {"example": example()[:2], "batch": (BATCH_X, BATCH_Y)}
    rows = []
    for mid in catalog_mistakes():
        if mid not in SHOWN_ON:  # no wrong number (NO_ANSWER), or one SHOWN_ON must learn to show
            first = None if mid in NO_ANSWER else next(s.id for s in STEPS if s.misconception(mid))
            rows.append(dict.fromkeys(("symbol", "right", "wrong", "where")) | {"id": mid, "step": first})
            continue
        step_id, where, symbol, entry = SHOWN_ON[mid]
        X, Y = inputs[where]
        if step_id == "numerical_gradient":  # shown as the relative error of each difference at ε
            _, right, wrong = next(row for row in epsilon_rows() if row[0] == EPSILON)
        else:
            args = _step_args(step_id, X, Y, params)
            step = BY_ID[step_id]
            wrong = _pick(step.misconception(mid).answer(**args), entry)
            right = _pick(step.reference(**args), entry)
        rows.append(
            {"id": mid, "step": step_id, "symbol": symbol, "right": right, "wrong": wrong, "where": where}
        )
    return rows


def show(value: np.ndarray | float, shape: str = "shape") -> str:
    """A number, or an array written with its shape: a wrong shape is part of a wrong answer."""
    if isinstance(value, float):
        return number(value)
    rows = np.atleast_2d(value)
    text = "; ".join(", ".join(number(v) for v in row) for row in rows)
    return f"[{text}], {shape} {tuple(value.shape)}"


def all_values() -> Values:
    """Every named number the notes fill in: the example, Mazur's loss, the batch, descent, the check."""
    return dict(_all_values())


@cache
def _all_values() -> Values:
    values: Values = {**MAZUR, **derive(MAZUR)}
    values.update(mazur_values())
    values.update(saturation_values())
    values.update(slope_values())
    values.update(batch_values())
    values.update(descent_values())
    values.update(check_values())
    assert set(WEIGHT_POSITIONS) <= set(values)
    return values

"""The `backprop` assignment's steps: one record per step, in the order students meet them.

Each record holds the step's words (English and Chinese), points, the reference, the
inputs of each property it is credited by, a finite-difference oracle computed from
the reference *forward* pass only, the steps it may be built from, and the wrong
formulas students are known to write, each with a hint that names the idea first.
"""

from __future__ import annotations

import numpy as np

from backprop_lab.exercises.backprop import inputs, mistakes, oracles
from backprop_lab.exercises.backprop.inputs import GENERAL_SHAPES, SINGLE_SHAPES
from backprop_lab.exercises.draw import plan
from backprop_lab.exercises.gradient_check import gradient_check
from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.step import Step, extremes, general, single_example, unchanged
from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions import textbook

STEPS: tuple[Step, ...] = (
    Step(
        id="sigmoid",
        title=N_("The sigmoid"),
        instructions=N_(
            "Return σ(z) elementwise, same shape as z. It must stay finite and within [0, 1] for any finite z, "
            "even z = ±1000: think about which form of the formula cannot overflow."
        ),
        latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        points=5,
        reference=ref.sigmoid,
        output="array",
        properties=(
            general(inputs.preactivations, 0.6),
            extremes(inputs.preactivations_extreme, 0.3),
            unchanged(0.1),
        ),
        bounded=True,
        forms=(textbook.sigmoid,),
    ),
    Step(
        id="sigmoid_grad",
        title=N_("The derivative of the sigmoid"),
        instructions=N_("The argument is the activation a = σ(z), not z. Return σ'(z) written through a."),
        latex=r"\frac{\partial a}{\partial z} = \sigma^\prime(z) = a\,(1 - a)",
        points=5,
        reference=ref.sigmoid_grad,
        output="array",
        properties=(general(inputs.activations, 0.9), unchanged(0.1)),
        forms=(textbook.sigmoid_grad,),
        misconceptions=(
            mistakes.misconception(
                "sigmoid_applied_twice",
                lambda a: ref.sigmoid(a) * (1 - ref.sigmoid(a)),
                mistakes.SIGMOID_TWICE,
                N_("The derivative is a(1 − a); σ(a)(1 − σ(a)) is the slope at the wrong point."),
            ),
        ),
    ),
    Step(
        id="forward",
        title=N_("The forward pass"),
        instructions=N_(
            "A batch is rows: X has shape (m, d). Return a dict with Z_hidden, A_hidden, Z_out and P. For one "
            "example this is z1 = W1·x1 + W2·x2 + b1, a1 = σ(z1), ..., p1 = σ(z3)."
        ),
        latex=r"Z_h = X W_h^\top + b_h,\quad A_h = \sigma(Z_h),\quad Z_o = A_h W_o^\top + b_o,\quad P = \sigma(Z_o)",
        points=10,
        reference=ref.forward,
        output="arrays",
        properties=(
            general(inputs.forward_args(GENERAL_SHAPES), 0.6),
            single_example(inputs.forward_args(SINGLE_SHAPES), 0.2),
            extremes(inputs.forward_args(GENERAL_SHAPES, hi=40.0), 0.1),
            unchanged(0.1),
        ),
        uses=("sigmoid",),
        forms=(textbook.forward,),
    ),
    Step(
        id="cross_entropy",
        title=N_("The loss"),
        instructions=N_(
            "Return the batch loss as a float: E summed over the outputs k for each example, then averaged over "
            "the m examples."
        ),
        latex=r"E = -\sum_k \left[ y_k \ln p_k + (1 - y_k) \ln(1 - p_k) \right]",
        points=5,
        reference=ref.cross_entropy,
        output="float",
        properties=(
            general(inputs.probabilities(GENERAL_SHAPES), 0.6),
            single_example(inputs.probabilities(SINGLE_SHAPES), 0.2),
            extremes(inputs.probabilities_extreme, 0.1),
            unchanged(0.1),
        ),
        misconceptions=(
            mistakes.misconception(
                "mean_over_outputs",
                lambda P, Y: float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).mean()),
                mistakes.MEAN_OVER_OUTPUTS,
                N_("Sum over axis 1 (the outputs), then take the mean over axis 0 (the examples)."),
            ),
            mistakes.misconception(
                "batch_mean_missing",
                lambda P, Y: float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum()),
                mistakes.MEAN_MISSING,
                N_("The batch loss is the mean of the per-example E, not their sum."),
            ),
        ),
    ),
    Step(
        id="cross_entropy_grad",
        title=N_("The derivative of the loss"),
        instructions=N_("Return ∂E/∂P for each example (no averaging), shape (m, k)."),
        latex=r"\frac{\partial E}{\partial p_k} = -\frac{y_k}{p_k} + \frac{1 - y_k}{1 - p_k}",
        points=5,
        reference=ref.cross_entropy_grad,
        output="array",
        properties=(
            general(inputs.probabilities(GENERAL_SHAPES), 0.6),
            single_example(inputs.probabilities(SINGLE_SHAPES), 0.2),
            extremes(inputs.probabilities_extreme, 0.1),
            unchanged(0.1),
        ),
        oracle=oracles.fd_cross_entropy_grad,
        misconceptions=(
            mistakes.misconception(
                "sign_error",
                lambda P, Y: Y / P - (1 - Y) / (1 - P),
                mistakes.LOSS_SIGN,
                N_("∂E/∂p = −y/p + (1 − y)/(1 − p)."),
            ),
        ),
    ),
    Step(
        id="output_delta",
        title=N_("The output δ"),
        instructions=N_(
            "Return δ_out = ∂E/∂Z_out for each example, shape (m, k). Multiply the two links of the chain and "
            "simplify."
        ),
        latex=r"\delta_3 = \frac{\partial E}{\partial z_3} = \frac{\partial E}{\partial p_1}\,"
        r"\frac{\partial p_1}{\partial z_3} = p_1 - y_1",
        points=10,
        reference=ref.output_delta,
        output="array",
        properties=(
            general(inputs.probabilities(GENERAL_SHAPES), 0.6),
            single_example(inputs.probabilities(SINGLE_SHAPES), 0.2),
            extremes(inputs.probabilities_extreme, 0.1),
            unchanged(0.1),
        ),
        oracle=oracles.fd_output_delta,
        uses=("cross_entropy_grad", "sigmoid_grad"),
        forms=(textbook.output_delta,),
        misconceptions=(
            mistakes.misconception(
                "sign_error",
                lambda P, Y: Y - P,
                mistakes.SIGN,
                N_("δ3 = p1 − y1; y − p has the opposite sign."),
            ),
            mistakes.misconception(
                "mse_delta_with_cross_entropy",
                lambda P, Y: (P - Y) * P * (1 - P),
                mistakes.MSE_DELTA,
                N_(
                    "(p − y)·p(1 − p) is the squared error's δ; with cross-entropy ∂E/∂p1 · p1(1 − p1) = p1 − y1."
                ),
            ),
            mistakes.misconception(
                "loss_grad_as_delta",
                lambda P, Y: -Y / P + (1 - Y) / (1 - P),
                mistakes.LOSS_GRAD,
                N_("Multiply ∂E/∂p1 by ∂p1/∂z3 = p1(1 − p1); it simplifies to p1 − y1."),
            ),
        ),
    ),
    Step(
        id="hidden_delta",
        title=N_("The hidden δ"),
        instructions=N_(
            "Return δ_hidden = ∂E/∂Z_hidden, shape (m, h). a1 reaches E through z3 and through z4: add the paths, "
            "then multiply by ∂a1/∂z1. W_out has shape (k, h)."
        ),
        latex=r"\delta_1 = a_1 (1 - a_1) \left( W_5\,\delta_3 + W_7\,\delta_4 \right)",
        points=15,
        reference=ref.hidden_delta,
        output="array",
        properties=(
            general(inputs.hidden_delta_args(GENERAL_SHAPES), 0.7),
            single_example(inputs.hidden_delta_args(SINGLE_SHAPES), 0.2),
            unchanged(0.1),
        ),
        oracle=oracles.fd_hidden_delta,
        uses=("sigmoid_grad",),
        forms=(textbook.hidden_delta,),
        misconceptions=(
            mistakes.misconception(
                "sigmoid_applied_twice",
                lambda A_hidden, W_out, delta_out: (
                    ref.sigmoid(A_hidden) * (1 - ref.sigmoid(A_hidden)) * (delta_out @ W_out)
                ),
                mistakes.SIGMOID_TWICE,
                N_("A_hidden already holds a = σ(z), so ∂a/∂z = a(1 − a)."),
            ),
            mistakes.misconception(
                "missing_activation_derivative",
                lambda A_hidden, W_out, delta_out: delta_out @ W_out,
                mistakes.MISSING_DERIVATIVE,
                N_("After ∂E/∂a1 = δ3·W5 + δ4·W7, multiply by ∂a1/∂z1 = a1(1 − a1)."),
            ),
            mistakes.misconception(
                "single_path",
                mistakes.single_path_square,
                mistakes.SINGLE_PATH,
                N_("∂E/∂a1 = δ3·W5 + δ4·W7: both paths, added."),
            ),
            mistakes.misconception(
                "single_path",
                lambda A_hidden, W_out, delta_out: (
                    A_hidden * (1 - A_hidden) * np.outer(delta_out[:, 0], W_out[0])
                ),
                mistakes.SINGLE_PATH,
                N_("∂E/∂a1 = δ3·W5 + δ4·W7: every output contributes, not only the first."),
            ),
            mistakes.misconception(
                "missing_transpose",
                lambda A_hidden, W_out, delta_out: A_hidden * (1 - A_hidden) * (delta_out @ W_out.T),
                mistakes.TRANSPOSE,
                N_(
                    "W_out has shape (k, h): ∂E/∂A_hidden = δ_out @ W_out, shape (m, h), not δ_out @ W_out.T."
                ),
            ),
        ),
    ),
    Step(
        id="weight_grad",
        title=N_("Weight gradients"),
        instructions=N_(
            "Return ∂E/∂W for the layer fed by A_prev, averaged over the batch, shape (n_out, n_in) like the "
            "weight matrix."
        ),
        latex=r"\frac{\partial E}{\partial W_5} = \delta_3\, a_1, \qquad \frac{\partial E}{\partial W} = "
        r"\frac{1}{m}\,\delta^\top A_{\mathrm{prev}}",
        points=10,
        reference=ref.weight_grad,
        output="array",
        properties=(
            general(inputs.weight_grad_args(GENERAL_SHAPES), 0.7),
            single_example(inputs.weight_grad_args(SINGLE_SHAPES), 0.2),
            unchanged(0.1),
        ),
        oracle=oracles.fd_weight_grad,
        misconceptions=(
            mistakes.misconception(
                "transposed_weight_grad",
                lambda delta, A_prev: A_prev.T @ delta / delta.shape[0],
                mistakes.WEIGHT_SHAPE,
                N_("Entry (j, i) is δ_j·a_i, e.g. ∂E/∂W5 = δ3·a1: deltaᵀ @ A_prev, not A_prevᵀ @ delta."),
            ),
            mistakes.misconception(
                "batch_mean_missing",
                lambda delta, A_prev: delta.T @ A_prev,
                mistakes.MEAN_MISSING,
                N_("Divide the summed deltaᵀ @ A_prev by m."),
            ),
            mistakes.misconception(
                "batch_mean_twice",
                lambda delta, A_prev: delta.T @ A_prev / delta.shape[0] ** 2,
                mistakes.MEAN_TWICE,
                N_("deltaᵀ @ A_prev sums over the batch; one division by m makes it the mean."),
            ),
        ),
    ),
    Step(
        id="bias_grad",
        title=N_("Bias gradients"),
        instructions=N_("Return ∂E/∂b averaged over the batch, shape (n_out,)."),
        latex=r"\frac{\partial E}{\partial b_3} = \delta_3 \cdot \frac{\partial z_3}{\partial b_3} = \delta_3",
        points=5,
        reference=ref.bias_grad,
        output="array",
        properties=(
            general(inputs.bias_grad_args(GENERAL_SHAPES), 0.7),
            single_example(inputs.bias_grad_args(SINGLE_SHAPES), 0.2),
            unchanged(0.1),
        ),
        oracle=oracles.fd_bias_grad,
        misconceptions=(
            mistakes.misconception(
                "batch_mean_missing",
                lambda delta: delta.sum(axis=0),
                mistakes.MEAN_MISSING,
                N_("Average the deltas over the batch (axis 0) instead of summing them."),
            ),
            mistakes.misconception(
                "batch_mean_twice",
                lambda delta: delta.mean(axis=0) / delta.shape[0],
                mistakes.MEAN_TWICE,
                N_("delta.mean(axis=0) already divides by m."),
            ),
            mistakes.misconception(
                "bias_wrong_axis",
                lambda delta: delta.mean(axis=1),
                mistakes.BIAS_AXIS,
                N_("Average over the examples, axis 0, to get shape (n_out,)."),
            ),
            mistakes.misconception(
                "bias_not_reduced",
                lambda delta: delta,
                mistakes.BIAS_AXIS,
                N_("∂E/∂b has shape (n_out,): average the per-example deltas over the batch."),
            ),
            mistakes.misconception(
                "bias_not_reduced",
                lambda delta: delta / delta.shape[0],
                mistakes.BIAS_AXIS,
                N_("∂E/∂b has shape (n_out,): sum the scaled deltas over the batch, axis 0."),
            ),
        ),
    ),
    Step(
        id="backward",
        title=N_("The backward pass"),
        instructions=N_(
            "Return a dict with the gradients of the batch loss for W_hidden, b_hidden, W_out and b_out. Use your "
            "functions above."
        ),
        latex=r"\text{forward} \;\to\; \delta_{\mathrm{out}} \;\to\; \delta_{\mathrm{hidden}} \;\to\; "
        r"\frac{\partial E}{\partial W},\ \frac{\partial E}{\partial b}",
        points=15,
        reference=ref.backward,
        output="arrays",
        properties=(
            general(inputs.backward_args(GENERAL_SHAPES), 0.6),
            single_example(inputs.backward_args(SINGLE_SHAPES), 0.2),
            extremes(inputs.backward_args(GENERAL_SHAPES, hi=12.0), 0.1),
            unchanged(0.1),
        ),
        oracle=oracles.fd_backward,
        uses=("forward", "output_delta", "hidden_delta", "weight_grad", "bias_grad"),
        forms=(textbook.backward,),
        misconceptions=(
            mistakes.misconception(
                "sigmoid_grad_on_preactivation",
                lambda X, Y, params: mistakes.backward_with(
                    X, Y, params, hidden=lambda c, d, W: c["Z_hidden"] * (1 - c["Z_hidden"]) * (d @ W)
                ),
                N_("σ'(z) is written through the activation a = σ(z). Which array holds a?"),
                N_("Use A_hidden, not Z_hidden, in a(1 − a)."),
            ),
            mistakes.misconception(
                "missing_activation_derivative",
                lambda X, Y, params: mistakes.backward_with(X, Y, params, hidden=lambda c, d, W: d @ W),
                mistakes.MISSING_DERIVATIVE,
                N_("After ∂E/∂a = δ_out @ W_out, multiply by ∂a/∂z = a(1 − a)."),
            ),
            mistakes.misconception(
                "missing_transpose",
                lambda X, Y, params: mistakes.backward_with(
                    X, Y, params, hidden=lambda c, d, W: c["A_hidden"] * (1 - c["A_hidden"]) * (d @ W.T)
                ),
                mistakes.TRANSPOSE,
                N_("∂E/∂A_hidden = δ_out @ W_out (W_out has shape (k, h)), not δ_out @ W_out.T."),
            ),
            mistakes.misconception(
                "transposed_weight_grad",
                mistakes.replaced_backward(
                    lambda X, Y, p, g: {"W_hidden": g["W_hidden"].T, "W_out": g["W_out"].T}
                ),
                mistakes.WEIGHT_SHAPE,
                N_("Each weight gradient is deltaᵀ @ A_prev / m, shape (n_out, n_in)."),
            ),
            mistakes.misconception(
                "preactivation_as_input",
                mistakes.replaced_backward(
                    lambda X, Y, p, g: {
                        "W_out": (ref.forward(X, p)["P"] - Y).T @ ref.forward(X, p)["Z_hidden"] / X.shape[0]
                    }
                ),
                mistakes.PREACTIVATION,
                N_("∂z3/∂W5 = a1: use A_hidden, not Z_hidden."),
            ),
            mistakes.misconception(
                "sign_error",
                mistakes.scaled_backward(lambda m: -1.0),
                mistakes.SIGN,
                N_("Start from δ_out = p − y (not y − p)."),
            ),
            mistakes.misconception(
                "bias_grad_times_input",
                mistakes.replaced_backward(
                    lambda X, Y, p, g: {
                        "b_out": g["W_out"].sum(axis=1),
                        "b_hidden": g["W_hidden"].sum(axis=1),
                    }
                ),
                mistakes.BIAS_INPUT,
                N_("∂z3/∂b3 = 1, so ∂E/∂b3 = δ3, with no activation factor."),
            ),
            mistakes.misconception(
                "batch_mean_missing",
                mistakes.scaled_backward(lambda m: float(m)),
                mistakes.MEAN_MISSING,
                N_("Every gradient of the batch loss is divided by m once."),
            ),
            mistakes.misconception(
                "batch_mean_twice",
                mistakes.scaled_backward(lambda m: 1.0 / m),
                mistakes.MEAN_TWICE,
                N_("The 1/m enters once, in the weight and bias gradients; the δs are per example."),
            ),
        ),
    ),
    gradient_check(points=10, width=lambda index: plan(GENERAL_SHAPES, index)[1]),
    Step(
        id="sgd_step",
        title=N_("A step of gradient descent"),
        instructions=N_(
            "Return a new params dict θ − lr·∇θ for every parameter. The dicts you are given must stay unchanged."
        ),
        latex=r"\theta \leftarrow \theta - \eta\, \frac{\partial E}{\partial \theta}",
        points=5,
        reference=ref.sgd_step,
        output="arrays",
        properties=(general(inputs.sgd_step_args, 0.7), unchanged(0.3)),
        misconceptions=(
            mistakes.misconception(
                "sign_error",
                lambda params, grads, lr: {n: params[n] + lr * grads[n] for n in params},
                mistakes.DESCENT_SIGN,
                N_("θ ← θ − lr·∂E/∂θ."),
            ),
        ),
    ),
)

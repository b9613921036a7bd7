"""The `deep` assignment's steps, in the order students meet them: one `Step(...)` record each.

A record holds the step's words (English and Chinese), points, reference, the inputs of
each property it is credited by (inputs.py), its finite-difference oracle (oracles.py),
the steps it may be built from, and the wrong formulas students write (mistakes.py).
"""

from __future__ import annotations

from backprop_lab.exercises.deep import inputs, mistakes
from backprop_lab.exercises.deep import oracles as fd
from backprop_lab.exercises.deep.forms import jacobian_output_delta
from backprop_lab.exercises.draw import plan
from backprop_lab.exercises.gradient_check import gradient_check
from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.step import Step, extremes, general, single_example, unchanged
from backprop_lab.solutions import deep as ref

# The tolerance of the gradient check: rounding (≤ 1e-10) passes; ε ignored, one-sided or exact is ≥ 2e-7 off.


STEPS: tuple[Step, ...] = (
    Step(
        id="tanh_grad",
        title=N_("The derivative of tanh"),
        instructions=N_(
            "The argument is the activation A = tanh(Z), not Z. Return tanh'(Z) written through A, same shape."
        ),
        latex=r"\tanh^\prime(z) = 1 - a^2, \qquad a = \tanh(z)",
        points=5,
        reference=ref.tanh_grad,
        output="array",
        properties=(general(inputs.tanh_values, 0.9), unchanged(0.1)),
        oracle=fd.fd_tanh_grad,
        misconceptions=(mistakes.TANH_GRAD_OF_Z,),
    ),
    Step(
        id="relu_grad",
        title=N_("The derivative of ReLU"),
        instructions=N_(
            "The argument is the preactivation Z. Return relu'(Z) as float64, same shape: 1 where z > 0, "
            "else 0 (at the kink z = 0 the convention is 0)."
        ),
        latex=r"\mathrm{relu}^\prime(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
        points=5,
        reference=ref.relu_grad,
        output="array",
        properties=(general(inputs.relu_preactivations, 0.9), unchanged(0.1)),
        oracle=fd.fd_relu_grad,
        misconceptions=(mistakes.RELU_GRAD_AT_ZERO,),
    ),
    Step(
        id="sigmoid_grad",
        title=N_("The derivative of the sigmoid"),
        instructions=N_(
            "The argument is the activation A = σ(Z), not Z. Return σ'(Z) written through A, same shape."
        ),
        latex=r"\sigma^\prime(z) = a\,(1 - a), \qquad a = \sigma(z)",
        points=5,
        reference=ref.sigmoid_grad,
        output="array",
        properties=(general(inputs.sigmoid_values, 0.9), unchanged(0.1)),
        oracle=fd.fd_sigmoid_grad,
        misconceptions=(mistakes.SIGMOID_GRAD_OF_Z,),
    ),
    Step(
        id="softmax",
        title=N_("Softmax"),
        instructions=N_(
            "Z has one row per example and one column per class. Return each row's softmax, same shape. It must "
            "stay finite and exact for any finite Z, even |z| = 1000: think about what you can subtract from a "
            "row without changing its softmax."
        ),
        latex=r"p_k = \frac{e^{z_k}}{\sum_j e^{z_j}} = \frac{e^{z_k - \max_j z_j}}{\sum_j e^{z_j - \max_j z_j}}",
        points=8,
        reference=ref.softmax,
        output="array",
        properties=(
            general(inputs.logits, 0.5),
            single_example(inputs.logits_single, 0.1),
            extremes(inputs.logits_extreme, 0.3),
            unchanged(0.1),
        ),
        bounded=True,
        misconceptions=(mistakes.SOFTMAX_NO_SHIFT, mistakes.SOFTMAX_WRONG_AXIS),
    ),
    Step(
        id="cross_entropy",
        title=N_("The loss"),
        instructions=N_(
            "Return the batch loss as a float: −Σ_k y_k ln p_k for each row, averaged over the m rows. A term "
            "whose label is 0 counts as 0, even where p is exactly 0."
        ),
        latex=r"E = -\frac{1}{m} \sum_{i=1}^{m} \sum_k y_{ik} \ln p_{ik}",
        points=7,
        reference=ref.cross_entropy,
        output="float",
        properties=(
            general(inputs.LOSS_GENERAL, 0.6),
            single_example(inputs.LOSS_SINGLE, 0.2),
            extremes(inputs.loss_extreme, 0.1),
            unchanged(0.1),
        ),
        misconceptions=(mistakes.CROSS_ENTROPY_SUM, mistakes.BINARY_CROSS_ENTROPY),
    ),
    Step(
        id="forward",
        title=N_("The forward pass"),
        instructions=N_(
            "layers is a list [(W1, b1), ..., (WL, bL)], activations the names of the L − 1 hidden activations "
            '(use the given activate). Return a dict: "Z" the list [Z1, ..., ZL], "A" the list [A0 = X, A1, '
            '..., A(L−1)] and "P" = softmax(ZL).'
        ),
        latex=r"Z_l = A_{l-1} W_l^\top + b_l,\quad A_l = f_l(Z_l),\quad P = \mathrm{softmax}(Z_L)",
        points=10,
        reference=ref.forward,
        output="arrays",
        properties=(
            general(inputs.FORWARD_GENERAL, 0.6),
            single_example(inputs.FORWARD_SINGLE, 0.2),
            extremes(inputs.FORWARD_EXTREME, 0.1),
            unchanged(0.1),
        ),
        uses=("softmax",),
        misconceptions=(mistakes.ACTIVATION_ON_OUTPUT,),
    ),
    Step(
        id="output_delta",
        title=N_("The output δ"),
        instructions=N_(
            "Return δL = ∂E/∂ZL for each row (no averaging), shape (m, k), for softmax outputs P with "
            "cross-entropy. Apply softmax's Jacobian to ∂E/∂p and simplify: every row of Y sums to 1."
        ),
        latex=r"\delta_L = \frac{\partial E}{\partial z_L} = J_{\mathrm{softmax}}^\top \frac{\partial E}{\partial p} = P - Y",
        points=8,
        reference=ref.output_delta,
        output="array",
        properties=(
            general(inputs.LOSS_GENERAL, 0.6),
            single_example(inputs.LOSS_SINGLE, 0.2),
            extremes(inputs.output_delta_extreme, 0.1),
            unchanged(0.1),
        ),
        oracle=fd.fd_output_delta,
        forms=(jacobian_output_delta,),
        misconceptions=(mistakes.JACOBIAN_TWICE, mistakes.OUTPUT_DELTA_SIGN, mistakes.LOSS_GRAD_AS_DELTA),
    ),
    Step(
        id="hidden_delta",
        title=N_("The recursion"),
        instructions=N_(
            "Return δl = ∂E/∂Zl, shape (m, nl), from the δ of the layer above (m, n(l+1)), that layer's weights "
            "W(l+1) of shape (n(l+1), nl), and f'(Zl) (m, nl). A unit feeds every unit above it: add the paths, "
            "then multiply by f'."
        ),
        latex=r"\delta_l = f_l^\prime(Z_l) \odot \left( \delta_{l+1} W_{l+1} \right)",
        points=12,
        reference=ref.hidden_delta,
        output="array",
        properties=(
            general(inputs.HIDDEN_DELTA_GENERAL, 0.7),
            single_example(inputs.HIDDEN_DELTA_SINGLE, 0.2),
            unchanged(0.1),
        ),
        oracle=fd.fd_hidden_delta,
        misconceptions=(mistakes.MISSING_F_PRIME, mistakes.MISSING_TRANSPOSE),
    ),
    Step(
        id="layer_grads",
        title=N_("One layer's gradients"),
        instructions=N_(
            "Return the pair (∂E/∂W, ∂E/∂b) of the layer whose δ is given (m, n_out) and which A_prev (m, n_in) "
            "feeds, averaged over the batch: shapes (n_out, n_in) and (n_out,)."
        ),
        latex=r"\frac{\partial E}{\partial W_l} = \frac{1}{m}\,\delta_l^\top A_{l-1}, \qquad "
        r"\frac{\partial E}{\partial b_l} = \frac{1}{m} \sum_{i} \delta_{l,i}",
        points=10,
        reference=ref.layer_grads,
        output="arrays",
        properties=(
            general(inputs.LAYER_GRADS_GENERAL, 0.7),
            single_example(inputs.LAYER_GRADS_SINGLE, 0.2),
            unchanged(0.1),
        ),
        oracle=fd.fd_layer_grads,
        misconceptions=(mistakes.TRANSPOSED_WEIGHT_GRAD, mistakes.LAYER_GRADS_SUM, mistakes.BIAS_WRONG_AXIS),
    ),
    Step(
        id="backward",
        title=N_("The backward pass"),
        instructions=N_(
            "Return [(∂E/∂W1, ∂E/∂b1), ..., (∂E/∂WL, ∂E/∂bL)] of the batch loss, for any depth. Use your "
            "functions above and the given activation_grad."
        ),
        latex=r"\delta_L = P - Y \;\to\; \delta_{L-1} \;\to\; \cdots \;\to\; \delta_1, \qquad "
        r"\frac{\partial E}{\partial W_l} = \frac{1}{m}\,\delta_l^\top A_{l-1}",
        points=15,
        reference=ref.backward,
        output="arrays",
        properties=(
            general(inputs.BACKWARD_GENERAL, 0.6),
            single_example(inputs.BACKWARD_SINGLE, 0.2),
            extremes(inputs.BACKWARD_EXTREME, 0.1),
            unchanged(0.1),
        ),
        oracle=fd.fd_backward,
        uses=(
            "forward",
            "softmax",
            "output_delta",
            "hidden_delta",
            "layer_grads",
            "tanh_grad",
            "relu_grad",
            "sigmoid_grad",
        ),
        misconceptions=(
            mistakes.DELTA_FOR_INPUT_LAYER,
            mistakes.WRONG_LAYER_INDEX,
            mistakes.BACKWARD_MISSING_F_PRIME,
            mistakes.BACKWARD_SUM,
            mistakes.BACKWARD_SIGN,
        ),
    ),
    gradient_check(points=8, width=lambda index: plan(inputs.GENERAL_LAYERS, index)[1]),
    Step(
        id="sgd_step",
        title=N_("A step of gradient descent"),
        instructions=N_(
            "Return a new list [(W1 − lr·∂E/∂W1, b1 − lr·∂E/∂b1), ...] for every layer. The lists and arrays you "
            "are given must stay unchanged."
        ),
        latex=r"W_l \leftarrow W_l - \eta\, \frac{\partial E}{\partial W_l}, \qquad "
        r"b_l \leftarrow b_l - \eta\, \frac{\partial E}{\partial b_l}",
        points=7,
        reference=ref.sgd_step,
        output="arrays",
        properties=(general(inputs.sgd_step_args, 0.7), unchanged(0.3)),
        misconceptions=(mistakes.SGD_SIGN, mistakes.SGD_NO_RATE),
    ),
)

"""The `deep` assignment's steps, in the order students meet them: one `Step(...)` record each.

A record holds the step's words (English and Chinese), points, reference, the inputs of
each property it is credited by (inputs.py), its finite-difference oracle (oracles.py),
the steps it may be built from, and the wrong formulas students write (mistakes.py).
"""

from __future__ import annotations

from backprop_lab.exercises.deep import inputs, mistakes
from backprop_lab.exercises.deep import oracles as fd
from backprop_lab.exercises.deep.forms import jacobian_output_delta
from backprop_lab.exercises.step import Step, extremes, general, single_example, text, unchanged
from backprop_lab.solutions import deep as ref

# The tolerance of the gradient check: rounding (≤ 1e-10) passes; ε ignored, one-sided or exact is ≥ 2e-7 off.
NUMERICAL_GRADIENT_ATOL = 1e-8


STEPS: tuple[Step, ...] = (
    Step(
        id="tanh_grad",
        title=text("The derivative of tanh", "tanh 的导数"),
        instructions=text(
            "The argument is the activation A = tanh(Z), not Z. Return tanh'(Z) written through A, same shape.",
            "参数是激活值 A = tanh(Z)，不是 Z。返回用 A 表示的 tanh'(Z)，形状不变。",
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
        title=text("The derivative of ReLU", "ReLU 的导数"),
        instructions=text(
            "The argument is the preactivation Z. Return relu'(Z) as float64, same shape: 1 where z > 0, "
            "else 0 (at the kink z = 0 the convention is 0).",
            "参数是加权输入 Z。返回 float64 类型的 relu'(Z)，形状不变：z > 0 处为 1，否则为 0（在折点 z = 0 处约定为 0）。",
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
        title=text("The derivative of the sigmoid", "Sigmoid 的导数"),
        instructions=text(
            "The argument is the activation A = σ(Z), not Z. Return σ'(Z) written through A, same shape.",
            "参数是激活值 A = σ(Z)，不是 Z。返回用 A 表示的 σ'(Z)，形状不变。",
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
        title=text("Softmax", "Softmax 函数"),
        instructions=text(
            "Z has one row per example and one column per class. Return each row's softmax, same shape. It must "
            "stay finite and exact for any finite Z, even |z| = 1000: think about what you can subtract from a "
            "row without changing its softmax.",
            "Z 每行是一个样本，每列是一个类别。返回每一行的 softmax，形状不变。对任意有限的 Z（即使 |z| = 1000）"
            "结果都必须有限且准确：想一想从一行中减去什么不会改变它的 softmax。",
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
        title=text("The loss", "损失函数"),
        instructions=text(
            "Return the batch loss as a float: −Σ_k y_k ln p_k for each row, averaged over the m rows. A term "
            "whose label is 0 counts as 0, even where p is exactly 0.",
            "以 float 返回批次损失：每行计算 −Σ_k y_k ln p_k，再对 m 行取平均。标签为 0 的项记为 0，即使 p 恰好为 0。",
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
        title=text("The forward pass", "前向传播"),
        instructions=text(
            "layers is a list [(W1, b1), ..., (WL, bL)], activations the names of the L − 1 hidden activations "
            '(use the given activate). Return a dict: "Z" the list [Z1, ..., ZL], "A" the list [A0 = X, A1, '
            '..., A(L−1)] and "P" = softmax(ZL).',
            "layers 是列表 [(W1, b1), ..., (WL, bL)]，activations 是 L − 1 个隐藏层激活函数的名称（使用给定的 "
            'activate）。返回一个字典："Z" 为列表 [Z1, ..., ZL]，"A" 为列表 [A0 = X, A1, ..., A(L−1)]，'
            '"P" = softmax(ZL)。',
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
        title=text("The output δ", "输出层的 δ"),
        instructions=text(
            "Return δL = ∂E/∂ZL for each row (no averaging), shape (m, k), for softmax outputs P with "
            "cross-entropy. Apply softmax's Jacobian to ∂E/∂p and simplify: every row of Y sums to 1.",
            "对使用交叉熵的 softmax 输出 P，返回每行的 δL = ∂E/∂ZL（不取平均），形状为 (m, k)。把 softmax 的雅可比矩阵"
            "作用于 ∂E/∂p 再化简：Y 的每一行之和为 1。",
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
        title=text("The recursion", "δ 的递推"),
        instructions=text(
            "Return δl = ∂E/∂Zl, shape (m, nl), from the δ of the layer above (m, n(l+1)), that layer's weights "
            "W(l+1) of shape (n(l+1), nl), and f'(Zl) (m, nl). A unit feeds every unit above it: add the paths, "
            "then multiply by f'.",
            "由上一层的 δ（形状 (m, n(l+1))）、上一层的权重 W(l+1)（形状 (n(l+1), nl)）和 f'(Zl)（形状 (m, nl)）"
            "计算并返回 δl = ∂E/∂Zl，形状为 (m, nl)。一个单元连到上一层的每个单元：把各条路径相加，再乘以 f'。",
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
        title=text("One layer's gradients", "一层的梯度"),
        instructions=text(
            "Return the pair (∂E/∂W, ∂E/∂b) of the layer whose δ is given (m, n_out) and which A_prev (m, n_in) "
            "feeds, averaged over the batch: shapes (n_out, n_in) and (n_out,).",
            "返回一对 (∂E/∂W, ∂E/∂b)：该层的 δ 已给出（形状 (m, n_out)），其输入为 A_prev（形状 (m, n_in)），"
            "在批次上取平均：形状分别为 (n_out, n_in) 和 (n_out,)。",
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
        title=text("The backward pass", "反向传播"),
        instructions=text(
            "Return [(∂E/∂W1, ∂E/∂b1), ..., (∂E/∂WL, ∂E/∂bL)] of the batch loss, for any depth. Use your "
            "functions above and the given activation_grad.",
            "对任意深度，返回批次损失的 [(∂E/∂W1, ∂E/∂b1), ..., (∂E/∂WL, ∂E/∂bL)]。请使用上面你写的函数和给定的 "
            "activation_grad。",
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
    Step(
        id="numerical_gradient",
        title=text("A gradient check", "梯度检验"),
        instructions=text(
            "Return the central-difference estimate, with step eps, of the gradient of the scalar function f "
            "at theta, same shape as theta. Leave theta unchanged.",
            "返回标量函数 f 在 theta 处梯度的中心差分估计（步长为 eps），形状与 theta 相同。不要修改 theta。",
        ),
        latex=r"\frac{\partial f}{\partial \theta_i} \approx \frac{f(\theta + \varepsilon e_i) - "
        r"f(\theta - \varepsilon e_i)}{2\varepsilon}",
        points=8,
        reference=fd.central_poly_gradient,
        output="array",
        properties=(general(inputs.numerical_gradient_args, 0.7), unchanged(0.3)),
        misconceptions=(mistakes.FORWARD_DIFFERENCE,),
        atol=NUMERICAL_GRADIENT_ATOL,
        functions=("f",),
        forms=(fd.evaluated_central_difference,),
    ),
    Step(
        id="sgd_step",
        title=text("A step of gradient descent", "一步梯度下降"),
        instructions=text(
            "Return a new list [(W1 − lr·∂E/∂W1, b1 − lr·∂E/∂b1), ...] for every layer. The lists and arrays you "
            "are given must stay unchanged.",
            "为每一层返回新的列表 [(W1 − lr·∂E/∂W1, b1 − lr·∂E/∂b1), ...]。传入的列表和数组必须保持不变。",
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

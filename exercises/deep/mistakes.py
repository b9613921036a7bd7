"""Wrong formulas students write in the `deep` assignment, each with a hint that names the idea.

Each answer is a function of the step's own arguments and returns what the mistaken
code would return, or None where that code has no answer (a shape it cannot multiply,
or a result that is not finite). Hints name the idea and never give the answer; the
formula hint, shown only where the course allows, states the corrected formula.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from backprop_lab.exercises.deep.oracles import poly_value
from backprop_lab.exercises.step import Misconception, text
from backprop_lab.solutions import deep as ref


def _mistake(mid: str, answer: Callable[..., Any], hint: dict[str, str], en: str, zh: str) -> Misconception:
    return Misconception(id=mid, answer=answer, hint=hint, formula_hint=text(en, zh))


def _finite(value: np.ndarray) -> np.ndarray | None:
    return value if np.isfinite(value).all() else None


# ------------------------------------------------------------------ activation derivatives

ACTIVATION_ARGUMENT = text(
    "The argument is already the activation a = f(z). Applying f to it again evaluates the slope at the "
    "wrong point.",
    "参数已经是激活值 a = f(z)。再对它套一次 f，得到的是另一个点的斜率。",
)

TANH_GRAD_OF_Z = _mistake(
    "tanh_grad_of_z",
    lambda A: 1.0 - np.tanh(A) ** 2,
    ACTIVATION_ARGUMENT,
    "tanh'(z) = 1 − a², with a the argument itself; 1 − tanh(a)² is the slope at z = a.",
    "tanh'(z) = 1 − a²，a 就是传入的参数；1 − tanh(a)² 是 z = a 处的斜率。",
)
SIGMOID_GRAD_OF_Z = _mistake(
    "sigmoid_grad_of_z",
    lambda A: ref.activate(A, "sigmoid") * (1.0 - ref.activate(A, "sigmoid")),
    ACTIVATION_ARGUMENT,
    "σ'(z) = a(1 − a), with a the argument itself; σ(a)(1 − σ(a)) is the slope at z = a.",
    "σ'(z) = a(1 − a)，a 就是传入的参数；σ(a)(1 − σ(a)) 是 z = a 处的斜率。",
)
RELU_GRAD_AT_ZERO = _mistake(
    "relu_grad_at_zero",
    lambda Z: (np.asarray(Z) >= 0).astype(np.float64),
    text(
        "ReLU has a kink at z = 0, where no derivative exists; the convention of the notes decides what "
        "the kink contributes. Check which side of the kink 0 belongs to.",
        "ReLU 在 z = 0 处有一个折点，那里不存在导数；笔记中的约定决定折点处取什么值。想一想 0 属于折点的哪一侧。",
    ),
    "relu'(z) = 1 for z > 0 only: at z = 0 the convention is 0.",
    "只有 z > 0 时 relu'(z) = 1：在 z = 0 处约定为 0。",
)

# ------------------------------------------------------------------ softmax and the loss


def _softmax_unshifted(Z: np.ndarray) -> np.ndarray | None:
    with np.errstate(all="ignore"):
        e = np.exp(Z)
        return _finite(e / e.sum(axis=1, keepdims=True))


def _softmax_columns(Z: np.ndarray) -> np.ndarray:
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


SOFTMAX_NO_SHIFT = _mistake(
    "softmax_no_shift",
    _softmax_unshifted,
    text(
        "e^z overflows for z above about 709 and vanishes below about −745, although every ratio "
        "e^z_k / Σ e^z_j is a modest number. What can you subtract from a row without changing its softmax?",
        "当 z 大于约 709 时 e^z 会溢出，小于约 −745 时会变成 0，而每个比值 e^z_k / Σ e^z_j 都是普通大小的数。"
        "从一行中减去什么不会改变它的 softmax？",
    ),
    "Subtract each row's maximum first: softmax(z) = e^(z − max z) / Σ e^(z − max z).",
    "先减去每行的最大值：softmax(z) = e^(z − max z) / Σ e^(z − max z)。",
)
SOFTMAX_WRONG_AXIS = _mistake(
    "softmax_wrong_axis",
    _softmax_columns,
    text(
        "Rows are examples and columns are classes: each example's probabilities sum to 1.",
        "行是样本，列是类别：每个样本的各类概率之和为 1。",
    ),
    "Normalise along axis 1 (the classes), with keepdims=True.",
    "沿 axis 1（类别）归一化，并使用 keepdims=True。",
)
SUM_NOT_MEAN = text(
    "The batch loss is the mean over the m examples, so it and everything derived from it is a mean.",
    "批次损失是 m 个样本的平均，所以它以及由它得到的梯度都是平均值。",
)


def _labelled_logs(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """y·ln p, with 0·ln 0 = 0 as the loss defines it."""
    return np.where(Y > 0, Y * np.log(np.where(Y > 0, P, 1.0)), 0.0)


def _binary_cross_entropy(P: np.ndarray, Y: np.ndarray) -> float | None:
    with np.errstate(all="ignore"):
        value = float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1).mean())
    return value if np.isfinite(value) else None


CROSS_ENTROPY_SUM = _mistake(
    "sum_not_mean",
    lambda P, Y: float(-_labelled_logs(P, Y).sum()),
    SUM_NOT_MEAN,
    "E = −(1/m) Σ_rows Σ_k y_k ln p_k: sum over the classes, then the mean over the rows.",
    "E = −(1/m) Σ_行 Σ_k y_k ln p_k：先对类别求和，再对行取平均。",
)
BINARY_CROSS_ENTROPY = _mistake(
    "binary_cross_entropy",
    _binary_cross_entropy,
    text(
        "That is the loss of independent sigmoid outputs. With softmax the classes share one distribution: "
        "only the probability of each labelled class enters the loss.",
        "这是各自独立的 sigmoid 输出的损失。使用 softmax 时，各类别共享一个分布：只有被标注类别的概率进入损失。",
    ),
    "E = −Σ_k y_k ln p_k per row, with no (1 − y) ln(1 − p) terms.",
    "每行 E = −Σ_k y_k ln p_k，没有 (1 − y) ln(1 − p) 项。",
)

# ------------------------------------------------------------------ the output δ

JACOBIAN_TWICE = _mistake(
    "jacobian_twice",
    lambda P, Y: (P - Y) * P * (1 - P),
    text(
        "Softmax's Jacobian is one link of the chain, used once: once ∂E/∂p has been carried through it, "
        "multiplying by p(1 − p) again counts that link twice.",
        "softmax 的雅可比矩阵是链中的一环，只用一次：∂E/∂p 经过它之后，再乘以 p(1 − p)，这一环就被算了两次。",
    ),
    "δL = P − Y, with no further factor.",
    "δL = P − Y，不再乘任何因子。",
)
OUTPUT_DELTA_SIGN = _mistake(
    "output_delta_sign",
    lambda P, Y: Y - P,
    text(
        "Follow the sign: if a class gets too much probability, does the loss grow or shrink as its z grows?",
        "注意符号：如果某个类别的概率偏大，当它的 z 增大时损失是变大还是变小？",
    ),
    "δL = P − Y; Y − P has the opposite sign.",
    "δL = P − Y；Y − P 的符号正好相反。",
)
LOSS_GRAD_AS_DELTA = _mistake(
    "loss_grad_as_delta",
    lambda P, Y: -Y / P,
    text(
        "That is ∂E/∂p, one link of the chain. δ is ∂E/∂z: one more link, softmax's Jacobian, and the sum collapses.",
        "这是 ∂E/∂p，只是链中的一环。δ 是 ∂E/∂z：还差一环，即 softmax 的雅可比矩阵，之后求和会化简。",
    ),
    "Multiply ∂E/∂p = −y/p by softmax's Jacobian ∂p_j/∂z_k = p_j(1[j = k] − p_k); it collapses to P − Y.",
    "把 ∂E/∂p = −y/p 乘以 softmax 的雅可比矩阵 ∂p_j/∂z_k = p_j(1[j = k] − p_k)，化简后为 P − Y。",
)

# ------------------------------------------------------------------ the recursion


def _transposed_recursion(
    delta_next: np.ndarray, W_next: np.ndarray, f_prime: np.ndarray
) -> np.ndarray | None:
    if W_next.shape[0] != W_next.shape[1]:
        return None  # δ(l+1) @ W(l+1)ᵀ only multiplies when the two layers are as wide
    return f_prime * (delta_next @ W_next.T)


MISSING_F_PRIME_HINT = text(
    "δ of a hidden layer is ∂E/∂z, not ∂E/∂a: after summing the paths back to a, one more link of the "
    "chain takes you from a to z.",
    "隐藏层的 δ 是 ∂E/∂z，不是 ∂E/∂a：把各条路径加到 a 之后，链式法则还差一环：从 a 到 z。",
)
MISSING_F_PRIME = _mistake(
    "missing_f_prime",
    lambda delta_next, W_next, f_prime: delta_next @ W_next,
    MISSING_F_PRIME_HINT,
    "δl = f'(Zl) ⊙ (δ(l+1) @ W(l+1)): multiply by f_prime entry by entry.",
    "δl = f'(Zl) ⊙ (δ(l+1) @ W(l+1))：再逐元素乘以 f_prime。",
)
MISSING_TRANSPOSE = _mistake(
    "missing_transpose",
    _transposed_recursion,
    text(
        "Check which index of W(l+1) belongs to layer l+1 and which to layer l, and pair each weight with the "
        "δ of the unit it feeds.",
        "想一想 W(l+1) 的哪个下标对应第 l+1 层、哪个对应第 l 层，让每个权重与它通向的那个单元的 δ 配对。",
    ),
    "W(l+1) has shape (n(l+1), nl): δ(l+1) @ W(l+1) has shape (m, nl); no transpose.",
    "W(l+1) 的形状是 (n(l+1), nl)：δ(l+1) @ W(l+1) 的形状为 (m, nl)；不需要转置。",
)

# ------------------------------------------------------------------ one layer's gradients

WEIGHT_SHAPE = text(
    "A gradient has the shape of what it differentiates: one entry per weight, rows for the units fed, "
    "columns for the units feeding.",
    "梯度与被求导的量形状相同：每个权重一项，行对应接收输入的单元，列对应提供输入的单元。",
)
TRANSPOSED_WEIGHT_GRAD = _mistake(
    "transposed_weight_grad",
    lambda delta, A_prev: (A_prev.T @ delta / delta.shape[0], delta.mean(axis=0)),
    WEIGHT_SHAPE,
    "∂E/∂W = δᵀ A_prev / m, shape (n_out, n_in), not A_prevᵀ δ / m.",
    "∂E/∂W = δᵀ A_prev / m，形状为 (n_out, n_in)，而不是 A_prevᵀ δ / m。",
)
LAYER_GRADS_SUM = _mistake(
    "sum_not_mean",
    lambda delta, A_prev: (delta.T @ A_prev, delta.sum(axis=0)),
    SUM_NOT_MEAN,
    "Divide both by m: ∂E/∂W = δᵀ A_prev / m, ∂E/∂b = the mean of δ over the rows.",
    "两者都要除以 m：∂E/∂W = δᵀ A_prev / m，∂E/∂b = δ 在各行上的平均。",
)
BIAS_WRONG_AXIS = _mistake(
    "bias_wrong_axis",
    lambda delta, A_prev: (delta.T @ A_prev / delta.shape[0], delta.mean(axis=1)),
    text(
        "Rows are examples and columns are units: the bias gradient has one number per unit.",
        "行是样本，列是单元：偏置的梯度每个单元一个数。",
    ),
    "∂E/∂b = δ.mean(axis=0), shape (n_out,).",
    "∂E/∂b = δ.mean(axis=0)，形状为 (n_out,)。",
)

# ------------------------------------------------------------------ the backward pass


def backward_with(
    X: np.ndarray,
    Y: np.ndarray,
    layers: ref.Layers,
    activations: list[str],
    *,
    recursion: Callable[[np.ndarray, ref.Layers, int, np.ndarray], np.ndarray],
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The reference backward pass with a student's δ recursion: (δ(l+1), layers, l, f'(Zl)) → δl,
    l counted from 0 for the first hidden layer; None where that recursion cannot multiply."""
    cache = ref.forward(X, layers, activations)
    Z, A, m = cache["Z"], cache["A"], X.shape[0]
    delta, grads = cache["P"] - Y, []
    try:
        for layer in range(len(layers) - 1, -1, -1):
            grads.append((delta.T @ A[layer] / m, delta.mean(axis=0)))
            if layer > 0:
                f_prime = ref.activation_grad(Z[layer - 1], A[layer], activations[layer - 1])
                delta = recursion(delta, layers, layer, f_prime)
    except ValueError:
        return None
    return grads[::-1]


def _input_delta_shift(
    X: np.ndarray, Y: np.ndarray, layers: ref.Layers, activations: list[str]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The recursion goes on to the inputs (δ0 = δ1 @ W1, there being no activation there), and
    the δs, one too many, are paired with the activations one place off: layer l gets δ of l−1."""
    cache = ref.forward(X, layers, activations)
    Z, A, m = cache["Z"], cache["A"], X.shape[0]
    deltas = [cache["P"] - Y]
    for layer in range(len(layers) - 1, -1, -1):
        W = layers[layer][0]
        if layer > 0:
            f_prime = ref.activation_grad(Z[layer - 1], A[layer], activations[layer - 1])
            deltas.insert(0, f_prime * (deltas[0] @ W))
        else:
            deltas.insert(0, deltas[0] @ W)  # ∂E/∂X: a δ for the input layer
    return [(deltas[layer].T @ A[layer] / m, deltas[layer].mean(axis=0)) for layer in range(len(layers))]


DELTA_FOR_INPUT_LAYER = _mistake(
    "delta_for_input_layer",
    _input_delta_shift,
    text(
        "The inputs have no weights below them and no activation: the recursion stops at the first hidden "
        "layer. Count the δs: one per layer with weights.",
        "输入层下面没有权重，也没有激活函数：递推在第一个隐藏层就停止。数一数 δ 的个数：每个有权重的层一个。",
    ),
    "Layer l's gradients are δlᵀ A(l−1) / m and the mean of δl, for l = 1..L; no δ0 is needed.",
    "第 l 层的梯度是 δlᵀ A(l−1) / m 和 δl 的平均，l = 1..L；不需要 δ0。",
)
WRONG_LAYER_INDEX = _mistake(
    "wrong_layer_index",
    lambda X, Y, layers, activations: backward_with(
        X,
        Y,
        layers,
        activations,
        recursion=lambda delta, layers, layer, f_prime: f_prime * (delta @ layers[layer - 1][0]),
    ),
    text(
        "δ of layer l collects the paths through the weights that leave layer l. Which layer's matrix "
        "holds them?",
        "第 l 层的 δ 汇集了从第 l 层出发的那些权重上的路径。这些权重存放在哪一层的矩阵里？",
    ),
    "δl = f'(Zl) ⊙ (δ(l+1) @ W(l+1)): the weights of the layer above, not Wl.",
    "δl = f'(Zl) ⊙ (δ(l+1) @ W(l+1))：用上一层的权重，而不是 Wl。",
)
BACKWARD_MISSING_F_PRIME = _mistake(
    "missing_f_prime",
    lambda X, Y, layers, activations: backward_with(
        X, Y, layers, activations, recursion=lambda delta, layers, layer, f_prime: delta @ layers[layer][0]
    ),
    MISSING_F_PRIME_HINT,
    "Every hidden δ is f'(Zl) ⊙ (δ(l+1) @ W(l+1)).",
    "每个隐藏层的 δ 都是 f'(Zl) ⊙ (δ(l+1) @ W(l+1))。",
)


def _scaled_backward(
    factor: Callable[[int], float],
) -> Callable[..., list[tuple[np.ndarray, np.ndarray]]]:
    def answer(
        X: np.ndarray, Y: np.ndarray, layers: ref.Layers, activations: list[str]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        f = factor(X.shape[0])
        return [(dW * f, db * f) for dW, db in ref.backward(X, Y, layers, activations)]

    return answer


BACKWARD_SUM = _mistake(
    "sum_not_mean",
    _scaled_backward(float),
    SUM_NOT_MEAN,
    "Every gradient of the batch loss is divided by m once.",
    "批次损失的每个梯度都要除以 m 一次。",
)
BACKWARD_SIGN = _mistake(
    "output_delta_sign",
    _scaled_backward(lambda m: -1.0),
    OUTPUT_DELTA_SIGN.hint,
    "Start from δL = P − Y (not Y − P).",
    "从 δL = P − Y 开始（而不是 Y − P）。",
)

# ------------------------------------------------------------------ forward, the check, SGD


def _activated_output(X: np.ndarray, layers: ref.Layers, activations: list[str]) -> dict[str, Any] | None:
    """The forward pass that also applies the last hidden activation to the output layer's Z."""
    if not activations:
        return None
    cache = ref.forward(X, layers, activations)
    return {**cache, "P": ref.softmax(ref.activate(cache["Z"][-1], activations[-1]))}


ACTIVATION_ON_OUTPUT = _mistake(
    "activation_on_output",
    _activated_output,
    text(
        "The output layer has no hidden activation: softmax itself turns its z into probabilities.",
        "输出层没有隐藏层的激活函数：softmax 本身就把它的 z 变成概率。",
    ),
    "P = softmax(ZL), with ZL = A(L−1) @ WLᵀ + bL, no f in between.",
    "P = softmax(ZL)，其中 ZL = A(L−1) @ WLᵀ + bL，中间没有 f。",
)


def _forward_difference(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    base, result = poly_value(f, theta), np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        shifted = theta.copy()
        shifted[index] += eps
        result[index] = (poly_value(f, shifted) - base) / eps
    return result


FORWARD_DIFFERENCE = _mistake(
    "forward_difference",
    _forward_difference,
    text(
        "A one-sided difference is off by a term proportional to ε. Which difference quotient cancels that term?",
        "单侧差分的误差与 ε 成正比。哪种差商能消去这一项？",
    ),
    "Use (f(θ + ε) − f(θ − ε)) / 2ε: it is accurate to ε², not ε.",
    "使用 (f(θ + ε) − f(θ − ε)) / 2ε：它的精度是 ε²，而不是 ε。",
)
SGD_SIGN = _mistake(
    "sign_error",
    lambda layers, grads, lr: [
        (W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(layers, grads, strict=True)
    ],
    text(
        "The gradient points towards larger E. Which way must a step of gradient descent go?",
        "梯度指向 E 增大的方向。梯度下降的一步应该朝哪个方向走？",
    ),
    "W ← W − lr·∂E/∂W and b ← b − lr·∂E/∂b.",
    "W ← W − lr·∂E/∂W，b ← b − lr·∂E/∂b。",
)
SGD_NO_RATE = _mistake(
    "learning_rate_missing",
    lambda layers, grads, lr: [(W - dW, b - db) for (W, b), (dW, db) in zip(layers, grads, strict=True)],
    text(
        "A step of gradient descent is scaled: the gradient gives the direction, something else the length.",
        "梯度下降的一步是有缩放的：梯度给出方向，另一个量决定步长。",
    ),
    "θ ← θ − lr·∂E/∂θ.",
    "θ ← θ − lr·∂E/∂θ。",
)

"""The default assignment, `backprop`: one record per step, in the order students meet them.

Each record holds the step's words (English and Chinese), points, the reference, the
inputs of each property it is credited by, a finite-difference oracle computed from
the reference *forward* pass only, the steps it may be built from, and the wrong
formulas students are known to write, each with a hint that names the idea first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.exercises.draw import GENERAL_SHAPES, SINGLE_SHAPES, between, nonzero, params, plan
from backprop_lab.exercises.step import GENERAL, UNCHANGED, Args, Misconception, Property, Step
from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions import textbook
from backprop_lab.solutions.gradcheck import numerical_gradients

# ------------------------------------------------------------------ inputs


def _z(rng: np.random.Generator, index: int) -> Args:
    m, n = plan(GENERAL_SHAPES, index)[:2]
    return {"z": nonzero(rng, (m, n), hi=5.0) if index % 3 else nonzero(rng, (n + 1,), hi=5.0)}


def _z_extreme(rng: np.random.Generator, index: int) -> Args:
    edges = np.array([1e3, -1e3, 710.0, -710.0, 745.5, -745.5, 40.0, -40.0])
    return {"z": np.concatenate([edges, nonzero(rng, (4,), lo=30.0, hi=900.0)]).reshape(3, 4)}


def _a(rng: np.random.Generator, index: int) -> Args:
    m, n = plan(GENERAL_SHAPES, index)[:2]
    return {"a": between(rng, (m, n))}


def _forward_args(shapes: tuple[tuple[int, ...], ...], hi: float = 2.0) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, d, h, k = plan(shapes, index)
        return {"X": nonzero(rng, (m, d)), "params": params(rng, d, h, k, hi=hi)}

    return draw


def _probabilities(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, _, k = plan(shapes, index)
        return {"P": between(rng, (m, k)), "Y": between(rng, (m, k))}

    return draw


def _probabilities_extreme(rng: np.random.Generator, index: int) -> Args:
    """Confident predictions, right and wrong, with labels of 0 and 1 as real data has them."""
    near = np.array([1e-6, 1 - 1e-6, 1e-4, 1 - 1e-4, 0.5, 0.25])
    P = rng.permutation(near).reshape(3, 2) if index % 2 else rng.permutation(near).reshape(2, 3)
    return {"P": P, "Y": rng.integers(0, 2, size=P.shape).astype(np.float64)}


def _hidden_delta_args(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, h, k = plan(shapes, index)
        return {
            "A_hidden": between(rng, (m, h)),
            "W_out": nonzero(rng, (k, h)),
            "delta_out": nonzero(rng, (m, k), lo=0.1, hi=1.0),
        }

    return draw


def _weight_grad_args(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, n_in, n_out = plan(shapes, index)  # n_in = n_out ≥ 2 in some plans: a transpose shows
        return {"delta": nonzero(rng, (m, n_out), lo=0.1, hi=1.0), "A_prev": nonzero(rng, (m, n_in))}

    return draw


def _bias_grad_args(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, _, n_out = plan(shapes, index)
        return {"delta": nonzero(rng, (m, n_out), lo=0.1, hi=1.0)}

    return draw


# The largest |z| of an output unit in backward's cases: σ(15) = 1 − 3.1e-7, so p is never
# exactly 0 or 1, where the chain rule's ∂E/∂p · ∂p/∂z is ∞ · 0 and the notes' δ undefined.
OUTPUT_Z_BOUND = 15.0


def _backward_args(shapes: tuple[tuple[int, ...], ...], hi: float = 2.0) -> Callable[..., Args]:
    forward_args = _forward_args(shapes, hi)

    def draw(rng: np.random.Generator, index: int) -> Args:
        args = forward_args(rng, index)
        m, k = args["X"].shape[0], args["params"]["W_out"].shape[0]
        p = args["params"]
        largest = np.abs(ref.forward(args["X"], p)["Z_out"]).max()
        if largest > OUTPUT_Z_BOUND:  # extreme hidden units stay saturated; the output layer shrinks
            scale = OUTPUT_Z_BOUND / largest
            args["params"] = {**p, "W_out": p["W_out"] * scale, "b_out": p["b_out"] * scale}
        return {**args, "Y": between(rng, (m, k))}

    return draw


# The ε each gradient-check case passes: large enough that a central difference's own
# truncation error, d·ε² ≥ 2e-7 on the grader's f, is far above the step's tolerance
# (NUMERICAL_GRADIENT_ATOL), and far above its rounding (≤ 1e-10 here). So the right
# answer is the central difference at that ε, and ignoring ε, a one-sided difference or
# the exact gradient each miss it. (At ε = 1e-4 the truncation, 2e-9, would be within 20×
# of the rounding: too close to tell apart on every draw.)
CHECK_EPS = (1e-2, 1e-3)
NUMERICAL_GRADIENT_ATOL = 1e-8


def _numerical_gradient_args(rng: np.random.Generator, index: int) -> Args:
    # Small θ, 1-D and 2-D: the grader answers each of f's two evaluations per entry.
    n = plan(GENERAL_SHAPES, index)[1]
    shape = (2, n) if index % 2 else (n + 1,)
    f = {"kind": "poly", "c": rng.uniform(10.0, 20.0, size=shape), "d": nonzero(rng, shape, lo=0.2, hi=1.0)}
    return {"f": f, "theta": nonzero(rng, shape, lo=0.1, hi=1.0), "eps": CHECK_EPS[index % len(CHECK_EPS)]}


def _sgd_step_args(rng: np.random.Generator, index: int) -> Args:
    _, d, h, k = plan(GENERAL_SHAPES, index)
    lr = (0.5, 0.1, 0.05, 1.0)[index % 4]
    return {"params": params(rng, d, h, k), "grads": params(rng, d, h, k), "lr": lr}


# ------------------------------------------------------------------ answers described by data


def poly_value(f: dict[str, np.ndarray], theta: np.ndarray) -> float:
    """f(θ) = Σ c·θ² + Σ d·θ³: the function whose gradient `numerical_gradient` must estimate.

    Its curvature is at least 14 on |θ| ≤ 1, so a forward difference is off by about 10·ε,
    and its cubic term puts a central difference off the exact gradient by exactly d·ε².
    The grader evaluates it for the student's code (see graders/calls.py).
    """
    return float((f["c"] * theta**2).sum() + (f["d"] * theta**3).sum())


def central_poly_gradient(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    """The central difference (f(θ + εe_i) − f(θ − εe_i)) / 2ε of the described f, in closed form:
    the exact gradient 2cθ + 3dθ² plus the central difference's truncation d·ε², without rounding."""
    return 2 * f["c"] * theta + 3 * f["d"] * theta**2 + f["d"] * eps**2


def evaluated_central_difference(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    """The same central difference computed as a student does, by evaluating f: the rounding
    the step's tolerance must accept (its taught form)."""
    grad = np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (poly_value(f, plus) - poly_value(f, minus)) / (2 * eps)
    return grad


# ------------------------------------------------------------------ finite-difference oracles


def _central(loss: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central differences of a function of one array, by the reference's gradient check."""
    return numerical_gradients(lambda p: loss(p["x"]), {"x": np.asarray(x, dtype=np.float64)})["x"]


def _elementwise_ce(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return -(Y * np.log(P) + (1 - Y) * np.log1p(-P))  # log1p: no cancellation in 1 − p for small p


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def _ce_of_logits(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """−[y ln σ(z) + (1 − y) ln(1 − σ(z))] = ln(1 + e^z) − y·z, without the cancellation in 1 − σ(z)."""
    return np.logaddexp(0.0, Z) - Y * Z


def fd_cross_entropy_grad(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # Each entry depends on its own p alone; the step is relative to the distance from 0 and 1.
    h = 1e-6 * np.minimum(P, 1 - P)
    return (_elementwise_ce(P + h, Y) - _elementwise_ce(P - h, Y)) / (2 * h)


def fd_output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    Z, h = _logit(P), 1e-6
    return (_ce_of_logits(Z + h, Y) - _ce_of_logits(Z - h, Y)) / (2 * h)


def fd_hidden_delta(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray:
    # δ_out is ∂E/∂Z_out, so E changes with Z_hidden as Σ δ_out ⊙ (σ(Z_hidden) W_outᵀ) does, to first order.
    return _central(lambda z: float((delta_out * (ref.sigmoid(z) @ W_out.T)).sum()), _logit(A_hidden))


def fd_weight_grad(delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    m, W = delta.shape[0], np.zeros((delta.shape[1], A_prev.shape[1]))
    return _central(lambda w: float((delta * (A_prev @ w.T)).sum()) / m, W)


def fd_bias_grad(delta: np.ndarray) -> np.ndarray:
    m, b = delta.shape[0], np.zeros(delta.shape[1])
    return _central(lambda v: float((delta * v).sum()) / m, b)


def fd_backward(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    def loss(p: dict[str, np.ndarray]) -> float:
        return float(_ce_of_logits(ref.forward(X, p)["Z_out"], Y).sum(axis=1).mean())

    return numerical_gradients(loss, params)


# ------------------------------------------------------------------ wrong formulas


def _backward_with(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], *, hidden: Callable[..., np.ndarray]
) -> dict[str, np.ndarray]:
    """The reference backward pass with a student's way of computing the hidden δ."""
    c = ref.forward(X, params)
    d_out = c["P"] - Y
    d_hid = hidden(c, d_out, params["W_out"])
    m = X.shape[0]
    return {
        "W_hidden": d_hid.T @ X / m,
        "b_hidden": d_hid.mean(0),
        "W_out": d_out.T @ c["A_hidden"] / m,
        "b_out": d_out.mean(0),
    }


def _scaled_backward(factor: Callable[[int], float]) -> Callable[..., dict[str, np.ndarray]]:
    def answer(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: g * factor(X.shape[0]) for k, g in ref.backward(X, Y, params).items()}

    return answer


def _replaced_backward(change: Callable[..., dict[str, np.ndarray]]) -> Callable[..., dict[str, np.ndarray]]:
    def answer(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {**ref.backward(X, Y, params), **change(X, Y, params, ref.backward(X, Y, params))}

    return answer


def _forward_difference(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    base, result = poly_value(f, theta), np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        shifted = theta.copy()
        shifted[i] += eps
        result[i] = (poly_value(f, shifted) - base) / eps
    return result


def _single_path_square(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray | None:
    if W_out.shape[0] != W_out.shape[1]:
        return None  # "one path per unit" needs as many outputs as hidden units
    return A_hidden * (1 - A_hidden) * (delta_out[:, : A_hidden.shape[1]] * np.diag(W_out))


def _hint(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


SIGMOID_TWICE = _hint(
    "The argument is already the activation a = σ(z). Applying σ to it again evaluates the slope at the wrong point.",
    "参数已经是激活值 a = σ(z)。再对它套一次 σ，得到的是另一个点的斜率。",
)
MISSING_DERIVATIVE = _hint(
    "δ of a hidden unit is ∂E/∂z, not ∂E/∂a: after summing the paths back to a, one more link of the chain "
    "takes you from a to z.",
    "隐藏单元的 δ 是 ∂E/∂z，不是 ∂E/∂a：把各条路径加到 a 之后，链式法则还差一环：从 a 到 z。",
)
SINGLE_PATH = _hint(
    "A hidden unit feeds every output unit. The chain rule adds up one term per path from the unit to E.",
    "一个隐藏单元的输出会送到每一个输出单元。链式法则要把从该单元到 E 的每条路径各算一项，再相加。",
)
TRANSPOSE = _hint(
    "Check which index of W_out belongs to the output unit and which to the hidden unit, and pair each weight "
    "with the δ of the unit it feeds.",
    "想一想 W_out 的哪个下标对应输出单元、哪个对应隐藏单元，让每个权重与它通向的那个单元（输出侧）的 δ 配对。",
)
WEIGHT_SHAPE = _hint(
    "A gradient has the shape of what it differentiates: one entry per weight, rows for the units fed, "
    "columns for the units feeding.",
    "梯度与被求导的量形状相同：每个权重一项，行对应接收输入的单元（输出侧），列对应提供输入的单元（输入侧）。",
)
SIGN = _hint(
    "Follow the sign: if the prediction is too high, does the error grow or shrink as z grows?",
    "注意符号：如果预测偏大，当 z 增大时误差是变大还是变小？",
)
DESCENT_SIGN = _hint(
    "The gradient points towards larger E. Which way must a step of gradient descent go?",
    "梯度指向 E 增大的方向。梯度下降的一步应该朝哪个方向走？",
)
LOSS_SIGN = _hint(
    "The loss carries a minus sign in front of the logarithms: carry it through the derivative.",
    "损失函数的对数前面有一个负号：求导时不要丢掉它。",
)
MSE_DELTA = _hint(
    "That is the δ of a different loss, the squared error. Differentiate this assignment's cross-entropy "
    "and multiply by ∂p/∂z: most factors cancel.",
    "这是另一种损失（平方误差）的 δ。对本作业的交叉熵求导，再乘以 ∂p/∂z：大部分因子会约掉。",
)
LOSS_GRAD = _hint(
    "That is ∂E/∂p, one link of the chain. δ is ∂E/∂z: one more link, from p to z.",
    "这是 ∂E/∂p，只是链中的一环。δ 是 ∂E/∂z：还差一环，从 p 到 z。",
)
PREACTIVATION = _hint(
    "A weight multiplies the activation of the unit below it, not that unit's weighted input.",
    "权重乘的是前一层（输入侧）单元的激活值，而不是那个单元的加权输入。",
)
BIAS_INPUT = _hint(
    "A bias is added, not multiplied by an input: what is ∂z/∂b?",
    "偏置是加上去的，不乘以任何输入：∂z/∂b 等于多少？",
)
MEAN_OVER_OUTPUTS = _hint(
    "E adds up the outputs of one example; only the examples are averaged.",
    "E 对一个样本的各个输出求和；只有样本之间才取平均。",
)
MEAN_MISSING = _hint(
    "The batch loss is the mean over the m examples, so everything derived from it is a mean too.",
    "批次损失是 m 个样本的平均，所以由它得到的梯度也是平均值。",
)
MEAN_TWICE = _hint(
    "The 1/m of the batch mean enters once. Count how often your code divides by m.",
    "批次平均的 1/m 只出现一次。数一数你的代码除以了几次 m。",
)
BIAS_AXIS = _hint(
    "Rows are examples and columns are units: the bias gradient has one number per unit.",
    "行是样本，列是单元：偏置的梯度每个单元一个数。",
)
FORWARD_DIFFERENCE = _hint(
    "A one-sided difference is off by a term proportional to ε. Which difference quotient cancels that term?",
    "单侧差分的误差与 ε 成正比。哪种差商能消去这一项？",
)
MUTATES_INPUT = Misconception(
    "mutates_input",
    None,
    _hint(
        "The function changed an array it was given. The caller still needs its inputs: work on a copy or "
        "build new arrays.",
        "函数修改了传入的数组。调用者还需要这些输入：请在副本上操作，或创建新数组。",
    ),
)


def _m(mid: str, answer: Callable[..., object], hint: dict[str, str], en: str, zh: str) -> Misconception:
    return Misconception(mid, answer, hint, _hint(en, zh))


# ------------------------------------------------------------------ the steps


def _general(draw: Callable[..., Args], share: float, count: int = 6) -> Property:
    return Property(GENERAL, share, draw, count)


def _single(draw: Callable[..., Args], share: float, count: int = 3) -> Property:
    return Property("single_example", share, draw, count)


def _extremes(draw: Callable[..., Args], share: float, count: int = 2) -> Property:
    return Property("extremes", share, draw, count)


def _unchanged(share: float) -> Property:
    return Property(UNCHANGED, share)


STEPS: tuple[Step, ...] = (
    Step(
        "sigmoid",
        _hint("The sigmoid", "Sigmoid 函数"),
        _hint(
            "Return σ(z) elementwise, same shape as z. It must stay finite and within [0, 1] for any finite z, "
            "even z = ±1000: think about which form of the formula cannot overflow.",
            "逐元素返回 σ(z)，形状与 z 相同。对任意有限的 z（即使 z = ±1000）结果都必须是有限的且在 [0, 1] 内："
            "想一想公式的哪种写法不会溢出。",
        ),
        r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        5,
        ref.sigmoid,
        "array",
        (_general(_z, 0.6), _extremes(_z_extreme, 0.3), _unchanged(0.1)),
        bounded=True,
        forms=(textbook.sigmoid,),
    ),
    Step(
        "sigmoid_grad",
        _hint("The derivative of the sigmoid", "Sigmoid 的导数"),
        _hint(
            "The argument is the activation a = σ(z), not z. Return σ'(z) written through a.",
            "参数是激活值 a = σ(z)，不是 z。返回用 a 表示的 σ'(z)。",
        ),
        r"\frac{\partial a}{\partial z} = \sigma^\prime(z) = a\,(1 - a)",
        5,
        ref.sigmoid_grad,
        "array",
        (_general(_a, 0.9), _unchanged(0.1)),
        forms=(textbook.sigmoid_grad,),
        misconceptions=(
            _m(
                "sigmoid_applied_twice",
                lambda a: ref.sigmoid(a) * (1 - ref.sigmoid(a)),
                SIGMOID_TWICE,
                "The derivative is a(1 − a); σ(a)(1 − σ(a)) is the slope at the wrong point.",
                "导数就是 a(1 − a)；σ(a)(1 − σ(a)) 是另一个点的斜率。",
            ),
        ),
    ),
    Step(
        "forward",
        _hint("The forward pass", "前向传播"),
        _hint(
            "A batch is rows: X has shape (m, d). Return a dict with Z_hidden, A_hidden, Z_out and P. For one "
            "example this is z1 = W1·x1 + W2·x2 + b1, a1 = σ(z1), ..., p1 = σ(z3).",
            "一批样本按行排列：X 的形状为 (m, d)。返回包含 Z_hidden、A_hidden、Z_out 和 P 的字典。对单个样本就是 "
            "z1 = W1·x1 + W2·x2 + b1，a1 = σ(z1)，……，p1 = σ(z3)。",
        ),
        r"Z_h = X W_h^\top + b_h,\quad A_h = \sigma(Z_h),\quad Z_o = A_h W_o^\top + b_o,\quad P = \sigma(Z_o)",
        10,
        ref.forward,
        "arrays",
        (
            _general(_forward_args(GENERAL_SHAPES), 0.6),
            _single(_forward_args(SINGLE_SHAPES), 0.2),
            _extremes(_forward_args(GENERAL_SHAPES, hi=40.0), 0.1),
            _unchanged(0.1),
        ),
        uses=("sigmoid",),
        forms=(textbook.forward,),
    ),
    Step(
        "cross_entropy",
        _hint("The loss", "损失函数"),
        _hint(
            "Return the batch loss as a float: E summed over the outputs k for each example, then averaged over "
            "the m examples.",
            "以 float 返回批次损失：每个样本先对输出 k 求和得到 E，再对 m 个样本取平均。",
        ),
        r"E = -\sum_k \left[ y_k \ln p_k + (1 - y_k) \ln(1 - p_k) \right]",
        5,
        ref.cross_entropy,
        "float",
        (
            _general(_probabilities(GENERAL_SHAPES), 0.6),
            _single(_probabilities(SINGLE_SHAPES), 0.2),
            _extremes(_probabilities_extreme, 0.1),
            _unchanged(0.1),
        ),
        misconceptions=(
            _m(
                "mean_over_outputs",
                lambda P, Y: float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).mean()),
                MEAN_OVER_OUTPUTS,
                "Sum over axis 1 (the outputs), then take the mean over axis 0 (the examples).",
                "先沿 axis 1（输出）求和，再沿 axis 0（样本）取平均。",
            ),
            _m(
                "batch_mean_missing",
                lambda P, Y: float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum()),
                MEAN_MISSING,
                "The batch loss is the mean of the per-example E, not their sum.",
                "批次损失是每个样本的 E 的平均，而不是总和。",
            ),
        ),
    ),
    Step(
        "cross_entropy_grad",
        _hint("The derivative of the loss", "损失函数的导数"),
        _hint(
            "Return ∂E/∂P for each example (no averaging), shape (m, k).",
            "返回每个样本的 ∂E/∂P（不取平均），形状为 (m, k)。",
        ),
        r"\frac{\partial E}{\partial p_k} = -\frac{y_k}{p_k} + \frac{1 - y_k}{1 - p_k}",
        5,
        ref.cross_entropy_grad,
        "array",
        (
            _general(_probabilities(GENERAL_SHAPES), 0.6),
            _single(_probabilities(SINGLE_SHAPES), 0.2),
            _extremes(_probabilities_extreme, 0.1),
            _unchanged(0.1),
        ),
        oracle=fd_cross_entropy_grad,
        misconceptions=(
            _m(
                "sign_error",
                lambda P, Y: Y / P - (1 - Y) / (1 - P),
                LOSS_SIGN,
                "∂E/∂p = −y/p + (1 − y)/(1 − p).",
                "∂E/∂p = −y/p + (1 − y)/(1 − p)。",
            ),
        ),
    ),
    Step(
        "output_delta",
        _hint("The output δ", "输出层的 δ"),
        _hint(
            "Return δ_out = ∂E/∂Z_out for each example, shape (m, k). Multiply the two links of the chain and "
            "simplify.",
            "返回每个样本的 δ_out = ∂E/∂Z_out，形状为 (m, k)。把链中的两环相乘再化简。",
        ),
        r"\delta_3 = \frac{\partial E}{\partial z_3} = \frac{\partial E}{\partial p_1}\,"
        r"\frac{\partial p_1}{\partial z_3} = p_1 - y_1",
        10,
        ref.output_delta,
        "array",
        (
            _general(_probabilities(GENERAL_SHAPES), 0.6),
            _single(_probabilities(SINGLE_SHAPES), 0.2),
            _extremes(_probabilities_extreme, 0.1),
            _unchanged(0.1),
        ),
        oracle=fd_output_delta,
        uses=("cross_entropy_grad", "sigmoid_grad"),
        forms=(textbook.output_delta,),
        misconceptions=(
            _m(
                "sign_error",
                lambda P, Y: Y - P,
                SIGN,
                "δ3 = p1 − y1; y − p has the opposite sign.",
                "δ3 = p1 − y1；y − p 的符号正好相反。",
            ),
            _m(
                "mse_delta_with_cross_entropy",
                lambda P, Y: (P - Y) * P * (1 - P),
                MSE_DELTA,
                "(p − y)·p(1 − p) is the squared error's δ; with cross-entropy ∂E/∂p1 · p1(1 − p1) = p1 − y1.",
                "(p − y)·p(1 − p) 是平方误差的 δ；对交叉熵，∂E/∂p1 · p1(1 − p1) = p1 − y1。",
            ),
            _m(
                "loss_grad_as_delta",
                lambda P, Y: -Y / P + (1 - Y) / (1 - P),
                LOSS_GRAD,
                "Multiply ∂E/∂p1 by ∂p1/∂z3 = p1(1 − p1); it simplifies to p1 − y1.",
                "把 ∂E/∂p1 乘以 ∂p1/∂z3 = p1(1 − p1)，化简后为 p1 − y1。",
            ),
        ),
    ),
    Step(
        "hidden_delta",
        _hint("The hidden δ", "隐藏层的 δ"),
        _hint(
            "Return δ_hidden = ∂E/∂Z_hidden, shape (m, h). a1 reaches E through z3 and through z4: add the paths, "
            "then multiply by ∂a1/∂z1. W_out has shape (k, h).",
            "返回 δ_hidden = ∂E/∂Z_hidden，形状为 (m, h)。a1 经过 z3 和 z4 两条路径影响 E：把路径相加，"
            "再乘以 ∂a1/∂z1。W_out 的形状为 (k, h)。",
        ),
        r"\delta_1 = a_1 (1 - a_1) \left( W_5\,\delta_3 + W_7\,\delta_4 \right)",
        15,
        ref.hidden_delta,
        "array",
        (
            _general(_hidden_delta_args(GENERAL_SHAPES), 0.7),
            _single(_hidden_delta_args(SINGLE_SHAPES), 0.2),
            _unchanged(0.1),
        ),
        oracle=fd_hidden_delta,
        uses=("sigmoid_grad",),
        forms=(textbook.hidden_delta,),
        misconceptions=(
            _m(
                "sigmoid_applied_twice",
                lambda A_hidden, W_out, delta_out: (
                    ref.sigmoid(A_hidden) * (1 - ref.sigmoid(A_hidden)) * (delta_out @ W_out)
                ),
                SIGMOID_TWICE,
                "A_hidden already holds a = σ(z), so ∂a/∂z = a(1 − a).",
                "A_hidden 已经是 a = σ(z)，所以 ∂a/∂z = a(1 − a)。",
            ),
            _m(
                "missing_activation_derivative",
                lambda A_hidden, W_out, delta_out: delta_out @ W_out,
                MISSING_DERIVATIVE,
                "After ∂E/∂a1 = δ3·W5 + δ4·W7, multiply by ∂a1/∂z1 = a1(1 − a1).",
                "得到 ∂E/∂a1 = δ3·W5 + δ4·W7 之后，还要乘以 ∂a1/∂z1 = a1(1 − a1)。",
            ),
            _m(
                "single_path",
                _single_path_square,
                SINGLE_PATH,
                "∂E/∂a1 = δ3·W5 + δ4·W7: both paths, added.",
                "∂E/∂a1 = δ3·W5 + δ4·W7：两条路径相加。",
            ),
            _m(
                "single_path",
                lambda A_hidden, W_out, delta_out: (
                    A_hidden * (1 - A_hidden) * np.outer(delta_out[:, 0], W_out[0])
                ),
                SINGLE_PATH,
                "∂E/∂a1 = δ3·W5 + δ4·W7: every output contributes, not only the first.",
                "∂E/∂a1 = δ3·W5 + δ4·W7：每个输出都有贡献，而不只是第一个。",
            ),
            _m(
                "missing_transpose",
                lambda A_hidden, W_out, delta_out: A_hidden * (1 - A_hidden) * (delta_out @ W_out.T),
                TRANSPOSE,
                "W_out has shape (k, h): ∂E/∂A_hidden = δ_out @ W_out, shape (m, h), not δ_out @ W_out.T.",
                "W_out 的形状是 (k, h)：∂E/∂A_hidden = δ_out @ W_out，形状 (m, h)，而不是 δ_out @ W_out.T。",
            ),
        ),
    ),
    Step(
        "weight_grad",
        _hint("Weight gradients", "权重的梯度"),
        _hint(
            "Return ∂E/∂W for the layer fed by A_prev, averaged over the batch, shape (n_out, n_in) like the "
            "weight matrix.",
            "返回以 A_prev 为输入的那一层的 ∂E/∂W，在批次上取平均，形状与权重矩阵相同，为 (n_out, n_in)。",
        ),
        r"\frac{\partial E}{\partial W_5} = \delta_3\, a_1, \qquad \frac{\partial E}{\partial W} = "
        r"\frac{1}{m}\,\delta^\top A_{\mathrm{prev}}",
        10,
        ref.weight_grad,
        "array",
        (
            _general(_weight_grad_args(GENERAL_SHAPES), 0.7),
            _single(_weight_grad_args(SINGLE_SHAPES), 0.2),
            _unchanged(0.1),
        ),
        oracle=fd_weight_grad,
        misconceptions=(
            _m(
                "transposed_weight_grad",
                lambda delta, A_prev: A_prev.T @ delta / delta.shape[0],
                WEIGHT_SHAPE,
                "Entry (j, i) is δ_j·a_i, e.g. ∂E/∂W5 = δ3·a1: deltaᵀ @ A_prev, not A_prevᵀ @ delta.",
                "第 (j, i) 项是 δ_j·a_i，例如 ∂E/∂W5 = δ3·a1：应为 deltaᵀ @ A_prev，而不是 A_prevᵀ @ delta。",
            ),
            _m(
                "batch_mean_missing",
                lambda delta, A_prev: delta.T @ A_prev,
                MEAN_MISSING,
                "Divide the summed deltaᵀ @ A_prev by m.",
                "把求和得到的 deltaᵀ @ A_prev 除以 m。",
            ),
            _m(
                "batch_mean_twice",
                lambda delta, A_prev: delta.T @ A_prev / delta.shape[0] ** 2,
                MEAN_TWICE,
                "deltaᵀ @ A_prev sums over the batch; one division by m makes it the mean.",
                "deltaᵀ @ A_prev 是对批次求和，除以一次 m 就是平均。",
            ),
        ),
    ),
    Step(
        "bias_grad",
        _hint("Bias gradients", "偏置的梯度"),
        _hint(
            "Return ∂E/∂b averaged over the batch, shape (n_out,).",
            "返回在批次上取平均的 ∂E/∂b，形状为 (n_out,)。",
        ),
        r"\frac{\partial E}{\partial b_3} = \delta_3 \cdot \frac{\partial z_3}{\partial b_3} = \delta_3",
        5,
        ref.bias_grad,
        "array",
        (
            _general(_bias_grad_args(GENERAL_SHAPES), 0.7),
            _single(_bias_grad_args(SINGLE_SHAPES), 0.2),
            _unchanged(0.1),
        ),
        oracle=fd_bias_grad,
        misconceptions=(
            _m(
                "batch_mean_missing",
                lambda delta: delta.sum(axis=0),
                MEAN_MISSING,
                "Average the deltas over the batch (axis 0) instead of summing them.",
                "沿批次方向（axis 0）对 δ 取平均，而不是求和。",
            ),
            _m(
                "batch_mean_twice",
                lambda delta: delta.mean(axis=0) / delta.shape[0],
                MEAN_TWICE,
                "delta.mean(axis=0) already divides by m.",
                "delta.mean(axis=0) 已经除以了 m。",
            ),
            _m(
                "bias_wrong_axis",
                lambda delta: delta.mean(axis=1),
                BIAS_AXIS,
                "Average over the examples, axis 0, to get shape (n_out,).",
                "沿样本方向（axis 0）取平均，得到形状 (n_out,)。",
            ),
            _m(
                "bias_not_reduced",
                lambda delta: delta,
                BIAS_AXIS,
                "∂E/∂b has shape (n_out,): average the per-example deltas over the batch.",
                "∂E/∂b 的形状为 (n_out,)：把每个样本的 δ 在批次上取平均。",
            ),
            _m(
                "bias_not_reduced",
                lambda delta: delta / delta.shape[0],
                BIAS_AXIS,
                "∂E/∂b has shape (n_out,): sum the scaled deltas over the batch, axis 0.",
                "∂E/∂b 的形状为 (n_out,)：还要沿批次方向（axis 0）求和。",
            ),
        ),
    ),
    Step(
        "backward",
        _hint("The backward pass", "反向传播"),
        _hint(
            "Return a dict with the gradients of the batch loss for W_hidden, b_hidden, W_out and b_out. Use your "
            "functions above.",
            "返回一个字典，包含批次损失对 W_hidden、b_hidden、W_out 和 b_out 的梯度。请使用上面你写的函数。",
        ),
        r"\text{forward} \;\to\; \delta_{\mathrm{out}} \;\to\; \delta_{\mathrm{hidden}} \;\to\; "
        r"\frac{\partial E}{\partial W},\ \frac{\partial E}{\partial b}",
        15,
        ref.backward,
        "arrays",
        (
            _general(_backward_args(GENERAL_SHAPES), 0.6),
            _single(_backward_args(SINGLE_SHAPES), 0.2),
            _extremes(_backward_args(GENERAL_SHAPES, hi=12.0), 0.1),
            _unchanged(0.1),
        ),
        oracle=fd_backward,
        uses=("forward", "output_delta", "hidden_delta", "weight_grad", "bias_grad"),
        forms=(textbook.backward,),
        misconceptions=(
            _m(
                "sigmoid_grad_on_preactivation",
                lambda X, Y, params: _backward_with(
                    X, Y, params, hidden=lambda c, d, W: c["Z_hidden"] * (1 - c["Z_hidden"]) * (d @ W)
                ),
                _hint(
                    "σ'(z) is written through the activation a = σ(z). Which array holds a?",
                    "σ'(z) 是用激活值 a = σ(z) 表示的。哪个数组存的是 a？",
                ),
                "Use A_hidden, not Z_hidden, in a(1 − a).",
                "在 a(1 − a) 中应使用 A_hidden，而不是 Z_hidden。",
            ),
            _m(
                "missing_activation_derivative",
                lambda X, Y, params: _backward_with(X, Y, params, hidden=lambda c, d, W: d @ W),
                MISSING_DERIVATIVE,
                "After ∂E/∂a = δ_out @ W_out, multiply by ∂a/∂z = a(1 − a).",
                "在 ∂E/∂a = δ_out @ W_out 之后，还要乘以 ∂a/∂z = a(1 − a)。",
            ),
            _m(
                "missing_transpose",
                lambda X, Y, params: _backward_with(
                    X, Y, params, hidden=lambda c, d, W: c["A_hidden"] * (1 - c["A_hidden"]) * (d @ W.T)
                ),
                TRANSPOSE,
                "∂E/∂A_hidden = δ_out @ W_out (W_out has shape (k, h)), not δ_out @ W_out.T.",
                "∂E/∂A_hidden = δ_out @ W_out（W_out 的形状是 (k, h)），而不是 δ_out @ W_out.T。",
            ),
            _m(
                "transposed_weight_grad",
                _replaced_backward(lambda X, Y, p, g: {"W_hidden": g["W_hidden"].T, "W_out": g["W_out"].T}),
                WEIGHT_SHAPE,
                "Each weight gradient is deltaᵀ @ A_prev / m, shape (n_out, n_in).",
                "每个权重梯度都是 deltaᵀ @ A_prev / m，形状为 (n_out, n_in)。",
            ),
            _m(
                "preactivation_as_input",
                _replaced_backward(
                    lambda X, Y, p, g: {
                        "W_out": (ref.forward(X, p)["P"] - Y).T @ ref.forward(X, p)["Z_hidden"] / X.shape[0]
                    }
                ),
                PREACTIVATION,
                "∂z3/∂W5 = a1: use A_hidden, not Z_hidden.",
                "∂z3/∂W5 = a1：应使用 A_hidden，而不是 Z_hidden。",
            ),
            _m(
                "sign_error",
                _scaled_backward(lambda m: -1.0),
                SIGN,
                "Start from δ_out = p − y (not y − p).",
                "输出层应从 δ_out = p − y 开始（而不是 y − p）。",
            ),
            _m(
                "bias_grad_times_input",
                _replaced_backward(
                    lambda X, Y, p, g: {
                        "b_out": g["W_out"].sum(axis=1),
                        "b_hidden": g["W_hidden"].sum(axis=1),
                    }
                ),
                BIAS_INPUT,
                "∂z3/∂b3 = 1, so ∂E/∂b3 = δ3, with no activation factor.",
                "∂z3/∂b3 = 1，所以 ∂E/∂b3 = δ3，没有激活值因子。",
            ),
            _m(
                "batch_mean_missing",
                _scaled_backward(lambda m: float(m)),
                MEAN_MISSING,
                "Every gradient of the batch loss is divided by m once.",
                "批次损失的每个梯度都要除以 m 一次。",
            ),
            _m(
                "batch_mean_twice",
                _scaled_backward(lambda m: 1.0 / m),
                MEAN_TWICE,
                "The 1/m enters once, in the weight and bias gradients; the δs are per example.",
                "1/m 只出现一次，在权重和偏置的梯度中；δ 是按样本计算的。",
            ),
        ),
    ),
    Step(
        "numerical_gradient",
        _hint("A gradient check", "梯度检验"),
        _hint(
            "Return the central-difference estimate, with step eps, of the gradient of the scalar function f "
            "at theta, same shape as theta. Leave theta unchanged.",
            "返回标量函数 f 在 theta 处梯度的中心差分估计（步长为 eps），形状与 theta 相同。不要修改 theta。",
        ),
        r"\frac{\partial f}{\partial \theta_i} \approx \frac{f(\theta + \varepsilon e_i) - "
        r"f(\theta - \varepsilon e_i)}{2\varepsilon}",
        10,
        central_poly_gradient,
        "array",
        (_general(_numerical_gradient_args, 0.7), _unchanged(0.3)),
        misconceptions=(
            _m(
                "forward_difference",
                _forward_difference,
                FORWARD_DIFFERENCE,
                "Use (f(θ + ε) − f(θ − ε)) / 2ε: it is accurate to ε², not ε.",
                "使用 (f(θ + ε) − f(θ − ε)) / 2ε：它的精度是 ε²，而不是 ε。",
            ),
        ),
        atol=NUMERICAL_GRADIENT_ATOL,  # rounding ≤ 1e-10 passes; ε ignored, one-sided or exact: ≥ 2e-7 off
        functions=("f",),
        forms=(evaluated_central_difference,),
    ),
    Step(
        "sgd_step",
        _hint("A step of gradient descent", "一步梯度下降"),
        _hint(
            "Return a new params dict θ − lr·∇θ for every parameter. The dicts you are given must stay unchanged.",
            "为每个参数返回新的 params 字典 θ − lr·∇θ。传入的字典必须保持不变。",
        ),
        r"\theta \leftarrow \theta - \eta\, \frac{\partial E}{\partial \theta}",
        5,
        ref.sgd_step,
        "arrays",
        (_general(_sgd_step_args, 0.7), _unchanged(0.3)),
        misconceptions=(
            _m(
                "sign_error",
                lambda params, grads, lr: {n: params[n] + lr * grads[n] for n in params},
                DESCENT_SIGN,
                "θ ← θ − lr·∂E/∂θ.",
                "θ ← θ − lr·∂E/∂θ。",
            ),
        ),
    ),
)

BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
ASSIGNMENT = "backprop"

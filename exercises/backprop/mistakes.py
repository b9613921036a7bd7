"""The wrong formulas students write in the `backprop` assignment, with hints that name the idea."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.exercises.backprop import polynomial
from backprop_lab.exercises.step import Misconception, text
from backprop_lab.solutions import backprop as ref


def backward_with(
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


def scaled_backward(factor: Callable[[int], float]) -> Callable[..., dict[str, np.ndarray]]:
    def answer(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: g * factor(X.shape[0]) for k, g in ref.backward(X, Y, params).items()}

    return answer


def replaced_backward(change: Callable[..., dict[str, np.ndarray]]) -> Callable[..., dict[str, np.ndarray]]:
    def answer(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {**ref.backward(X, Y, params), **change(X, Y, params, ref.backward(X, Y, params))}

    return answer


def forward_difference(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    base, result = polynomial.poly_value(f, theta), np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        shifted = theta.copy()
        shifted[i] += eps
        result[i] = (polynomial.poly_value(f, shifted) - base) / eps
    return result


def single_path_square(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray | None:
    if W_out.shape[0] != W_out.shape[1]:
        return None  # "one path per unit" needs as many outputs as hidden units
    return A_hidden * (1 - A_hidden) * (delta_out[:, : A_hidden.shape[1]] * np.diag(W_out))


SIGMOID_TWICE = text(
    "The argument is already the activation a = σ(z). Applying σ to it again evaluates the slope at the wrong point.",
    "参数已经是激活值 a = σ(z)。再对它套一次 σ，得到的是另一个点的斜率。",
)
MISSING_DERIVATIVE = text(
    "δ of a hidden unit is ∂E/∂z, not ∂E/∂a: after summing the paths back to a, one more link of the chain "
    "takes you from a to z.",
    "隐藏单元的 δ 是 ∂E/∂z，不是 ∂E/∂a：把各条路径加到 a 之后，链式法则还差一环：从 a 到 z。",
)
SINGLE_PATH = text(
    "A hidden unit feeds every output unit. The chain rule adds up one term per path from the unit to E.",
    "一个隐藏单元的输出会送到每一个输出单元。链式法则要把从该单元到 E 的每条路径各算一项，再相加。",
)
TRANSPOSE = text(
    "Check which index of W_out belongs to the output unit and which to the hidden unit, and pair each weight "
    "with the δ of the unit it feeds.",
    "想一想 W_out 的哪个下标对应输出单元、哪个对应隐藏单元，让每个权重与它通向的那个单元（输出侧）的 δ 配对。",
)
WEIGHT_SHAPE = text(
    "A gradient has the shape of what it differentiates: one entry per weight, rows for the units fed, "
    "columns for the units feeding.",
    "梯度与被求导的量形状相同：每个权重一项，行对应接收输入的单元（输出侧），列对应提供输入的单元（输入侧）。",
)
SIGN = text(
    "Follow the sign: if the prediction is too high, does the error grow or shrink as z grows?",
    "注意符号：如果预测偏大，当 z 增大时误差是变大还是变小？",
)
DESCENT_SIGN = text(
    "The gradient points towards larger E. Which way must a step of gradient descent go?",
    "梯度指向 E 增大的方向。梯度下降的一步应该朝哪个方向走？",
)
LOSS_SIGN = text(
    "The loss carries a minus sign in front of the logarithms: carry it through the derivative.",
    "损失函数的对数前面有一个负号：求导时不要丢掉它。",
)
MSE_DELTA = text(
    "That is the δ of a different loss, the squared error. Differentiate this assignment's cross-entropy "
    "and multiply by ∂p/∂z: most factors cancel.",
    "这是另一种损失（平方误差）的 δ。对本作业的交叉熵求导，再乘以 ∂p/∂z：大部分因子会约掉。",
)
LOSS_GRAD = text(
    "That is ∂E/∂p, one link of the chain. δ is ∂E/∂z: one more link, from p to z.",
    "这是 ∂E/∂p，只是链中的一环。δ 是 ∂E/∂z：还差一环，从 p 到 z。",
)
PREACTIVATION = text(
    "A weight multiplies the activation of the unit below it, not that unit's weighted input.",
    "权重乘的是前一层（输入侧）单元的激活值，而不是那个单元的加权输入。",
)
BIAS_INPUT = text(
    "A bias is added, not multiplied by an input: what is ∂z/∂b?",
    "偏置是加上去的，不乘以任何输入：∂z/∂b 等于多少？",
)
MEAN_OVER_OUTPUTS = text(
    "E adds up the outputs of one example; only the examples are averaged.",
    "E 对一个样本的各个输出求和；只有样本之间才取平均。",
)
MEAN_MISSING = text(
    "The batch loss is the mean over the m examples, so everything derived from it is a mean too.",
    "批次损失是 m 个样本的平均，所以由它得到的梯度也是平均值。",
)
MEAN_TWICE = text(
    "The 1/m of the batch mean enters once. Count how often your code divides by m.",
    "批次平均的 1/m 只出现一次。数一数你的代码除以了几次 m。",
)
BIAS_AXIS = text(
    "Rows are examples and columns are units: the bias gradient has one number per unit.",
    "行是样本，列是单元：偏置的梯度每个单元一个数。",
)
FORWARD_DIFFERENCE = text(
    "A one-sided difference is off by a term proportional to ε. Which difference quotient cancels that term?",
    "单侧差分的误差与 ε 成正比。哪种差商能消去这一项？",
)
def misconception(mid: str, answer: Callable[..., object], hint: dict[str, str], en: str, zh: str) -> Misconception:
    return Misconception(mid, answer, hint, text(en, zh))



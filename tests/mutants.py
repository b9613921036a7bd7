"""Mutants of the reference solution: each one a single small mistake in a single step.

The grading corpus is only as good as the mistakes it catches. Every mutant here is the
reference with one edit (a transpose dropped or added, a factor dropped, a wrong axis,
an off-by-one, a wrong activation, ε misused, a sign flipped, an in-place write, ...),
and each must lose the step it edits on every seed. Value mutants must score 0 for the
step; the others must lose the property they break (inputs unchanged, stable at extremes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

REFERENCE = Path(__file__).resolve().parents[1] / "solutions" / "backprop.py"


@dataclass(frozen=True)
class Mutant:
    """One edit of the reference (`REFERENCE`; an assignment's own subclass names its own)."""

    reference: ClassVar[Path] = REFERENCE
    step: str
    old: str
    new: str
    loses: str = "general"  # the property it must fail: "unchanged" for in-place writes that keep the
    # values right, "extremes" for a right formula that overflows

    @property
    def name(self) -> str:
        return f"{self.step}: {self.old.strip()} → {self.new.strip()}"

    def source(self) -> str:
        """The reference module with this one edit inside the step's function."""
        text = self.reference.read_text(encoding="utf-8")
        start = text.index(f"\ndef {self.step}(")
        end = text.find("\ndef ", start + 1)
        end = len(text) if end == -1 else end
        body = text[start:end]
        if body.count(self.old) != 1:
            raise ValueError(f"{self.name}: the text to replace occurs {body.count(self.old)} times")
        return text[:start] + body.replace(self.old, self.new) + text[end:]


SIGMOID_STABLE = "np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
FORWARD_Z = 'Z_hidden = X @ params["W_hidden"].T + params["b_hidden"]'
FORWARD_OUT = 'Z_out = A_hidden @ params["W_out"].T + params["b_out"]'
CE = "per_example = -(Y * np.log(P) + (1.0 - Y) * np.log(1.0 - P)).sum(axis=1)"
CEG = "return -Y / P + (1.0 - Y) / (1.0 - P)"
NG = "grad[index] = (f_plus - f_minus) / (2.0 * eps)"

MUTANTS: tuple[Mutant, ...] = (
    # sigmoid
    Mutant("sigmoid", SIGMOID_STABLE, "np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))"),
    Mutant("sigmoid", SIGMOID_STABLE, "1.0 / (1.0 + e)"),
    Mutant("sigmoid", SIGMOID_STABLE, "np.exp(z) / (1.0 + np.exp(z))", loses="extremes"),
    Mutant("sigmoid", SIGMOID_STABLE, "np.tanh(z)"),
    Mutant("sigmoid", SIGMOID_STABLE, "np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 - e))"),
    Mutant("sigmoid", "e = np.exp(-np.abs(z))", "e = np.exp(-z)"),
    Mutant("sigmoid", "z = np.asarray(z, dtype=np.float64)", "z = np.asarray(z, dtype=np.float32)"),
    # sigmoid_grad
    Mutant("sigmoid_grad", "return a * (1.0 - a)", "return a * (1.0 + a)"),
    Mutant("sigmoid_grad", "return a * (1.0 - a)", "return 1.0 - a"),
    Mutant("sigmoid_grad", "return a * (1.0 - a)", "return sigmoid(a) * (1.0 - sigmoid(a))"),
    Mutant("sigmoid_grad", "return a * (1.0 - a)", "return a * a"),
    Mutant("sigmoid_grad", "return a * (1.0 - a)", "a *= 1.0 - a\n    return a.copy()", loses="unchanged"),
    # forward
    Mutant("forward", FORWARD_Z, 'Z_hidden = X @ params["W_hidden"] + params["b_hidden"]'),
    Mutant("forward", FORWARD_Z, 'Z_hidden = X @ params["W_hidden"].T'),
    Mutant("forward", FORWARD_Z, 'Z_hidden = X @ params["W_hidden"].T - params["b_hidden"]'),
    Mutant("forward", FORWARD_OUT, 'Z_out = Z_hidden @ params["W_out"].T + params["b_out"]'),
    Mutant("forward", FORWARD_OUT, 'Z_out = A_hidden @ params["W_out"] + params["b_out"]'),
    Mutant("forward", "A_hidden = sigmoid(Z_hidden)", "A_hidden = np.tanh(Z_hidden)"),
    Mutant("forward", "A_hidden = sigmoid(Z_hidden)", "A_hidden = np.maximum(Z_hidden, 0.0)"),
    Mutant("forward", "P = sigmoid(Z_out)", "P = Z_out"),
    Mutant("forward", '"P": P}', '"P": sigmoid(Z_hidden @ params["W_out"].T + params["b_out"])}'),
    # cross_entropy
    Mutant("cross_entropy", CE, CE.replace(".sum(axis=1)", ".sum(axis=0)")),
    Mutant("cross_entropy", CE, CE.replace(".sum(axis=1)", ".mean(axis=1)")),
    Mutant("cross_entropy", CE, CE.replace("-(Y", "(Y")),
    Mutant("cross_entropy", CE, CE.replace("np.log(1.0 - P)", "np.log(P)")),
    Mutant("cross_entropy", CE, CE.replace("(1.0 - Y) * ", "")),
    Mutant("cross_entropy", "return float(per_example.mean())", "return float(per_example.sum())"),
    Mutant("cross_entropy", "return float(per_example.mean())", "return float(per_example[1:].mean())"),
    # cross_entropy_grad
    Mutant("cross_entropy_grad", CEG, "return Y / P - (1.0 - Y) / (1.0 - P)"),
    Mutant("cross_entropy_grad", CEG, "return -Y / P"),
    Mutant("cross_entropy_grad", CEG, "return -Y / P - (1.0 - Y) / (1.0 - P)"),
    Mutant("cross_entropy_grad", CEG, "return (-Y / P + (1.0 - Y) / (1.0 - P)) / P.shape[0]"),
    Mutant("cross_entropy_grad", CEG, "return -Y / (1.0 - P) + (1.0 - Y) / P"),
    # output_delta
    Mutant(
        "output_delta",
        "return np.asarray(P, dtype=np.float64) - Y",
        "return Y - np.asarray(P, dtype=np.float64)",
    ),
    Mutant(
        "output_delta", "return np.asarray(P, dtype=np.float64) - Y", "return np.asarray(P, dtype=np.float64)"
    ),
    Mutant("output_delta", "return np.asarray(P, dtype=np.float64) - Y", "return (P - Y) * P * (1.0 - P)"),
    Mutant("output_delta", "return np.asarray(P, dtype=np.float64) - Y", "return (P - Y) / P.shape[0]"),
    Mutant(
        "output_delta",
        "return np.asarray(P, dtype=np.float64) - Y",
        "P -= Y\n    return P.copy()",
        loses="unchanged",
    ),
    # hidden_delta
    Mutant(
        "hidden_delta",
        "dE_dA = delta_out @ W_out",
        "dE_dA = delta_out @ W_out.T if W_out.shape[0] == W_out.shape[1] else delta_out @ W_out",
    ),
    Mutant("hidden_delta", "return sigmoid_grad(A_hidden) * dE_dA", "return dE_dA"),
    Mutant(
        "hidden_delta",
        "return sigmoid_grad(A_hidden) * dE_dA",
        "return sigmoid_grad(sigmoid(A_hidden)) * dE_dA",
    ),
    Mutant("hidden_delta", "dE_dA = delta_out @ W_out", "dE_dA = np.outer(delta_out[:, 0], W_out[0])"),
    Mutant("hidden_delta", "dE_dA = delta_out @ W_out", "dE_dA = delta_out @ W_out / delta_out.shape[0]"),
    Mutant("hidden_delta", "dE_dA = delta_out @ W_out", "dE_dA = -(delta_out @ W_out)"),
    Mutant(
        "hidden_delta",
        "return sigmoid_grad(A_hidden) * dE_dA",
        "A_hidden *= 1.0 - A_hidden\n    return A_hidden * dE_dA",
        loses="unchanged",
    ),
    # weight_grad
    Mutant(
        "weight_grad",
        "return delta.T @ A_prev / m",
        "return (A_prev.T @ delta / m).T if delta.shape[1] != A_prev.shape[1] else A_prev.T @ delta / m",
    ),
    Mutant("weight_grad", "return delta.T @ A_prev / m", "return delta.T @ A_prev"),
    Mutant("weight_grad", "return delta.T @ A_prev / m", "return delta.T @ A_prev / m**2"),
    Mutant("weight_grad", "return delta.T @ A_prev / m", "return delta[1:].T @ A_prev[1:] / m"),
    Mutant("weight_grad", "return delta.T @ A_prev / m", "return delta.T @ A_prev / (m + 1)"),
    Mutant("weight_grad", "m = delta.shape[0]", "m = delta.shape[1]"),
    Mutant("weight_grad", "return delta.T @ A_prev / m", "return -delta.T @ A_prev / m"),
    # bias_grad
    Mutant(
        "bias_grad",
        "return np.asarray(delta, dtype=np.float64).mean(axis=0)",
        "return np.asarray(delta, dtype=np.float64).sum(axis=0)",
    ),
    Mutant(
        "bias_grad",
        "return np.asarray(delta, dtype=np.float64).mean(axis=0)",
        "return np.asarray(delta, dtype=np.float64).mean(axis=1)",
    ),
    Mutant(
        "bias_grad",
        "return np.asarray(delta, dtype=np.float64).mean(axis=0)",
        "return np.asarray(delta, dtype=np.float64)[0]",
    ),
    Mutant(
        "bias_grad",
        "return np.asarray(delta, dtype=np.float64).mean(axis=0)",
        "return np.asarray(delta, dtype=np.float64)[1:].mean(axis=0)",
    ),
    Mutant(
        "bias_grad",
        "return np.asarray(delta, dtype=np.float64).mean(axis=0)",
        "return np.asarray(delta, dtype=np.float64).mean(axis=0) / len(delta)",
    ),
    # backward
    Mutant(
        "backward",
        'delta_hidden = hidden_delta(cache["A_hidden"], params["W_out"], delta_out)',
        'delta_hidden = delta_out @ params["W_out"]',
    ),
    Mutant(
        "backward",
        'delta_hidden = hidden_delta(cache["A_hidden"], params["W_out"], delta_out)',
        'delta_hidden = cache["Z_hidden"] * (1 - cache["Z_hidden"]) * (delta_out @ params["W_out"])',
    ),
    Mutant(
        "backward", '"W_hidden": weight_grad(delta_hidden, X)', '"W_hidden": weight_grad(delta_hidden, X) * 2'
    ),
    Mutant(
        "backward",
        '"W_out": weight_grad(delta_out, cache["A_hidden"])',
        '"W_out": weight_grad(delta_out, cache["Z_hidden"])',
    ),
    Mutant(
        "backward",
        '"b_hidden": bias_grad(delta_hidden)',
        '"b_hidden": weight_grad(delta_hidden, X).sum(axis=1)',
    ),
    Mutant("backward", '"b_out": bias_grad(delta_out)', '"b_out": delta_out.sum(axis=0)'),
    Mutant("backward", 'delta_out = output_delta(cache["P"], Y)', 'delta_out = Y - cache["P"]'),
    Mutant(
        "backward", '"W_hidden": weight_grad(delta_hidden, X)', '"W_hidden": weight_grad(X, delta_hidden)'
    ),
    Mutant("backward", "cache = forward(X, params)", "cache = forward(X[:1], params)"),
    # numerical_gradient
    Mutant("numerical_gradient", NG, "grad[index] = (f_plus - f_minus) / eps"),
    Mutant("numerical_gradient", NG, "grad[index] = (f_plus - f(theta)) / eps"),
    Mutant("numerical_gradient", NG, "grad[index] = (f_minus - f_plus) / (2.0 * eps)"),
    Mutant("numerical_gradient", "shifted[index] = theta[index] - eps", "shifted[index] = theta[index]"),
    Mutant(
        "numerical_gradient",
        NG,
        "grad[index] = (f_plus - f_minus) / (2.0 * eps) if index != (0,) * theta.ndim else 0.0",
    ),
    Mutant(
        "numerical_gradient",
        "shifted = theta.copy()  # perturb a copy, never the caller's array",
        "shifted = theta",
    ),
    # ... and the contract's ε: each case passes its own, and the answer is the central difference at it
    Mutant(
        "numerical_gradient",
        "theta = np.asarray(theta, dtype=np.float64)",
        "theta = np.asarray(theta, dtype=np.float64)\n    eps = 1e-6",
    ),
    Mutant(  # one-sided at h = √(machine ε), whatever eps says
        "numerical_gradient",
        NG,
        "grad[index] = (f(theta + 1.4901161193847656e-08 * (np.arange(theta.size) == "
        "np.ravel_multi_index(index, theta.shape)).reshape(theta.shape)) - f(theta)) / 1.4901161193847656e-08",
    ),
    Mutant(  # a five-point stencil: exact for f's cubic, i.e. the analytic gradient, not the central difference
        "numerical_gradient",
        NG,
        "grad[index] = (8 * (f_plus - f_minus) - f(theta + 2 * eps * (np.arange(theta.size) == "
        "np.ravel_multi_index(index, theta.shape)).reshape(theta.shape)) + f(theta - 2 * eps * "
        "(np.arange(theta.size) == np.ravel_multi_index(index, theta.shape)).reshape(theta.shape))) / (12 * eps)",
    ),
    # sgd_step
    Mutant("sgd_step", "params[name] - lr * grads[name]", "params[name] + lr * grads[name]"),
    Mutant("sgd_step", "params[name] - lr * grads[name]", "params[name] - grads[name]"),
    Mutant("sgd_step", "params[name] - lr * grads[name]", "params[name] - lr * params[name]"),
    Mutant("sgd_step", "params[name] - lr * grads[name]", "lr * grads[name]"),
    Mutant(
        "sgd_step",
        "{name: params[name] - lr * grads[name] for name in params}",
        "{name: params[name].__isub__(lr * grads[name]) for name in params}",
        loses="unchanged",
    ),
)


def survivors(
    mutants: tuple[Mutant, ...], seeds: range | list[int], assignment: str = "backprop"
) -> list[str]:
    """Every (mutant, seed) whose step kept its points: a mutant must lose its step on every seed.
    Mutants of another assignment's reference (tests/mutants_deep.py) name it."""
    from backprop_lab.exercises import assignments
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.graders.cases import build_corpus
    from backprop_lab.graders.grade import GradingConfig, grade_submission
    from backprop_lab.graders.sandbox.runner import Sandbox
    from backprop_lab.graders.submissions import Submission

    chosen = assignments.get(assignment)
    found = []
    with Sandbox() as sandbox:
        for seed in seeds:
            for mutant in mutants:
                step = chosen.by_id[mutant.step]
                config = GradingConfig(Course(chosen, steps={step.id: step}), seed, shrink=False)
                corpus = build_corpus(config.steps, seed, functions=chosen.functions)
                submission = Submission(
                    "mutant", "mutant", [{"name": chosen.module, "source": mutant.source()}]
                )
                result = grade_submission(submission, corpus, sandbox, config).steps[0]
                failed = {p.id for p in result.properties if not p.passed}
                lost = result.score == 0.0 if mutant.loses == "general" else mutant.loses in failed
                lost = lost and result.score < result.max_score
                if not lost:
                    found.append(f"seed {seed}: {mutant.name} kept {result.score}/{result.max_score}")
    return found

"""The worked derivation of the `backprop` network with a student's own numbers (`derive`)."""

from __future__ import annotations

from backprop_lab.exercises.i18n import tr
from backprop_lab.solutions.named import derive


def _g(x: float) -> str:
    return f"{x:.6g}"


def _f(x: float) -> str:
    """A number as a factor or term: negatives in parentheses, so signs read clearly."""
    return f"({x:.6g})" if x < 0 else f"{x:.6g}"


def worked_derivation(named: dict[str, float], lang: str = "en") -> str:
    """Every step of the chain rule for these numbers, in the notation of the notes."""
    n, d = named, derive(named)
    lines = [
        tr(lang, "Forward pass"),
        f"  z1 = W1·x1 + W2·x2 + b1 = {_f(n['W1'])}·{_f(n['x1'])} + {_f(n['W2'])}·{_f(n['x2'])}"
        f" + {_f(n['b1'])} = {_g(d['z1'])}",
        f"  z2 = W3·x1 + W4·x2 + b2 = {_f(n['W3'])}·{_f(n['x1'])} + {_f(n['W4'])}·{_f(n['x2'])}"
        f" + {_f(n['b2'])} = {_g(d['z2'])}",
        f"  a1 = σ(z1) = {_g(d['a1'])},  a2 = σ(z2) = {_g(d['a2'])}",
        f"  z3 = W5·a1 + W6·a2 + b3 = {_g(d['z3'])},  p1 = σ(z3) = {_g(d['p1'])}",
        f"  z4 = W7·a1 + W8·a2 + b4 = {_g(d['z4'])},  p2 = σ(z4) = {_g(d['p2'])}",
        f"  E = −Σ_k [y_k ln p_k + (1 − y_k) ln(1 − p_k)] = {_g(d['E'])}",
        "",
        tr(lang, "Output layer"),
        f"  ∂E/∂p1 = −y1/p1 + (1 − y1)/(1 − p1) = {_g(d['dE_dp1'])}",
        f"  ∂p1/∂z3 = p1(1 − p1) = {_g(d['dp1_dz3'])}",
        f"  ∂z3/∂W5 = a1 = {_g(d['dz3_dW5'])}",
        f"  δ3 = ∂E/∂p1 · ∂p1/∂z3 = p1 − y1 = {_g(d['delta3'])},  δ4 = p2 − y2 = {_g(d['delta4'])}",
        f"  ∂E/∂W5 = δ3·a1 = {_f(d['delta3'])}·{_f(d['a1'])} = {_g(d['dE_dW5'])}",
        f"  ∂E/∂b3 = δ3 = {_g(d['dE_db3'])}",
        "",
        tr(lang, "Hidden layer (a1 reaches E along two paths, through z3 and through z4)"),
        f"  ∂E/∂a1 = δ3·W5 + δ4·W7 = {_f(d['dE_da1_via_z3'])} + {_f(d['dE_da1_via_z4'])} = {_g(d['dE_da1'])}",
        f"  δ1 = a1(1 − a1)·∂E/∂a1 = {_f(d['da1_dz1'])}·{_f(d['dE_da1'])} = {_g(d['delta1'])}",
        f"  δ2 = a2(1 − a2)·∂E/∂a2 = {_f(d['da2_dz2'])}·{_f(d['dE_da2'])} = {_g(d['delta2'])}",
        f"  ∂E/∂W1 = δ1·x1 = {_f(d['delta1'])}·{_f(n['x1'])} = {_g(d['dE_dW1'])}",
        "",
        tr(lang, "All twelve gradients"),
        "  " + ",  ".join(f"∂E/∂W{i} = {_g(d[f'dE_dW{i}'])}" for i in range(1, 5)),
        "  " + ",  ".join(f"∂E/∂W{i} = {_g(d[f'dE_dW{i}'])}" for i in range(5, 9)),
        "  " + ",  ".join(f"∂E/∂b{i} = {_g(d[f'dE_db{i}'])}" for i in range(1, 5)),
    ]
    return "\n".join(lines)

"""A general multi-layer perceptron, vectorised over a batch of rows.

The same recursion as the 2-2-2 network, for any depth:
    δ_L = ∂E/∂A_L ⊙ f'_L            (output layer)
    δ_l = (δ_{l+1} @ W_{l+1}) ⊙ f'_l  (every hidden layer: all paths summed by the matmul)
    ∂E/∂W_l = δ_lᵀ A_{l-1} / m,  ∂E/∂b_l = mean of δ_l over the batch.
Parameters are a dict: "W1", "b1" for the first layer, "W2", "b2" for the next, ...
with W_l of shape (n_out, n_in), as in the assignment's contract.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from backprop_lab.solutions.backprop import Params, sigmoid


@dataclass(frozen=True)
class Activation:
    """f and its derivative written through the output a = f(z), as backprop uses it."""

    f: Callable[[np.ndarray], np.ndarray]
    grad_from_output: Callable[[np.ndarray], np.ndarray]


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, lambda a: a * (1.0 - a)),
    "tanh": Activation(np.tanh, lambda a: 1.0 - a**2),
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda a: (a > 0).astype(np.float64)),
    "identity": Activation(lambda z: z, np.ones_like),
}


def _softmax(Z: np.ndarray) -> np.ndarray:
    shifted = np.exp(Z - Z.max(axis=1, keepdims=True))  # shift so exp never overflows
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Loss:
    """Per-example loss summed over outputs, and its gradient ∂E/∂A per example.

    The batch loss is the mean over examples; the gradients divide by m once, in
    the weight and bias gradients, as the contract does.
    """

    per_example: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    output_activation: str | None = None  # a loss that needs one activation says which


LOSSES = {
    "bce": Loss(
        lambda P, Y: -(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1),
        lambda P, Y: -Y / P + (1 - Y) / (1 - P),
    ),
    "squared_error": Loss(
        lambda P, Y: 0.5 * ((Y - P) ** 2).sum(axis=1),
        lambda P, Y: P - Y,
    ),
    # Softmax is part of the loss: the network outputs logits and ∂E/∂Z = softmax(Z) − Y.
    "softmax_cross_entropy": Loss(
        lambda Z, Y: -(Y * np.log(_softmax(Z))).sum(axis=1),
        lambda Z, Y: _softmax(Z) - Y,
        output_activation="identity",
    ),
}


class MLP:
    """Layers of sizes[0] → sizes[1] → ... with one activation per layer and one loss."""

    def __init__(
        self,
        sizes: Sequence[int],
        activations: Sequence[str],
        loss: str = "bce",
        seed: int = 0,
    ) -> None:
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"{len(sizes) - 1} layers need {len(sizes) - 1} activations")
        rng = np.random.default_rng(seed)
        params = {}
        for layer, (n_in, n_out) in enumerate(pairwise(sizes), start=1):
            params[f"W{layer}"] = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_out, n_in))
            params[f"b{layer}"] = np.zeros(n_out)
        self._configure(params, activations, loss)

    @classmethod
    def from_params(cls, params: Params, activations: Sequence[str], loss: str = "bce") -> MLP:
        """A network with given weights, e.g. a published worked example."""
        net = cls.__new__(cls)
        net._configure({k: np.array(v, dtype=np.float64) for k, v in params.items()}, activations, loss)
        return net

    def _configure(self, params: Params, activations: Sequence[str], loss: str) -> None:
        self.params = params
        self.activations = [ACTIVATIONS[name] for name in activations]
        self.loss_fn = LOSSES[loss]
        required = self.loss_fn.output_activation
        if required is not None and activations[-1] != required:
            raise ValueError(f"loss {loss!r} needs a final {required!r} activation")

    @property
    def depth(self) -> int:
        return len(self.activations)

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """[A_0 = X, A_1, ..., A_L]: the activations backward needs."""
        A = [np.asarray(X, dtype=np.float64)]
        for layer, act in enumerate(self.activations, start=1):
            Z = A[-1] @ self.params[f"W{layer}"].T + self.params[f"b{layer}"]
            A.append(act.f(Z))
        return A

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        return float(self.loss_fn.per_example(self.forward(X)[-1], Y).mean())

    def backward(self, X: np.ndarray, Y: np.ndarray) -> Params:
        """∂(batch loss)/∂θ for every parameter, keyed like self.params."""
        A = self.forward(X)
        m = A[0].shape[0]
        grads = {}
        delta = self.loss_fn.grad(A[-1], Y) * self.activations[-1].grad_from_output(A[-1])
        for layer in range(self.depth, 0, -1):
            grads[f"W{layer}"] = delta.T @ A[layer - 1] / m
            grads[f"b{layer}"] = delta.mean(axis=0)
            if layer > 1:  # pass δ one layer down: every path summed by the matmul
                upstream = delta @ self.params[f"W{layer}"]
                delta = upstream * self.activations[layer - 2].grad_from_output(A[layer - 1])
        return grads

    def sgd_step(self, grads: Params, lr: float) -> None:
        for name, grad in grads.items():
            self.params[name] = self.params[name] - lr * grad

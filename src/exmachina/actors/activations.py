"""Activation functions: what a neuron does with its total input, and how that responds to change.

A neuron calls `activate(code, z)` and `slope(code, z, a)`: one number at a time, compiled to C
(see `activations.pxd`), so firing costs what the arithmetic costs. Each activation also has a
vector form, NumPy on whole layers, for the matrix engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import libm

LEAK = 0.01  # leaky ReLU's slope below zero: x/100, as in the notes
STEP, SIGMOID, TANH, RELU, LEAKY_RELU, IDENTITY = range(6)


def activate(code: int, z: float) -> float:
    """`f(z)` for the activation numbered `code`."""
    if code == SIGMOID:
        if z >= 0.0:
            return 1.0 / (1.0 + libm.exp(-z))
        e = libm.exp(z)  # never overflows for z < 0
        return e / (1.0 + e)
    if code == TANH:
        return libm.tanh(z)
    if code == RELU:
        return z if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return z if z > 0.0 else LEAK * z
    if code == STEP:
        return 1.0 if z > 0.0 else 0.0
    return z


def slope(code: int, z: float, a: float) -> float:
    """`f'(z)`, given `a = f(z)`. The perceptron's step has derivative zero almost everywhere; taking
    it as 1 turns backpropagation on a single step neuron into the perceptron learning rule."""
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else LEAK
    return 1.0


@dataclass(frozen=True)
class Activation:
    """One activation: its number for `activate` and `slope`, and its forms on single numbers and on
    NumPy arrays. A derivative that is constant is the number itself: multiplying by it is exact."""

    name: str
    code: int
    vector: Callable[[np.ndarray], np.ndarray]
    vector_derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]

    @property
    def scalar(self) -> Callable[[float], float]:
        return partial(activate, self.code)

    @property
    def scalar_derivative(self) -> Callable[[float, float], float]:
        return partial(slope, self.code)


def _sigmoids(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("step", STEP, lambda z: (z > 0.0).astype(float), lambda z, a: 1.0),
        Activation("sigmoid", SIGMOID, _sigmoids, lambda z, a: a * (1.0 - a)),
        Activation("tanh", TANH, np.tanh, lambda z, a: 1.0 - a * a),
        Activation("relu", RELU, lambda z: np.where(z > 0.0, z, 0.0), lambda z, a: (z > 0.0).astype(float)),
        Activation("leaky_relu", LEAKY_RELU, lambda z: np.where(z > 0.0, z, LEAK * z),
                   lambda z, a: np.where(z > 0.0, 1.0, LEAK)),
        Activation("identity", IDENTITY, lambda z: z, lambda z, a: 1.0),
    ]
}


def activation(name: str) -> Activation:
    """The activation called `name`, or a ValueError that lists the ones there are."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None

"""Activation functions: what a neuron does with its total input, and how that responds to change.

A signal is a float for one example and a NumPy vector for a mini-batch, so each function has
both forms: Python's own arithmetic is many times faster than NumPy on a single number, and a
neuron that fires thousands of times a second cannot afford NumPy's overhead on scalars.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAK = 0.01  # leaky ReLU's slope below zero: x/100, as in the notes


@dataclass(frozen=True)
class Activation:
    """`f(z)` and its derivative `df(z, a)` (given `a = f(z)`, which several derivatives reuse).

    A derivative that is constant is the number itself, in both forms: multiplying by it is exact.
    """

    name: str
    scalar: Callable[[float], float]
    scalar_derivative: Callable[[float, float], float]
    vector: Callable[[np.ndarray], np.ndarray]
    vector_derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _sigmoid(z: float) -> float:
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)  # never overflows for z < 0
    return e / (1.0 + e)


def _sigmoids(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        # The perceptron's step. Its true derivative is zero almost everywhere; taking it as 1
        # turns backpropagation on a single step neuron into the perceptron learning rule.
        Activation(
            "step",
            lambda z: 1.0 if z > 0.0 else 0.0,
            lambda z, a: 1.0,
            lambda z: (z > 0.0).astype(float),
            lambda z, a: 1.0,
        ),
        Activation(
            "sigmoid",
            _sigmoid,
            lambda z, a: a * (1.0 - a),
            _sigmoids,
            lambda z, a: a * (1.0 - a),
        ),
        Activation(
            "tanh",
            math.tanh,
            lambda z, a: 1.0 - a * a,
            np.tanh,
            lambda z, a: 1.0 - a * a,
        ),
        Activation(
            "relu",
            lambda z: z if z > 0.0 else 0.0,
            lambda z, a: 1.0 if z > 0.0 else 0.0,
            lambda z: np.where(z > 0.0, z, 0.0),
            lambda z, a: (z > 0.0).astype(float),
        ),
        Activation(
            "leaky_relu",
            lambda z: z if z > 0.0 else LEAK * z,
            lambda z, a: 1.0 if z > 0.0 else LEAK,
            lambda z: np.where(z > 0.0, z, LEAK * z),
            lambda z, a: np.where(z > 0.0, 1.0, LEAK),
        ),
        Activation(
            "identity",
            lambda z: z,
            lambda z, a: 1.0,
            lambda z: z,
            lambda z, a: 1.0,
        ),
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

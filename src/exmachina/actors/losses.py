"""The teacher's losses: how wrong the outputs are, and each output's error `dLoss/da`.

Arrays hold the output neurons along axis 0 and, for a mini-batch, the examples along axis 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Loss:
    """`measure(outputs, desired)` gives the loss of each example and `dLoss/da` for each output;
    `error(outputs, desired)` only the latter, which is what the teacher sends back (the losses are
    counted where they are reported, for many examples at once)."""

    name: str
    measure: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    error: Callable[[np.ndarray, np.ndarray], np.ndarray]
    output_activation: str | None  # what the output layer must be, if the loss dictates it


def _squared_error(outputs: np.ndarray, desired: np.ndarray) -> np.ndarray:
    return outputs - desired  # actual - desired


def _squared(outputs: np.ndarray, desired: np.ndarray):
    error = _squared_error(outputs, desired)
    return 0.5 * (error * error).sum(axis=0), error


def _mse_error(outputs: np.ndarray, desired: np.ndarray) -> np.ndarray:
    return (outputs - desired) * (2.0 / outputs.shape[0])


def _mse(outputs: np.ndarray, desired: np.ndarray):
    difference = outputs - desired
    n = outputs.shape[0]
    return (difference * difference).sum(axis=0) / n, difference * (2.0 / n)


def _cross_entropy(outputs: np.ndarray, desired: np.ndarray):
    """Softmax, then cross-entropy. The error `p * sum(desired) - desired` is the true gradient for
    any targets; it is the familiar `p - desired` when they sum to one (times 1.0: the same bits)."""
    shifted = outputs - outputs.max(axis=0)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=0))
    errors = np.exp(log_probabilities) * desired.sum(axis=0) - desired
    return -(desired * log_probabilities).sum(axis=0), errors


LOSSES: dict[str, Loss] = {
    "squared": Loss("squared", _squared, _squared_error, None),
    "mse": Loss("mse", _mse, _mse_error, None),
    "cross_entropy": Loss("cross_entropy", _cross_entropy, lambda o, d: _cross_entropy(o, d)[1], "identity"),
}


def loss(name: str) -> Loss:
    """The loss called `name`, or a ValueError that lists the ones there are."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None

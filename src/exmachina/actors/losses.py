"""The teacher's losses: how wrong the outputs are, and each output's error `dLoss/da`.

Arrays hold the output neurons along axis 0 and, for a mini-batch, the examples along axis 1.
"""

from __future__ import annotations

import math
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
    # one example's errors from lists, with `error`'s bits, where NumPy's calls cost more than the
    # arithmetic (None: none such, or the example is one it leaves to `error`)
    error_of_one: Callable[[list, list], list | None] | None = None


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


def _cross_entropy_of_one(outputs: list, desired: list) -> list | None:
    """`_cross_entropy`'s errors for one example in plain Python, with its bits: the same operations
    in the same order, libm's exp and log (NumPy's own without AVX-512) and NumPy's order of summing.
    None where a value is not finite (left to NumPy, whose max and NaNs this does not mimic)."""
    top = max(outputs)
    shifted = [o - top for o in outputs]
    total = _numpy_sum([math.exp(s) for s in shifted])
    if not math.isfinite(total):
        return None
    log_total = math.log(total)
    scale = _numpy_sum(desired)
    return [math.exp(s - log_total) * scale - d for s, d in zip(shifted, desired)]


def _numpy_sum(values: list) -> float:
    """A vector's sum in the order NumPy takes it (pairwise: eight running sums, then the rest; halves
    past 128), so that its bits are `np.sum`'s."""
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total += v
        return total
    if n > 128:
        half = n // 2 - n // 2 % 8
        return _numpy_sum(values[:half]) + _numpy_sum(values[half:])
    sums, i = values[:8], 8
    while i + 8 <= n:
        for j in range(8):
            sums[j] += values[i + j]
        i += 8
    total = ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7]))
    for v in values[i:]:
        total += v
    return total


LOSSES: dict[str, Loss] = {
    "squared": Loss("squared", _squared, _squared_error, None),
    "mse": Loss("mse", _mse, _mse_error, None),
    "cross_entropy": Loss("cross_entropy", _cross_entropy, lambda o, d: _cross_entropy(o, d)[1], "identity",
                          _cross_entropy_of_one),
}


def loss(name: str) -> Loss:
    """The loss called `name`, or a ValueError that lists the ones there are."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None

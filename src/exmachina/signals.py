"""Arithmetic on signals: a float for one example, or a vector of one value per example of a batch.

A neuron does the same nine steps either way; only the arithmetic differs. Python's own floats
are many times faster than NumPy on single numbers, and NumPy is many times faster on vectors, so
each form gets the arithmetic that suits it.
"""

from __future__ import annotations

from operator import mul

import numpy as np


class Scalars:
    """One example at a time: every signal is a float, the weights a list of floats."""

    @staticmethod
    def gather(errors: list) -> list:
        return errors

    @staticmethod
    def total(weighted_inputs: list, bias: float) -> float:
        return sum(weighted_inputs, bias)

    @staticmethod
    def weigh(activity: float, weights: list) -> list:
        return [activity * w for w in weights]

    @staticmethod
    def backpropagate(errors: list, weights: list) -> float:
        return sum(map(mul, errors, weights))

    @staticmethod
    def descend(weights: list, errors: list, activity: float, rate: float) -> list:
        """Each weight one step down its gradient, `delta_j * a`."""
        return [w - rate * (e * activity) for w, e in zip(weights, errors)]

    @staticmethod
    def mean(error: float) -> float:
        return error


class Vectors:
    """A mini-batch at a time: every signal is a vector with one value per example; the weights
    are a NumPy vector and each gradient is the mean over the batch."""

    @staticmethod
    def gather(errors: list) -> np.ndarray:
        """The errors as one matrix (synapses, examples), so the steps that follow are one product each."""
        return np.array(errors)

    @staticmethod
    def total(weighted_inputs: list, bias: float) -> np.ndarray:
        if len(weighted_inputs) == 1:  # a sensor, or a neuron with one input: nothing to add up
            return weighted_inputs[0] + bias if bias else weighted_inputs[0]
        return np.add.reduce(weighted_inputs) + bias

    @staticmethod
    def weigh(activity: np.ndarray, weights: np.ndarray) -> list:
        return list(np.multiply.outer(weights, activity))

    @staticmethod
    def backpropagate(errors: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return weights @ errors

    @staticmethod
    def descend(weights: np.ndarray, errors: np.ndarray, activity: np.ndarray, rate: float) -> np.ndarray:
        return weights - rate / len(activity) * (errors @ activity)

    @staticmethod
    def mean(error: np.ndarray) -> float:
        return float(error.mean())

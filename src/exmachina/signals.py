"""Arithmetic on signals: a float for one example, or a vector of one value per example of a batch.

A neuron does the same nine steps either way; only the arithmetic differs. Python's own floats
are many times faster than NumPy on single numbers, and NumPy is many times faster on vectors, so
each form gets the arithmetic that suits it.
"""

from __future__ import annotations

import numpy as np


class Scalars:
    """One example at a time: every signal is a float, the weights a list of floats.

    Written as loops over floats so that Cython compiles them to C arithmetic (see signals.pxd);
    every sum runs left to right in plain double arithmetic, compiled or not.
    """

    def gather(self, errors: list) -> list:
        return errors

    def total(self, weighted_inputs: list, bias: float) -> float:
        total = bias
        for weighted_input in weighted_inputs:
            total += weighted_input
        return total

    def weigh(self, activity: float, weights: list) -> list:
        weighted = []
        for w in weights:
            weighted.append(activity * w)
        return weighted

    def backpropagate(self, errors: list, weights: list) -> float:
        total = 0.0
        for i in range(len(errors)):
            e, w = errors[i], weights[i]
            total += e * w
        return total

    def descend(self, weights: list, errors: list, activity: float, rate: float) -> list:
        """Each weight one step down its gradient, `delta_j * a`."""
        descended = []
        for i in range(len(weights)):
            w, e = weights[i], errors[i]
            descended.append(w - rate * (e * activity))
        return descended

    def mean(self, error: float) -> float:
        return error


class Vectors:
    """A mini-batch at a time: every signal is a vector with one value per example; the weights
    are a NumPy vector and each gradient is the mean over the batch."""

    def gather(self, errors: list) -> np.ndarray:
        """The errors as one matrix (synapses, examples), so the steps that follow are one product each."""
        return np.array(errors)

    def total(self, weighted_inputs: list, bias: float) -> np.ndarray:
        if len(weighted_inputs) == 1:  # a sensor, or a neuron with one input: nothing to add up
            return weighted_inputs[0] + bias if bias else weighted_inputs[0]
        return np.add.reduce(weighted_inputs) + bias

    def weigh(self, activity: np.ndarray, weights: np.ndarray) -> list:
        return list(weights[:, np.newaxis] * activity)  # a row per synapse: one product, then views

    def backpropagate(self, errors: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return weights @ errors

    def descend(self, weights: np.ndarray, errors: np.ndarray, activity: np.ndarray, rate: float) -> np.ndarray:
        return weights - rate / len(activity) * (errors @ activity)

    def mean(self, error: np.ndarray) -> float:
        return float(error.mean())


SCALARS, VECTORS = Scalars(), Vectors()  # the arithmetic has no state: every neuron shares these

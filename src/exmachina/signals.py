"""Arithmetic on signals: a float for one example, or a vector of one value per example of a batch.

A neuron does the same nine steps either way; only the arithmetic differs. One example's signals
are Python floats, a batch's are NumPy vectors; both are added up by plain loops, which Cython
compiles to C (see signals.pxd), in the same order for every value.
"""

from __future__ import annotations

import numpy as np

from . import buffers

buffers.load()


class Scalars:
    """One example at a time: every signal is a float, the weights a list of floats.

    Written as loops over floats so that Cython compiles them to C arithmetic (see signals.pxd);
    every sum runs left to right in plain double arithmetic, compiled or not.
    """

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

    def backpropagate(self, errors: list, weights: list, derivative: float) -> float:
        """`f'(z) * sum_j(delta_j * w_j)`: the errors of the targets, back through the synapses."""
        total = 0.0
        for i in range(len(errors)):
            e, w = errors[i], weights[i]
            total += e * w
        return derivative * total

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
    """A mini-batch at a time: every signal is a NumPy vector with one value per example, the
    weights a NumPy vector, and each gradient the mean over the batch.

    Written, like `Scalars`, as loops: compiled, they run over the vectors' memory (see `buffers`),
    because on a neuron's short vectors a NumPy call costs more than the arithmetic it does. Each
    value is the sum that `Scalars` computes for one example, added up in the same order.
    """

    def total(self, weighted_inputs: list, bias: float) -> np.ndarray:
        size = len(weighted_inputs[0])
        total = buffers.empty(size)
        sums = buffers.values(total, size)
        for b in range(size):
            sums[b] = bias
        for weighted_input in weighted_inputs:
            inputs = buffers.values(weighted_input, size)
            for b in range(size):
                sums[b] += inputs[b]
        return total

    def weigh(self, activity: np.ndarray, weights: np.ndarray) -> list:
        size, fan_out = len(activity), len(weights)
        a, w = buffers.values(activity, size), buffers.values(weights, fan_out)
        weighted = []
        for i in range(fan_out):
            products = buffers.empty(size)
            p = buffers.values(products, size)
            for b in range(size):
                p[b] = a[b] * w[i]
            weighted.append(products)
        return weighted

    def backpropagate(self, errors: list, weights: np.ndarray, derivative: np.ndarray | float) -> np.ndarray:
        """The derivative is a vector, or one number for every example (an activation whose
        derivative is constant)."""
        fan_out, size = len(errors), len(errors[0])
        w = buffers.values(weights, fan_out)
        total = buffers.empty(size)
        sums = buffers.values(total, size)
        for b in range(size):
            sums[b] = 0.0
        for i in range(fan_out):
            e = buffers.values(errors[i], size)
            for b in range(size):
                sums[b] += e[b] * w[i]
        if not isinstance(derivative, np.ndarray):
            slope = float(derivative)
            for b in range(size):
                sums[b] = slope * sums[b]
        else:
            d = buffers.values(derivative, size)
            for b in range(size):
                sums[b] = d[b] * sums[b]
        return total

    def descend(self, weights: np.ndarray, errors: list, activity: np.ndarray, rate: float) -> np.ndarray:
        """Each weight one step down its mean gradient over the batch, `mean(delta_j * a)`."""
        fan_out, size = len(weights), len(activity)
        if len(errors) != fan_out:
            raise ValueError(f"{fan_out} weights but {len(errors)} errors")
        w, a = buffers.values(weights, fan_out), buffers.values(activity, size)
        descended = buffers.empty(fan_out)
        new = buffers.values(descended, fan_out)
        step = rate / size
        for i in range(fan_out):
            e = buffers.values(errors[i], size)
            gradient = 0.0
            for b in range(size):
                gradient += e[b] * a[b]
            new[i] = w[i] - step * gradient
        return descended

    def mean(self, error: np.ndarray) -> float:
        size = len(error)
        e = buffers.values(error, size)
        total = 0.0
        for b in range(size):
            total += e[b]
        return float(total / size)


SCALARS, VECTORS = Scalars(), Vectors()  # the arithmetic has no state: every neuron shares these

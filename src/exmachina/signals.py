# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""Arithmetic on signals: a float for one example, or a vector of one value per example of a batch.

A neuron does the same nine steps either way; only the arithmetic differs. Its messages are
doubles in C arrays: its mailbox slots in a wave (`inbox`, from offset `at`, `width` doubles per
slot) and the outbox it sends from. One example's total input and activity are floats; a batch's
are NumPy vectors. Every sum is a plain loop, which Cython compiles to C (see signals.pxd), adding
in the same order for every value, compiled or not.
"""

from __future__ import annotations

import random

import numpy as np

from . import buffers
from .activations import activate, slope

buffers.load()


class Signals:
    """The arithmetic a neuron's steps need; `Scalars` and `Vectors` are its two forms."""

    def total(self, inbox: np.ndarray, at: int, fan: int, width: int, bias: float):
        """The bias plus every weighted input (step 2)."""
        raise NotImplementedError

    def noisy(self, total_input, random: random.Random, sigma: float):
        """The total input plus Gaussian noise, a draw per example."""
        raise NotImplementedError

    def activity(self, code: int, total_input):
        raise NotImplementedError

    def derivative(self, code: int, total_input, activity):
        raise NotImplementedError

    def weigh(self, activity, weights: np.ndarray, outbox: np.ndarray, width: int) -> None:
        """The activity times each outgoing weight, into the outbox (step 3)."""
        raise NotImplementedError

    def backpropagate(self, inbox: np.ndarray, at: int, weights: np.ndarray, width: int, derivative):
        """`f'(z) * sum_j(delta_j * w_j)`: the targets' errors back through the synapses (step 6)."""
        raise NotImplementedError

    def spread(self, error, outbox: np.ndarray, fan: int, width: int) -> None:
        """The same error for each input, into the outbox (step 7)."""
        raise NotImplementedError

    def descend(self, weights: np.ndarray, inbox: np.ndarray, at: int, width: int, activity, rate: float) -> None:
        """Each weight one step down its gradient, `delta_j * a` (its mean over a batch), in place (8, 9)."""
        raise NotImplementedError

    def mean(self, error) -> float:
        raise NotImplementedError


class Scalars(Signals):
    """One example at a time: every signal is a float."""

    def total(self, inbox, at, fan, width, bias):
        slots = buffers.block(inbox, at + fan)
        total = bias
        for i in range(at, at + fan):
            total += slots[i]
        return total

    def noisy(self, total_input, random, sigma):
        return total_input + random.gauss(0.0, sigma)

    def activity(self, code, total_input):
        return activate(code, total_input)

    def derivative(self, code, total_input, activity):
        return slope(code, total_input, activity)

    def weigh(self, activity, weights, outbox, width):
        fan = len(weights)
        a, w, out = activity, buffers.values(weights, fan), buffers.block(outbox, fan)
        for j in range(fan):
            out[j] = a * w[j]

    def backpropagate(self, inbox, at, weights, width, derivative):
        fan = len(weights)
        e, w = buffers.block(inbox, at + fan), buffers.values(weights, fan)
        total = 0.0
        for j in range(fan):
            total += e[at + j] * w[j]
        return derivative * total

    def spread(self, error, outbox, fan, width):
        e, out = error, buffers.block(outbox, fan)
        for i in range(fan):
            out[i] = e

    def descend(self, weights, inbox, at, width, activity, rate):
        fan = len(weights)
        a, e, w = activity, buffers.block(inbox, at + fan), buffers.values(weights, fan)
        for j in range(fan):
            w[j] = w[j] - rate * (e[at + j] * a)

    def mean(self, error):
        return error


class Vectors(Signals):
    """A mini-batch at a time: every signal is a vector with one value per example, and each
    gradient the mean over the batch. Each value is the sum that `Scalars` computes for one
    example, added up in the same order."""

    def total(self, inbox, at, fan, width, bias):
        slots = buffers.block(inbox, at + fan * width)
        total = buffers.empty(width)
        sums = buffers.values(total, width)
        for b in range(width):
            sums[b] = bias
        for i in range(fan):
            for b in range(width):
                sums[b] += slots[at + i * width + b]
        return total

    def noisy(self, total_input, random, sigma):
        return total_input + np.array([random.gauss(0.0, sigma) for _ in range(len(total_input))])

    def activity(self, code, total_input):
        size = len(total_input)
        activity = buffers.empty(size)
        z, a = buffers.values(total_input, size), buffers.values(activity, size)
        for b in range(size):
            a[b] = activate(code, z[b])
        return activity

    def derivative(self, code, total_input, activity):
        size = len(total_input)
        derivative = buffers.empty(size)
        z, a, d = buffers.values(total_input, size), buffers.values(activity, size), buffers.values(derivative, size)
        for b in range(size):
            d[b] = slope(code, z[b], a[b])
        return derivative

    def weigh(self, activity, weights, outbox, width):
        fan = len(weights)
        a, w, out = buffers.values(activity, width), buffers.values(weights, fan), buffers.block(outbox, fan * width)
        for j in range(fan):
            for b in range(width):
                out[j * width + b] = a[b] * w[j]

    def backpropagate(self, inbox, at, weights, width, derivative):
        fan = len(weights)
        e, w = buffers.block(inbox, at + fan * width), buffers.values(weights, fan)
        total = buffers.empty(width)
        sums, d = buffers.values(total, width), buffers.values(derivative, width)
        for b in range(width):
            sums[b] = 0.0
        for j in range(fan):
            for b in range(width):
                sums[b] += e[at + j * width + b] * w[j]
        for b in range(width):
            sums[b] = d[b] * sums[b]
        return total

    def spread(self, error, outbox, fan, width):
        e, out = buffers.values(error, width), buffers.block(outbox, fan * width)
        for i in range(fan):
            for b in range(width):
                out[i * width + b] = e[b]

    def descend(self, weights, inbox, at, width, activity, rate):
        fan = len(weights)
        a, e, w = buffers.values(activity, width), buffers.block(inbox, at + fan * width), buffers.values(weights, fan)
        step = rate / width
        for j in range(fan):
            gradient = 0.0
            for b in range(width):
                gradient += e[at + j * width + b] * a[b]
            w[j] = w[j] - step * gradient

    def mean(self, error):
        size = len(error)
        e = buffers.values(error, size)
        total = 0.0
        for b in range(size):
            total += e[b]
        return float(total / size)


SCALARS, VECTORS = Scalars(), Vectors()  # the arithmetic has no state: every neuron shares these

# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""Arithmetic on signals: the values a neuron computes for one example, or for each of a mini-batch.

A neuron does the same nine steps either way; only the arithmetic differs. A signal (a total
input, an activity, an error) is a NumPy vector of doubles: one double for one example (`width` 0),
one per example for a batch (`width` of them). Its messages are doubles in C arrays: its mailbox
slots in a wave (`inbox`, from offset `at`, `width` doubles per slot for a batch) and the outbox it
sends from. Every method writes into the vectors it is given, so no Python number is made per
neuron, and every sum is a plain loop, which Cython compiles to C (see signals.pxd), adding in the
same order for every value, compiled or not.
"""

from __future__ import annotations

import random

import numpy as np

from . import buffers
from .activations import activate, slope

buffers.load()


class Signals:
    """The arithmetic a neuron's steps need; `Scalars` and `Vectors` are its two forms."""

    def total(self, inbox: np.ndarray, at: int, fan: int, width: int, bias: float, total_input: np.ndarray) -> None:
        """Step 2's sum, into `total_input`: the bias plus every weighted input."""
        raise NotImplementedError

    def noisy(self, total_input: np.ndarray, random: random.Random, sigma: float) -> None:
        """Gaussian noise on the total input, a draw per example."""
        raise NotImplementedError

    def activity(self, code: int, total_input: np.ndarray, activity: np.ndarray) -> None:
        """Step 2's activity, `f(z)`, into `activity`."""
        raise NotImplementedError

    def derivative(self, code: int, total_input: np.ndarray, activity: np.ndarray, derivative: np.ndarray) -> None:
        """`f'(z)`, into `derivative` (which may be `total_input` itself)."""
        raise NotImplementedError

    def weigh(self, activity: np.ndarray, weights: np.ndarray, outbox: np.ndarray, width: int) -> None:
        """The activity times each outgoing weight, into the outbox (step 3)."""
        raise NotImplementedError

    def backpropagate(self, inbox: np.ndarray, at: int, weights: np.ndarray, width: int, derivative: np.ndarray,
                      outbox: np.ndarray) -> None:
        """`f'(z) * sum_j(delta_j * w_j)`, the targets' errors back through the synapses (step 6), into
        the outbox's first signal."""
        raise NotImplementedError

    def spread(self, outbox: np.ndarray, fan: int, width: int) -> None:
        """The error in the outbox's first signal, once for each input (step 7)."""
        raise NotImplementedError

    def descend(self, weights: np.ndarray, inbox: np.ndarray, at: int, width: int, activity: np.ndarray,
                rate: float) -> None:
        """Each weight one step down its gradient, `delta_j * a` (its mean over a batch), in place (8, 9)."""
        raise NotImplementedError

    def mean(self, outbox: np.ndarray, width: int) -> float:
        """The mean over the examples of the outbox's first signal."""
        raise NotImplementedError


class Scalars(Signals):
    """One example at a time: every signal is a single double."""

    def total(self, inbox, at, fan, width, bias, total_input):
        slots, z = buffers.block(inbox, at + fan), buffers.values(total_input, 1)
        total = bias
        for i in range(at, at + fan):
            total += slots[i]
        z[0] = total

    def noisy(self, total_input, random, sigma):
        z = buffers.values(total_input, 1)
        z[0] = z[0] + random.gauss(0.0, sigma)

    def activity(self, code, total_input, activity):
        z, a = buffers.values(total_input, 1), buffers.values(activity, 1)
        a[0] = activate(code, z[0])

    def derivative(self, code, total_input, activity, derivative):
        z, a, d = buffers.values(total_input, 1), buffers.values(activity, 1), buffers.values(derivative, 1)
        d[0] = slope(code, z[0], a[0])

    def weigh(self, activity, weights, outbox, width):
        fan = len(weights)
        a, w, out = buffers.values(activity, 1)[0], buffers.values(weights, fan), buffers.block(outbox, fan)
        for j in range(fan):
            out[j] = a * w[j]

    def backpropagate(self, inbox, at, weights, width, derivative, outbox):
        fan = len(weights)
        e, w, out = buffers.block(inbox, at + fan), buffers.values(weights, fan), buffers.block(outbox, 1)
        total = 0.0
        for j in range(fan):
            total += e[at + j] * w[j]
        out[0] = buffers.values(derivative, 1)[0] * total

    def spread(self, outbox, fan, width):
        out = buffers.block(outbox, fan)
        e = out[0]
        for i in range(1, fan):
            out[i] = e

    def descend(self, weights, inbox, at, width, activity, rate):
        fan = len(weights)
        a, e, w = buffers.values(activity, 1)[0], buffers.block(inbox, at + fan), buffers.values(weights, fan)
        for j in range(fan):
            w[j] = w[j] - rate * (e[at + j] * a)

    def mean(self, outbox, width):
        return buffers.block(outbox, 1)[0]


class Vectors(Signals):
    """A mini-batch at a time: every signal is a vector with one value per example, and each
    gradient the mean over the batch. Each value is the sum that `Scalars` computes for one
    example, added up in the same order."""

    def total(self, inbox, at, fan, width, bias, total_input):
        slots, sums = buffers.block(inbox, at + fan * width), buffers.values(total_input, width)
        for b in range(width):
            sums[b] = bias
        for i in range(fan):
            for b in range(width):
                sums[b] += slots[at + i * width + b]

    def noisy(self, total_input, random, sigma):
        size = len(total_input)
        z = buffers.values(total_input, size)
        for b in range(size):
            z[b] = z[b] + random.gauss(0.0, sigma)

    def activity(self, code, total_input, activity):
        size = len(total_input)
        z, a = buffers.values(total_input, size), buffers.values(activity, size)
        for b in range(size):
            a[b] = activate(code, z[b])

    def derivative(self, code, total_input, activity, derivative):
        size = len(total_input)
        z, a, d = buffers.values(total_input, size), buffers.values(activity, size), buffers.values(derivative, size)
        for b in range(size):
            d[b] = slope(code, z[b], a[b])

    def weigh(self, activity, weights, outbox, width):
        fan = len(weights)
        a, w, out = buffers.values(activity, width), buffers.values(weights, fan), buffers.block(outbox, fan * width)
        for j in range(fan):
            for b in range(width):
                out[j * width + b] = a[b] * w[j]

    def backpropagate(self, inbox, at, weights, width, derivative, outbox):
        fan = len(weights)
        e, w = buffers.block(inbox, at + fan * width), buffers.values(weights, fan)
        d, sums = buffers.values(derivative, width), buffers.block(outbox, width)
        for b in range(width):
            sums[b] = 0.0
        for j in range(fan):
            for b in range(width):
                sums[b] += e[at + j * width + b] * w[j]
        for b in range(width):
            sums[b] = d[b] * sums[b]

    def spread(self, outbox, fan, width):
        out = buffers.block(outbox, fan * width)
        for i in range(1, fan):
            for b in range(width):
                out[i * width + b] = out[b]

    def descend(self, weights, inbox, at, width, activity, rate):
        fan = len(weights)
        a, e, w = buffers.values(activity, width), buffers.block(inbox, at + fan * width), buffers.values(weights, fan)
        step = rate / width
        for j in range(fan):
            gradient = 0.0
            for b in range(width):
                gradient += e[at + j * width + b] * a[b]
            w[j] = w[j] - step * gradient

    def mean(self, outbox, width):
        e = buffers.block(outbox, width)
        total = 0.0
        for b in range(width):
            total += e[b]
        return float(total / width)


SCALARS, VECTORS = Scalars(), Vectors()  # the arithmetic has no state: every neuron shares these

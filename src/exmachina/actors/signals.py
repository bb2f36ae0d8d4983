# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""Arithmetic on signals: the values a neuron computes for one example, or for each of a mini-batch.

A neuron does the same nine steps either way; only the arithmetic differs. A signal (a total
input, an activity, an error) is a NumPy vector of doubles: one double for one example (`width` 0),
one per example for a batch (`width` of them). Its messages are doubles in C arrays: its mailbox
slots in a wave (`inbox`, from offset `at`, `width` doubles per slot for a batch) and the outbox it
sends from. Every method writes into the vectors it is given, so no Python number is made per
neuron, and every sum is a plain loop, which Cython compiles to C (see signals.pxd), adding in the
same order for every value, compiled or not.

Compiled, every argument that is a vector is a pointer to its doubles, and the methods are C calls
that check nothing: the neuron checks each vector once, when it makes or is given it (`buffers`).
Run as Python, they are the NumPy arrays themselves.
"""

from __future__ import annotations

import random

import numpy as np

from . import lanes
from .activations import ACTIVATIONS, activate, slope

IDENTITY = ACTIVATIONS["identity"].code  # (a C int, compiled)


class Signals:
    """The arithmetic a neuron's steps need; `Scalars` and `Vectors` are its two forms. `width` is
    the number of examples in a signal, 0 for a single one."""

    def copy(self, total: np.ndarray, at: int, width: int, total_input: np.ndarray) -> None:
        """The total input that the dendrites folded, from `total[at]`, into `total_input`."""
        raise NotImplementedError

    def noisy(self, total_input: np.ndarray, width: int, random: random.Random, sigma: float) -> None:
        """Gaussian noise on the total input, a draw per example."""
        raise NotImplementedError

    def activity(self, code: int, total_input: np.ndarray, activity: np.ndarray, width: int) -> None:
        """Step 2's activity, `f(z)`, into `activity`."""
        raise NotImplementedError

    def derivative(self, code: int, total_input: np.ndarray, activity: np.ndarray, derivative: np.ndarray,
                   width: int) -> None:
        """`f'(z)`, into `derivative` (which may be `total_input` itself)."""
        raise NotImplementedError

    def weigh(self, activity: np.ndarray, weights: np.ndarray, fan: int, outbox: np.ndarray, width: int) -> None:
        """The activity times each of the `fan` outgoing weights, into the outbox (step 3)."""
        raise NotImplementedError

    def error(self, errors: np.ndarray, at: int, derivative: np.ndarray, outbox: np.ndarray, width: int) -> None:
        """`f'(z) * sum_j(delta_j * w_j)`, the error sum that the dendrites folded from `errors[at]`
        (step 6), into the outbox's first signal."""
        raise NotImplementedError

    def mean(self, outbox: np.ndarray, width: int) -> float:
        """The mean over the examples of the outbox's first signal."""
        raise NotImplementedError


class Scalars(Signals):
    """One example at a time: every signal is a single double."""

    def copy(self, total, at, width, total_input):
        total_input[0] = total[at]

    def noisy(self, total_input, width, random, sigma):
        total_input[0] = total_input[0] + random.gauss(0.0, sigma)

    def activity(self, code, total_input, activity, width):
        activity[0] = total_input[0] if code == IDENTITY else activate(code, total_input[0])

    def derivative(self, code, total_input, activity, derivative, width):
        derivative[0] = 1.0 if code == IDENTITY else slope(code, total_input[0], activity[0])

    def weigh(self, activity, weights, fan, outbox, width):
        a = activity[0]
        for j in range(fan):
            outbox[j] = a * weights[j]

    def error(self, errors, at, derivative, outbox, width):
        outbox[0] = derivative[0] * errors[at]

    def mean(self, outbox, width):
        return outbox[0]


class Vectors(Signals):
    """A mini-batch at a time: every signal is a vector with one value per example, and each
    gradient the mean over the batch. Each value is the sum that `Scalars` computes for one
    example, added up in the same order."""

    def copy(self, total, at, width, total_input):
        for b in range(width):
            total_input[b] = total[at + b]

    def noisy(self, total_input, width, random, sigma):
        for b in range(width):
            total_input[b] = total_input[b] + random.gauss(0.0, sigma)

    def activity(self, code, total_input, activity, width):
        if code == IDENTITY:  # (a sensor's: its input itself, in a loop the compiler vectorises)
            for b in range(width):
                activity[b] = total_input[b]
            return
        for b in range(width):
            activity[b] = activate(code, total_input[b])

    def derivative(self, code, total_input, activity, derivative, width):
        if code == IDENTITY:
            for b in range(width):
                derivative[b] = 1.0
            return
        for b in range(width):
            derivative[b] = slope(code, total_input[b], activity[b])

    def weigh(self, activity, weights, fan, outbox, width):
        lanes.weigh(activity, weights, fan, outbox, width)

    def error(self, errors, at, derivative, outbox, width):
        for b in range(width):
            outbox[b] = derivative[b] * errors[at + b]

    def mean(self, outbox, width):
        total = 0.0
        for b in range(width):
            total += outbox[b]
        return float(total / width)


SCALARS, VECTORS = Scalars(), Vectors()  # the arithmetic has no state: every neuron shares these

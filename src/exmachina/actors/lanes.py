"""A batch's loops that the compiled modules take four doubles at a time, in vector registers.

Compiled, `lanes.pxd` replaces these functions with C in GCC's and Clang's vector types (this `.py`
is never compiled, like `buffers.py`): each value is the same multiply or add, and each sum adds in
the same order, so the bits are the same. Here they are the plain loops. `sum_lanes` is the one
that needed the lanes most: a receiver's gradient over a batch is a chain of additions in batch
order, each waiting for the one before; compiled, sixteen receivers' chains go at once, four to a
register, each lane doing one receiver's additions.
"""

from __future__ import annotations

import numpy as np


def sum_lanes(spread: np.ndarray, at: int, across: int, sent: np.ndarray, width: int, gradients: np.ndarray,
              lanes: int) -> None:
    """`lanes` receivers' gradients into `gradients`: receiver l's activity for example b of the batch
    is `spread[at + b * across + l]`, and `sent[b]` the error it was sent for that example."""
    for lane in range(lanes):
        total = 0.0
        for b in range(width):
            total += sent[b] * spread[at + b * across + lane]
        gradients[lane] = total


def weigh(activity: np.ndarray, weights: np.ndarray, fan: int, outbox: np.ndarray, width: int) -> None:
    """Step 3 for a batch: the activity's vector times each of the `fan` weights, into the outbox."""
    for j in range(fan):
        for b in range(width):
            outbox[j * width + b] = activity[b] * weights[j]


def fold_errors(sums: np.ndarray, first: int, count: int, slot: int, sent: np.ndarray, width: int,
                weights_of: list) -> None:
    """Step 5 for a run of `count` receivers from `first` sent one vector of errors: each adds
    `sent[b]` times its weight for `slot` into its error sum for example b."""
    for k in range(count):
        then = weights_of[first + k][slot]
        for b in range(width):
            sums[(first + k) * width + b] += sent[b] * then

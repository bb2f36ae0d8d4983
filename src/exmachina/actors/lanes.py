"""A run's gradients over a batch, several receivers side by side, for the compiled folds.

Each receiver of a run that is sent one vector of errors (a neuron's error, back to its inputs)
sums its gradient, delta[b] * a[b] over the batch, in batch order from 0.0: a chain of additions,
each waiting for the one before. Compiled, `lanes.pxd` replaces this function with C that takes
sixteen receivers' chains at once in the processor's vector lanes (four doubles to a lane group):
each lane does one receiver's additions in the same order, so the bits are the same (this `.py`
is never compiled, like `buffers.py`).
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

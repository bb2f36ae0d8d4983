"""The memory of a signal vector, for the loops of `signals.Vectors`.

Run as Python, `values` hands back the NumPy vector itself and the loops index it. Compiled, the
`.pxd` beside this file replaces both functions with C ones (the `.py` itself is never compiled):
`values` hands back a pointer to the vector's doubles, so the loops cost what the arithmetic costs,
and `empty` makes a vector without a Python call. Both check the same things (float64 in the
machine's byte order, aligned, contiguous, of the expected length), so a wrong vector is the same
error either way.
"""

from __future__ import annotations

import numpy as np


def load() -> None:
    """Nothing to do in Python. Compiled, a module that uses these functions calls this once, first:
    it loads NumPy's C functions into that module."""


def values(vector: np.ndarray, size: int) -> np.ndarray:
    """The `size` values of a vector of floats, after checking that is what it is."""
    if not (
        isinstance(vector, np.ndarray) and vector.dtype == np.float64 and vector.shape == (size,)
        and vector.flags.c_contiguous and vector.flags.aligned
    ):
        raise refusal(vector, size)
    return vector


def empty(size: int) -> np.ndarray:
    """A new vector of `size` floats, to be filled."""
    return np.empty(size)


def refusal(vector: object, size: int) -> ValueError:
    """What is wrong with a vector that `values` refuses: one message for both versions."""
    if isinstance(vector, np.ndarray):
        layout = "contiguous" if vector.flags.c_contiguous else "strided"
        layout += "" if vector.flags.aligned else " unaligned"
        found = f"a {layout} {vector.dtype} array of shape {vector.shape}"
    else:
        found = f"a {type(vector).__name__}"
    return ValueError(f"expected a contiguous vector of {size} floats, got {found}")

"""The memory of signal vectors and of the runtime's tables, for the loops of the hot path.

Run as Python, these functions hand back the NumPy array itself and the loops index it. Compiled,
the `.pxd` beside this file replaces them with C ones (the `.py` itself is never compiled): they
hand back a pointer to the array's numbers, so the loops cost what the arithmetic costs, and
`empty` makes a vector without a Python call. Both versions check the same things (float64, or
int32 for tables, in the machine's byte order, aligned, contiguous, of the expected length), so a
wrong array is the same error either way.
"""

from __future__ import annotations

import numpy as np


def load() -> None:
    """Nothing to do in Python. Compiled, a module that uses these functions calls this once, first:
    it loads NumPy's C functions into that module."""


def values(vector: np.ndarray, size: int) -> np.ndarray:
    """The `size` values of a vector of floats, after checking that is what it is."""
    if not _fits(vector, np.float64, size, exact=True):
        raise refusal(vector, size)
    return vector


def block(array: np.ndarray, size: int) -> np.ndarray:
    """The first `size` floats of an array of at least that many (a mailbox block, an outbox)."""
    if not _fits(array, np.float64, size, exact=False):
        raise refusal(array, size)
    return array


def ints(array: np.ndarray, size: int) -> np.ndarray:
    """The first `size` 32-bit integers of an array of at least that many (a table of routes)."""
    if not _fits(array, np.int32, size, exact=False):
        raise refusal(array, size, "32-bit integers")
    return array


def pointers(storage: np.ndarray, size: int) -> list:
    """A table of `size` vectors, each set to one that its owner keeps alive. Compiled, a table of
    pointers to their numbers, held in `storage` (an array of `np.intp` the caller keeps)."""
    if not _fits(storage, np.intp, size, exact=False):
        raise refusal(storage, size, "addresses")
    return [None] * size


def at(vector: np.ndarray, offset: int) -> np.ndarray:
    """The values of a vector from `offset` on (compiled: a pointer that far into them)."""
    return vector[offset:]


def same(vector: np.ndarray, other: np.ndarray) -> bool:
    """Whether two vectors are one (compiled: the same address)."""
    return vector is other


def empty(size: int) -> np.ndarray:
    """A new vector of `size` floats, to be filled."""
    return np.empty(size)


def _fits(array: object, dtype: type, size: int, exact: bool) -> bool:
    return (
        isinstance(array, np.ndarray) and array.dtype == dtype and array.ndim == 1
        and (array.shape[0] == size if exact else array.shape[0] >= size)
        and array.flags.c_contiguous and array.flags.aligned
    )


def refusal(vector: object, size: int, what: str = "floats") -> ValueError:
    """What is wrong with an array that a function here refuses: one message for both versions."""
    if isinstance(vector, np.ndarray):
        layout = "contiguous" if vector.flags.c_contiguous else "strided"
        layout += "" if vector.flags.aligned else " unaligned"
        found = f"a {layout} {vector.dtype} array of shape {vector.shape}"
    else:
        found = f"a {type(vector).__name__}"
    return ValueError(f"expected a contiguous vector of {size} {what}, got {found}")

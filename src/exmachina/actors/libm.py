"""The C library's `exp` and `tanh`, for the compiled activations.

Run as Python, these are the functions of the `math` module, which call the C library's own. Compiled,
`libm.pxd` replaces them with direct calls to the same C functions (this `.py` is never compiled, like
`buffers.py`), so the activations compute the same bits either way.
"""

from math import exp, tanh

__all__ = ["exp", "tanh"]

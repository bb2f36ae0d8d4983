# C versions of libm.py, for the modules that cimport this one: the same C functions that `math` calls.
from libc cimport math


cdef inline double exp(double x) noexcept nogil:
    return math.exp(x)


cdef inline double tanh(double x) noexcept nogil:
    return math.tanh(x)

# C types for signals.py (see runtime.pxd): the arithmetic on C doubles, for one example or a batch's vectors.
cimport cython

from exmachina cimport buffers


cdef class Scalars:
    @cython.locals(total=double, weighted_input=double)
    cpdef double total(self, list weighted_inputs, double bias)

    @cython.locals(w=double, weighted=list)
    cpdef list weigh(self, double activity, list weights)

    @cython.locals(total=double, i=Py_ssize_t, e=double, w=double)
    cpdef double backpropagate(self, list errors, list weights, double derivative)

    @cython.locals(i=Py_ssize_t, w=double, e=double, descended=list)
    cpdef list descend(self, list weights, list errors, double activity, double rate)

    cpdef double mean(self, double error)


cdef class Vectors:
    @cython.locals(size=Py_ssize_t, sums="double*", inputs="double*", b=Py_ssize_t)
    cpdef object total(self, list weighted_inputs, double bias)

    @cython.locals(size=Py_ssize_t, fan_out=Py_ssize_t, a="double*", w="double*", p="double*", weighted=list,
                   i=Py_ssize_t, b=Py_ssize_t)
    cpdef list weigh(self, object activity, object weights)

    @cython.locals(fan_out=Py_ssize_t, size=Py_ssize_t, w="double*", sums="double*", e="double*", i=Py_ssize_t,
                   b=Py_ssize_t, slope=double, d="double*")
    cpdef object backpropagate(self, list errors, object weights, object derivative)

    @cython.locals(fan_out=Py_ssize_t, size=Py_ssize_t, w="double*", a="double*", new="double*", e="double*",
                   step=double, gradient=double, i=Py_ssize_t, b=Py_ssize_t)
    cpdef object descend(self, object weights, list errors, object activity, double rate)

    @cython.locals(size=Py_ssize_t, e="double*", total=double, b=Py_ssize_t)
    cpdef double mean(self, object error)

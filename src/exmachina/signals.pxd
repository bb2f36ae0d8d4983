# C types for signals.py (see runtime.pxd): one example's arithmetic on C doubles.
cimport cython


cdef class Scalars:
    cpdef list gather(self, list errors)

    @cython.locals(total=double, weighted_input=double)
    cpdef double total(self, list weighted_inputs, double bias)

    @cython.locals(w=double, weighted=list)
    cpdef list weigh(self, double activity, list weights)

    @cython.locals(total=double, i=Py_ssize_t, e=double, w=double)
    cpdef double backpropagate(self, list errors, list weights)

    @cython.locals(i=Py_ssize_t, w=double, e=double, descended=list)
    cpdef list descend(self, list weights, list errors, double activity, double rate)

    cpdef double mean(self, double error)

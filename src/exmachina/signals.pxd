# C types for signals.py (see runtimes/local.pxd): the arithmetic on C doubles, for one example or a batch.
cimport cython

from exmachina cimport buffers
from exmachina.activations cimport activate, slope


cdef class Signals:
    cpdef object total(self, double[::1] inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias)
    cpdef object noisy(self, object total_input, object random, double sigma)
    cpdef object activity(self, int code, object total_input)
    cpdef object derivative(self, int code, object total_input, object activity)
    cpdef weigh(self, object activity, double[::1] weights, double[::1] outbox, Py_ssize_t width)
    cpdef object backpropagate(self, double[::1] inbox, Py_ssize_t at, double[::1] weights, Py_ssize_t width,
                               object derivative)
    cpdef spread(self, object error, double[::1] outbox, Py_ssize_t fan, Py_ssize_t width)
    cpdef descend(self, double[::1] weights, double[::1] inbox, Py_ssize_t at, Py_ssize_t width, object activity,
                  double rate)
    cpdef double mean(self, object error)


cdef class Scalars(Signals):
    @cython.locals(total=double, i=Py_ssize_t)
    cpdef object total(self, double[::1] inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias)

    @cython.locals(a=double, j=Py_ssize_t)
    cpdef weigh(self, object activity, double[::1] weights, double[::1] outbox, Py_ssize_t width)

    @cython.locals(total=double, j=Py_ssize_t)
    cpdef object backpropagate(self, double[::1] inbox, Py_ssize_t at, double[::1] weights, Py_ssize_t width,
                               object derivative)

    @cython.locals(e=double, i=Py_ssize_t)
    cpdef spread(self, object error, double[::1] outbox, Py_ssize_t fan, Py_ssize_t width)

    @cython.locals(a=double, j=Py_ssize_t)
    cpdef descend(self, double[::1] weights, double[::1] inbox, Py_ssize_t at, Py_ssize_t width, object activity,
                  double rate)


cdef class Vectors(Signals):
    @cython.locals(sums="double*", i=Py_ssize_t, b=Py_ssize_t)
    cpdef object total(self, double[::1] inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias)

    @cython.locals(size=Py_ssize_t, z="double*", a="double*", b=Py_ssize_t)
    cpdef object activity(self, int code, object total_input)

    @cython.locals(size=Py_ssize_t, z="double*", a="double*", d="double*", b=Py_ssize_t)
    cpdef object derivative(self, int code, object total_input, object activity)

    @cython.locals(a="double*", j=Py_ssize_t, b=Py_ssize_t)
    cpdef weigh(self, object activity, double[::1] weights, double[::1] outbox, Py_ssize_t width)

    @cython.locals(sums="double*", d="double*", j=Py_ssize_t, b=Py_ssize_t)
    cpdef object backpropagate(self, double[::1] inbox, Py_ssize_t at, double[::1] weights, Py_ssize_t width,
                               object derivative)

    @cython.locals(e="double*", i=Py_ssize_t, b=Py_ssize_t)
    cpdef spread(self, object error, double[::1] outbox, Py_ssize_t fan, Py_ssize_t width)

    @cython.locals(a="double*", step=double, gradient=double, j=Py_ssize_t, b=Py_ssize_t)
    cpdef descend(self, double[::1] weights, double[::1] inbox, Py_ssize_t at, Py_ssize_t width, object activity,
                  double rate)

    @cython.locals(size=Py_ssize_t, e="double*", total=double, b=Py_ssize_t)
    cpdef double mean(self, object error)

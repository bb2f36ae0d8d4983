# C types for signals.py (see runtimes/local.pxd): the arithmetic on C doubles, for one example or a batch.
cimport cython

from exmachina cimport buffers
from exmachina.activations cimport activate, slope


cdef class Signals:
    cpdef object total(self, object inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias)
    cpdef object noisy(self, object total_input, object random, double sigma)
    cpdef object activity(self, int code, object total_input)
    cpdef object derivative(self, int code, object total_input, object activity)
    cpdef weigh(self, object activity, object weights, object outbox, Py_ssize_t width)
    cpdef object backpropagate(self, object inbox, Py_ssize_t at, object weights, Py_ssize_t width, object derivative)
    cpdef spread(self, object error, object outbox, Py_ssize_t fan, Py_ssize_t width)
    cpdef descend(self, object weights, object inbox, Py_ssize_t at, Py_ssize_t width, object activity, double rate)
    cpdef double mean(self, object error)


cdef class Scalars(Signals):
    @cython.locals(slots="double*", total=double, i=Py_ssize_t)
    cpdef object total(self, object inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias)

    @cython.locals(fan=Py_ssize_t, a=double, w="double*", out="double*", j=Py_ssize_t)
    cpdef weigh(self, object activity, object weights, object outbox, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, e="double*", w="double*", total=double, j=Py_ssize_t)
    cpdef object backpropagate(self, object inbox, Py_ssize_t at, object weights, Py_ssize_t width, object derivative)

    @cython.locals(e=double, out="double*", i=Py_ssize_t)
    cpdef spread(self, object error, object outbox, Py_ssize_t fan, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, a=double, e="double*", w="double*", j=Py_ssize_t)
    cpdef descend(self, object weights, object inbox, Py_ssize_t at, Py_ssize_t width, object activity, double rate)


cdef class Vectors(Signals):
    @cython.locals(slots="double*", sums="double*", i=Py_ssize_t, b=Py_ssize_t)
    cpdef object total(self, object inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias)

    @cython.locals(size=Py_ssize_t, z="double*", a="double*", b=Py_ssize_t)
    cpdef object activity(self, int code, object total_input)

    @cython.locals(size=Py_ssize_t, z="double*", a="double*", d="double*", b=Py_ssize_t)
    cpdef object derivative(self, int code, object total_input, object activity)

    @cython.locals(fan=Py_ssize_t, a="double*", w="double*", out="double*", j=Py_ssize_t, b=Py_ssize_t)
    cpdef weigh(self, object activity, object weights, object outbox, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, e="double*", w="double*", sums="double*", d="double*", j=Py_ssize_t, b=Py_ssize_t)
    cpdef object backpropagate(self, object inbox, Py_ssize_t at, object weights, Py_ssize_t width, object derivative)

    @cython.locals(e="double*", out="double*", i=Py_ssize_t, b=Py_ssize_t)
    cpdef spread(self, object error, object outbox, Py_ssize_t fan, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, a="double*", e="double*", w="double*", step=double, gradient=double, j=Py_ssize_t,
                   b=Py_ssize_t)
    cpdef descend(self, object weights, object inbox, Py_ssize_t at, Py_ssize_t width, object activity, double rate)

    @cython.locals(size=Py_ssize_t, e="double*", total=double, b=Py_ssize_t)
    cpdef double mean(self, object error)

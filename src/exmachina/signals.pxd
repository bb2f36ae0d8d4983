# C types for signals.py (see runtimes/local.pxd): the arithmetic on C doubles, for one example or a batch.
cimport cython

from exmachina cimport buffers
from exmachina.activations cimport activate, slope


cdef class Signals:
    cpdef total(self, object inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias, object total_input)
    cpdef noisy(self, object total_input, object random, double sigma)
    cpdef activity(self, int code, object total_input, object activity)
    cpdef derivative(self, int code, object total_input, object activity, object derivative)
    cpdef weigh(self, object activity, object weights, object outbox, Py_ssize_t width)
    cpdef backpropagate(self, object inbox, Py_ssize_t at, object weights, Py_ssize_t width, object derivative,
                        object outbox)
    cpdef spread(self, object outbox, Py_ssize_t fan, Py_ssize_t width)
    cpdef descend(self, object weights, object inbox, Py_ssize_t at, Py_ssize_t width, object activity, double rate)
    cpdef double mean(self, object outbox, Py_ssize_t width)


cdef class Scalars(Signals):
    @cython.locals(slots="double*", z="double*", total=double, i=Py_ssize_t)
    cpdef total(self, object inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias, object total_input)

    @cython.locals(z="double*")
    cpdef noisy(self, object total_input, object random, double sigma)

    @cython.locals(z="double*", a="double*")
    cpdef activity(self, int code, object total_input, object activity)

    @cython.locals(z="double*", a="double*", d="double*")
    cpdef derivative(self, int code, object total_input, object activity, object derivative)

    @cython.locals(fan=Py_ssize_t, a=double, w="double*", out="double*", j=Py_ssize_t)
    cpdef weigh(self, object activity, object weights, object outbox, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, e="double*", w="double*", out="double*", total=double, j=Py_ssize_t)
    cpdef backpropagate(self, object inbox, Py_ssize_t at, object weights, Py_ssize_t width, object derivative,
                        object outbox)

    @cython.locals(out="double*", e=double, i=Py_ssize_t)
    cpdef spread(self, object outbox, Py_ssize_t fan, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, a=double, e="double*", w="double*", j=Py_ssize_t)
    cpdef descend(self, object weights, object inbox, Py_ssize_t at, Py_ssize_t width, object activity, double rate)

    cpdef double mean(self, object outbox, Py_ssize_t width)


cdef class Vectors(Signals):
    @cython.locals(slots="double*", sums="double*", i=Py_ssize_t, b=Py_ssize_t)
    cpdef total(self, object inbox, Py_ssize_t at, Py_ssize_t fan, Py_ssize_t width, double bias, object total_input)

    @cython.locals(size=Py_ssize_t, z="double*", b=Py_ssize_t)
    cpdef noisy(self, object total_input, object random, double sigma)

    @cython.locals(size=Py_ssize_t, z="double*", a="double*", b=Py_ssize_t)
    cpdef activity(self, int code, object total_input, object activity)

    @cython.locals(size=Py_ssize_t, z="double*", a="double*", d="double*", b=Py_ssize_t)
    cpdef derivative(self, int code, object total_input, object activity, object derivative)

    @cython.locals(fan=Py_ssize_t, a="double*", w="double*", out="double*", j=Py_ssize_t, b=Py_ssize_t)
    cpdef weigh(self, object activity, object weights, object outbox, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, e="double*", w="double*", d="double*", sums="double*", j=Py_ssize_t, b=Py_ssize_t)
    cpdef backpropagate(self, object inbox, Py_ssize_t at, object weights, Py_ssize_t width, object derivative,
                        object outbox)

    @cython.locals(out="double*", i=Py_ssize_t, b=Py_ssize_t)
    cpdef spread(self, object outbox, Py_ssize_t fan, Py_ssize_t width)

    @cython.locals(fan=Py_ssize_t, a="double*", e="double*", w="double*", step=double, gradient=double, j=Py_ssize_t,
                   b=Py_ssize_t)
    cpdef descend(self, object weights, object inbox, Py_ssize_t at, Py_ssize_t width, object activity, double rate)

    @cython.locals(e="double*", total=double, b=Py_ssize_t)
    cpdef double mean(self, object outbox, Py_ssize_t width)

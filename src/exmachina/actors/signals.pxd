# C types for signals.py (see delivery.pxd): the arithmetic on C doubles, for one example or a batch.
# Every vector is a pointer, checked by whoever made it: the methods are C calls and check nothing.
cimport cython

from exmachina.actors cimport lanes
from exmachina.actors.activations cimport activate, slope

cdef int IDENTITY  # the activation's number, as a C int


cdef class Signals:
    cdef void copy(self, double *total, Py_ssize_t at, Py_ssize_t width, double *total_input) noexcept
    cdef void noisy(self, double *total_input, Py_ssize_t width, object random, double sigma) except *
    cdef void activity(self, int code, double *total_input, double *activity, Py_ssize_t width) noexcept
    cdef void derivative(self, int code, double *total_input, double *activity, double *derivative,
                         Py_ssize_t width) noexcept
    cdef void weigh(self, double *activity, double *weights, Py_ssize_t fan, double *outbox, Py_ssize_t width) noexcept
    cdef void error(self, double *errors, Py_ssize_t at, double *derivative, double *outbox, Py_ssize_t width) noexcept
    cdef double mean(self, double *outbox, Py_ssize_t width) noexcept


cdef class Scalars(Signals):
    cdef void copy(self, double *total, Py_ssize_t at, Py_ssize_t width, double *total_input) noexcept

    cdef void noisy(self, double *total_input, Py_ssize_t width, object random, double sigma) except *
    cdef void activity(self, int code, double *total_input, double *activity, Py_ssize_t width) noexcept
    cdef void derivative(self, int code, double *total_input, double *activity, double *derivative,
                         Py_ssize_t width) noexcept

    @cython.locals(a=double, j=Py_ssize_t)
    cdef void weigh(self, double *activity, double *weights, Py_ssize_t fan, double *outbox, Py_ssize_t width) noexcept

    cdef void error(self, double *errors, Py_ssize_t at, double *derivative, double *outbox, Py_ssize_t width) noexcept

    cdef double mean(self, double *outbox, Py_ssize_t width) noexcept


cdef class Vectors(Signals):
    @cython.locals(b=Py_ssize_t)
    cdef void copy(self, double *total, Py_ssize_t at, Py_ssize_t width, double *total_input) noexcept

    @cython.locals(b=Py_ssize_t)
    cdef void noisy(self, double *total_input, Py_ssize_t width, object random, double sigma) except *

    @cython.locals(b=Py_ssize_t)
    cdef void activity(self, int code, double *total_input, double *activity, Py_ssize_t width) noexcept

    @cython.locals(b=Py_ssize_t)
    cdef void derivative(self, int code, double *total_input, double *activity, double *derivative,
                         Py_ssize_t width) noexcept

    cdef void weigh(self, double *activity, double *weights, Py_ssize_t fan, double *outbox, Py_ssize_t width) noexcept

    @cython.locals(b=Py_ssize_t)
    cdef void error(self, double *errors, Py_ssize_t at, double *derivative, double *outbox, Py_ssize_t width) noexcept

    @cython.locals(total=double, b=Py_ssize_t)
    cdef double mean(self, double *outbox, Py_ssize_t width) noexcept

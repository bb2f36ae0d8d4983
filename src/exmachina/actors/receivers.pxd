# C types for receivers.py (see delivery.pxd, which builds on it): a row of C values per process with
# dendrites, and the folds of a single message. Compiled without checks for None, as the delivery is.
cimport cython

from exmachina.actors cimport buffers
from exmachina.actors cimport dendrites
from exmachina.actors.dendrites cimport Process, Wave
from exmachina.actors.routes cimport Routes


cdef class Receivers:
    cdef public list processes
    cdef public long long waited
    cdef bint _lone
    cdef tuple _fan
    cdef object _boxed
    cdef Py_ssize_t _count
    cdef int *_fan_in_at
    cdef int *_fan_out_at
    cdef int *_boxed_at

    cdef list _dendrites
    cdef object _bound, _modes, _rates, _acts
    cdef int *_bound_at
    cdef int *_modes_at
    cdef double *_rates_at
    cdef double *_acts_at
    cdef double **_bias_of
    cdef object _unread
    cdef int *_unread_at
    cdef object _no_bias
    cdef double **_then_of
    cdef double **_weights_of
    cdef double **_activity_of
    cdef object _spread, _spread_in
    cdef double *_spread_at
    cdef int *_spread_in_at
    cdef int _spread_width

    @cython.locals(processes=list, count=Py_ssize_t, receiver=Py_ssize_t)
    cdef int _tables(self) except -1

    cdef int _wire(self, Process process, Py_ssize_t receiver) except -1

    @cython.locals(mode=int)
    @cython.final
    cdef inline int _read(self, Process process, Py_ssize_t receiver) except -1

    @cython.locals(process=Process)
    cdef int _bind(self, Wave wave, Py_ssize_t receiver) except -1

    @cython.locals(bound="int*", modes="int*", first=Py_ssize_t, number=int, late=int, k=Py_ssize_t)
    cdef bint _bind_run(self, Wave wave, Routes routes) except -1

    @cython.locals(unread="int*", first=Py_ssize_t, late=int, k=Py_ssize_t)
    @cython.final
    cdef inline bint _unread_run(self, Routes routes) except -1

    @cython.locals(spread_in="int*", first=Py_ssize_t, late=int, k=Py_ssize_t)
    @cython.final
    cdef inline bint _spread_ready(self, Routes routes, int width) except -1

    @cython.locals(activity="double*", spread="double*", count=Py_ssize_t, b=Py_ssize_t)
    cdef int _spread_activity(self, Py_ssize_t receiver, int width) except -1

    @cython.locals(row=Py_ssize_t, bound=int)
    cdef int _fold(self, Wave wave, Py_ssize_t receiver, Py_ssize_t slot, double *value, Py_ssize_t at,
                   int width) except -1

    @cython.locals(k=Py_ssize_t)
    cdef int _hold(self, Wave wave, Py_ssize_t receiver, Py_ssize_t slot, double *value, Py_ssize_t at,
                   int width) except -1

    @cython.locals(start=Py_ssize_t, end=Py_ssize_t, k=Py_ssize_t, first=Py_ssize_t, held="int*", values="double*",
                   bound=int, mode=int, then="double*", weights="double*", rate=double, act=double, sums="double*",
                   slot=Py_ssize_t)
    cdef int _catch_up(self, Wave wave, Py_ssize_t receiver, int width) except -1

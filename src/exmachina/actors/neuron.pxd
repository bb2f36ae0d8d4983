# C types for neuron.py (see delivery.pxd): a neuron's own state as C fields, its steps as C calls.
# Its vectors are checked once, when made or given, and read through pointers (`*_at`) afterwards.
# It is compiled without checks for None: its runtime is checked when it is made, and its runtime,
# routes and memory of earlier examples are read-only.
cimport cython

from exmachina.actors cimport buffers
from exmachina.actors cimport dendrites
from exmachina.actors.dendrites cimport Process, Wave
from exmachina.actors.routes cimport Routes
from exmachina.actors.runtime cimport LocalRuntime
from exmachina.actors.signals cimport Signals

cdef Signals SCALARS, VECTORS  # the arithmetic for one example and for a batch's vectors
cdef int ACTIVITY, ERROR  # the kinds of message, as C ints


@cython.final
cdef class Kept:
    cdef public object tag, weights, input, activity
    cdef public int width
    cdef double *input_at
    cdef double *activity_at
    cdef double *weights_at

    cpdef make(self, int width)


cdef class Neuron(Process):
    cdef dict __dict__
    cdef public int code, pending
    cdef public bint learning, learns_bias, learns_weights
    cdef readonly LocalRuntime runtime
    cdef public double noise
    cdef readonly Routes dendrites, axon
    cdef public object activation, random, held_weights
    cdef object own_weights
    cdef double *input_at
    cdef readonly list kept, spare
    cdef readonly Kept held
    cdef public object branches, terminals, far_inputs

    cdef int receive(self, object tag, Wave wave, Py_ssize_t at) except -1
    @cython.locals(signals=Signals, outbox="double*")
    @cython.final
    cdef int fire(self, object tag, double *total, Py_ssize_t at, int width) except -1
    @cython.final
    @cython.locals(held=Kept)
    cdef inline int hold(self, object tag, int width) except -1
    @cython.locals(first=Py_ssize_t, branch=Routes, terminal=Routes)
    cdef int reach(self, object tag, double *outbox, int width) except -1
    @cython.locals(kept=Kept)
    cdef Kept make_room(self, int width)
    cdef int take_up(self, Kept kept) except -1
    @cython.locals(kept=Kept)
    cdef int recall(self, object tag) except -1
    @cython.locals(copy_at="double*", j=Py_ssize_t)
    cdef int unshare(self) except -1
    @cython.final
    @cython.locals(held=Kept, kept=Kept)
    cdef inline int let_go(self) except -1
    @cython.locals(signals=Signals, derivative="double*", outbox="double*", far=Routes)
    @cython.final
    cdef int learn(self, object tag, double *errors, Py_ssize_t at, int width) except -1
    @cython.locals(size=Py_ssize_t, fan=Py_ssize_t, values="double*", folded="double*", slot=Py_ssize_t,
                   b=Py_ssize_t)
    cdef int take(self, object tag, object inbox, int width, bint forward) except -1


cdef class Sensor(Neuron):
    pass


cdef class Output(Neuron):
    pass

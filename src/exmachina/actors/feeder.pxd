# C types for feeder.py (see delivery.pxd): the feeder's mailbox is a C array, as a neuron's is.
from exmachina.actors.dendrites cimport Process, Wave
from exmachina.actors.routes cimport Routes
from exmachina.actors.runtime cimport LocalRuntime

cdef int ACTIVITY


cdef class Feeder(Process):
    cdef dict __dict__
    cdef readonly LocalRuntime runtime
    cdef readonly Routes sensors, teacher
    cdef public int in_flight, waiting
    cdef public object examples

    cdef int receive(self, object tag, Wave wave, Py_ssize_t at) except -1
    cdef int _left(self) except -1
    cdef int _present(self, object example) except -1

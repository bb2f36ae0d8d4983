# C types for neuron.py (see runtimes/local.pxd): a neuron's own state as C fields, its steps as C calls.
cimport cython

from exmachina.runtimes.local cimport LocalRuntime, Process, Routes, Wave
from exmachina.signals cimport Signals

cdef Signals SCALARS, VECTORS  # the arithmetic for one example and for a batch's vectors


cdef class Neuron(Process):
    cdef dict __dict__
    cdef public int code, held_width
    cdef public bint learning, learns_bias, learns_weights, holding
    cdef public LocalRuntime runtime
    cdef public double bias, noise, rate
    cdef public Routes dendrites, axon
    cdef public object activation, weights, random, held_tag, held_input, held_activity, held_weights
    cdef public dict earlier

    cdef void receive(self, object tag, Wave wave, Py_ssize_t at) except *
    @cython.locals(signals=Signals)
    cdef fire(self, object tag, object inbox, Py_ssize_t at, int width)
    cdef hold(self, object tag, int width)
    @cython.locals(signals=Signals)
    cdef learn(self, object tag, object inbox, Py_ssize_t at, int width)


cdef class Sensor(Neuron):
    pass


cdef class Output(Neuron):
    pass

# C types for neuron.py (see runtime.pxd): a neuron's own state as fields, not a dictionary.
from exmachina.runtimes.local cimport LocalRuntime, Routes


cdef class Neuron:
    cdef dict __dict__
    cdef public int address, fan_in, fan_out
    cdef public LocalRuntime runtime
    cdef public double bias, noise
    cdef public Routes dendrites, axon
    cdef public object signals, weights, learning_rate, f, df, random
    cdef public dict memory


cdef class Sensor(Neuron):
    pass


cdef class Output(Neuron):
    pass

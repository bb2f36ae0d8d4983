# C types for activations.py: a neuron calls these once per example, with C doubles.
from exmachina.actors cimport libm

cdef double LEAK
cdef int STEP, SIGMOID, TANH, RELU, LEAKY_RELU, IDENTITY

cpdef double activate(int code, double z) noexcept
cpdef double slope(int code, double z, double a) noexcept

# C types for routes.py: the runtime reads a route's receiver and slot through these pointers.
from exmachina.actors cimport buffers


cdef class Routes:
    cdef readonly object receivers, slots
    cdef readonly Py_ssize_t size
    cdef int *to
    cdef int *at
    cdef public object plain_in
    cdef readonly int first

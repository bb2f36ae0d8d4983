# C types for local.py, which Cython compiles at install: the delivery loops run once per message.
cimport cython

from exmachina cimport buffers


cdef class Routes:
    cdef readonly object receivers, slots
    cdef int[::1] _receivers, _slots


cdef class Process:
    cdef public int address, fan_in, fan_out

    cdef void receive(self, int kind, object tag, Wave wave, Py_ssize_t at) except *


cdef class Wave:
    cdef public double[::1] values
    cdef readonly list boxes
    cdef readonly int[::1] missing
    cdef public int open, width

    cpdef reopen(self, int[:] fan, int waiting)
    cpdef widen(self, int width, Py_ssize_t slots)


cdef class LocalRuntime:
    cdef public list processes
    cdef public long long messages
    cdef public object _ready
    cdef public bint intercepted
    cdef tuple _fan, _start, _handlers, _waves, _spare
    cdef list _waiting
    cdef object _boxed
    cdef double[::1] _outbox

    cpdef double[::1] outbox(self, Py_ssize_t size)

    @cython.locals(receivers="int[::1]", slots="int[::1]", n=Py_ssize_t, wave=Wave, box="double[::1]",
                   missing="int[::1]", start="long long[::1]", boxed="signed char[::1]", i=Py_ssize_t,
                   receiver=Py_ssize_t, slot=Py_ssize_t, at=Py_ssize_t, b=Py_ssize_t)
    cpdef post(self, int kind, object tag, Routes routes, double[::1] values, int width)

    @cython.locals(receivers="int[::1]", slots="int[::1]", n=Py_ssize_t, wave=Wave, box="double[::1]",
                   missing="int[::1]", start="long long[::1]", boxed="signed char[::1]", i=Py_ssize_t,
                   receiver=Py_ssize_t, slot=Py_ssize_t, at=Py_ssize_t, b=Py_ssize_t, width=Py_ssize_t,
                   vector="double*")
    cpdef send(self, int kind, object tag, Routes routes, list values)

    cdef Wave _open(self, int kind, object tag)

    @cython.locals(process=Process, boxed="signed char[::1]", wave=Wave, kind=int, receiver=Py_ssize_t)
    cpdef run(self)

# C types for runtime.py, which Cython compiles at install (see delivery.pxd, the loops it builds on).
cimport cython

from exmachina.actors cimport buffers
from exmachina.actors.delivery cimport Delivery
from exmachina.actors.dendrites cimport Process, Wave
from exmachina.actors.routes cimport Routes


cdef class LocalRuntime(Delivery):
    cdef public bint intercepted
    cdef tuple _handlers
    cdef object _outbox
    cdef Py_ssize_t _outbox_size
    cdef double *_outbox_at
    cdef object _one
    cdef double *_one_at

    @cython.final
    cdef inline double *outbox(self, Py_ssize_t size) except NULL
    cdef double *_enlarge(self, Py_ssize_t size) except NULL

    @cython.locals(n=Py_ssize_t)
    cpdef post(self, int kind, object tag, Routes routes, object values, int width)

    @cython.final
    cdef inline int post_outbox(self, int kind, object tag, Routes routes, int width) except -1

    @cython.locals(outbox="double*", size=Py_ssize_t, i=Py_ssize_t, b=Py_ssize_t, value=double)
    @cython.final
    cdef int post_once(self, int kind, object tag, Routes routes, int width) except -1

    @cython.locals(n=Py_ssize_t, wave=Wave, receivers="int*", slots="int*", i=Py_ssize_t, vector="double*", boxed=int)
    cpdef send(self, int kind, object tag, Routes routes, list values)

    cdef int _take_listed(self, Wave wave, Py_ssize_t receiver, Py_ssize_t slot, object value) except -1

    @cython.locals(boxed="int*", process=Process, wave=Wave,
                   number=int, kind=int, width=Py_ssize_t, receiver=Py_ssize_t, made=list, start=Py_ssize_t)
    cpdef run(self)

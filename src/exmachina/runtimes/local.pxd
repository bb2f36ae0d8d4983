# C types for runtime.py, which Cython compiles at install: the delivery loop runs once per message.
cimport cython


cdef class Routes:
    cdef readonly list receivers, slots


cdef class Wave:
    cdef readonly list slots
    cdef readonly int[:] missing
    cdef public int open

    cpdef reopen(self, int[:] fan, int waiting)


cdef class LocalRuntime:
    cdef public list processes
    cdef public long long messages
    cdef public object _ready
    cdef tuple _fan, _handlers, _waves, _spare
    cdef list _waiting

    @cython.locals(wave=Wave, boxes=list, box=list, receivers=list, slots=list, i=Py_ssize_t, receiver=Py_ssize_t,
                   slot=Py_ssize_t)
    cpdef send(self, int kind, object tag, Routes routes, list values)


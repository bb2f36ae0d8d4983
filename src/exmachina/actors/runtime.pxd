# C types for runtime.py, which Cython compiles at install: the delivery loops run once per message.
# It is compiled without checks for None: what comes in from Python is checked where it comes in
# (`post`, `send`, `_requeue`), and a neuron's runtime and routes are read-only, set when it is made.
# A small method called once per message or per handler is `final` and `inline`: a direct C call, which
# the compiler can inline (a method called through the class's table of methods costs tens of instructions).
cimport cython

from exmachina.actors cimport buffers


cdef class Routes:
    cdef readonly object receivers, slots
    cdef readonly Py_ssize_t size
    cdef int *to
    cdef int *at
    cdef public object plain_in


cdef class Process:
    cdef public int address, fan_in, fan_out

    cdef int receive(self, object tag, Wave wave, Py_ssize_t at) except -1


cdef class Wave:
    cdef public object values, missing, tag
    cdef readonly list boxes
    cdef public int kind, number, open, width
    cdef public bint forward
    cdef int *missing_at
    cdef double *values_at

    cpdef reopen(self, object fan, int waiting)
    cpdef widen(self, int width, Py_ssize_t slots)


cdef class LocalRuntime:
    cdef public list processes
    cdef public long long messages
    cdef object _queue
    cdef int *_queue_at
    cdef list _made
    cdef Py_ssize_t _head, _tail
    cdef public bint intercepted
    cdef tuple _handlers, _waves, _spare, _fan, _start
    cdef object _boxed, _outbox
    cdef Py_ssize_t _outbox_size, _queue_size
    cdef list _waiting
    cdef bint _settled
    cdef Py_ssize_t _count
    cdef int *_forward_start
    cdef int *_backward_start
    cdef int *_boxed_at
    cdef list _recent

    cdef double *_outbox_at

    cdef double *outbox(self, Py_ssize_t size) except NULL

    @cython.locals(n=Py_ssize_t)
    cpdef post(self, int kind, object tag, Routes routes, object values, int width)

    cdef int post_outbox(self, int kind, object tag, Routes routes, int width) except -1

    @cython.locals(n=Py_ssize_t, wave=Wave, start="int*", receivers="int*", slots="int*", box="double*",
                   missing="int*", boxed="int*", i=Py_ssize_t, receiver=Py_ssize_t, slot=Py_ssize_t, at=Py_ssize_t,
                   b=Py_ssize_t)
    cdef int deliver(self, int kind, object tag, Routes routes, double *sent, int width) except -1

    @cython.locals(i=Py_ssize_t)
    @cython.final
    cdef inline bint _plain(self, Routes routes)

    @cython.locals(n=Py_ssize_t, wave=Wave, processes=Py_ssize_t, start="int*", receivers="int*", slots="int*",
                   missing="int*", boxed="int*", i=Py_ssize_t, receiver=Py_ssize_t, slot=Py_ssize_t,
                   width=Py_ssize_t, box="double*", vector="double*", at=Py_ssize_t, b=Py_ssize_t)
    cpdef send(self, int kind, object tag, Routes routes, list values)

    @cython.locals(wave=Wave)
    @cython.final
    cdef inline Wave _wave(self, int kind, object tag)

    cdef Wave _find(self, int kind, object tag)

    cdef Wave _open(self, int kind, object tag)

    @cython.final
    cdef inline int _enqueue(self, Py_ssize_t receiver, Wave wave) except -1


    @cython.locals(kept=Py_ssize_t)
    cdef int _grow(self) except -1

    @cython.locals(boxed="int*", forward="int*", backward="int*", start="int*", process=Process, wave=Wave,
                   number=int, kind=int, width=Py_ssize_t, receiver=Py_ssize_t, made=list)
    cpdef run(self)


@cython.locals(copy="double*", b=Py_ssize_t)
cdef object copied(double *values, Py_ssize_t at, Py_ssize_t width)

# C types for delivery.py, which Cython compiles at install: the delivery loops run once per message.
# It is compiled without checks for None: what comes in from Python is checked where it comes in
# (`post`, `send`, `_requeue` in runtime.py), and a neuron's runtime and routes are read-only, set when
# it is made. A small method called once per message or per handler is `final` and `inline`: a direct C
# call, which the compiler can inline (a method called through the class's table of methods costs tens
# of instructions).
cimport cython

from exmachina.actors cimport buffers
from exmachina.actors cimport dendrites
from exmachina.actors.dendrites cimport Wave
from exmachina.actors.receivers cimport Receivers
from exmachina.actors.routes cimport Routes


cdef class Delivery(Receivers):
    cdef public long long messages
    cdef list _made, _waiting, _recent
    cdef tuple _waves, _spare
    cdef bint _settled
    cdef object _queue
    cdef int *_queue_at
    cdef Py_ssize_t _head, _tail, _queue_size

    @cython.locals(n=Py_ssize_t, wave=Wave, i=Py_ssize_t, plain=bint)
    cdef int deliver(self, int kind, object tag, Routes routes, double *sent, int width, int stride) except -1

    @cython.locals(wave=Wave)
    @cython.final
    cdef inline Wave _wave(self, int kind, object tag)

    cdef Wave _find(self, int kind, object tag)

    @cython.locals(wave=Wave, spare=list)
    cdef Wave _open(self, int kind, object tag)

    @cython.locals(forward=dict, backward=dict)
    cdef bint _alone(self) except -1

    @cython.locals(folded="int*", modes="int*", first=Py_ssize_t, slot=int, late=int, k=Py_ssize_t)
    @cython.final
    cdef inline bint _in_turn(self, Wave wave, Routes routes, bint stepping) except -1

    @cython.locals(folded="int*", first=Py_ssize_t, slot=int, full=int, k=Py_ssize_t, held="int*", starts="int*")
    @cython.final
    cdef inline int _taken(self, Wave wave, Routes routes, int *fan) except -1

    @cython.locals(sums="double*", fan="int*", first=Py_ssize_t, at=Py_ssize_t, j=Py_ssize_t)
    cdef int _activities_run(self, Wave wave, Routes routes, double *sent, int width) except -1

    @cython.locals(sums="double*", fan="int*", first=Py_ssize_t, slot=int, k=Py_ssize_t, rates="double*",
                   acts="double*", weights_of="double**", then_of="double**", weights="double*", then=double)
    cdef int _errors_run(self, Wave wave, Routes routes, double *sent, int width, int stride) except -1

    @cython.locals(size=Py_ssize_t, sums="double*", bias_of="double**", receiver=Py_ssize_t, b=Py_ssize_t,
                   j=Py_ssize_t)
    cdef int _widen(self, Wave wave, int width) except -1

    @cython.locals(receivers="int*", slots="int*", folded="int*", sums="double*", fan="int*", n=Py_ssize_t,
                   i=Py_ssize_t, receiver=Py_ssize_t, slot=int)
    cdef int _activities(self, Wave wave, Routes routes, double *sent) except -1

    @cython.locals(receivers="int*", slots="int*", folded="int*", sums="double*", fan="int*", modes="int*",
                   rates="double*", acts="double*", weights_of="double**", n=Py_ssize_t, i=Py_ssize_t,
                   receiver=Py_ssize_t, slot=int, error=double, then=double, weights="double*", mode=int)
    cdef int _errors(self, Wave wave, Routes routes, double *sent) except -1

    @cython.locals(receivers="int*", slots="int*", folded="int*", sums="double*", held="int*", values="double*",
                   starts="int*", fan="int*", receiver=Py_ssize_t, slot=int, k=Py_ssize_t, modes="int*",
                   rates="double*", acts="double*", weights_of="double**", error=double, weights="double*",
                   then=double, i=Py_ssize_t)
    cdef int _among_held(self, Wave wave, Routes routes, double *sent, Py_ssize_t start) except -1

    @cython.locals(fan="int*")
    cdef int _take(self, Wave wave, Py_ssize_t receiver, Py_ssize_t slot, double *value, Py_ssize_t at,
                   int width) except -1

    @cython.locals(i=Py_ssize_t)
    @cython.final
    cdef inline bint _plain(self, Routes routes)

    @cython.final
    cdef inline int _room(self, Py_ssize_t n) except -1

    @cython.final
    cdef inline void _push(self, Py_ssize_t receiver, Wave wave) noexcept

    @cython.final
    cdef inline int _enqueue(self, Py_ssize_t receiver, Wave wave) except -1

    @cython.locals(kept=Py_ssize_t)
    cdef int _grow(self, Py_ssize_t room) except -1

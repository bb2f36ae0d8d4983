# C types for dendrites.py: a process's fields that the folds read, a wave's sums, and the folds.
cimport cython

from exmachina.actors cimport buffers, lanes


cdef class Process:
    cdef public int address, fan_in, fan_out
    # the dendrites' and the axon's state that the folds read (see neuron.py for what each holds)
    cdef public double rate
    cdef object bias_cell
    cdef double *bias_at
    cdef public bint integrates, steps, shared, holding, error_read
    cdef public object held_tag
    cdef double *weights_at
    cdef double *activity_at
    cdef double *held_weights_at

    cdef int receive(self, object tag, Wave wave, Py_ssize_t at) except -1
    cdef int recall(self, object tag) except -1
    cdef int unshare(self) except -1


cdef class Wave:
    cdef public object values, folded, tag
    cdef readonly list boxes
    cdef readonly dict early
    cdef readonly object starts, held, held_values
    cdef public int kind, number, open, width, ahead
    cdef public bint forward
    cdef int *folded_at
    cdef double *values_at
    cdef int *starts_at
    cdef int *held_at
    cdef double *held_values_at

    @cython.locals(k=Py_ssize_t)
    cpdef reopen(self, object fan, int waiting)
    cpdef make_held(self)
    cpdef widen(self, int width, Py_ssize_t processes)


@cython.locals(b=Py_ssize_t)
cdef void fold_activity(double *sums, Py_ssize_t row, double *value, Py_ssize_t at, int width) noexcept

@cython.locals(b=Py_ssize_t, gradient=double)
cdef void fold_error(double *sums, Py_ssize_t row, Py_ssize_t slot, double *value, Py_ssize_t at, int width,
                     double then, double *weights, double *activity, double rate, bint steps) noexcept

@cython.locals(k=Py_ssize_t, b=Py_ssize_t, row=Py_ssize_t, at=Py_ssize_t, then=double)
cdef void fold_errors(double *sums, Py_ssize_t first, Py_ssize_t count, Py_ssize_t slot, double *sent, int width,
                      Py_ssize_t stride, double **weights_of) noexcept

@cython.locals(k=Py_ssize_t, b=Py_ssize_t, at=Py_ssize_t, a0="double*", a1="double*", a2="double*", a3="double*",
               g0=double, g1=double, g2=double, g3=double)
cdef void step_weights(Py_ssize_t first, Py_ssize_t count, Py_ssize_t slot, double *sent, int width,
                       Py_ssize_t stride, double **weights_of, double **activity_of, double *rates) noexcept

@cython.locals(gradients="double[16]", k=Py_ssize_t, together=int, j=Py_ssize_t)
cdef void step_spread(double *spread, Py_ssize_t across, Py_ssize_t first, Py_ssize_t count, Py_ssize_t slot,
                      double *sent, int width, double **weights_of, double *rates) noexcept

cdef void step_weight(double *weights, Py_ssize_t slot, double rate, int width, double gradient) noexcept

@cython.locals(copy="double*", b=Py_ssize_t)
cdef object copied(double *values, Py_ssize_t at, Py_ssize_t width)

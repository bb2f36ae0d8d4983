# C versions of buffers.py, for the modules that cimport this one: `values` makes the same checks,
# then hands back a pointer to the vector's doubles; `empty` makes a vector without a Python call.
cimport numpy as cnp


cdef inline int load() except -1:
    cnp.import_array()


cdef inline double* values(object vector, Py_ssize_t size) except NULL:
    cdef cnp.ndarray array
    if cnp.PyArray_Check(vector):
        array = <cnp.ndarray>vector
        # ISCARRAY_RO: contiguous, aligned and in the machine's byte order
        if (cnp.PyArray_TYPE(array) == cnp.NPY_DOUBLE and cnp.PyArray_NDIM(array) == 1
                and cnp.PyArray_DIM(array, 0) == size and cnp.PyArray_ISCARRAY_RO(array)):
            return <double*>cnp.PyArray_DATA(array)
    from exmachina.buffers import refusal
    raise refusal(vector, size)  # the error that the Python version raises


cdef inline cnp.ndarray empty(Py_ssize_t size):
    cdef cnp.npy_intp shape[1]
    shape[0] = size
    return cnp.PyArray_EMPTY(1, shape, cnp.NPY_DOUBLE, 0)

# C versions of buffers.py, for the modules that cimport this one: each makes the same checks, then hands
# back a pointer to the array's numbers; `empty` makes a vector without a Python call.
cimport numpy as cnp


cdef inline int load() except -1:
    cnp.import_array()


cdef inline bint fits(object array, int dtype, Py_ssize_t size, bint exact) noexcept:
    cdef cnp.ndarray a
    if not cnp.PyArray_Check(array):
        return False
    a = <cnp.ndarray>array
    # ISCARRAY_RO: contiguous, aligned and in the machine's byte order
    return (cnp.PyArray_TYPE(a) == dtype and cnp.PyArray_NDIM(a) == 1 and cnp.PyArray_ISCARRAY_RO(a)
            and (cnp.PyArray_DIM(a, 0) == size if exact else cnp.PyArray_DIM(a, 0) >= size))


cdef inline object refused(object array, Py_ssize_t size, str what):
    from exmachina.actors.buffers import refusal
    return refusal(array, size, what)  # the error that the Python version raises


cdef inline double* values(object vector, Py_ssize_t size) except NULL:
    if fits(vector, cnp.NPY_DOUBLE, size, True):
        return <double*>cnp.PyArray_DATA(<cnp.ndarray>vector)
    raise refused(vector, size, "floats")


cdef inline double* block(object array, Py_ssize_t size) except NULL:
    if fits(array, cnp.NPY_DOUBLE, size, False):
        return <double*>cnp.PyArray_DATA(<cnp.ndarray>array)
    raise refused(array, size, "floats")


cdef inline int* ints(object array, Py_ssize_t size) except NULL:
    if fits(array, cnp.NPY_INT32, size, False):
        return <int*>cnp.PyArray_DATA(<cnp.ndarray>array)
    raise refused(array, size, "32-bit integers")


cdef inline cnp.ndarray empty(Py_ssize_t size):
    cdef cnp.npy_intp shape[1]
    shape[0] = size
    return cnp.PyArray_EMPTY(1, shape, cnp.NPY_DOUBLE, 0)


cdef inline double** pointers(object storage, Py_ssize_t size) except NULL:
    if fits(storage, cnp.NPY_INTP, size, False):
        return <double**>cnp.PyArray_DATA(<cnp.ndarray>storage)
    raise refused(storage, size, "addresses")


cdef inline bint same(double *vector, double *other) noexcept:
    return vector == other


cdef inline double* at(double *vector, Py_ssize_t offset) noexcept:
    return vector + offset

# C version of lanes.py, for the modules that cimport this one: a run's gradients summed sixteen (or four)
# receivers side by side in the processor's vector lanes (GCC's and Clang's vector types; AVX2 where the
# build has it, two SSE2 halves otherwise, and one receiver at a time for another compiler). Each lane
# adds one receiver's products in batch order from 0.0, with separate multiplies and adds (the modules
# are built without fused multiply-add), as the scalar loop does: the same bits.
cdef extern from *:
    """
    #include <string.h>
    static inline void exmachina_sum_lanes(const double *spread, Py_ssize_t at, Py_ssize_t across,
                                           const double *sent, int width, double *gradients, int lanes) {
        const double *row = spread + at;
        Py_ssize_t b;
        int lane;
    #if defined(__GNUC__) || defined(__clang__)
        typedef double four __attribute__((vector_size(32)));
        four g0 = {0.0, 0.0, 0.0, 0.0}, g1 = g0, g2 = g0, g3 = g0, x, d;
        if (lanes == 16) {
            for (b = 0; b < width; b++, row += across) {
                d = (four){sent[b], sent[b], sent[b], sent[b]};
                memcpy(&x, row, sizeof x); g0 = g0 + d * x;
                memcpy(&x, row + 4, sizeof x); g1 = g1 + d * x;
                memcpy(&x, row + 8, sizeof x); g2 = g2 + d * x;
                memcpy(&x, row + 12, sizeof x); g3 = g3 + d * x;
            }
            memcpy(gradients, &g0, sizeof g0); memcpy(gradients + 4, &g1, sizeof g1);
            memcpy(gradients + 8, &g2, sizeof g2); memcpy(gradients + 12, &g3, sizeof g3);
            return;
        }
        if (lanes == 4) {
            for (b = 0; b < width; b++, row += across) {
                d = (four){sent[b], sent[b], sent[b], sent[b]};
                memcpy(&x, row, sizeof x); g0 = g0 + d * x;
            }
            memcpy(gradients, &g0, sizeof g0);
            return;
        }
    #endif
        for (lane = 0; lane < lanes; lane++) {
            double total = 0.0;
            for (b = 0; b < width; b++)
                total += sent[b] * row[b * across + lane];
            gradients[lane] = total;
        }
    }
    """
    void exmachina_sum_lanes(double *spread, Py_ssize_t at, Py_ssize_t across, double *sent, int width,
                             double *gradients, int lanes) noexcept nogil


cdef inline void sum_lanes(double *spread, Py_ssize_t at, Py_ssize_t across, double *sent, int width,
                           double *gradients, int lanes) noexcept nogil:
    exmachina_sum_lanes(spread, at, across, sent, width, gradients, lanes)

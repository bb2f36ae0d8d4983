# C versions of lanes.py, for the modules that cimport this one: a batch's loops four doubles to a vector
# register (GCC's and Clang's vector types: AVX2 where the build has it, two SSE2 halves otherwise; plain
# loops for another compiler). Each value is the very multiply or add that the scalar loop does (the
# modules are built without fused multiply-add), and each sum adds in the same order: the same bits.
cdef extern from *:
    """
    #include <string.h>
    #if defined(__GNUC__) || defined(__clang__)
    #define EXMACHINA_LANES 1
    typedef double exmachina_four __attribute__((vector_size(32)));
    #define EXMACHINA_SPLAT(x) ((exmachina_four){(x), (x), (x), (x)})
    #endif

    static inline void exmachina_weigh(const double *activity, const double *weights, Py_ssize_t fan,
                                       double *outbox, Py_ssize_t width) {
        Py_ssize_t j, b = 0;
        int i;
    #ifdef EXMACHINA_LANES
        exmachina_four a[8], w, x;
        for (; b + 32 <= width; b += 32) {  /* 32 of the activity's values held in registers */
            for (i = 0; i < 8; i++) memcpy(&a[i], activity + b + 4 * i, sizeof x);
            for (j = 0; j < fan; j++) {
                w = EXMACHINA_SPLAT(weights[j]);
                for (i = 0; i < 8; i++) { x = a[i] * w; memcpy(outbox + j * width + b + 4 * i, &x, sizeof x); }
            }
        }
        for (; b + 4 <= width; b += 4) {
            memcpy(&a[0], activity + b, sizeof x);
            for (j = 0; j < fan; j++) { x = a[0] * EXMACHINA_SPLAT(weights[j]); memcpy(outbox + j * width + b, &x, sizeof x); }
        }
    #endif
        for (; b < width; b++)
            for (j = 0; j < fan; j++)
                outbox[j * width + b] = activity[b] * weights[j];
    }

    static inline void exmachina_fold_errors(double *sums, Py_ssize_t first, Py_ssize_t count, Py_ssize_t slot,
                                             const double *sent, Py_ssize_t width, double **weights_of) {
        Py_ssize_t k, b = 0;
        int i;
        double *row;
    #ifdef EXMACHINA_LANES
        exmachina_four e[8], t, x;
        for (; b + 32 <= width; b += 32) {  /* 32 of the errors held in registers */
            for (i = 0; i < 8; i++) memcpy(&e[i], sent + b + 4 * i, sizeof x);
            for (k = 0; k < count; k++) {
                t = EXMACHINA_SPLAT(weights_of[first + k][slot]);
                row = sums + (first + k) * width + b;
                for (i = 0; i < 8; i++) { memcpy(&x, row + 4 * i, sizeof x); x = x + e[i] * t; memcpy(row + 4 * i, &x, sizeof x); }
            }
        }
        for (; b + 4 <= width; b += 4) {
            memcpy(&e[0], sent + b, sizeof x);
            for (k = 0; k < count; k++) {
                row = sums + (first + k) * width + b;
                memcpy(&x, row, sizeof x);
                x = x + e[0] * EXMACHINA_SPLAT(weights_of[first + k][slot]);
                memcpy(row, &x, sizeof x);
            }
        }
    #endif
        for (; b < width; b++)
            for (k = 0; k < count; k++)
                sums[(first + k) * width + b] += sent[b] * weights_of[first + k][slot];
    }

    static inline void exmachina_sum_lanes(const double *spread, Py_ssize_t at, Py_ssize_t across,
                                           const double *sent, int width, double *gradients, int lanes) {
        const double *row = spread + at;
        Py_ssize_t b;
        int lane;
    #ifdef EXMACHINA_LANES
        typedef exmachina_four four;
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
    void exmachina_weigh(double *activity, double *weights, Py_ssize_t fan, double *outbox,
                         Py_ssize_t width) noexcept nogil
    void exmachina_fold_errors(double *sums, Py_ssize_t first, Py_ssize_t count, Py_ssize_t slot, double *sent,
                               Py_ssize_t width, double **weights_of) noexcept nogil
    void exmachina_sum_lanes(double *spread, Py_ssize_t at, Py_ssize_t across, double *sent, int width,
                             double *gradients, int lanes) noexcept nogil


cdef inline void sum_lanes(double *spread, Py_ssize_t at, Py_ssize_t across, double *sent, int width,
                           double *gradients, int lanes) noexcept nogil:
    exmachina_sum_lanes(spread, at, across, sent, width, gradients, lanes)


cdef inline void weigh(double *activity, double *weights, Py_ssize_t fan, double *outbox, Py_ssize_t width) noexcept nogil:
    exmachina_weigh(activity, weights, fan, outbox, width)


cdef inline void fold_errors(double *sums, Py_ssize_t first, Py_ssize_t count, Py_ssize_t slot, double *sent,
                             Py_ssize_t width, double **weights_of) noexcept nogil:
    exmachina_fold_errors(sums, first, count, slot, sent, width, weights_of)

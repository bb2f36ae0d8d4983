/* The bare per-message work of exmachina's actors, in plain C: the machine's limit for the actors.

   The same society as the actors run, without Python: a route table (receiver, slot) for every
   message line, a counter of missing messages per neuron, and a ready queue. The dendrites fold
   each message into the neuron's sum as it arrives, in slot order (one that comes before its turn
   waits in its slot until the gap closes), and each error from a target is folded the same way
   (delta_j * w_j) and w_j stepped once its term is taken. A neuron fires when its last activity
   has been folded and learns when its last error has, with the same arithmetic in the same order
   (sigmoid or identity, squared error, plain SGD, one example at a time), so it learns the very same
   bits as the actors.

   Usage: reference IN OUT. IN holds, as little-endian binary: int32 neurons, synapses, sensors,
   outputs, examples, passes; float64 learning rate; int32 sources[synapses], targets[synapses];
   float64 weights[synapses], biases[neurons]; int32 sigmoid[neurons] (1: sigmoid, 0: identity);
   int32 sensor ids[sensors], output ids[outputs]; float64 inputs[examples][sensors],
   desired[examples][outputs]. OUT receives float64 weights[synapses] then biases[neurons].
   It prints one line of JSON: the seconds spent learning (loading excluded) and the messages sent.
   Build: cc -O2 -ffp-contract=off reference.c -lm (no fused multiply-add: the actors round each
   product). */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *take(FILE *f, size_t size, size_t count) {
    void *p = malloc(size * (count ? count : 1));
    if (!p || fread(p, size, count, f) != count) {
        fprintf(stderr, "reference: input too short\n");
        exit(2);
    }
    return p;
}

static double fire(int sigmoid, double z) {
    if (!sigmoid) return z;
    if (z >= 0.0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: reference IN OUT\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) { perror(argv[1]); return 2; }
    int32_t *head = take(in, 4, 6);
    int n = head[0], s = head[1], ns = head[2], no = head[3], examples = head[4], passes = head[5];
    double rate = *(double *)take(in, 8, 1);
    int32_t *source = take(in, 4, s), *target = take(in, 4, s);
    double *w = take(in, 8, s), *bias = take(in, 8, n);
    int32_t *sigmoid = take(in, 4, n), *sensor = take(in, 4, ns), *output = take(in, 4, no);
    double *x = take(in, 8, (size_t)examples * ns), *desired = take(in, 8, (size_t)examples * no);
    fclose(in);

    /* routes: each neuron's axon in order of target (its weights in that order, as the actors keep
       them), each synapse's slot at its target in order of source */
    int *fan_in = calloc(n + 1, sizeof(int)), *fan_out = calloc(n + 1, sizeof(int));
    for (int k = 0; k < s; k++) { fan_out[source[k]]++; fan_in[target[k]]++; }
    int *axon = malloc((n + 1) * sizeof(int)), *dendrites = malloc((n + 1) * sizeof(int));
    axon[0] = dendrites[0] = 0;
    for (int i = 0; i < n; i++) { axon[i + 1] = axon[i] + fan_out[i]; dendrites[i + 1] = dendrites[i] + fan_in[i]; }
    int *to = malloc(s * sizeof(int)), *slot = malloc(s * sizeof(int));   /* forward route of axon line */
    int *back_to = malloc(s * sizeof(int)), *back_slot = malloc(s * sizeof(int)); /* backward route of a dendrite */
    double *weight = malloc(s * sizeof(double));
    /* synapses sorted by (source, target) and by (target, source): counting sorts over neuron numbers */
    int *by_source = malloc(s * sizeof(int)), *by_target = malloc(s * sizeof(int));
    {
        int *count = calloc(n + 1, sizeof(int)), *tmp = malloc(s * sizeof(int));
        for (int k = 0; k < s; k++) count[source[k] + 1]++;              /* by source, then stable by target */
        for (int i = 0; i < n; i++) count[i + 1] += count[i];
        int *c2 = calloc(n + 1, sizeof(int));
        for (int k = 0; k < s; k++) c2[target[k] + 1]++;
        for (int i = 0; i < n; i++) c2[i + 1] += c2[i];
        for (int k = 0; k < s; k++) tmp[c2[target[k]]++] = k;             /* sorted by target */
        for (int k = 0; k < s; k++) by_source[count[source[tmp[k]]]++] = tmp[k];
        memset(count, 0, (n + 1) * sizeof(int));
        for (int k = 0; k < s; k++) count[target[k] + 1]++;
        for (int i = 0; i < n; i++) count[i + 1] += count[i];
        memset(c2, 0, (n + 1) * sizeof(int));
        for (int k = 0; k < s; k++) c2[source[k] + 1]++;
        for (int i = 0; i < n; i++) c2[i + 1] += c2[i];
        for (int k = 0; k < s; k++) tmp[c2[source[k]]++] = k;             /* sorted by source */
        for (int k = 0; k < s; k++) by_target[count[target[tmp[k]]]++] = tmp[k];
        free(count); free(c2); free(tmp);
    }
    int *line_of = malloc(s * sizeof(int)), *slot_of = malloc(s * sizeof(int));
    for (int k = 0; k < s; k++) { int y = by_source[k]; line_of[y] = k; weight[k] = w[y]; }
    for (int k = 0; k < s; k++) slot_of[by_target[k]] = k - dendrites[target[by_target[k]]];
    for (int k = 0; k < s; k++) {
        int y = by_source[k];
        to[k] = target[y];
        slot[k] = dendrites[target[y]] + slot_of[y];      /* index in the activity mailbox */
    }
    for (int k = 0; k < s; k++) {
        int y = by_target[k];
        back_to[k] = source[y];
        back_slot[k] = line_of[y];                         /* index in the error mailbox: the axon line */
    }

    int *is_output = calloc(n, sizeof(int));
    for (int k = 0; k < no; k++) is_output[output[k]] = 1 + k;
    int *is_sensor = calloc(n, sizeof(int));
    for (int k = 0; k < ns; k++) is_sensor[sensor[k]] = 1;

    double *activities = malloc(s * sizeof(double)), *errors = malloc(s * sizeof(double));
    double *output_error = malloc(no * sizeof(double)), *outputs = malloc(no * sizeof(double));
    double *z = malloc(n * sizeof(double)), *a = malloc(n * sizeof(double));
    int *missing_in = malloc(n * sizeof(int)), *missing_out = malloc(n * sizeof(int));
    int *ready = malloc(2 * (n + 1) * sizeof(int));
    /* the dendrites' sums as they fold, the next slot each waits for, and which slots hold a message
       that came before its turn (activities by dendrite, errors by axon line) */
    double *sum_in = malloc(n * sizeof(double)), *sum_error = malloc(n * sizeof(double));
    int *next_in = calloc(n, sizeof(int)), *next_out = calloc(n, sizeof(int));
    char *early_in = calloc(s ? s : 1, 1), *early_out = calloc(s ? s : 1, 1);
    long long messages = 0;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int pass = 0; pass < passes; pass++)
    for (int e = 0; e < examples; e++) {
        int head_q = 0, tail_q = 0, outputs_in = 0;
        for (int i = 0; i < n; i++) { missing_in[i] = fan_in[i] ? fan_in[i] : 1; missing_out[i] = fan_out[i] ? fan_out[i] : 1; }
        /* the feeder: each sensor's one slot is its input */
        for (int k = 0; k < ns; k++) { z[sensor[k]] = x[(size_t)e * ns + k]; ready[tail_q++] = sensor[k]; messages++; }
        messages++; /* the desired outputs, to the teacher */
        while (head_q < tail_q) {                            /* forward wave */
            int i = ready[head_q++];
            double total = is_sensor[i] ? bias[i] + z[i] : sum_in[i];
            next_in[i] = 0;
            z[i] = total;
            a[i] = fire(sigmoid[i], total);
            if (is_output[i]) { outputs[is_output[i] - 1] = a[i]; outputs_in++; messages++; continue; }
            for (int k = axon[i]; k < axon[i + 1]; k++) {
                int t = to[k], first = dendrites[t], turn = first + next_in[t];
                double value = a[i] * weight[k];
                messages++;
                if (slot[k] != turn) { activities[slot[k]] = value; early_in[slot[k]] = 1; continue; }
                double sum = turn == first ? bias[t] + value : sum_in[t] + value;
                for (turn++; turn < dendrites[t + 1] && early_in[turn]; turn++) { early_in[turn] = 0; sum += activities[turn]; }
                sum_in[t] = sum;
                next_in[t] = turn - first;
                missing_in[t] -= turn - slot[k];
                if (!missing_in[t]) ready[tail_q++] = t;
            }
        }
        /* the teacher: squared error, dLoss/da = a - desired, one message back to each output */
        head_q = tail_q = 0;
        for (int k = 0; k < no; k++) { output_error[k] = outputs[k] - desired[(size_t)e * no + k]; ready[tail_q++] = output[k]; messages++; }
        while (head_q < tail_q) {                            /* backward wave */
            int i = ready[head_q++];
            double slope = sigmoid[i] ? a[i] * (1.0 - a[i]) : 1.0, delta;
            if (is_output[i]) {
                delta = slope * (0.0 + output_error[is_output[i] - 1] * 1.0);
            } else {
                delta = slope * sum_error[i];
                next_out[i] = 0;
            }
            if (!is_sensor[i]) bias[i] -= rate * delta;
            if (is_sensor[i]) { messages++; continue; }        /* to the feeder */
            for (int d = dendrites[i]; d < dendrites[i + 1]; d++) {
                int j = back_to[d], line = back_slot[d], first = axon[j], turn = first + next_out[j];
                messages++;
                if (line != turn) { errors[line] = delta; early_out[line] = 1; continue; }
                double sum = turn == first ? 0.0 : sum_error[j], error = delta;
                for (;;) {  /* fold delta_j * w_j (w_j as it was in step 3), then step w_j */
                    sum += error * weight[turn];
                    weight[turn] = weight[turn] - rate * (error * a[j]);
                    if (++turn == axon[j + 1] || !early_out[turn]) break;
                    early_out[turn] = 0;
                    error = errors[turn];
                }
                sum_error[j] = sum;
                next_out[j] = turn - first;
                missing_out[j] -= turn - line;
                if (!missing_out[j]) ready[tail_q++] = j;
            }
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    for (int k = 0; k < s; k++) w[by_source[k]] = weight[k];
    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(w, 8, s, out) != (size_t)s || fwrite(bias, 8, n, out) != (size_t)n || fclose(out)) {
        perror(argv[2]);
        return 2;
    }
    printf("{\"seconds\": %.9f, \"messages\": %lld}\n", (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec), messages);
    return 0;
}

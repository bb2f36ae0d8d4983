# cython: boundscheck=False, wraparound=False, initializedcheck=False, nonecheck=False
"""Receivers: what each process's dendrites read, and the folds of one message at a time.

Every process with dendrites has a row in tables of C values: its fans, the bias its sums of
activities start from, whether anyone reads its error sum and, bound for one example at a time,
what its error folds read (the weights it fired with, the weights it steps, its activity, its
rate), read from that receiver itself for the example it holds (`_read`, `_bind`). No fold reads
or writes another process's row. Here too is what a receiver does with one message outside the
delivery's loops: fold it in its turn (`_fold`), hold it in its slot before its turn (`_hold`),
and fold what it held once the gap closes (`_catch_up`).

`Delivery` (`delivery`) builds on this: the waves, the run queue, and the loops over a sender's
routes, which fold the common cases inline.
"""

from __future__ import annotations

import numpy as np

from . import buffers, dendrites
from .dendrites import Process, Wave
from .routes import ACTIVITY, ERROR, Routes

buffers.load()


class Receivers:
    """The dendrites' tables, a row per process, and the folds of a single message."""

    def __init__(self) -> None:
        self.processes: list = []
        self.waited = 0  # messages that came before their turn and waited in their slots
        self._lone = True  # whether every wave in transit is one example's (kept by `Delivery`)
        # for each process with dendrites, what its error folds read, bound for one example at a time
        # (`_bind`): the wave bound for (-1: none), whether it folds (0), folds and steps (1, 2) or
        # only counts (-1), its rate, its activity (one example's) and its vectors for that example
        self._dendrites: list = []
        # for each kind of message, each process's fan; which processes are handed lists (`_tables`)
        self._fan: tuple = (None, None)
        self._boxed = np.empty(0, dtype=np.int32)
        # for a batch, each receiver's activity as it fired, side by side: its value for example b of the
        # batch at `_spread[b * count + receiver]` (`_spread_activity`); `_spread_in`, the width it holds
        self._spread, self._spread_in, self._spread_width = np.empty(0), np.zeros(0, dtype=np.int32), 0

    def _tables(self) -> None:
        """C pointers to the fans and to which processes are handed lists, and the dendrites' tables,
        for the processes spawned so far (before any message)."""
        processes = self.processes
        count = self._count = len(processes)
        self._fan_in_at = buffers.ints(self._fan[ACTIVITY], count)
        self._fan_out_at = buffers.ints(self._fan[ERROR], count)
        self._boxed_at = buffers.ints(self._boxed, count)
        self._bound, self._modes = np.full(count, -1, dtype=np.int32), np.zeros(count, dtype=np.int32)
        self._rates, self._acts = np.zeros(count), np.zeros(count)
        self._dendrites = [np.zeros(max(count, 1), dtype=np.intp) for _ in range(3)]  # keeps the tables below
        self._bound_at, self._modes_at = buffers.ints(self._bound, count), buffers.ints(self._modes, count)
        self._rates_at, self._acts_at = buffers.block(self._rates, count), buffers.block(self._acts, count)
        self._modes[:] = -1  # until they fire, and for good for those that only count their errors
        self._bound[:] = -2
        self._dendrites.append(np.zeros(max(count, 1), dtype=np.intp))
        self._bias_of = buffers.pointers(self._dendrites[3], count)
        self._unread = np.zeros(count, dtype=np.int32)
        self._unread_at = buffers.ints(self._unread, count)
        self._no_bias = np.zeros(1)  # what the processes handed lists start from (their sums are never read)
        for receiver in range(count):
            if self._boxed_at[receiver]:
                self._bias_of[receiver] = buffers.values(self._no_bias, 1)
            else:
                self._wire(processes[receiver], receiver)
        self._then_of = buffers.pointers(self._dendrites[0], count)
        self._spread_in = np.zeros(count, dtype=np.int32)
        self._spread_in_at, self._spread_width = buffers.ints(self._spread_in, count), 0
        self._weights_of = buffers.pointers(self._dendrites[1], count)
        self._activity_of = buffers.pointers(self._dendrites[2], count)

    def _wire(self, process: Process, receiver: int) -> None:
        """What the folds read of the receiver for good: the bias its sums of activities start from, and
        whether its error sum is read by nobody (a sensor whose error only the feeder counts: its
        wiring says so, `Neuron.error_read`)."""
        self._bias_of[receiver] = process.bias_at
        self._unread_at[receiver] = process.integrates and not process.error_read

    def _read(self, process: Process, receiver: int) -> None:
        """What the receiver's error folds need, read from the receiver itself, for the example it holds:
        the weights it fired with, those it steps (a copy of them first, if another example in flight
        fired with them too), its activity and its rate. These tables hold them for the receiver; no
        other process's folds read or write them. Read when it has fired (`run`), and again whenever
        another example's errors come to it in between (`_bind`)."""
        mode = -1  # it does not integrate its errors (the feeder only counts them)
        self._spread_in_at[receiver] = 0  # (copied again by `run` when it has fired for a batch)
        if process.integrates:
            if process.steps and process.shared:
                process.unshare()
            self._then_of[receiver] = process.held_weights_at
            self._weights_of[receiver] = process.weights_at
            self._activity_of[receiver] = process.activity_at
            self._acts_at[receiver] = process.activity_at[0]
            self._rates_at[receiver] = process.rate
            # 1: it steps the very weights it fired with (one example in flight), 2: others, 0: none
            mode = (1 if buffers.same(process.held_weights_at, process.weights_at) else 2) if process.steps else 0
        self._modes_at[receiver] = mode

    def _bind(self, wave: Wave, receiver: int) -> None:
        """Bind the receiver's error folds to this wave's example (several being in flight): it brings
        that example back (`recall`), then its tables are read again (`_read`)."""
        process = self.processes[receiver]
        if process.integrates and process.held_tag is not wave.tag:
            process.recall(wave.tag)
        self._read(process, receiver)
        self._bound_at[receiver] = wave.number

    def _bind_run(self, wave: Wave, routes: Routes) -> bool:
        """Bind every receiver of a run to the wave's example (several being in flight; as `_fold` binds
        each in its turn), and say whether each steps weights: those it fired with, or a copy."""
        bound, modes, first, number = self._bound_at, self._modes_at, routes.first, wave.number
        late = 0  # ORs over the run, in loops the compiler can vectorise
        for k in range(routes.size):
            late |= bound[first + k] ^ number
        if late:
            for k in range(routes.size):
                if bound[first + k] != number:
                    self._bind(wave, first + k)
            late = 0
        for k in range(routes.size):
            late |= (modes[first + k] - 1) & ~1  # 0 for modes 1 and 2 only
        return late == 0

    def _unread_run(self, routes: Routes) -> bool:
        """Whether nobody reads the error sum of any receiver of a run (sensors whose errors only the
        feeder counts): their folds then only step the weights."""
        unread, first = self._unread_at, routes.first
        late = 0  # an OR over the run, in a loop the compiler can vectorise
        for k in range(routes.size):
            late |= unread[first + k] ^ 1
        return late == 0

    def _spread_ready(self, routes: Routes, width: int) -> bool:
        """Whether every receiver of a run has its activity, of this width, in the spread (`_spread_activity`)."""
        spread_in, first = self._spread_in_at, routes.first
        late = 0  # an OR over the run, in a loop the compiler can vectorise
        for k in range(routes.size):
            late |= spread_in[first + k] ^ width
        return late == 0

    def _spread_activity(self, receiver: int, width: int) -> None:
        """The receiver's activity for the batch it fired for (read by `_read`), copied into its column of
        the spread, where a run's gradients read four receivers' values at once (`dendrites.step_spread`)."""
        if self._spread_width != width:
            self._spread = np.empty(self._count * width)
            self._spread_at = buffers.block(self._spread, self._count * width)
            self._spread_in[:] = 0
            self._spread_width = width
        activity, spread, count = self._activity_of[receiver], self._spread_at, self._count
        for b in range(width):
            spread[b * count + receiver] = activity[b]
        self._spread_in_at[receiver] = width

    def _fold(self, wave: Wave, receiver: int, slot: int, value: np.ndarray, at: int, width: int) -> None:
        """The receiver folds a message in its turn into its sum (what `_activities` and `_errors` do inline)."""
        row = receiver * max(width, 1)
        if wave.forward:
            dendrites.fold_activity(wave.values_at, row, value, at, width)
        else:
            bound = self._bound_at[receiver]
            if bound != wave.number and not (bound == -2 and self._lone):
                self._bind(wave, receiver)
            if self._modes_at[receiver] >= 0:
                dendrites.fold_error(wave.values_at, row, slot, value, at, width, self._then_of[receiver][slot],
                           self._weights_of[receiver], self._activity_of[receiver], self._rates_at[receiver],
                           self._modes_at[receiver] > 0)

    def _hold(self, wave: Wave, receiver: int, slot: int, value: np.ndarray, at: int, width: int) -> None:
        """A message before its turn waits, until the slots before it are folded: one example's in its
        slot of the wave's store (no object made), a batch's as a copy of its vector."""
        if width == 0:
            if wave.held is None:
                wave.make_held()
            k = wave.starts_at[receiver] + slot
            wave.held_values_at[k] = value[at]
            wave.held_at[k] = 1
        else:
            wave.early[receiver, slot] = dendrites.copied(value, at, width)
        wave.ahead += 1
        self.waited += 1

    def _catch_up(self, wave: Wave, receiver: int, width: int) -> None:
        """Fold the receiver's messages that came early, as long as the next is among them: one
        example's from their slots in a loop (bound once to the example, for errors), a batch's one by one."""
        if width == 0:
            start, end = wave.starts_at[receiver], wave.starts_at[receiver + 1]
            k = first = start + wave.folded_at[receiver]
            held, values = wave.held_at, wave.held_values_at
            if k < end and held[k] and wave.forward:
                while k < end and held[k]:
                    held[k] = 0
                    wave.values_at[receiver] += values[k]
                    k += 1
            elif k < end and held[k]:
                bound = self._bound_at[receiver]
                if bound != wave.number and not (bound == -2 and self._lone):
                    self._bind(wave, receiver)
                mode, then, weights = self._modes_at[receiver], self._then_of[receiver], self._weights_of[receiver]
                rate, act, sums = self._rates_at[receiver], self._acts_at[receiver], wave.values_at
                while k < end and held[k] and mode >= 0:  # as `fold_error` folds each (and `_errors_run`)
                    held[k] = 0
                    slot = k - start
                    sums[receiver] += values[k] * then[slot]
                    if mode > 0:
                        weights[slot] = weights[slot] - rate * (values[k] * act)
                    k += 1
                while k < end and held[k]:  # it only counts its errors
                    held[k] = 0
                    k += 1
            wave.ahead -= k - first
            wave.folded_at[receiver] = k - start
        else:
            early = wave.early.pop((receiver, wave.folded_at[receiver]), None)
            while early is not None:
                wave.ahead -= 1
                self._fold(wave, receiver, wave.folded_at[receiver], buffers.values(early, width), 0, width)
                wave.folded_at[receiver] += 1
                early = wave.early.pop((receiver, wave.folded_at[receiver]), None)

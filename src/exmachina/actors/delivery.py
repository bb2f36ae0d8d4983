# cython: boundscheck=False, wraparound=False, initializedcheck=False, nonecheck=False
"""Delivery: each message handed to its receiver, and whoever has all its messages scheduled.

The loops here run once per message, so they are C (Cython compiles this module) and make no Python
object per message. A message to a process with dendrites is folded into its sum in its turn, or
held until its turn comes (`dendrites`); a message to a process handed lists is kept in its slot.
When a receiver's last slot of an example is in, it joins the run queue (two ints: its address and
the wave's number). What a receiver's folds read sits in tables, one row per receiver, read from
that receiver itself (`receivers`, which this builds on, with the folds of a single message); the
loops here over a sender's routes fold the common cases inline, reading the same rows.

`LocalRuntime` (`runtime`) builds on this: it spawns processes, takes what they send and runs the
queue.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import buffers, dendrites
from .dendrites import Wave
from .receivers import Receivers
from .routes import Routes

buffers.load()


class Delivery(Receivers):
    """The waves, the run queue, and the loops that deliver messages into the dendrites."""

    def __init__(self) -> None:
        Receivers.__init__(self)
        self.messages = 0  # delivered so far
        self._made: list = []  # every wave made, by number (the run queue names them so)
        self._waves: tuple[dict, dict] = ({}, {})  # open waves by tag, for each kind of message
        self._spare: tuple[list, list] = ([], [])  # waves to reuse
        self._recent: list = [None, None]  # for each kind of message, the wave last used, at hand
        self._waiting = [0, 0]  # for each kind of message, how many processes wait for some (`_settle`)
        self._settled = True
        # the run queue: processes whose mailbox for a wave is full, in order, from `_head` on, each
        # as two ints, its address and the wave's number (every wave made, by number, in `_made`)
        self._queue = np.empty(2 * 1024, dtype=np.int32)
        self._queue_size = 1024
        self._queue_at = buffers.ints(self._queue, 2 * 1024)
        self._head = self._tail = 0

    def deliver(self, kind: int, tag: Any, routes: Routes, sent: np.ndarray, width: int, stride: int) -> None:
        """Hand each value to its receiver, `sent` holding the values in the routes' order, `stride`
        doubles apart (`max(width, 1)`; 0 for a batch's errors: one vector, the same for every route):
        a run in its turn in plain loops (one example's, even while some of the wave's messages wait in
        their slots), one example's values in the common case's loop, anything else one by one."""
        n = routes.size
        wave = self._wave(kind, tag)
        if wave.width != width:
            self._widen(wave, width)
        self.messages += n
        plain = routes.plain_in is self or self._plain(routes)
        if (plain and routes.first >= 0 and (width == 0 or not wave.ahead)
                and self._in_turn(wave, routes, not wave.forward)):
            if wave.forward:
                self._activities_run(wave, routes, sent, width)
            else:
                self._errors_run(wave, routes, sent, width, stride)
        elif width or not plain:
            for i in range(n):
                self._take(wave, routes.to[i], routes.at[i], sent, i * stride, width)
        elif wave.forward:
            self._activities(wave, routes, sent)
        else:
            self._errors(wave, routes, sent)

    def _wave(self, kind: int, tag: Any) -> Wave:
        """The open wave of `kind` for `tag`, opened if need be (the one last used is at hand)."""
        wave = self._recent[kind]
        if wave is None or wave.tag is not tag:
            wave = self._find(kind, tag)
        return wave

    def _find(self, kind: int, tag: Any) -> Wave:
        """The open wave of `kind` for `tag`, opened if need be, put at hand."""
        wave = self._waves[kind].get(tag) or self._open(kind, tag)
        self._recent[kind] = wave
        return wave

    def _open(self, kind: int, tag: Any) -> Wave:
        if not self._settled:
            self._settle()
        spare, fan = self._spare[kind], self._fan[kind]
        if spare:
            wave = spare.pop()
            wave.reopen(fan, self._waiting[kind])
        else:
            wave = Wave(kind, fan, self._boxed, self._waiting[kind])
            wave.number = len(self._made)
            self._made.append(wave)
        wave.tag = tag
        self._waves[kind][tag] = wave
        self._lone = self._alone()
        return wave

    def _alone(self) -> bool:
        """Whether the waves in transit are all one example's (then no receiver's binding changes mid-wave)."""
        forward, backward = self._waves
        if len(forward) + len(backward) <= 1:
            return True
        if len(forward) == 1 and len(backward) == 1:
            tag, other = next(iter(forward)), next(iter(backward))
            return tag is other or tag == other
        return False

    def _in_turn(self, wave: Wave, routes: Routes, stepping: bool) -> bool:
        """Whether every receiver of a run waits for the run's slot next (and, for errors, steps the
        weights it fired with, one example in flight; with several, one example's errors to receivers
        that step weights, once bound to it): then the run is folded in plain loops."""
        folded, modes, first, slot = wave.folded_at, self._modes_at, routes.first, routes.at[0]
        late = 0  # an OR over the run, in a loop the compiler can vectorise
        for k in range(routes.size):
            late |= folded[first + k] ^ slot
        if stepping and not self._lone:
            return late == 0 and wave.width == 0 and self._bind_run(wave, routes)
        if stepping:
            for k in range(routes.size):
                late |= modes[first + k] ^ 1
        return late == 0

    def _taken(self, wave: Wave, routes: Routes, fan: np.ndarray) -> None:
        """Every receiver of a run has folded the run's slot (and then those of its next slots that
        wait for it): those that have folded their last are scheduled, in the routes' order."""
        folded, first, slot = wave.folded_at, routes.first, routes.at[0]
        full = 0
        for k in range(routes.size):
            folded[first + k] = slot + 1
            full |= fan[first + k] == slot + 1
        if wave.ahead:  # one example's messages wait in their slots (a run is one example's when any wait)
            held, starts = wave.held_at, wave.starts_at
            for k in range(routes.size):
                if slot + 1 < fan[first + k] and held[starts[first + k] + slot + 1]:
                    self._catch_up(wave, first + k, 0)
                    full |= folded[first + k] == fan[first + k]
        if full:
            self._room(routes.size)
            for k in range(routes.size):
                if folded[first + k] == fan[first + k]:
                    self._push(first + k, wave)

    def _activities_run(self, wave: Wave, routes: Routes, sent: np.ndarray, width: int) -> None:
        """A run of weighted activities (a float or a batch's vector each), every one in its turn: each
        receiver folds its own into its sum, the run's sums being one block (`sums[at + j] += sent[j]`,
        a loop the compiler can vectorise); then those whose last slot it was are scheduled, in the
        routes' order."""
        sums, fan, first = wave.values_at, self._fan_in_at, routes.first
        at = first * max(width, 1)
        for j in range(routes.size * max(width, 1)):
            sums[at + j] += sent[j]
        self._taken(wave, routes, fan)

    def _errors_run(self, wave: Wave, routes: Routes, sent: np.ndarray, width: int, stride: int) -> None:
        """A run of errors (a float or a batch's vector each), every one in its turn, one example in
        flight (or several, one example's floats: `_bound`): each receiver folds its own as
        `fold_error` does and steps its own weight for that slot, then those whose last slot it was
        are scheduled, in the routes' order."""
        sums, fan, first, slot = wave.values_at, self._fan_out_at, routes.first, routes.at[0]
        rates, acts, weights_of, then_of = self._rates_at, self._acts_at, self._weights_of, self._then_of
        if width == 0 and self._lone and self._unread_run(routes):  # steps 8, 9 only: nobody reads the sums
            for k in range(routes.size):
                weights = weights_of[first + k]
                weights[slot] = weights[slot] - rates[first + k] * (sent[k] * acts[first + k])
        elif width == 0 and not self._lone:  # w_j as it was when the receiver fired for this example
            for k in range(routes.size):
                weights = weights_of[first + k]
                sums[first + k] += sent[k] * then_of[first + k][slot]
                weights[slot] = weights[slot] - rates[first + k] * (sent[k] * acts[first + k])
        elif width == 0:
            for k in range(routes.size):
                weights = weights_of[first + k]
                then = weights[slot]
                sums[first + k] += sent[k] * then
                weights[slot] = then - rates[first + k] * (sent[k] * acts[first + k])
        else:
            if not self._unread_run(routes):
                dendrites.fold_errors(sums, first, routes.size, slot, sent, width, stride, weights_of)
            if stride == 0 and self._spread_ready(routes, width):
                dendrites.step_spread(self._spread_at, self._count, first, routes.size, slot, sent, width, weights_of,
                                      rates)
            else:
                dendrites.step_weights(first, routes.size, slot, sent, width, stride, weights_of, self._activity_of,
                                       rates)
        self._taken(wave, routes, fan)

    def _widen(self, wave: Wave, width: int) -> None:
        """Set the wave's width for its example, and start every sum: each dendrite's total input from
        its process's bias (read as the example comes in), each error sum from 0.0."""
        wave.widen(width, self._count)
        size, sums, bias_of = max(width, 1), wave.values_at, self._bias_of
        if not wave.forward:
            for j in range(self._count * size):
                sums[j] = 0.0
        elif width == 0:
            for receiver in range(self._count):
                sums[receiver] = bias_of[receiver][0]
        else:
            for receiver in range(self._count):
                for b in range(size):
                    sums[receiver * size + b] = bias_of[receiver][0]

    def _activities(self, wave: Wave, routes: Routes, sent: np.ndarray) -> None:
        """One example's weighted activities, each to a receiver with dendrites: the common case. A
        message in its turn is folded in the inner loop, in few instructions; any other goes by `_take`,
        and once some wait in their slots, the rest by `_among_held`."""
        receivers, slots, folded, sums, fan = routes.to, routes.at, wave.folded_at, wave.values_at, self._fan_in_at
        n, i = routes.size, 0
        self._room(n)  # the run queue has room for every receiver: no call in the loop
        while i < n:
            if not wave.ahead:
                while i < n:
                    receiver, slot = receivers[i], slots[i]
                    if slot != folded[receiver]:
                        break
                    sums[receiver] += sent[i]
                    folded[receiver] = slot + 1
                    if slot + 1 == fan[receiver]:
                        self._push(receiver, wave)
                    i += 1
            if i < n:
                self._take(wave, receivers[i], slots[i], sent, i, 0)
                i += 1
            if i < n and wave.ahead:
                self._among_held(wave, routes, sent, i)
                break

    def _errors(self, wave: Wave, routes: Routes, sent: np.ndarray) -> None:
        """One example's errors, each to a receiver with dendrites. With one example in flight
        (`_lone`), a message in its turn to a receiver that steps the weights it fired with (or only
        counts its errors, as the feeder) is handled in the inner loop: folded as `fold_error` folds
        it, its weight stepped. Any other goes by `_take`, and once some wait in their slots, the rest
        by `_among_held`."""
        receivers, slots, folded, sums, fan = routes.to, routes.at, wave.folded_at, wave.values_at, self._fan_out_at
        modes, rates, acts, weights_of = self._modes_at, self._rates_at, self._acts_at, self._weights_of
        n, i = routes.size, 0
        self._room(n)
        while i < n:
            if self._lone and not wave.ahead:
                while i < n:
                    receiver, slot = receivers[i], slots[i]
                    if slot != folded[receiver]:
                        break
                    mode = modes[receiver]
                    if mode == 1:
                        error, weights = sent[i], weights_of[receiver]
                        then = weights[slot]
                        sums[receiver] += error * then
                        weights[slot] = then - rates[receiver] * (error * acts[receiver])
                    elif mode != -1:
                        break
                    folded[receiver] = slot + 1
                    if slot + 1 == fan[receiver]:
                        self._push(receiver, wave)
                    i += 1
            if i < n:
                self._take(wave, receivers[i], slots[i], sent, i, 0)
                i += 1
            if i < n and wave.ahead:
                self._among_held(wave, routes, sent, i)
                break

    def _among_held(self, wave: Wave, routes: Routes, sent: np.ndarray, start: int) -> None:
        """One example's messages from the `start`-th on, each to a receiver with dendrites, while some of the
        wave's wait in their slots: one before its turn waits in its slot, one in its turn is folded
        (then those of the receiver's next slots that waited for it), and no call is made for either in
        the common case. The run queue has room for every receiver."""
        receivers, slots, folded, sums = routes.to, routes.at, wave.folded_at, wave.values_at
        held, values, starts = wave.held_at, wave.held_values_at, wave.starts_at
        fan = self._fan_in_at if wave.forward else self._fan_out_at
        modes, rates, acts, weights_of = self._modes_at, self._rates_at, self._acts_at, self._weights_of
        for i in range(start, routes.size):
            receiver, slot = receivers[i], slots[i]
            if slot != folded[receiver]:
                k = starts[receiver] + slot
                values[k] = sent[i]
                held[k] = 1
                wave.ahead += 1
                self.waited += 1
                continue
            if wave.forward:
                sums[receiver] += sent[i]
            elif self._lone and modes[receiver] == 1:  # as in `_errors`
                error, weights = sent[i], weights_of[receiver]
                then = weights[slot]
                sums[receiver] += error * then
                weights[slot] = then - rates[receiver] * (error * acts[receiver])
            else:
                self._fold(wave, receiver, slot, sent, i, 0)
            folded[receiver] = slot + 1
            if slot + 1 < fan[receiver] and held[starts[receiver] + slot + 1]:
                self._catch_up(wave, receiver, 0)
            if folded[receiver] == fan[receiver]:
                self._push(receiver, wave)

    def _take(self, wave: Wave, receiver: int, slot: int, value: np.ndarray, at: int, width: int) -> None:
        """One message, whoever its receiver: folded in its turn, held before it, or left in its slot
        for a process handed its values (in C for one example's, to a process that says `c_slots`)."""
        fan = self._fan_in_at if wave.forward else self._fan_out_at
        if self._boxed_at[receiver] == 2 and width == 0:  # in its slot in C, handed on as an array (`run`)
            if wave.held is None:
                wave.make_held()
            wave.held_values_at[wave.starts_at[receiver] + slot] = value[at]
            wave.folded_at[receiver] += 1
        elif self._boxed_at[receiver]:
            wave.boxes[receiver][slot] = value[at] if width == 0 else dendrites.copied(value, at, width)
            wave.folded_at[receiver] += 1
        elif slot == wave.folded_at[receiver]:
            self._fold(wave, receiver, slot, value, at, width)
            wave.folded_at[receiver] = slot + 1
            if wave.ahead:
                self._catch_up(wave, receiver, width)
        else:
            self._hold(wave, receiver, slot, value, at, width)
        if wave.folded_at[receiver] == fan[receiver] and slot < wave.folded_at[receiver]:
            self._enqueue(receiver, wave)

    def _plain(self, routes: Routes) -> bool:
        """Whether every receiver of these routes has dendrites (found once, then remembered)."""
        if routes.plain_in is self:
            return True
        for i in range(routes.size):
            if self._boxed_at[routes.to[i]]:
                return False
        routes.plain_in = self
        return True

    def _room(self, n: int) -> None:
        """Room in the run queue for `n` more processes."""
        if self._tail + n > self._queue_size:
            self._grow(n)

    def _enqueue(self, receiver: int, wave: Wave) -> None:
        """The receiver's mailbox in `wave` is full: it runs after those already waiting."""
        if self._tail == self._queue_size:
            self._grow(1)
        self._queue_at[2 * self._tail] = receiver
        self._queue_at[2 * self._tail + 1] = wave.number
        self._tail += 1

    def _push(self, receiver: int, wave: Wave) -> None:
        """`_enqueue` where the queue is known to have room (`_room`)."""
        self._queue_at[2 * self._tail] = receiver
        self._queue_at[2 * self._tail + 1] = wave.number
        self._tail += 1

    def _grow(self, room: int) -> None:
        """Room for `room` more at the end of the run queue: forget what has run, or make it longer."""
        if self._head:
            kept = self._tail - self._head
            self._queue[:2 * kept] = self._queue[2 * self._head:2 * self._tail]
            self._head, self._tail = 0, kept
        while self._tail + room > self._queue_size:
            self._queue = np.concatenate((self._queue, self._queue))
            self._queue_size *= 2
            self._queue_at = buffers.ints(self._queue, 2 * self._queue_size)

# cython: boundscheck=False, wraparound=False, initializedcheck=False, nonecheck=False
"""Dendrites: a process folds each message into its sum for the example as it is delivered.

A neuron (and the feeder) is a `Process` with dendrites. It folds each message in slot order
(`fold_activity`, `fold_error`: slot k after slots 0..k-1; a message that comes before its turn is
held by the runtime and folded when the gap closes). So it keeps one running sum per example in
flight, not a slot per synapse, and adds in the very order it would over a full mailbox. The sums
of every such process for one example and kind of message are one block of doubles, a `Wave`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import buffers, lanes
from .routes import ACTIVITY

buffers.load()


class Process:
    """A process with dendrites (a neuron, the feeder): each message is folded into its sum for the
    example as it is delivered (`fold_activity`, `fold_error`), and `receive` is called once every
    slot of a tag is in.

    What a fold reads and changes is the receiver's own: the bias its sum of activities starts
    from, and for the example it learns from, the weights and activity it fired with, the weights
    it steps and its rate (`Delivery._bind` reads them from its fields, for that example). Any
    other object with `address`, `fan_in`, `fan_out` and the two handlers is a process too, handed
    its messages as a list.
    """

    address: int
    fan_in: int  # activity messages it waits for, per example tag
    fan_out: int  # error messages it waits for, per example tag

    def receive(self, tag: Any, wave: Wave, at: int) -> None:
        """Every slot of `tag` has been folded: its sum is `wave.values[at:at + max(wave.width, 1)]`."""
        raise NotImplementedError

    def make_bias(self, bias: float) -> None:
        """Its bias, in a cell of its own at its dendrites: each example's total input starts from it."""
        self.bias_cell = np.full(1, float(bias))
        self.bias_at = buffers.values(self.bias_cell, 1)

    @property
    def bias(self) -> float:
        return self.bias_at[0]

    @bias.setter
    def bias(self, bias: float) -> None:
        self.bias_at[0] = bias

    def recall(self, tag: Any) -> None:
        """Make `tag` the example whose errors are folded next (it fired for it, several being in flight)."""
        raise NotImplementedError

    def unshare(self) -> None:
        """A weight is about to be stepped while another example in flight fired with these weights:
        step a copy of them, and leave that example the weights it used."""
        raise NotImplementedError

    # Whether `receive` handles its messages. A process that replaces a handler (a subclass, or an
    # instance given its own) says False, and the runtime hands its two handlers lists instead.
    c_mailbox = True


class Wave:
    """The sums of every process with dendrites for one example tag and one kind of message.

    Each such process has one running sum in `values`: a float for one example (`width` 0), or a
    vector of `width` values for a mini-batch (-1 until the first message sets it), at
    `address * max(width, 1)`, and `folded[address]` says how many of its slots are in it. A message
    that comes before its turn waits in its slot until the gap closes (the only memory per slot).
    The processes handed lists keep their slots in `boxes`. A process may read its sum only while
    it handles it: the runtime then recycles the wave.
    """

    def __init__(self, kind: int, fan: np.ndarray, boxed: np.ndarray, waiting: int) -> None:
        self.kind = kind
        self.number = -1  # its place among its runtime's waves, set by the runtime
        self.forward = kind == ACTIVITY  # a C field: the hot paths test it without a Python int
        self.tag = None
        self.values = np.empty(0)
        self.values_at = buffers.block(self.values, 0)
        self.boxes = [[None] * f if b else None for f, b in zip(fan.tolist(), boxed.tolist())]
        self.folded = np.zeros(len(fan), dtype=np.int32)  # for each process, the slots taken so far
        self.folded_at = buffers.ints(self.folded, len(fan))  # compiled: a pointer to them
        # a message that comes before its turn waits in its slot: one example's in `held_values`, process
        # p's slot k at `starts[p] + k`, with `held` 1 there (made when the wave first holds one, then kept),
        # a batch's vector in `early` by (address, slot)
        self.starts = np.zeros(len(fan) + 1, dtype=np.int32)
        np.cumsum(fan, out=self.starts[1:])
        self.starts_at = buffers.ints(self.starts, len(fan) + 1)
        self.held = self.held_values = None
        self.early: dict = {}
        self.ahead = 0  # how many wait
        self.reopen(fan, waiting)

    def reopen(self, fan: np.ndarray, waiting: int) -> None:
        """Empty again, for the next example."""
        self.width = -1
        for k in range(len(fan)):  # (a C loop, compiled: no NumPy call per example)
            self.folded_at[k] = 0
        self.open = waiting  # processes that still wait for some slot

    def make_held(self) -> None:
        """Room for one example's messages that come before their turn: a double and a flag per slot,
        made once for the wave (12 bytes a synapse), so that holding one makes no object."""
        size = max(int(self.starts[-1]), 1)
        self.held, self.held_values = np.zeros(size, dtype=np.int32), np.empty(size)
        self.held_at, self.held_values_at = buffers.ints(self.held, size), buffers.block(self.held_values, size)

    def widen(self, width: int, processes: int) -> None:
        """Make the sums `width` doubles each for this example, or refuse a message of another width."""
        if self.width == width:
            return
        if self.width >= 0:
            raise ValueError(f"a message of width {width} where this example's have width {self.width}")
        if len(self.values) < processes * max(width, 1):
            self.values = np.empty(processes * max(width, 1))
            self.values_at = buffers.block(self.values, processes * max(width, 1))
        self.width = width



def fold_activity(sums: np.ndarray, row: int, value: np.ndarray, at: int, width: int) -> None:
    """Step 1 for one message: the weighted activity `value[at]` (a vector of `width` for a batch)
    added to the total input at `sums[row]`, which started from the bias."""
    if width == 0:
        sums[row] += value[at]
    else:
        for b in range(width):
            sums[row + b] += value[at + b]


def fold_error(sums: np.ndarray, row: int, slot: int, value: np.ndarray, at: int, width: int, then: float,
               weights: np.ndarray, activity: np.ndarray, rate: float, steps: bool) -> None:
    """Step 5 for one message: target `slot`'s error delta_j times `then`, w_j as it was in step 3,
    added to the error sum at `sums[row]` (which started from 0.0); then, if it `steps`, w_j takes
    its step (8, 9): minus the rate times delta_j * a (its mean over a batch)."""
    if width == 0:
        sums[row] += value[at] * then
        if steps:
            weights[slot] = weights[slot] - rate * (value[at] * activity[0])
        return
    for b in range(width):
        sums[row + b] += value[at + b] * then
    if steps:
        gradient = 0.0
        for b in range(width):
            gradient += value[at + b] * activity[b]
        step_weight(weights, slot, rate, width, gradient)


def fold_errors(sums: np.ndarray, first: int, count: int, slot: int, sent: np.ndarray, width: int, stride: int,
                weights_of: list) -> None:
    """Step 5 for a run: `count` receivers from `first`, each sent a batch's vector of errors for its
    `slot` (`stride` doubles after the one before in `sent`; 0: the same vector for all), in its turn,
    one example in flight. Each folds its own into its error sum as `fold_error` does, with w_j as it
    fired with it (its weight, not yet stepped: `step_weights` steps it after)."""
    if stride == 0:  # one vector for all (a neuron's error, back to its inputs): four values at a time
        lanes.fold_errors(sums, first, count, slot, sent, width, weights_of)
        return
    for k in range(count):
        then = weights_of[first + k][slot]
        row, at = (first + k) * width, k * stride
        for b in range(width):
            sums[row + b] += sent[at + b] * then


def step_weights(first: int, count: int, slot: int, sent: np.ndarray, width: int, stride: int, weights_of: list,
                 activity_of: list, rates: np.ndarray) -> None:
    """Steps 8, 9 for a run (after `fold_errors`): each receiver steps the weight of its `slot` by its
    gradient, as `fold_error` does. Four receivers' gradients are summed side by side: each is a chain
    of additions in batch order that must wait for its last addition, and four chains keep the
    processor busy where one would leave it waiting."""
    k = 0
    while k + 4 <= count:
        a0, a1, a2, a3 = activity_of[first + k], activity_of[first + k + 1], activity_of[first + k + 2], \
            activity_of[first + k + 3]
        at = k * stride
        g0 = g1 = g2 = g3 = 0.0
        for b in range(width):
            g0 += sent[at + b] * a0[b]
            g1 += sent[at + stride + b] * a1[b]
            g2 += sent[at + 2 * stride + b] * a2[b]
            g3 += sent[at + 3 * stride + b] * a3[b]
        step_weight(weights_of[first + k], slot, rates[first + k], width, g0)
        step_weight(weights_of[first + k + 1], slot, rates[first + k + 1], width, g1)
        step_weight(weights_of[first + k + 2], slot, rates[first + k + 2], width, g2)
        step_weight(weights_of[first + k + 3], slot, rates[first + k + 3], width, g3)
        k += 4
    while k < count:
        a0, at, g0 = activity_of[first + k], k * stride, 0.0
        for b in range(width):
            g0 += sent[at + b] * a0[b]
        step_weight(weights_of[first + k], slot, rates[first + k], width, g0)
        k += 1


def step_spread(spread: np.ndarray, across: int, first: int, count: int, slot: int, sent: np.ndarray, width: int,
                weights_of: list, rates: np.ndarray) -> None:
    """`step_weights` for a run sent one vector of errors (a neuron's error, back to its inputs), each
    receiver's activity read from its own column of `spread` (its value for example b of the batch at
    `spread[b * across + receiver]`, copied there when it fired): the gradients of sixteen receivers
    side by side are then summed in the processor's vector lanes (`lanes`), each in batch order."""
    gradients = [0.0] * 16
    k = 0
    while k < count:
        together = 16 if count - k >= 16 else 4 if count - k >= 4 else 1
        lanes.sum_lanes(spread, first + k, across, sent, width, gradients, together)
        for j in range(together):
            step_weight(weights_of[first + k + j], slot, rates[first + k + j], width, gradients[j])
        k += together


def step_weight(weights: np.ndarray, slot: int, rate: float, width: int, gradient: float) -> None:
    """Steps 8, 9 for one synapse over a batch: w_j minus the rate times the mean of delta_j * a."""
    weights[slot] = weights[slot] - rate / width * gradient


def copied(values: np.ndarray, at: int, width: int) -> np.ndarray:
    """A vector of its own, of `width` values from `at`: a message for a process handed lists."""
    vector = buffers.empty(width)
    copy = buffers.values(vector, width)
    for b in range(width):
        copy[b] = values[at + b]
    return vector

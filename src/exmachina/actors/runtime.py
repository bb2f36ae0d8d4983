# cython: boundscheck=False, wraparound=False, initializedcheck=False, nonecheck=False
"""Where neuron processes live and how their messages move.

A process is anything with two handlers, `on_activities(tag, values)` and `on_errors(tag,
values)`. It never calls another process: it hands the runtime a list of routes and a value for
each (`routes`), and the runtime delivers each value to the receiver's slot for that synapse
(`delivery`); when the last slot of a tag is taken, the process is scheduled to run.

`LocalRuntime` runs every process in this Python process, one at a time, from a run queue:
lightweight processes in the sense of Erlang, with no threads or event loop between them, which is
what makes one message per synapse affordable.

A neuron (and the feeder) is a process with dendrites (`dendrites`): it folds each message into its
sum for that example as the message is delivered, in slot order. The sums of every such process for
one example and kind are one block of doubles, a wave; the delivery loop is C, and no Python object
is made per message. Other processes (the teacher, a test's stand-ins) are handed lists, their slots
kept until the last arrives; one whose class says `c_slots` (a shard's post) is handed one example's
values as an array, kept in C in its slots (no float object per value). Any process may send lists
with `send`, or post an array of values (`post`; a neuron writes into an outbox the runtime lends
it, `post_outbox`). A runtime that overrides `send` (the tracer, shuffled delivery) sees every
message as a list, whoever sent it.

Every message of every example passes through here, so these modules, and the neuron and its
arithmetic, are compiled by Cython when the package is installed (`setup.py`). Their source stays
plain Python; the `.pxd` file beside each gives C types to the fields and loops on the messages'
path, and the compiled code computes exactly what the source does (a test compares the two).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import buffers
from .delivery import Delivery
from .dendrites import Process, Wave
from .routes import ACTIVITY, ERROR, Routes

buffers.load()


class LocalRuntime(Delivery):
    """Runs processes in this Python process; delivers messages in the order they were sent."""

    # A runtime that sees every message in its own `send` (to shuffle or record them) says True: then
    # `post` hands each message to `send` as a Python value instead of delivering it in C.
    intercepts = False

    def __init__(self) -> None:
        Delivery.__init__(self)
        self._handlers: tuple[list, list] = ([], [])
        self._outbox = np.empty(64)
        self._outbox_size = 64
        self._outbox_at = buffers.block(self._outbox, 64)
        self._one = np.empty(1)  # a value sent as a Python float, as a C array for the dendrites
        self._one_at = buffers.block(self._one, 1)
        self.intercepted = self.intercepts

    def spawn(self, process: Any) -> None:
        """Give a process its mailbox; its address must be the next free one."""
        if process.address != len(self.processes):
            raise ValueError(f"expected address {len(self.processes)}, got {process.address}")
        if any(self._waves):
            raise RuntimeError("cannot spawn while messages are in transit")
        self.processes.append(process)
        self._handlers[ACTIVITY].append(process.on_activities)
        self._handlers[ERROR].append(process.on_errors)
        self._settled = False

    def _settle(self) -> None:
        """The tables of who waits for what, for the processes spawned so far (before any message)."""
        processes = self.processes
        # 0: it has dendrites; 1: it is handed lists; 2: it is handed one example's values as an array
        self._boxed = np.array([0 if isinstance(p, Process) and p.c_mailbox else 2 if getattr(p, "c_slots", False)
                                else 1 for p in processes], dtype=np.int32)
        self._fan = (np.array([p.fan_in for p in processes], dtype=np.int32),
                     np.array([p.fan_out for p in processes], dtype=np.int32))
        self._waiting = [int(np.count_nonzero(fan)) for fan in self._fan]
        self._tables()
        self.rest()  # waves made for fewer processes
        self._settled = True

    def outbox(self, size: int) -> np.ndarray:
        """Room for `size` doubles, lent to the running process until it posts them (`post_outbox`).
        Compiled, a pointer to them."""
        if self._outbox_size < size:
            self._enlarge(size)
        return self._outbox_at

    def _enlarge(self, size: int) -> np.ndarray:
        """A larger outbox, for twice `size` (kept apart from `outbox`, which runs for every step)."""
        self._outbox = np.empty(2 * size)
        self._outbox_size = 2 * size
        self._outbox_at = buffers.block(self._outbox, 2 * size)
        return self._outbox_at

    def post(self, kind: int, tag: Any, routes: Routes, values: np.ndarray, width: int) -> None:
        """One message along each route, from an array: a float each (`width` 0) or a vector of `width`
        values each."""
        n = len(routes)  # (and a TypeError for None: compiled, this module checks no more)
        if self.intercepted:
            block = values[:n * max(width, 1)]
            self.send(kind, tag, routes, block.tolist() if width == 0 else list(block.reshape(n, width).copy()))
            return
        self.deliver(kind, tag, routes, buffers.block(values, n * max(width, 1)), width, max(width, 1))

    def post_outbox(self, kind: int, tag: Any, routes: Routes, width: int) -> None:
        """`post` what the running process wrote in the outbox it was lent."""
        if self.intercepted:
            self.post(kind, tag, routes, self._outbox, width)
        else:
            self.deliver(kind, tag, routes, self._outbox_at, width, max(width, 1))

    def post_once(self, kind: int, tag: Any, routes: Routes, width: int) -> None:
        """`post` the first value in the outbox along every route (a neuron's error, back to each
        input), each receiver its own message. A batch's errors are all read from that one vector;
        otherwise it is first copied into each route's place (the outbox is lent for that many)."""
        if width and kind == ERROR and not self.intercepted:
            self.deliver(kind, tag, routes, self._outbox_at, width, 0)
        else:
            outbox, size = self._outbox_at, max(width, 1)
            if width == 0:  # one double, copied in a loop the compiler vectorises
                value = outbox[0]
                for i in range(1, routes.size):
                    outbox[i] = value
            else:
                for i in range(1, routes.size):
                    for b in range(size):
                        outbox[i * size + b] = outbox[b]
            self.post_outbox(kind, tag, routes, width)

    def send(self, kind: int, tag: Any, routes: Routes, values: list) -> None:
        """One message of `kind` (ACTIVITY or ERROR) along each route, carrying its value (a float,
        or a vector for a mini-batch)."""
        n = len(routes)  # (and a TypeError for None)
        if len(values) != n:
            raise ValueError(f"{n} routes but {len(values)} values")
        if not n:
            return
        wave = self._wave(kind, tag)
        receivers, slots = routes.to, routes.at
        self.messages += n
        for i in range(n):
            value = values[i]
            vector = self._one_at
            boxed = self._boxed_at[receivers[i]]
            if boxed != 1 and wave.width < 0:  # the first value for a process not handed lists sets the width
                self._widen(wave, 0 if isinstance(value, float) or np.ndim(value) == 0 else len(value))
            if boxed == 2 and wave.width == 0:  # into its slot in C, as `post` does
                self._one_at[0] = value
                self._take(wave, receivers[i], slots[i], vector, 0, 0)
            elif not boxed:
                if wave.width == 0:
                    self._one_at[0] = value
                else:
                    vector = buffers.values(value, wave.width)
                self._take(wave, receivers[i], slots[i], vector, 0, wave.width)
            else:
                self._take_listed(wave, receivers[i], slots[i], value)

    def _take_listed(self, wave: Wave, receiver: int, slot: int, value: Any) -> None:
        """A value for a process handed lists, as it was sent."""
        wave.boxes[receiver][slot] = value
        wave.folded_at[receiver] += 1
        if wave.folded_at[receiver] == (self._fan_in_at if wave.forward else self._fan_out_at)[receiver]:
            self._enqueue(receiver, wave)

    def _requeue(self, receiver: int, wave: Wave) -> None:
        """Put back on the run queue what `_drain` took off (a runtime that chooses who runs next)."""
        if not isinstance(wave, Wave):
            raise TypeError(f"expected a Wave, got {type(wave).__name__}")
        self._enqueue(receiver, wave)

    def _drain(self) -> list[tuple[int, Wave]]:
        """Take every waiting (receiver, wave) off the run queue (between runs)."""
        waiting = [(receiver, self._made[number])
                   for receiver, number in self._queue[2 * self._head:2 * self._tail].reshape(-1, 2).tolist()]
        self._head = self._tail = 0
        return waiting

    def run(self) -> None:
        """Let processes handle their full mailboxes until nobody has anything left to do."""
        if self._head == self._tail:
            return
        handlers, spare, processes, made = self._handlers, self._spare, self.processes, self._made
        boxed = self._boxed_at
        wave, number = None, -1  # the wave of the process run last: usually the next one's too
        kind, tag, width = ACTIVITY, None, 1
        while self._head < self._tail:
            receiver = self._queue_at[2 * self._head]
            if self._queue_at[2 * self._head + 1] != number:
                number = self._queue_at[2 * self._head + 1]
                wave = made[number]
                kind, tag, width = wave.kind, wave.tag, max(wave.width, 1)
            self._head += 1
            if self._head == self._tail:  # the queue is empty: what this process makes ready starts it again
                self._head = self._tail = 0
            if boxed[receiver] == 2 and wave.width == 0:  # its slots, one example's values in C, as an array
                start = wave.starts_at[receiver]
                handlers[kind][receiver](tag, wave.held_values[start:wave.starts_at[receiver + 1]])
            elif boxed[receiver]:
                handlers[kind][receiver](tag, wave.boxes[receiver])
            else:
                process = processes[receiver]
                process.receive(tag, wave, receiver * width)
                if process.integrates:  # what its error folds read: for the example it fired for, or none
                    if wave.forward and process.holding:
                        self._read(process, receiver)
                        self._bound_at[receiver] = -2
                        if width > 1:
                            self._spread_activity(receiver, width)
                    else:
                        self._bound_at[receiver] = -1
                        self._spread_in_at[receiver] = 0
            wave.open -= 1
            if not wave.open:  # everyone has had its messages: the wave is free for another example
                del self._waves[kind][tag]
                self._lone = self._alone()
                wave.tag = None
                spare[kind].append(wave)
                number = -1
        self._head = self._tail = 0

    def rest(self) -> None:
        """Let go of the spare waves' memory while nothing is in transit (it is made again as needed)."""
        self._spare[ACTIVITY].clear()
        self._spare[ERROR].clear()
        self._spread, self._spread_width = np.empty(0), 0
        self._spread_in[:] = 0
        if self.idle():
            self._made.clear()

    def idle(self) -> bool:
        """True when no message is waiting anywhere."""
        return self._head == self._tail and not any(self._waves)

# cython: boundscheck=False, wraparound=False, initializedcheck=False, nonecheck=False
"""Where neuron processes live and how their messages move.

A process is anything with two handlers, `on_activities(tag, values)` and `on_errors(tag,
values)`. It never calls another process: it hands the runtime a list of routes and a value for
each, and the runtime leaves each value in the receiver's mailbox. A mailbox has one slot per
incoming synapse for each example tag, so a process reads its messages in synapse order whatever
order they arrived in; when the last slot of a tag fills, the process is scheduled to run.

`LocalRuntime` runs every process in this Python process, one at a time, from a run queue:
lightweight processes in the sense of Erlang, with no threads or event loop between them, which is
what makes one message per synapse affordable.

A neuron (and the feeder) is a `Process` whose mailbox is a C array: for each example, one double
per incoming synapse (or, for a mini-batch, one vector of doubles), in one block of memory per wave
of messages. It writes what it sends into an outbox the runtime lends it and posts it
(`post_outbox`), and the runtime hands it its slots as that block and an offset. No Python object
is made per message, and the run queue is C ints: a process's address and its wave's number.
Other processes (the teacher, a test's stand-ins) are handed lists. Any process may send lists
with `send`, or post an array of values (the feeder posts an example's inputs, the teacher its
errors). A runtime that overrides `send` (the tracer, shuffled delivery) sees every message as a
list, whoever sent it.

Every message of every example passes through here, so this module, and the neuron and its
arithmetic, are compiled by Cython when the package is installed (`setup.py`). Their source stays
plain Python; the `.pxd` file beside each gives C types to the fields and loops on the messages'
path, and the compiled code computes exactly what the source does (a test compares the two).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from . import buffers

buffers.load()

Route = tuple[int, int]  # (receiver's address, slot in the receiver's mailbox)
ACTIVITY, ERROR = 0, 1  # the two kinds of message: weighted activities forward, errors back


class Routes:
    """Where a process's messages go: for each one, the receiver's address and a slot in its mailbox.

    Two arrays of 32-bit integers, usually views into one table for the whole society: eight bytes
    per route, read by the runtime without a Python object per message.
    """

    __slots__ = ("receivers", "slots", "size", "to", "at", "plain_in")

    def __init__(self, receivers: Iterable[int], slots: Iterable[int]) -> None:
        receivers = np.ascontiguousarray(receivers, dtype=np.int32)
        slots = np.ascontiguousarray(slots, dtype=np.int32)
        if receivers.shape != slots.shape or receivers.ndim != 1:
            raise ValueError("routes need as many slots as receivers")
        self.receivers, self.slots, self.size = receivers, slots, len(receivers)
        self.to, self.at = buffers.ints(receivers, self.size), buffers.ints(slots, self.size)  # compiled: pointers
        self.plain_in = None  # the runtime that found a C mailbox at every receiver, if one has

    @classmethod
    def of(cls, pairs: Iterable[Route]) -> Routes:
        pairs = list(pairs)
        return cls([r for r, _ in pairs], [s for _, s in pairs])

    def __len__(self) -> int:
        return len(self.receivers)

    def __iter__(self) -> Iterator[Route]:
        return zip(self.receivers.tolist(), self.slots.tolist())

    def __getitem__(self, i: int) -> Route:
        return int(self.receivers[i]), int(self.slots[i])

    def __add__(self, other: Routes) -> Routes:
        return Routes(np.concatenate((self.receivers, other.receivers)), np.concatenate((self.slots, other.slots)))

    def __repr__(self) -> str:
        return f"Routes.of({list(self)})"


class Process:
    """A process whose mailbox is a C array (a neuron): the runtime calls `receive` with its slots.

    Any other object with `address`, `fan_in`, `fan_out` and the two handlers is a process too,
    handed its messages as a list.
    """

    address: int
    fan_in: int  # activity messages it waits for, per example tag
    fan_out: int  # error messages it waits for, per example tag

    def receive(self, tag: Any, wave: Wave, at: int) -> None:
        """Its mailbox for `tag` is full: its slots are `wave.values[at:at + fan * wave.width]`."""
        raise NotImplementedError

    # Whether `receive` handles its messages. A process that replaces a handler (a subclass, or an
    # instance given its own) says False, and the runtime hands its two handlers lists instead.
    c_mailbox = True


class Wave:
    """Every mailbox's slots for one example tag and one kind of message.

    The slots of processes with a C mailbox are one block of doubles: a float per slot for one
    example (`width` 0), or a vector of `width` values for a mini-batch (-1 until the first such
    message sets it), a process's slots together from `start[address]`; the others' are lists in
    `boxes`. A process may read its slots only while it handles them: the runtime then recycles
    the wave.
    """

    def __init__(self, kind: int, fan: np.ndarray, boxed: np.ndarray, waiting: int) -> None:
        self.kind = kind
        self.number = -1  # its place among its runtime's waves, set by the runtime
        self.forward = kind == ACTIVITY  # a C field: the hot paths test it without a Python int
        self.tag = None
        self.values = np.empty(0)
        self.boxes = [[None] * f if b else None for f, b in zip(fan.tolist(), boxed.tolist())]
        self.missing = fan.copy()  # for each process, the slots still empty
        self.missing_at = buffers.ints(self.missing, len(fan))  # compiled: a pointer to them
        self.values_at = buffers.block(self.values, 0)
        self.reopen(fan, waiting)

    def reopen(self, fan: np.ndarray, waiting: int) -> None:
        """Empty again, for the next example."""
        self.width = -1
        self.missing[:] = fan
        self.open = waiting  # processes that still wait for some slot

    def widen(self, width: int, slots: int) -> None:
        """Make the block `width` doubles per slot for this example, or refuse a message of another width."""
        if self.width == width:
            return
        if self.width >= 0:
            raise ValueError(f"a message of width {width} where this example's have width {self.width}")
        if len(self.values) < slots * max(width, 1):
            self.values = np.empty(slots * max(width, 1))
            self.values_at = buffers.block(self.values, slots * max(width, 1))
        self.width = width


class LocalRuntime:
    """Runs processes in this Python process; delivers messages in the order they were sent."""

    # A runtime that sees every message in its own `send` (to shuffle or record them) says True: then
    # `post` hands each message to `send` as a Python value instead of delivering it in C.
    intercepts = False

    def __init__(self) -> None:
        self.processes: list = []
        self.messages = 0  # delivered so far
        # the run queue: processes whose mailbox for a wave is full, in order, from `_head` on, each
        # as two ints, its address and the wave's number in `_made` (every wave made, by number)
        self._queue = np.empty(2 * 1024, dtype=np.int32)
        self._queue_size = 1024
        self._queue_at = buffers.ints(self._queue, 2 * 1024)
        self._made: list = []
        self._head = self._tail = 0
        self._handlers: tuple[list, list] = ([], [])
        self._waves: tuple[dict, dict] = ({}, {})  # open waves by tag, for each kind of message
        self._spare: tuple[list, list] = ([], [])  # waves to reuse
        self._outbox = np.empty(64)
        self._outbox_size = 64
        self._outbox_at = buffers.block(self._outbox, 64)
        # for each kind of message, each process's fan and where its slots start in a wave; which
        # processes are handed lists; how many wait for messages of each kind (set by `_settle`)
        self._fan: tuple = (None, None)
        self._start: tuple = (None, None)
        self._boxed = np.empty(0, dtype=np.int32)
        self._waiting = [0, 0]
        self._settled = True
        self._recent: list = [None, None]  # for each kind of message, the wave last used, at hand
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
        self._boxed = np.array([not (isinstance(p, Process) and p.c_mailbox) for p in processes], dtype=np.int32)
        fans = (np.array([p.fan_in for p in processes], dtype=np.int32),
                np.array([p.fan_out for p in processes], dtype=np.int32))
        self._fan = fans
        self._start = tuple(np.concatenate(([0], np.cumsum(fan))).astype(np.int32) for fan in fans)
        self._waiting = [int(np.count_nonzero(fan)) for fan in fans]
        # compiled, pointers to the tables (the arrays above keep them)
        self._count = len(processes)
        self._forward_start = buffers.ints(self._start[ACTIVITY], self._count + 1)
        self._backward_start = buffers.ints(self._start[ERROR], self._count + 1)
        self._boxed_at = buffers.ints(self._boxed, self._count)
        self.rest()  # waves made for fewer processes
        self._settled = True

    def outbox(self, size: int) -> np.ndarray:
        """Room for `size` doubles, lent to the running process until it posts them (`post_outbox`).
        Compiled, a pointer to them."""
        if self._outbox_size < size:
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
        self.deliver(kind, tag, routes, buffers.block(values, n * max(width, 1)), width)

    def post_outbox(self, kind: int, tag: Any, routes: Routes, width: int) -> None:
        """`post` what the running process wrote in the outbox it was lent."""
        if self.intercepted:
            self.post(kind, tag, routes, self._outbox, width)
        else:
            self.deliver(kind, tag, routes, self._outbox_at, width)

    def deliver(self, kind: int, tag: Any, routes: Routes, sent: np.ndarray, width: int) -> None:
        """Leave each value in its receiver's mailbox, `sent` holding the values in the routes' order."""
        n = routes.size
        wave = self._wave(kind, tag)
        start = self._forward_start if wave.forward else self._backward_start
        if wave.width != width:
            wave.widen(width, start[self._count])
        receivers, slots = routes.to, routes.at
        box, missing, boxed = wave.values_at, wave.missing_at, self._boxed_at
        self.messages += n
        if width == 0 and (routes.plain_in is self or self._plain(routes)):  # the common case, in few instructions
            for i in range(n):
                receiver = receivers[i]
                box[start[receiver] + slots[i]] = sent[i]
                missing[receiver] -= 1
                if not missing[receiver]:
                    self._enqueue(receiver, wave)
        else:
            for i in range(n):
                receiver, slot = receivers[i], slots[i]
                if boxed[receiver]:
                    wave.boxes[receiver][slot] = sent[i] if width == 0 else copied(sent, i * width, width)
                elif width == 0:
                    box[start[receiver] + slot] = sent[i]
                else:
                    at = (start[receiver] + slot) * width
                    for b in range(width):
                        box[at + b] = sent[i * width + b]
                missing[receiver] -= 1
                if not missing[receiver]:
                    self._enqueue(receiver, wave)

    def _plain(self, routes: Routes) -> bool:
        """Whether every receiver of these routes has a C mailbox (found once, then remembered)."""
        if routes.plain_in is self:
            return True
        for i in range(routes.size):
            if self._boxed_at[routes.to[i]]:
                return False
        routes.plain_in = self
        return True

    def send(self, kind: int, tag: Any, routes: Routes, values: list) -> None:
        """One message of `kind` (ACTIVITY or ERROR) along each route, carrying its value (a float,
        or a vector for a mini-batch)."""
        n = len(routes)  # (and a TypeError for None)
        if len(values) != n:
            raise ValueError(f"{n} routes but {len(values)} values")
        if not n:
            return
        wave = self._wave(kind, tag)
        processes = self._count
        start = self._forward_start if wave.forward else self._backward_start
        receivers, slots, missing, boxed = routes.to, routes.at, wave.missing_at, self._boxed_at
        self.messages += n
        for i in range(n):
            receiver, slot = receivers[i], slots[i]
            value = values[i]
            if boxed[receiver]:
                wave.boxes[receiver][slot] = value
            else:
                if wave.width < 0:  # the first value for a C mailbox sets the width
                    wave.widen(0 if isinstance(value, float) or np.ndim(value) == 0 else len(value),
                               start[processes])
                width, box = wave.width, wave.values_at
                if width == 0:
                    box[start[receiver] + slot] = value
                else:
                    vector = buffers.values(value, width)
                    at = (start[receiver] + slot) * width
                    for b in range(width):
                        box[at + b] = vector[b]
            missing[receiver] -= 1
            if not missing[receiver]:
                self._enqueue(receiver, wave)

    def _enqueue(self, receiver: int, wave: Wave) -> None:
        """The receiver's mailbox in `wave` is full: it runs after those already waiting."""
        if self._tail == self._queue_size:
            self._grow()
        self._queue_at[2 * self._tail] = receiver
        self._queue_at[2 * self._tail + 1] = wave.number
        self._tail += 1

    def _grow(self) -> None:
        """Room at the end of the run queue: forget what has run, or make it twice as long."""
        if self._head:
            kept = self._tail - self._head
            self._queue[:2 * kept] = self._queue[2 * self._head:2 * self._tail]
            self._head, self._tail = 0, kept
        if self._tail == self._queue_size:
            self._queue = np.concatenate((self._queue, self._queue))
            self._queue_size *= 2
            self._queue_at = buffers.ints(self._queue, 2 * self._queue_size)

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
        return wave

    def run(self) -> None:
        """Let processes handle their full mailboxes until nobody has anything left to do."""
        if self._head == self._tail:
            return
        handlers, spare, processes, made = self._handlers, self._spare, self.processes, self._made
        boxed, forward, backward = self._boxed_at, self._forward_start, self._backward_start
        wave, number = None, -1  # the wave of the process run last: usually the next one's too
        kind, tag, start, width = ACTIVITY, None, forward, 1
        while self._head < self._tail:
            receiver = self._queue_at[2 * self._head]
            if self._queue_at[2 * self._head + 1] != number:
                number = self._queue_at[2 * self._head + 1]
                wave = made[number]
                kind, tag, width = wave.kind, wave.tag, max(wave.width, 1)
                start = forward if wave.forward else backward
            self._head += 1
            if self._head == self._tail:  # the queue is empty: what this process makes ready starts it again
                self._head = self._tail = 0
            if boxed[receiver]:
                handlers[kind][receiver](tag, wave.boxes[receiver])
            else:
                process = processes[receiver]
                process.receive(tag, wave, start[receiver] * width)
            wave.open -= 1
            if not wave.open:  # everyone has had its messages: the wave is free for another example
                del self._waves[kind][tag]
                wave.tag = None
                spare[kind].append(wave)
                number = -1
        self._head = self._tail = 0

    def rest(self) -> None:
        """Let go of the spare waves' memory while nothing is in transit (it is made again as needed)."""
        self._spare[ACTIVITY].clear()
        self._spare[ERROR].clear()
        if self.idle():
            self._made.clear()

    def idle(self) -> bool:
        """True when no message is waiting anywhere."""
        return self._head == self._tail and not any(self._waves)


def copied(values: np.ndarray, at: int, width: int) -> np.ndarray:
    """A vector of its own, of `width` values from `at`: a message for a process handed lists."""
    vector = buffers.empty(width)
    copy = buffers.values(vector, width)
    for b in range(width):
        copy[b] = values[at + b]
    return vector

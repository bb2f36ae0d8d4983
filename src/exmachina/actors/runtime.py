# cython: boundscheck=False, wraparound=False, initializedcheck=False, nonecheck=False
"""Where neuron processes live and how their messages move.

A process is anything with two handlers, `on_activities(tag, values)` and `on_errors(tag,
values)`. It never calls another process: it hands the runtime a list of routes and a value for
each, and the runtime delivers each value to the receiver. A message is addressed to a slot of the
receiver (one per incoming synapse), so a process takes its messages in synapse order whatever
order they arrived in; when the last slot of a tag is taken, the process is scheduled to run.

`LocalRuntime` runs every process in this Python process, one at a time, from a run queue:
lightweight processes in the sense of Erlang, with no threads or event loop between them, which is
what makes one message per synapse affordable.

A neuron (and the feeder) is a `Process` with dendrites: it folds each message into its sum for
that example as the message is delivered, in slot order (`fold_activity`, `fold_error`: slot k
after slots 0..k-1; a message that comes before its turn is held by
the runtime and folded when the gap closes). So a neuron keeps one running sum per example in
flight, not a slot per synapse, and adds in the very order it would over a full mailbox. The sums
of every such process for one example and kind are one block of doubles, a wave (`Wave`); the
delivery loop is C, and no Python object is made per message. Other processes (the teacher, a
test's stand-ins) are handed lists, their slots kept until the last arrives. Any process may send
lists with `send`, or post an array of values (`post`; a neuron writes into an outbox the runtime
lends it, `post_outbox`). A runtime that overrides `send` (the tracer, shuffled delivery) sees
every message as a list, whoever sent it.

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

    __slots__ = ("receivers", "slots", "size", "to", "at", "plain_in", "first")

    def __init__(self, receivers: Iterable[int], slots: Iterable[int]) -> None:
        receivers = np.ascontiguousarray(receivers, dtype=np.int32)
        slots = np.ascontiguousarray(slots, dtype=np.int32)
        if receivers.shape != slots.shape or receivers.ndim != 1:
            raise ValueError("routes need as many slots as receivers")
        self.receivers, self.slots, self.size = receivers, slots, len(receivers)
        self.to, self.at = buffers.ints(receivers, self.size), buffers.ints(slots, self.size)  # compiled: pointers
        self.plain_in = None  # the runtime that found a C mailbox at every receiver, if one has
        # a run (a dense layer's axon, or the errors back to its sources): consecutive receivers, one slot
        run = self.size > 1 and bool(np.all(slots == slots[0]) and np.all(np.diff(receivers) == 1))
        self.first = int(receivers[0]) if run else -1

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
    """A process with dendrites (a neuron, the feeder): each message is folded into its sum for the
    example as it is delivered (`fold_activity`, `fold_error`), and `receive` is called once every
    slot of a tag is in.

    What a fold reads and changes is the receiver's own: the bias its sum of activities starts
    from, and for the example it learns from, the weights and activity it fired with, the weights
    it steps and its rate (`LocalRuntime._bind` reads them from its fields, for that example). Any
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
    that comes before its turn waits in `early` until the gap closes (the only memory per slot).
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
        self.early: dict = {}  # (address, slot): a message that came before its turn, as an array
        self.ahead = 0  # how many wait there
        self.reopen(fan, waiting)

    def reopen(self, fan: np.ndarray, waiting: int) -> None:
        """Empty again, for the next example."""
        self.width = -1
        self.folded[:] = 0
        self.open = waiting  # processes that still wait for some slot

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
        self._one = np.empty(1)  # a value sent as a Python float, as a C array for the dendrites
        self._one_at = buffers.block(self._one, 1)
        # for each process with dendrites, what its error folds read, bound for one example at a time
        # (`_bind`): the wave bound for (-1: none), whether it folds (0), folds and steps (1, 2) or
        # only counts (-1), its rate, its activity (one example's) and its vectors for that example
        self._dendrites: list = []
        self._lone = True  # whether every wave in transit is one example's
        # for each kind of message, each process's fan; which processes are handed lists; how many
        # wait for messages of each kind (set by `_settle`)
        self._fan: tuple = (None, None)
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
        self._waiting = [int(np.count_nonzero(fan)) for fan in fans]
        # compiled, pointers to the tables (the arrays above keep them)
        self._count = len(processes)
        self._fan_in_at = buffers.ints(fans[ACTIVITY], self._count)
        self._fan_out_at = buffers.ints(fans[ERROR], self._count)
        self._boxed_at = buffers.ints(self._boxed, self._count)
        count = self._count
        self._bound, self._modes = np.full(count, -1, dtype=np.int32), np.zeros(count, dtype=np.int32)
        self._rates, self._acts = np.zeros(count), np.zeros(count)
        self._dendrites = [np.zeros(max(count, 1), dtype=np.intp) for _ in range(3)]  # keeps the tables below
        self._bound_at, self._modes_at = buffers.ints(self._bound, count), buffers.ints(self._modes, count)
        self._rates_at, self._acts_at = buffers.block(self._rates, count), buffers.block(self._acts, count)
        self._modes[:] = -1  # until they fire, and for good for those that only count their errors
        self._bound[:] = -2
        self._dendrites.append(np.zeros(max(count, 1), dtype=np.intp))
        self._bias_of = buffers.pointers(self._dendrites[3], count)
        self._no_bias = np.zeros(1)  # what the processes handed lists start from (their sums are never read)
        for receiver in range(count):
            if self._boxed_at[receiver]:
                self._bias_of[receiver] = buffers.values(self._no_bias, 1)
            else:
                self._point_bias(processes[receiver], receiver)
        self._then_of = buffers.pointers(self._dendrites[0], count)
        self._weights_of = buffers.pointers(self._dendrites[1], count)
        self._activity_of = buffers.pointers(self._dendrites[2], count)
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
        """Hand each value to its receiver, `sent` holding the values in the routes' order."""
        n = routes.size
        wave = self._wave(kind, tag)
        if wave.width != width:
            self._widen(wave, width)
        self.messages += n
        plain = routes.plain_in is self or self._plain(routes)
        if plain and routes.first >= 0 and not wave.ahead and self._in_turn(wave, routes, not wave.forward):
            if wave.forward:
                self._activities_run(wave, routes, sent, width)
            else:
                self._errors_run(wave, routes, sent, width)
        elif width or not plain:
            for i in range(n):
                self._take(wave, routes.to[i], routes.at[i], sent, i * max(width, 1), width)
        elif wave.forward:
            self._activities(wave, routes, sent)
        else:
            self._errors(wave, routes, sent)

    def _in_turn(self, wave: Wave, routes: Routes, stepping: bool) -> bool:
        """Whether every receiver of a run waits for the run's slot next (and, for errors with one
        example in flight, steps the weights it fired with): then the run is folded in plain loops."""
        folded, modes, first, slot = wave.folded_at, self._modes_at, routes.first, routes.at[0]
        if stepping and not self._lone:
            return False
        late = 0  # an OR over the run, in a loop the compiler can vectorise
        for k in range(routes.size):
            late |= folded[first + k] ^ slot
        if stepping:
            for k in range(routes.size):
                late |= modes[first + k] ^ 1
        return late == 0

    def _taken(self, wave: Wave, routes: Routes, fan: np.ndarray) -> None:
        """Every receiver of a run has folded the run's slot: those for which it was the last are
        scheduled, in the routes' order."""
        folded, first, slot = wave.folded_at, routes.first, routes.at[0]
        full = 0
        for k in range(routes.size):
            folded[first + k] = slot + 1
            full |= fan[first + k] == slot + 1
        if full:
            self._room(routes.size)
            for k in range(routes.size):
                if slot + 1 == fan[first + k]:
                    self._push(first + k, wave)

    def _activities_run(self, wave: Wave, routes: Routes, sent: np.ndarray, width: int) -> None:
        """A run of weighted activities (a float or a batch's vector each), every one in its turn: each
        receiver folds its own into its sum, the run's sums being one block (`sums[at + j] += sent[j]`,
        a loop the compiler can vectorise); then those whose last slot it was are scheduled, in the
        routes' order."""
        sums, folded, fan, first, slot = wave.values_at, wave.folded_at, self._fan_in_at, routes.first, routes.at[0]
        at = first * max(width, 1)
        for j in range(routes.size * max(width, 1)):
            sums[at + j] += sent[j]
        self._taken(wave, routes, fan)

    def _errors_run(self, wave: Wave, routes: Routes, sent: np.ndarray, width: int) -> None:
        """A run of errors (a float or a batch's vector each), every one in its turn, one example in
        flight: each receiver folds its own as `fold_error` does and steps its own weight for that
        slot, then those whose last slot it was are scheduled, in the routes' order."""
        sums, folded, fan, first, slot = wave.values_at, wave.folded_at, self._fan_out_at, routes.first, routes.at[0]
        rates, acts, weights_of = self._rates_at, self._acts_at, self._weights_of
        if width == 0:
            for k in range(routes.size):
                weights = weights_of[first + k]
                then = weights[slot]
                sums[first + k] += sent[k] * then
                weights[slot] = then - rates[first + k] * (sent[k] * acts[first + k])
        else:
            for k in range(routes.size):
                fold_error(sums, (first + k) * width, slot, sent, k * width, width, weights_of[first + k][slot],
                           weights_of[first + k], self._activity_of[first + k], rates[first + k], True)
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
        message in its turn is folded in the inner loop, in few instructions; any other goes by `_take`."""
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

    def _errors(self, wave: Wave, routes: Routes, sent: np.ndarray) -> None:
        """One example's errors, each to a receiver with dendrites. With one example in flight
        (`_lone`), a message in its turn to a receiver that steps the weights it fired with (or only
        counts its errors, as the feeder) is handled in the inner loop: folded as `fold_error` folds
        it, its weight stepped. Any other goes by `_take`."""
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

    def _take(self, wave: Wave, receiver: int, slot: int, value: np.ndarray, at: int, width: int) -> None:
        """One message, whoever its receiver: folded in its turn, held before it, or left in a list."""
        fan = self._fan_in_at if wave.forward else self._fan_out_at
        if self._boxed_at[receiver]:
            wave.boxes[receiver][slot] = value[at] if width == 0 else copied(value, at, width)
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

    def _fold(self, wave: Wave, receiver: int, slot: int, value: np.ndarray, at: int, width: int) -> None:
        """The receiver folds a message in its turn into its sum (what `_activities` and `_errors` do inline)."""
        row = receiver * max(width, 1)
        if wave.forward:
            fold_activity(wave.values_at, row, value, at, width)
        else:
            bound = self._bound_at[receiver]
            if bound != wave.number and not (bound == -2 and self._lone):
                self._bind(wave, receiver)
            if self._modes_at[receiver] >= 0:
                fold_error(wave.values_at, row, slot, value, at, width, self._then_of[receiver][slot],
                           self._weights_of[receiver], self._activity_of[receiver], self._rates_at[receiver],
                           self._modes_at[receiver] > 0)

    def _bias(self, receiver: int) -> float:
        """The receiver's bias, which its sum of activities starts from (read as the example comes in)."""
        return self._bias_of[receiver][0]

    def _bind(self, wave: Wave, receiver: int) -> None:
        """Bind the receiver's error folds to this wave's example (several being in flight): it brings
        that example back (`recall`), then its tables are read again (`_read`)."""
        process = self.processes[receiver]
        if process.integrates and process.held_tag is not wave.tag:
            process.recall(wave.tag)
        self._read(process, receiver)
        self._bound_at[receiver] = wave.number

    def _read(self, process: Process, receiver: int) -> None:
        """What the receiver's error folds need, read from the receiver itself, for the example it holds:
        the weights it fired with, those it steps (a copy of them first, if another example in flight
        fired with them too), its activity and its rate. These tables hold them for the receiver; no
        other process's folds read or write them. Read when it has fired (`run`), and again whenever
        another example's errors come to it in between (`_bind`)."""
        mode = -1  # it does not integrate its errors (the feeder only counts them)
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

    def _point_bias(self, process: Process, receiver: int) -> None:
        self._bias_of[receiver] = process.bias_at

    def _room(self, n: int) -> None:
        """Room in the run queue for `n` more processes."""
        if self._tail + n > self._queue_size:
            self._grow(n)

    def _hold(self, wave: Wave, receiver: int, slot: int, value: np.ndarray, at: int, width: int) -> None:
        """A message before its turn: kept, a copy of its value, until the slots before it are folded."""
        wave.early[receiver, slot] = copied(value, at, max(width, 1))
        wave.ahead += 1

    def _catch_up(self, wave: Wave, receiver: int, width: int) -> None:
        """Fold the receiver's messages that came early, as long as the next is among them."""
        early = wave.early.pop((receiver, wave.folded_at[receiver]), None)
        while early is not None:
            wave.ahead -= 1
            self._fold(wave, receiver, wave.folded_at[receiver], buffers.values(early, max(width, 1)), 0, width)
            wave.folded_at[receiver] += 1
            early = wave.early.pop((receiver, wave.folded_at[receiver]), None)

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
            if not self._boxed_at[receivers[i]]:
                if wave.width < 0:  # the first value for a process with dendrites sets the width
                    self._widen(wave, 0 if isinstance(value, float) or np.ndim(value) == 0 else len(value))
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
            if boxed[receiver]:
                handlers[kind][receiver](tag, wave.boxes[receiver])
            else:
                process = processes[receiver]
                process.receive(tag, wave, receiver * width)
                if process.integrates:  # what its error folds read: for the example it fired for, or none
                    if wave.forward and process.holding:
                        self._read(process, receiver)
                        self._bound_at[receiver] = -2
                    else:
                        self._bound_at[receiver] = -1
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
        if self.idle():
            self._made.clear()

    def idle(self) -> bool:
        """True when no message is waiting anywhere."""
        return self._head == self._tail and not any(self._waves)


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
        step = rate / width
        gradient = 0.0
        for b in range(width):
            gradient += value[at + b] * activity[b]
        weights[slot] = weights[slot] - step * gradient


def copied(values: np.ndarray, at: int, width: int) -> np.ndarray:
    """A vector of its own, of `width` values from `at`: a message for a process handed lists."""
    vector = buffers.empty(width)
    copy = buffers.values(vector, width)
    for b in range(width):
        copy[b] = values[at + b]
    return vector

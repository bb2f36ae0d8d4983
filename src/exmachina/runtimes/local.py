"""Where neuron processes live and how their messages move.

A process is anything with two handlers, `on_activities(tag, values)` and `on_errors(tag,
values)`. It never calls another process: it hands the runtime a list of routes and a value for
each, and the runtime leaves each value in the receiver's mailbox. A mailbox has one slot per
incoming synapse for each example tag, so a process reads its messages in synapse order whatever
order they arrived in; when the last slot of a tag fills, the process is scheduled to run.

`LocalRuntime` runs every process in this Python process, one at a time, from a run queue:
lightweight processes in the sense of Erlang, with no threads or event loop between them, which is
what makes one message per synapse affordable.

Every message of every example passes through `send`, so this module, and the neuron and its
arithmetic, are compiled by Cython when the package is installed (`setup.py`). Their source stays
plain Python; the `.pxd` file beside each gives C types to the fields and loops on the messages'
path, and the compiled code computes exactly what the source does (a test compares the two).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

Route = tuple[int, int]  # (receiver's address, slot in the receiver's mailbox)


class Routes:
    """Where a process's messages go: for each one, the receiver's address and a slot in its mailbox.

    Two parallel lists rather than a list of pairs: a network of ten million synapses keeps two
    pointers per route, and the runtime reads them without unpacking a pair per message.
    """

    __slots__ = ("receivers", "slots")

    def __init__(self, receivers: list[int], slots: list[int]) -> None:
        if len(receivers) != len(slots):
            raise ValueError("routes need as many slots as receivers")
        self.receivers, self.slots = receivers, slots

    @classmethod
    def of(cls, pairs: Iterable[Route]) -> Routes:
        pairs = list(pairs)
        return cls([r for r, _ in pairs], [s for _, s in pairs])

    def __len__(self) -> int:
        return len(self.receivers)

    def __iter__(self) -> Iterator[Route]:
        return zip(self.receivers, self.slots)

    def __getitem__(self, i: int) -> Route:
        return self.receivers[i], self.slots[i]

    def __add__(self, other: Routes) -> Routes:
        return Routes(self.receivers + other.receivers, self.slots + other.slots)

    def __repr__(self) -> str:
        return f"Routes.of({list(self)})"


ACTIVITY, ERROR = 0, 1  # the two kinds of message: weighted activities forward, errors back


class Process(Protocol):
    """What the runtime needs of a process: its address, how many messages it waits for, two handlers."""

    address: int
    fan_in: int  # activity messages it waits for, per example tag
    fan_out: int  # error messages it waits for, per example tag

    def on_activities(self, tag: Any, values: list) -> None: ...

    def on_errors(self, tag: Any, values: list) -> None: ...


class Wave:
    """The slots of every mailbox for one example tag and one kind of message.

    A process is handed its slots when the last one fills and may read them only while it
    handles them: the runtime then recycles the wave for a later example.
    """

    def __init__(self, fan: array, waiting: int) -> None:
        self.slots = [[None] * f for f in fan]
        self.missing = array("i", fan)  # for each process, the slots still empty
        self.open = waiting  # processes that still wait for some slot

    def reopen(self, fan: array, waiting: int) -> None:
        """Empty again, for the next example."""
        self.missing[:] = fan
        self.open = waiting


class LocalRuntime:
    """Runs processes in this Python process; delivers messages in the order they were sent."""

    def __init__(self) -> None:
        self.processes: list[Process] = []
        self.messages = 0  # delivered so far
        self._ready: deque = deque()
        # for each kind of message: each process's fan and handler, open waves by tag, spare waves
        self._fan: tuple[array, array] = (array("i"), array("i"))
        self._handlers: tuple[list, list] = ([], [])
        self._waves: tuple[dict, dict] = ({}, {})
        self._spare: tuple[list, list] = ([], [])
        self._waiting = [0, 0]  # processes that wait for messages of each kind

    def spawn(self, process: Process) -> None:
        """Give a process its mailbox; its address must be the next free one."""
        if process.address != len(self.processes):
            raise ValueError(f"expected address {len(self.processes)}, got {process.address}")
        if any(self._waves):
            raise RuntimeError("cannot spawn while messages are in transit")
        self.processes.append(process)
        self._fan[ACTIVITY].append(process.fan_in)
        self._fan[ERROR].append(process.fan_out)
        self._handlers[ACTIVITY].append(process.on_activities)
        self._handlers[ERROR].append(process.on_errors)
        self._waiting[ACTIVITY] += process.fan_in > 0
        self._waiting[ERROR] += process.fan_out > 0
        self._spare[ACTIVITY].clear()
        self._spare[ERROR].clear()

    def send(self, kind: int, tag: Any, routes: Routes, values: list) -> None:
        """One message of `kind` (ACTIVITY or ERROR) along each route, carrying its value."""
        receivers, slots = routes.receivers, routes.slots
        if len(values) != len(receivers):
            raise ValueError(f"{len(receivers)} routes but {len(values)} values")
        wave = self._waves[kind].get(tag) or self._open(kind, tag)
        boxes, missing = wave.slots, wave.missing
        self.messages += len(receivers)
        for i in range(len(receivers)):
            receiver, slot = receivers[i], slots[i]
            box = boxes[receiver]
            box[slot] = values[i]
            missing[receiver] -= 1
            if not missing[receiver]:
                self._ready.append((kind, receiver, tag, wave))

    def _open(self, kind: int, tag: Any) -> Wave:
        spare, fan = self._spare[kind], self._fan[kind]
        if spare:
            wave = spare.pop()
            wave.reopen(fan, self._waiting[kind])
        else:
            wave = Wave(fan, self._waiting[kind])
        self._waves[kind][tag] = wave
        return wave

    def run(self) -> None:
        """Let processes handle their full mailboxes until nobody has anything left to do."""
        ready, handlers, waves, spare = self._ready, self._handlers, self._waves, self._spare
        while ready:
            kind, receiver, tag, wave = ready.popleft()
            handlers[kind][receiver](tag, wave.slots[receiver])
            wave.open -= 1
            if not wave.open:
                del waves[kind][tag]
                spare[kind].append(wave)

    def idle(self) -> bool:
        """True when no message is waiting anywhere."""
        return not self._ready and not any(self._waves)

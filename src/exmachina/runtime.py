"""Where neuron processes live and how their messages move.

A process is anything with two handlers, `on_activities(tag, values)` and `on_errors(tag,
values)`. It never calls another process: it hands the runtime a list of routes and a value for
each, and the runtime leaves each value in the receiver's mailbox. A mailbox has one slot per
incoming synapse for each example tag, so a process reads its messages in synapse order whatever
order they arrived in; when the last slot of a tag fills, the process is scheduled to run.

`LocalRuntime` runs every process in this Python process, one at a time, from a run queue:
lightweight processes in the sense of Erlang, with no threads or event loop between them, which is
what makes one message per synapse affordable. `ShuffledRuntime` delivers the same messages in a
random order (keeping each synapse's own order) to prove that the order does not matter.
"""

from __future__ import annotations

import random
from collections import deque
from itertools import repeat
from typing import Any, Iterable, Protocol, Sequence

Route = tuple[int, int]  # (receiver's address, slot in the receiver's mailbox)
ACTIVITY, ERROR = 0, 1


class Process(Protocol):
    address: int
    fan_in: int  # activity messages it waits for, per example tag
    fan_out: int  # error messages it waits for, per example tag

    def on_activities(self, tag: Any, values: list) -> None: ...

    def on_errors(self, tag: Any, values: list) -> None: ...


class Slots:
    """One tag's half of a mailbox: a slot per synapse and how many are still empty."""

    __slots__ = ("values", "missing")

    def __init__(self, size: int) -> None:
        self.values: list = [None] * size
        self.missing = size


class LocalRuntime:
    """Runs processes in this Python process; delivers messages in the order they were sent."""

    def __init__(self) -> None:
        self.processes: list[Process] = []
        self.messages = 0  # delivered so far
        self._ready: deque = deque()
        # per address, for each kind of message: its size and the open slots by tag
        self._fan: tuple[list[int], list[int]] = ([], [])
        self._mailboxes: tuple[list[dict], list[dict]] = ([], [])
        self._handlers: tuple[list, list] = ([], [])

    def spawn(self, process: Process) -> None:
        """Give a process its mailbox; its address must be the next free one."""
        if process.address != len(self.processes):
            raise ValueError(f"expected address {len(self.processes)}, got {process.address}")
        self.processes.append(process)
        for kind, fan, handler in (
            (ACTIVITY, process.fan_in, process.on_activities),
            (ERROR, process.fan_out, process.on_errors),
        ):
            self._fan[kind].append(fan)
            self._mailboxes[kind].append({})
            self._handlers[kind].append(handler)

    def send_activities(self, tag: Any, routes: Sequence[Route], values: Iterable) -> None:
        """One weighted activity message along each route."""
        self._send(ACTIVITY, tag, routes, values)

    def send_errors(self, tag: Any, routes: Sequence[Route], values: Iterable) -> None:
        """One error message along each route (back along a synapse, to the neuron that owns it)."""
        self._send(ERROR, tag, routes, values)

    def send_error(self, tag: Any, routes: Sequence[Route], value: Any) -> None:
        """The same error message along each route."""
        self._send(ERROR, tag, routes, repeat(value))

    def _send(self, kind: int, tag: Any, routes: Sequence[Route], values: Iterable) -> None:
        # The hot path: every message of every example passes here, so it is written flat.
        mailboxes, fan, handlers, ready = self._mailboxes[kind], self._fan[kind], self._handlers[kind], self._ready
        self.messages += len(routes)
        for (receiver, slot), value in zip(routes, values):
            mailbox = mailboxes[receiver]
            slots = mailbox.get(tag)
            if slots is None:
                slots = mailbox[tag] = Slots(fan[receiver])
            slots.values[slot] = value
            slots.missing -= 1
            if not slots.missing:
                del mailbox[tag]
                ready.append((handlers[receiver], tag, slots.values))

    def run(self) -> None:
        """Let processes handle their complete mailboxes until nobody has anything left to do."""
        ready = self._ready
        while ready:
            handler, tag, values = ready.popleft()
            handler(tag, values)

    def idle(self) -> bool:
        """True when no message is waiting anywhere: every mailbox is empty."""
        return not self._ready and not any(any(m) for boxes in self._mailboxes for m in boxes)


class ShuffledRuntime(LocalRuntime):
    """Delivers messages and runs ready processes in a random (seeded) order.

    Only each synapse keeps its own order, as a real network of processes would guarantee, so
    every interleaving that such a network could produce is possible here.
    """

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self._random = random.Random(seed)
        self._channels: dict[tuple[int, int, int], deque] = {}
        self._tickets: list[tuple[int, int, int]] = []  # one per message in transit
        self._runnable: list = []

    def _send(self, kind: int, tag: Any, routes: Sequence[Route], values: Iterable) -> None:
        for (receiver, slot), value in zip(routes, values):
            channel = (kind, receiver, slot)
            self._channels.setdefault(channel, deque()).append((tag, value))
            self._tickets.append(channel)

    def run(self) -> None:
        pick = self._random.randrange
        while self._tickets or self._runnable:
            n = len(self._tickets)
            i = pick(n + len(self._runnable))
            if i < n:
                self._tickets[i], self._tickets[-1] = self._tickets[-1], self._tickets[i]
                kind, receiver, slot = self._tickets.pop()
                tag, value = self._channels[kind, receiver, slot].popleft()
                super()._send(kind, tag, [(receiver, slot)], [value])
                self._runnable.extend(self._ready)
                self._ready.clear()
            else:
                i -= n
                self._runnable[i], self._runnable[-1] = self._runnable[-1], self._runnable[i]
                handler, tag, values = self._runnable.pop()
                handler(tag, values)

    def idle(self) -> bool:
        return not self._tickets and not self._runnable and super().idle()

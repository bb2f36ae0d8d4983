# cython: boundscheck=False, wraparound=False, initializedcheck=False, nonecheck=False
"""Where a process's messages go: a receiver's address and a slot in its mailbox, for each message.

A message is addressed to a slot of the receiver (one per incoming synapse), so a receiver takes its
messages in synapse order whatever order they arrived in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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


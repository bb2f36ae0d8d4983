"""A runtime that delivers messages in any order a network of real processes could, to prove order does not matter."""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from .routes import Routes
from .runtime import LocalRuntime


class ShuffledRuntime(LocalRuntime):
    """Delivers messages and runs ready processes in a random (seeded) order.

    Only each synapse keeps its own order, as a real network of processes would guarantee, so
    every interleaving that such a network could produce is possible here.
    """

    intercepts = True

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self._random = random.Random(seed)
        self._channels: dict[tuple[int, int, int], deque] = {}
        self._tickets: list[tuple[int, int, int]] = []  # one per message in transit
        self._runnable: list = []

    def send(self, kind: int, tag: Any, routes: Routes, values: list) -> None:
        if len(values) != len(routes):
            raise ValueError(f"{len(routes)} routes but {len(values)} values")
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
                super().send(kind, tag, Routes([receiver], [slot]), [value])
                self._runnable.extend(self._drain())
            else:
                i -= n
                self._runnable[i], self._runnable[-1] = self._runnable[-1], self._runnable[i]
                self._requeue(*self._runnable.pop())
                super().run()

    def idle(self) -> bool:
        return not self._tickets and not self._runnable and super().idle()

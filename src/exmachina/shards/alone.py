"""Shards in one process, without Ray: the same `Shard` objects, their bundles handed from one to the
next in a loop. What a shard computes and sends does not depend on who carries its bundles, so this
shows the bits and the traffic of a sharded run where Ray cannot be used or would blur a measurement
(callgrind counts the instructions of the shards' own work here, and nothing else).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..actors.society import write
from .building import parts
from .placement import place
from .shard import Shard, size


class Alone:
    """A blueprint over `shards` shards in this process: the feeder and teacher at place 0, as on Ray."""

    def __init__(self, blueprint: Any, shards: int, listener: Any = None, learning_rate: float | None = None,
                 in_flight: int = 1, noise: float = 0.0, seed: int = 0, partition: str = "spread") -> None:
        hub, *others = parts(blueprint, place(blueprint, shards, partition))  # each made as a shard makes its own
        self.blueprint = blueprint
        self.hub = Shard(hub, listener or (lambda *_: None), learning_rate, in_flight, noise, seed)
        self.shards = {p: Shard(part, None, learning_rate, in_flight, noise, seed) for p, part in enumerate(others, 1)}
        self.values = self.bytes = self.rounds = 0  # crossing values, their bytes, calls of a shard

    def feed(self, examples: Iterable, learning: bool = True) -> None:
        """Present the examples and move bundles until none is left: each shard in turn takes what was
        sent to it, runs and hands back what it sends on."""
        self.hub.society.feeder.feed(iter(examples), learning)
        inbox: dict[int, list] = defaultdict(list)
        self.hub.runtime.run()
        self._post(self.hub.collect(), inbox)
        while inbox:
            p = min(inbox)
            out = self.shards[p].exchange(None, *inbox.pop(p))
            self.rounds += 1
            self._post(out, inbox)
            while 0 in inbox:
                for bundle in inbox.pop(0):
                    self.hub.deliver(bundle)
                self.hub.runtime.run()
                self._post(self.hub.collect(), inbox)

    def _post(self, out: dict, inbox: dict[int, list]) -> None:
        for p, bundle in out.items():
            inbox[p].append(bundle)
            self.values += len(bundle[3])
            self.bytes += size(bundle)

    @property
    def messages(self) -> int:
        """Messages the network's processes sent, each counted once."""
        return self.hub.messages + sum(s.messages for s in self.shards.values())

    @property
    def waited(self) -> int:
        """Messages that came before their turn and waited in their slots, at every place."""
        return self.hub.runtime.waited + sum(s.runtime.waited for s in self.shards.values())

    def state(self) -> Any:
        learned = self.blueprint.copy()
        for shard in self.shards.values():
            write(learned, shard.part.owned(), shard.society.learned())
        return learned


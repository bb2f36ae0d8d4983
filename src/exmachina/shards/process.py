"""A shard's process on Ray: what the driver (`sharded.Shards`) calls on it.

It makes its own part from what the driver sends (`building`), builds the place's processes from it,
and runs a round at a time: the bundles sent to it delivered, its run queue run dry, what it sends on
handed back. A handler that raises ends the process, and Ray starts it anew, empty.
"""

from __future__ import annotations

import os
import resource
import sys
import time
import traceback
import uuid
from typing import Any

from .building import Assembly, Plan
from .shard import Shard, size


class ShardProcess:
    """A shard as a Ray actor: what the driver calls on it.

    It starts empty, and Ray restarts it empty: the driver sends it the plan and the synapses that make
    its part (`begin`, `take`, `make`: it makes its own, see `building`), then its state in `restore`;
    a process that restarted has no part, and is sent them again. Every answer
    carries the process's `life`, drawn when it starts: a shard that Ray restarted between two calls
    answers with another, and the driver knows it lost its state.
    """

    def __init__(self) -> None:
        self.life = uuid.uuid4().hex
        self.shard: Shard | None = None
        self.assembly: Assembly | None = None
        self.part: Any = None

    def begin(self, plan: Plan, place: int) -> tuple[str, None]:
        """Start making this place's part: the synapses follow, a chunk at a time."""
        self.assembly, self.part = Assembly(plan, place), None
        return self.life, None

    def take(self, chunk: tuple) -> tuple[str, None]:
        if self.assembly is not None:  # None: restarted since `begin`, and the driver sees the new life
            self.assembly.take(*chunk)
        return self.life, None

    def make(self) -> tuple[str, tuple | None]:
        """The part, from the synapses taken; the neurons and synapses it owns, for the driver's model."""
        if self.assembly is None:
            return self.life, None
        self.part, self.assembly = self.assembly.part(), None
        return self.life, self.part.owned()

    def restore(self, options: tuple, state: dict[str, Any] | None, rate: float | None) -> tuple[str, bool]:
        """Build this place's processes anew from its part, with the neurons' state of a checkpoint (None:
        the part's); False if it has no part (a new process)."""
        if self.part is None:
            return self.life, False
        self.shard = Shard(self.part, None, *options)
        if state is not None:
            self.shard.society.restore(state)
        if rate is not None:
            self.shard.society.set_learning_rate(rate)
        return self.life, True

    def round(self, places: int, rate: float | None, *bundles) -> list:
        """Deliver, run, collect: element 0 for the driver (its bundle and figures), then one per place."""
        figures: dict[str, Any] = {"life": self.life, "messages": 0, "bytes": 0, "to": [], "busy": 0.0}
        if self.shard is None:  # restarted since the last call: the driver will see the new life
            return [(None, figures)] + [None] * (places - 1)
        try:
            messages, started = self.shard.messages, time.perf_counter()
            out = self.shard.exchange(rate, *bundles)
        except Exception:
            # let it crash: the process ends, Ray restarts it and the driver recovers it
            traceback.print_exc(file=sys.stderr)
            os._exit(1)
        figures.update(messages=self.shard.messages - messages, bytes=sum(size(b) for p, b in out.items() if p),
                       to=sorted(p for p in out if p), busy=time.perf_counter() - started)
        return [(out.get(0), figures)] + [out.get(p) for p in range(1, places)]

    def where(self) -> tuple[str, str]:
        """The Ray node this shard's process runs on."""
        import ray

        return self.life, ray.get_runtime_context().get_node_id()

    def checkpoint(self) -> tuple[str, dict[str, Any] | None]:
        return self.life, None if self.shard is None else self.shard.society.learned()

    def peak(self) -> tuple[str, float]:
        """The most memory this process has held, in MiB."""
        return self.life, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

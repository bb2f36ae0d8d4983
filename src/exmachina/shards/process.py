"""A shard's process on Ray: what the driver (`sharded.Shards`) calls on it.

It makes its own part from what the driver sends (`building`), builds the place's processes from it,
and serves a segment of examples per call: the bundles that come to its mailbox delivered, its run
queue run dry, what it sends on sent straight to the places it is for (`peers`). A handler that
raises ends the process, and Ray starts it anew, empty.
"""

from __future__ import annotations

import os
import resource
import sys
import traceback
import uuid
from typing import Any

from .building import Assembly, Plan
from .peers import Mailbox, Segment, serve
from .shard import Shard


class ShardProcess:
    """A shard as a Ray actor: what the driver calls on it.

    It starts empty, and Ray restarts it empty: the driver sends it the plan and the synapses that make
    its part (`begin`, `take`, `make`: it makes its own, see `building`), then its state in `restore`;
    a process that restarted has no part, and is sent them again. Every answer
    carries the process's `life`, drawn when it starts: a shard that Ray restarted between two calls
    answers with another, and the driver knows it lost its state.
    """

    def __init__(self) -> None:
        import ray

        self.life = uuid.uuid4().hex
        self.mailbox = Mailbox(ray.util.get_node_ip_address())
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

    def segment(self, number: int, place: int, addresses: dict[int, tuple], version: int,
                rate: float | None) -> tuple:
        """Take bundles, run, send bundles on to their places, until the driver ends segment `number`."""
        if self.shard is None:  # restarted since the last call: the driver will see the new life
            return self.life, None
        self.mailbox.connect(addresses)
        if rate is not None:
            self.shard.society.set_learning_rate(rate)
        try:
            messages = self.shard.messages
            segment = serve(self.shard, self.mailbox, Segment(number, place, version, rate))
        except Exception:
            # let it crash: the process ends, Ray restarts it and the driver recovers it
            traceback.print_exc(file=sys.stderr)
            os._exit(1)
        return self.life, {**segment.figures(), "messages": self.shard.messages - messages}

    def address(self) -> tuple[str, tuple]:
        """Where the other places reach this shard's mailbox."""
        return self.life, self.mailbox.address

    def where(self) -> tuple[str, str]:
        """The Ray node this shard's process runs on."""
        import ray

        return self.life, ray.get_runtime_context().get_node_id()

    def checkpoint(self) -> tuple[str, dict[str, Any] | None]:
        return self.life, None if self.shard is None else self.shard.society.learned()

    def peak(self) -> tuple[str, float]:
        """The most memory this process has held, in MiB."""
        return self.life, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

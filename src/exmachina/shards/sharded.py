"""The sharded runtime: the society split over shards, each an OS process on Ray, which survive crashes.

A shard is a Ray actor hosting many neuron processes on its own run queue (`shard.Shard`, the same
compiled runtime as one process): one scheduler per core, as the BEAM runs, on one machine or on a
Ray cluster. One Ray actor per neuron would cost a millisecond a message and tens of megabytes a
neuron; a shard costs that once.

The feeder and the teacher live here, in the driver (place 0), beside the supervisor: they are the
ones who know which examples were presented and scored, which is what recovery replays, and the
teacher's listener (progress, the live view) runs in this process anyway. Ray carries the control
only: one call per shard per segment of examples (`ShardProcess.segment`). Meanwhile the bundles go
straight from place to place over ZeroMQ (`peers`), each place running as soon as one comes and
sending on what its run posted, until the driver ends the segment (the rule is in `peers`);
transfers scale with the waves of an example, not with its synapses.

Let it crash: a shard's process that dies (killed, or a neuron's handler raised) is restarted by
Ray (`max_restarts`). Every `checkpoint_every` examples, when no example is in the network, the
driver asks every shard for its neurons' state and keeps it in its own memory: the checkpoint lives
with the supervisor, which outlives any shard. After a crash every shard goes back to that
checkpoint, the feeder presents the examples since then again, and the teacher drops by tag the
outputs of examples it has already scored. A shard whose node is lost is placed anew on a live node
and recovered so. With one example in flight the run ends with the very bits of an undisturbed run.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterable, Iterator
from inspect import GEN_CLOSED, getgeneratorstate
from itertools import chain, islice
from typing import Any

import numpy as np

from ..actors.society import write
from .building import Assembly, chunks, plan
from .peers import Mailbox, Segment, drive, settled
from .placement import place
from .process import ShardProcess
from .shard import Shard
from .starting import connect

MAX_RESTARTS = 3  # restarts of one shard's process before the run gives up


class ShardLost(RuntimeError):
    """A shard died more often than it may be restarted; holds the last checkpointed model."""

    def __init__(self, message: str, model: Any) -> None:
        super().__init__(message)
        self.model = model


class Shards:
    """N shards on Ray, driven from this process, which hosts the feeder and the teacher."""

    def __init__(self, blueprint: Any, shards: int, listener: Any, learning_rate: float | None = None,
                 in_flight: int = 1, noise: float = 0.0, seed: int = 0,
                 partition: str = "spread", cluster: str | None = None,
                 checkpoint_every: int = 100, max_restarts: int = MAX_RESTARTS) -> None:
        home = place(blueprint, shards, partition)
        self.ray = ray = connect(cluster)
        self._lost = (ray.exceptions.RayActorError, ray.exceptions.ActorUnschedulableError)  # a call's shard died
        self.plan = plan(blueprint, home)  # each shard makes its own part from it: nobody lays out every line
        self.blueprint, self.places = blueprint, int(home.max()) + 1
        self.listener, self.scored = listener, set()
        self.checkpoint_every, self.max_restarts = checkpoint_every, max_restarts
        self.hub = Shard(Assembly(self.plan, 0).part(), self._listen, learning_rate, in_flight, noise, seed)
        self.options = (learning_rate, in_flight, noise, seed)
        self.owned: dict[int, tuple] = {}  # each shard's neurons and synapses, in the order of its state
        self.saved: list = [None] * (self.places - 1)  # each shard's last checkpoint; None: as its part has it
        self.actors = {p: self._placed(p) for p in range(1, self.places)}
        self.rate = self.saved_rate = learning_rate
        self.version = 0  # the rate's: one more each time it changes (see peers.Segment)
        self.mailbox = Mailbox(ray.util.get_node_ip_address())
        self.addresses: dict[int, tuple] = {0: self.mailbox.address}  # each place's mailbox
        self.number, self.current, self.heard = 0, None, 0  # the last segment, the one going on, outputs heard
        self.messages = self.transfers = self.bytes = self.rounds = 0
        self.waves = 0  # runs that a bundle set going, at every place: the hops of the examples
        self.busy = dict.fromkeys(self.actors, 0.0)  # seconds each shard spent working in rounds
        self.restarts = dict.fromkeys(self.actors, 0)  # lives each shard began after its first
        self.deaths = dict.fromkeys(self.actors, 0)  # failed calls seen, for the restart limit
        self.lives: dict[int, str | None] = dict.fromkeys(self.actors)  # None: not known yet
        self.nodes: list[str] = []  # the node each shard runs on
        self.moved: list[dict] = []  # shards restarted on another node than their own, and where
        while True:  # every shard's part made, its processes built, its first checkpoint, where it runs
            try:
                self._make([p for p in self.actors if p not in self.owned])
                self._restore()
                self.saved = self._gather("checkpoint")
                break
            except _Died as died:
                self._mourn(died.places, [])

    # -- what Network.fit and predict use --------------------------------------------------------

    def feed(self, examples: Iterable, learning: bool = True) -> None:
        """Present the examples, `checkpoint_every` at a time, recovering from crashes on the way."""
        examples = iter(examples)
        while True:
            first = next(examples, None)
            if first is None:
                return
            log: list = []
            fresh = self._logged(chain([first], examples), log)
            source: Iterator = fresh
            while True:
                try:
                    self._segment(source, learning)
                    if learning:
                        self.saved, self.saved_rate = self._gather("checkpoint"), self.rate
                    break
                except _Died as died:
                    self._recover(died.places, log)
                    source = self._replayed(list(log), fresh)
            self.scored.clear()

    def set_learning_rate(self, rate: float) -> None:
        if rate != self.rate:
            self.rate, self.version = rate, self.version + 1
            if self.current is not None:  # told every place with the bundles that follow
                self.current.rate, self.current.version = self.rate, self.version

    def traffic(self, since: dict[str, Any] | None = None) -> dict[str, Any]:
        """What crossed between places (since a former count): transfers, their bytes, rounds (calls of a
        shard), waves (runs a bundle set going, anywhere), the shards' restarts and the seconds each shard worked;
        and where the shards are."""
        now = {"transfers": self.transfers, "bytes": self.bytes, "rounds": self.rounds, "waves": self.waves,
               "restarts": sum(self.restarts.values()), "busy": list(self.busy.values())}
        if since is not None:
            now = {k: [a - b for a, b in zip(v, since[k])] if k == "busy" else v - since[k] for k, v in now.items()}
        return {"shards": len(self.actors), **now, "nodes": list(self.nodes), "moved": list(self.moved)}

    def state(self) -> Any:
        """The weights as of the last checkpoint: `feed` takes one as it ends, so after it, the current ones."""
        return self._model(self.saved)

    def randoms(self) -> list | None:
        """Every neuron's noise generator as of the last checkpoint, by the neuron's number (None: no noise)."""
        found: list = [None] * self.blueprint.size
        for p, state in zip(self.actors, self.saved):
            for n, random in zip(self.owned[p][0].tolist(), state["randoms"]):
                found[n] = random
        return found if any(r is not None for r in found) else None

    def resume(self, randoms: list) -> None:
        """Every shard back to its part with each neuron's noise generator as `randoms` has it (a
        checkpoint on disk), as after a crash."""
        for p, state in zip(self.actors, self.saved):
            state["randoms"] = [randoms[n] for n in self.owned[p][0].tolist()]
        self._recover(set(), [])

    def peaks(self) -> dict[str, float]:
        """The most memory the driver and each shard's process have held, in MiB."""
        driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"driver": driver, **{f"shard {p}": mib for p, mib in zip(self.actors, self._gather("peak"))}}

    def close(self) -> None:
        for actor in self.actors.values():
            self.ray.kill(actor)
        self.mailbox.close()

    # -- segments -------------------------------------------------------------------------------

    def _segment(self, source: Iterator, learning: bool) -> None:
        """One Ray call per shard; meanwhile the bundles go from place to place (`peers`), the driver's
        feeder and teacher taking theirs, until every example of the segment has left the network
        (learning: the feeder heard every sensor's error) or has its outputs (predicting: the teacher)."""
        self.number += 1
        self.current = segment = Segment(self.number, 0, self.version, self.rate)
        self.mailbox.connect(self.addresses)
        calls = {actor.segment.remote(self.number, p, self.addresses, self.version, self.rate): p
                 for p, actor in self.actors.items()}
        self.rounds += len(calls)
        feeder, self.heard = self.hub.society.feeder, 0

        def done() -> bool:  # the segment's examples all presented, and each has left or has its outputs
            return getgeneratorstate(source) == GEN_CLOSED and (
                feeder.waiting == 0 if learning else self.heard == feeder.waiting)  # (predicting, not counted down)

        try:
            feeder.feed(source, learning)
            drive(self.hub, self.mailbox, segment, done, lambda: bool(self.ray.wait(list(calls), timeout=0)[0]))
        finally:
            self.current = None
            for p in self.actors:
                self.mailbox.end(p, segment)
        # a shard that answers with no figures was restarted between two calls: what it knew is lost
        tallies = {0: segment.figures(), **self._answers({p: ref for ref, p in calls.items()}, empty_is_lost=True)}
        messages, self.transfers, self.bytes = settled(tallies, self.number, self.transfers, self.bytes)
        for p in self.actors:
            self.busy[p] += tallies[p]["busy"]
        self.waves += sum(t["waves"] for t in tallies.values())
        self.messages += messages + self.hub.messages
        self.hub.imported = self.hub.runtime.messages = 0

    def _listen(self, tag: Any, outputs: np.ndarray, desired: Any) -> None:
        """The teacher's listener: an example replayed after a crash is scored once only."""
        self.heard += 1
        if tag not in self.scored:
            self.scored.add(tag)
            self.listener(tag, outputs, desired)

    # -- checkpoints and recovery -----------------------------------------------------------------

    def _logged(self, examples: Iterator, log: list) -> Iterator:
        """The next `checkpoint_every` examples, each kept with the learning rate it was presented at."""
        for example in islice(examples, self.checkpoint_every):
            log.append((example, self.rate))
            yield example

    def _replayed(self, log: list, rest: Iterator) -> Iterator:
        """The examples since the checkpoint again, then the rest of the segment."""
        for example, rate in log:
            self.set_learning_rate(rate)
            yield example
        yield from rest

    def _gather(self, method: str, *args) -> list:
        """One call on every shard, their values in order; _Died if one died."""
        return list(self._answers({p: getattr(a, method).remote(*args) for p, a in self.actors.items()}).values())

    def _answers(self, refs: dict, empty_is_lost: bool = False) -> dict:
        """The values of these shards' calls; _Died if a shard died or began a new life on the way (or,
        `empty_is_lost`, answered None)."""
        values, died = {}, set()
        for p, ref in refs.items():
            try:
                life, values[p] = self.ray.get(ref)
            except self._lost:
                died.add(p)
                continue
            if not self._lived(p, life) or (empty_is_lost and values[p] is None):
                died.add(p)
        if died:
            raise _Died(died)
        return values

    def _make(self, places: list[int]) -> None:
        """Have these shards make their parts: the plan, then the synapses a chunk at a time, at most two
        chunks in the object store at once (the driver's share while it sends)."""
        self._answers({p: self.actors[p].begin.remote(self.plan, p) for p in places})
        sent: list[dict] = []
        for chunk in chunks(self.blueprint):
            ref = self.ray.put(chunk)
            sent.append({p: self.actors[p].take.remote(ref) for p in places})
            del ref
            if len(sent) > 1:
                self._answers(sent.pop(0))
        for refs in sent:
            self._answers(refs)
        self.owned.update(self._answers({p: self.actors[p].make.remote() for p in places}))

    def _recover(self, died: set[int], log: list) -> None:
        """Take every shard and the driver back to the last checkpoint, once Ray has restarted the dead."""
        while True:
            self._mourn(died, log)
            try:
                self._restore()
                self._count_restarts()
                return
            except _Died as again:
                died = again.places

    def _count_restarts(self) -> None:
        """The restarts as Ray counted them (a shard killed again before it answered began two lives; the
        driver saw one). Ray's actor table is not its public API: where it moved, the driver's count."""
        try:
            from ray._private.state import actors

            counted = {p: actors(actor._actor_id.hex()).get("NumRestarts") for p, actor in self.actors.items()}
        except Exception:  # noqa: BLE001 - any change of Ray's internals leaves the driver's own count
            return
        for p, restarts in counted.items():
            if isinstance(restarts, int) and restarts > self.restarts[p]:
                self.restarts[p] = restarts

    def _mourn(self, died: set[int], log: list) -> None:
        """Count the deaths; past a shard's restarts, stop the run with the last checkpointed model."""
        for p in died:
            self.deaths[p] += 1
            if self.deaths[p] > self.max_restarts:
                unscored = [example[0] for example, _ in log if example[0] not in self.scored]
                at = f" at example {unscored[0]}" if unscored else " before the first example"
                raise ShardLost(f"shard {p} died {self.deaths[p]} times{at}, past its {self.max_restarts} "
                                "restarts: the run stops", self._kept())

    def _restore(self) -> None:
        deadline = time.monotonic() + 120  # a node's loss takes Ray tens of seconds to see
        died = set()
        for p, actor in self.actors.items():
            while True:
                try:
                    life, ready = self.ray.get(actor.restore.remote(self.options, self.saved[p - 1], self.saved_rate))
                    self._lived(p, life)
                    if not ready:  # a new process: its part made again first
                        self._make([p])
                        continue
                    break
                except self.ray.exceptions.ActorUnavailableError:  # still restarting
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
                except self.ray.exceptions.ActorUnschedulableError:  # its node is lost: a new placement
                    self.actors[p] = actor = self._placed(p)
                    self.restarts[p] += 1
                    self.lives[p] = None
                except self._lost:
                    died.add(p)
                    break
        if died:
            raise _Died(died)
        self.hub.build()  # the feeder and the teacher anew: they keep no state of their own
        self.rate = self.saved_rate
        self.addresses.update(zip(self.actors, self._gather("address")))
        before, self.nodes = self.nodes, self._gather("where")
        self.moved += [{"shard": p, "from": old, "to": new}  # restarted elsewhere: its node was lost
                       for p, old, new in zip(self.actors, before, self.nodes) if before and old != new]

    def _placed(self, p: int) -> Any:
        """Shard p's process, on the live nodes in turn, no CPU reserved; placed anew when its node is lost."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        nodes = sorted(n["NodeID"] for n in self.ray.nodes() if n["Alive"])
        if not nodes:  # the driver's own node is gone too
            raise ShardLost(f"shard {p} cannot be placed: no node of the cluster is alive", self._kept())
        where = NodeAffinitySchedulingStrategy(nodes[(p - 1) % len(nodes)], soft=False)
        return self.ray.remote(ShardProcess).options(max_restarts=self.max_restarts, max_task_retries=0, num_cpus=0,
                                                     scheduling_strategy=where).remote()

    def _lived(self, p: int, life: str) -> bool:
        """Note the life a shard answered with; False for a new one (Ray restarted it: its state is lost)."""
        known, self.lives[p] = self.lives[p], life
        if known is None or known == life:
            return True
        self.restarts[p] += 1
        return False

    def _kept(self) -> Any:
        """The model of the last checkpoint, or the first weights before there is one."""
        return self.blueprint if self.saved[0] is None else self._model(self.saved)

    def _model(self, states: list) -> Any:
        learned = self.blueprint.copy()
        for p, state in zip(self.actors, states):
            write(learned, self.owned[p], state)
        return learned


class _Died(Exception):
    """Some shards' processes died during a call."""

    def __init__(self, places: set[int]) -> None:
        super().__init__(f"shards {sorted(places)} died")
        self.places = places

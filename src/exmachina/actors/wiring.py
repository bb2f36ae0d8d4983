"""Where each process lives, and the routes it uses there.

Every message of a network is a line from a sender to a slot in a receiver's mailbox: forward, a
weighted activity along a synapse (and the feeder's inputs, and the outputs' activities to the
teacher); backward, an error along the same synapse the other way (and the teacher's errors, and
the sensors' errors to the feeder). A layout puts every process on a place: one place holds the
whole society in one process; with shards, place 0 is the driver (the feeder and the teacher) and
places 1..N are the shards.

A line whose receiver lives elsewhere goes to a **post**: a process standing in for the other place.
Lines are grouped into channels by (from, to, direction, depth of the sender), and a channel's post
has one mailbox slot per line. It fills once per example as the sender's wave passes, and then the
whole channel leaves as one parcel of values. The receiving place knows the channel's receivers and
slots from the layout, so a parcel carries only a tag and its values. Grouping by depth keeps the
waves apart: a post never waits for a message that depends on its own delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .routes import ACTIVITY, ERROR


@dataclass
class Lines:
    """The lines of one direction, sorted by sender (a sender's lines in the order of its routes)."""

    senders: np.ndarray
    receivers: np.ndarray
    slots: np.ndarray
    synapses: np.ndarray  # the synapse a forward line weighs (-1 for the feeder's and teacher's lines)


@dataclass
class Table:
    """Each process's routes in one direction, as local addresses: process i owns lines start[i]:start[i+1]."""

    start: np.ndarray
    receivers: np.ndarray
    slots: np.ndarray
    synapses: np.ndarray


@dataclass
class Part:
    """Everything one place needs to build its processes, and nothing about the others."""

    place: int
    places: int
    size: int  # neurons in the whole blueprint: the feeder's number
    ids: np.ndarray  # the blueprint numbers of its processes, ascending (feeder = N, teacher = N + 1)
    kinds: list[str]
    activations: list[str]
    biases: np.ndarray
    weights: np.ndarray  # one per forward line of its processes (1.0 on an output's line to the teacher)
    loss: str
    forward: Table
    backward: Table
    posts: list[tuple[int, int, int, int]] = field(default_factory=list)  # (channel, kind, fan, to place)
    imports: dict[int, tuple[int, np.ndarray, np.ndarray]] = field(default_factory=dict)  # channel: kind, where

    def owned(self) -> tuple[np.ndarray, np.ndarray]:
        """The blueprint numbers of its neurons and of the synapses on their axons, in state order."""
        neurons = len(self.kinds)
        synapses = self.forward.synapses[:self.forward.start[neurons]]
        return self.ids[:neurons], synapses[synapses >= 0]


def lines(blueprint) -> tuple[Lines, Lines]:
    """Every message line of a blueprint, forward and backward, as 32-bit integers.

    Built a chunk at a time and sorted only when not already in order, so that a network of a
    hundred million synapses needs little more than the lines themselves.
    """
    n, sources, targets = blueprint.size, blueprint.sources, blueprint.targets
    feeder, teacher = n, n + 1
    sensors, outputs = blueprint.sensors.astype(np.int32), blueprint.outputs.astype(np.int32)
    by_source = _order(sources, targets)  # an axon in order of target
    by_target = _order(targets, sources)  # dendrites in order of source
    slot = _ranks(targets, by_target, n)  # each synapse's slot at its target
    index = _ranks(sources, by_source, n)  # each synapse's place on its source's axon
    teacher_slots = np.arange(len(outputs), dtype=np.int32)
    forward = _with_extra_lines(
        _gather((sources, targets, slot), by_source), by_source,
        # the outputs' lines to the teacher, and the feeder's to the sensors and the teacher
        np.concatenate((outputs, np.full(len(sensors) + 1, feeder, np.int32))),
        np.concatenate((np.full(len(outputs), teacher, np.int32), sensors, np.array([teacher], np.int32))),
        np.concatenate((teacher_slots, np.zeros(len(sensors), np.int32), np.array([len(outputs)], np.int32))),
    )
    del slot, by_source
    backward = _with_extra_lines(
        _gather((targets, sources, index), by_target), by_target,
        # the sensors' lines to the feeder, and the teacher's to the outputs
        np.concatenate((sensors, np.full(len(outputs), teacher, np.int32))),
        np.concatenate((np.full(len(sensors), feeder, np.int32), outputs)),
        np.concatenate((np.arange(len(sensors), dtype=np.int32), np.zeros(len(outputs), np.int32))),
    )
    return forward, backward


CHUNK = 1 << 20  # elements per step of the loops below, to bound their temporary arrays


def _order(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """The synapses in order of `major`, then `minor` (int32 indices; no sort when already so)."""
    count = len(major)
    ordered = True
    for a in range(0, max(count - 1, 0), CHUNK):
        b = min(a + CHUNK, count - 1)
        step, tie = major[a + 1:b + 1] - major[a:b], minor[a + 1:b + 1] - minor[a:b]
        if ((step < 0) | ((step == 0) & (tie <= 0))).any():
            ordered = False
            break
    if ordered:
        return np.arange(count, dtype=np.int32)
    return np.lexsort((minor, major)).astype(np.int32)


def _ranks(key: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """Each synapse's rank among those with the same `key`, counted in `order`."""
    fans = np.bincount(key, minlength=n)
    start = (np.cumsum(fans) - fans).astype(np.int32)
    ranks = np.empty(len(key), dtype=np.int32)
    for a in range(0, len(key), CHUNK):
        chosen = order[a:a + CHUNK]
        ranks[chosen] = np.arange(a, a + len(chosen), dtype=np.int32) - start[key[chosen]]
    return ranks


def _gather(arrays: tuple[np.ndarray, ...], order: np.ndarray) -> list[np.ndarray]:
    """Each array in `order`, as int32."""
    gathered = []
    for array in arrays:
        out = np.empty(len(order), dtype=np.int32)
        for a in range(0, len(order), CHUNK):
            out[a:a + CHUNK] = array[order[a:a + CHUNK]]
        gathered.append(out)
    return gathered


def _with_extra_lines(synapse_lines: list[np.ndarray], synapses: np.ndarray, senders: np.ndarray,
                      receivers: np.ndarray, slots: np.ndarray) -> Lines:
    """The synapses' lines (sorted by sender) with the lines that no synapse carries, in sender order.

    The extra lines' senders send along no synapse in this direction, so each goes after every
    synapse line of a smaller sender, in the order given (their senders ascending).
    """
    where = np.searchsorted(synapse_lines[0], senders, side="right")
    return Lines(*(np.insert(line, where, extra) for line, extra in zip(
        (*synapse_lines, synapses), (senders, receivers, slots, np.full(len(senders), -1, np.int32)))))


class Layout:
    """Every line of a blueprint assigned to places: local routes, channels between places, posts."""

    def __init__(self, blueprint, home: np.ndarray | None = None) -> None:
        self.blueprint = blueprint
        n = blueprint.size
        self.home = np.zeros(n + 2, dtype=np.int64) if home is None else home
        self.places = int(self.home.max()) + 1
        depth = np.empty(n + 2, dtype=np.int64)
        for d, layer in enumerate(blueprint.layers()):
            depth[layer] = d + 1
        depth[n], depth[n + 1] = 0, depth[:n].max() + 1  # the feeder before the sensors, the teacher last
        # each process's address at its place: its rank among the processes living there
        order = np.argsort(self.home, kind="stable")
        counts = np.bincount(self.home, minlength=self.places)
        self.local = np.empty(n + 2, dtype=np.int64)
        self.local[order] = np.arange(n + 2) - np.repeat(np.cumsum(counts) - counts, counts)
        self.counts = counts
        self.lines = lines(blueprint)
        # channels: forward ones first, then backward ones, each numbered by (from, to, depth)
        self.channels: list[tuple[int, int, int, int]] = []  # (from place, to place, kind, fan)
        self.channel, self.rank = [], []
        self.members: list[np.ndarray] = []  # each channel's lines at start[c]:start[c] + fan, in slot order
        self.start: list[int] = []
        groups = int(depth.max()) + 1
        for kind, line in zip((ACTIVITY, ERROR), self.lines if self.places > 1 else ()):  # one place: no channels
            origin, there = self.home[line.senders], self.home[line.receivers]
            crossing = np.flatnonzero(origin != there)
            key = (origin[crossing] * self.places + there[crossing]) * groups + depth[line.senders[crossing]]
            keys, which = np.unique(key, return_inverse=True)
            channel = np.full(len(line.senders), -1, dtype=np.int64)
            channel[crossing] = len(self.channels) + which
            fans = np.bincount(which, minlength=len(keys))
            rank = np.zeros(len(line.senders), dtype=np.int64)  # a crossing line's slot in its post
            by_channel = np.argsort(which, kind="stable")
            rank[crossing[by_channel]] = np.arange(len(crossing)) - np.repeat(np.cumsum(fans) - fans, fans)
            self.start.extend((np.cumsum(fans) - fans).tolist())
            for k, fan in zip(keys.tolist(), fans.tolist()):
                pair = k // groups
                self.channels.append((pair // self.places, pair % self.places, kind, fan))
            self.channel.append(channel)
            self.rank.append(rank)
            self.members.append(crossing[by_channel])

    def part(self, place: int) -> Part:
        """What the processes of one place need: their state, their routes, their posts and imports."""
        bp, n = self.blueprint, self.blueprint.size
        ids = np.flatnonzero(self.home == place)
        mine = [c for c, (origin, _, _, _) in enumerate(self.channels) if origin == place]
        post_address = {c: int(self.counts[place]) + k for k, c in enumerate(mine)}
        tables = []
        for direction, line in enumerate(self.lines):
            if self.places == 1:  # every line is local, and local addresses are the neurons' numbers
                start = np.searchsorted(line.senders, np.append(ids, n + 2))
                tables.append(Table(start, line.receivers, line.slots, line.synapses))
                continue
            chosen = np.flatnonzero(self.home[line.senders] == place)
            receivers = self.local[line.receivers[chosen]]
            slots = line.slots[chosen].copy()
            channel = self.channel[direction][chosen]
            crossing = channel >= 0
            receivers[crossing] = [post_address[c] for c in channel[crossing].tolist()]
            slots[crossing] = self.rank[direction][chosen[crossing]]
            start = np.searchsorted(line.senders[chosen], np.append(ids, n + 2))
            tables.append(Table(start, receivers, slots, line.synapses[chosen]))
        neurons = ids[ids < n]
        synapses = tables[0].synapses
        weights = bp.weights[synapses]
        weights[synapses < 0] = 1.0  # an output's line to the teacher
        imports = {}
        for c, (_, there, kind, fan) in enumerate(self.channels):
            if there == place:
                line = self.lines[kind]
                chosen = self.members[kind][self.start[c]:self.start[c] + fan]  # in line order: slot order
                imports[c] = (kind, self.local[line.receivers[chosen]], line.slots[chosen])
        return Part(
            place, self.places, n, ids, [bp.kinds[i] for i in neurons], [bp.activations[i] for i in neurons],
            bp.biases[neurons], weights, bp.loss, *tables,
            posts=[(c, self.channels[c][2], self.channels[c][3], self.channels[c][1]) for c in mine],
            imports=imports,
        )

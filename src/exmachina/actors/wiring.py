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

from .lines import CHUNK, Lines, line_starts, lines, plain_lines, walk
from .routes import ACTIVITY, ERROR


@dataclass
class Table:
    """Each process's routes in one direction, as local addresses: process i owns lines start[i]:start[i+1]."""

    start: np.ndarray
    receivers: np.ndarray
    slots: np.ndarray
    synapses: np.ndarray | None  # the synapse each line runs along (-1: none); None where nothing reads it


@dataclass
class Terminals:
    """The terminals at one place of axons that live at others: terminal t is neuron `sources[t]`'s
    axon here, its synapses `axon.start[t]:axon.start[t + 1]` with replicas of their weights."""

    sources: np.ndarray  # the blueprint number of the neuron each terminal belongs to
    axon: Table
    weights: np.ndarray


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
    synapses: np.ndarray | range  # on its neurons' axons, in state order (a range: the blueprint's own order)
    # (channel, kind, fan, to place, whether it relays the crossings of axons and dendrites to terminals)
    posts: list[tuple[int, int, int, int, bool]] = field(default_factory=list)
    # channel: kind, receivers, slots, and how many of them each value goes to (None: one each)
    imports: dict[int, tuple[int, np.ndarray, np.ndarray, np.ndarray | None]] = field(default_factory=dict)
    reach: tuple[Table, Table] | None = None  # each process's lines to other places' terminals, by direction
    terminals: Terminals | None = None  # the terminals here of axons that live elsewhere

    def owned(self) -> tuple[np.ndarray, np.ndarray]:
        """The blueprint numbers of its neurons and of the synapses on their axons, in state order."""
        return self.ids[:len(self.kinds)], self.synapses


def whole(blueprint) -> Part:
    """The whole society at one place, each process at its blueprint number, made with no more than
    it keeps: the routes (receivers and slots, without their senders or synapses) and the weights."""
    n = blueprint.size
    starts = line_starts(blueprint)
    forward, backward = (Table(start, np.empty(start[-1], np.int32), np.empty(start[-1], np.int32), None)
                         for start in starts)
    weights = np.empty(starts[0][-1])  # one per forward line: 1.0 where it weighs no synapse

    def write(direction, synapses, senders, receivers, places, slots) -> None:
        table = backward if direction else forward
        table.receivers[places], table.slots[places] = receivers, slots
        if not direction:
            weights[places] = 1.0 if synapses is None else blueprint.weights[synapses]

    order = walk(blueprint, starts, write)
    return Part(0, 1, n, np.arange(n + 2), list(blueprint.kinds), list(blueprint.activations),
                blueprint.biases.copy(), weights, blueprint.loss, forward, backward,
                range(len(blueprint.sources)) if order is None else order)


@dataclass
class Slice:
    """The synapses of a blueprint that touch one place (their source or their target lives there), with
    their numbers in the whole: all that place needs to make its part, so that no process holds the
    layout of every line (see `touching`)."""

    kinds: list[str]
    activations: list[str]
    biases: np.ndarray
    loss: str
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    numbers: np.ndarray  # each synapse's number in the blueprint, ascending
    sensors: np.ndarray  # the blueprint's, as it has them
    outputs: np.ndarray

    @property
    def size(self) -> int:
        return len(self.kinds)


def touching(home: np.ndarray, place: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Which of these synapses a place's part needs: those whose source or target lives there."""
    return (home[sources] == place) | (home[targets] == place)


def depths(blueprint) -> np.ndarray:
    """Each process's depth: the feeder 0, the sensors 1, a neuron one past its deepest input, the teacher last."""
    n = blueprint.size
    depth = np.empty(n + 2, dtype=np.int64)
    for d, layer in enumerate(blueprint.layers()):
        depth[layer] = d + 1
    depth[n], depth[n + 1] = 0, depth[:n].max() + 1  # the feeder before the sensors, the teacher last
    return depth


def channel_keys(blueprint, home: np.ndarray, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The channels between places that exist, forward and backward, as sorted keys ((from place, to
    place), depth of the sender): each place numbers its channels by them. One pass over the synapses,
    a chunk at a time (a few bytes a synapse: the driver of shards makes them beside the blueprint)."""
    places, groups = int(home.max()) + 1, int(depth.max()) + 1

    def keys(senders: np.ndarray, receivers: np.ndarray) -> np.ndarray:
        crossing = home[senders] != home[receivers]
        senders, receivers = senders[crossing], receivers[crossing]
        return np.unique((home[senders] * places + home[receivers]) * groups + depth[senders])

    found: tuple[list, list] = ([], [])
    for a in range(0, len(blueprint.sources), CHUNK):
        sources, targets = blueprint.sources[a:a + CHUNK], blueprint.targets[a:a + CHUNK]
        found[ACTIVITY].append(keys(sources, targets))
        found[ERROR].append(keys(targets, sources))
    for direction, (senders, receivers, _) in enumerate(plain_lines(blueprint)):
        found[direction].append(keys(senders, receivers))
    return np.unique(np.concatenate(found[ACTIVITY])), np.unique(np.concatenate(found[ERROR]))


class Layout:
    """Every line of a blueprint assigned to places: local routes, channels between places, posts,
    and the terminals of axons that reach other places."""

    def __init__(self, blueprint, home: np.ndarray, depth: np.ndarray | None = None,
                 keys: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """`blueprint` may be a `Slice`: a place's part is made from the synapses that touch it, given
        the depths and channel keys of the whole (`depths`, `channel_keys`), which every place shares."""
        self.blueprint = blueprint
        n = blueprint.size
        self.home = home  # 0 for the feeder and teacher, 1.. for the shards (`shards.placement.place`)
        self.places = int(self.home.max()) + 1
        depth = depths(blueprint) if depth is None else depth
        keys = channel_keys(blueprint, home, depth) if keys is None else keys
        # each process's address at its place: its rank among the processes living there
        order = np.argsort(self.home, kind="stable")
        counts = np.bincount(self.home, minlength=self.places)
        self.local = np.empty(n + 2, dtype=np.int64)
        self.local[order] = np.arange(n + 2) - np.repeat(np.cumsum(counts) - counts, counts)
        self.counts = counts
        self.lines = lines(blueprint)
        # channels: forward ones first, then backward ones, each numbered by its key (from, to, depth)
        self.channels: list[tuple[int, int, int, int]] = []  # (from place, to place, kind, fan)
        self.items: list[Crossings] = []  # for each direction, what crosses between places
        groups = int(depth.max()) + 1
        for kind, line, known in zip((ACTIVITY, ERROR), self.lines, keys):
            items = crossings(line, self.home, self.places)
            key = (self.home[items.senders] * self.places + items.there) * groups + depth[items.senders]
            order = np.lexsort((items.first, key))  # in a channel, in line order: slot order at a plain line's end
            which = np.searchsorted(known, key[order])
            fans = np.bincount(which, minlength=len(known))  # its items seen here: all of them at either end
            items.channel[order] = len(self.channels) + which
            items.rank[order] = np.arange(len(order)) - np.repeat(np.cumsum(fans) - fans, fans)
            items.order = order
            for k, fan in zip(known.tolist(), fans.tolist()):
                pair = k // groups
                self.channels.append((pair // self.places, pair % self.places, kind, fan))
            self.items.append(items)

    def part(self, place: int) -> Part:
        """What the processes of one place need: their state, their routes, their posts, imports and terminals."""
        bp, n = self.blueprint, self.blueprint.size
        ids = np.flatnonzero(self.home == place)
        mine = [c for c, (origin, _, _, _) in enumerate(self.channels) if origin == place]
        post_address = np.full(len(self.channels), -1, dtype=np.int64)
        terminals = self._terminals(place)
        post_address[mine] = int(self.counts[place]) + len(terminals.sources) + np.arange(len(mine))
        tables, reach = [], []
        for direction, line in enumerate(self.lines):
            items = self.items[direction]
            chosen = np.flatnonzero(self.home[line.senders] == place)
            receivers = self.local[line.receivers[chosen]]
            slots = line.slots[chosen].copy()
            plain, far = items.plain[chosen], items.far[chosen]
            posted = items.channel[plain[plain >= 0]]
            receivers[plain >= 0], slots[plain >= 0] = post_address[posted], items.rank[plain[plain >= 0]]
            if direction == ACTIVITY:  # a synapse to another place: weighed there, by the axon's terminal
                receivers[far >= 0] = slots[far >= 0] = -1
            else:  # an error to another place's neuron: to its axon's terminal here, which steps the replica
                receivers[far >= 0], slots[far >= 0] = terminals.at(line.synapses[chosen[far >= 0]])
            start = np.searchsorted(line.senders[chosen], np.append(ids, n + 2))
            tables.append(Table(start, receivers, slots, line.synapses[chosen]))
            going = items.plains + np.flatnonzero(self.home[items.senders[items.plains:]] == place)  # by sender
            reach.append(Table(np.searchsorted(items.senders[going], np.append(ids, n + 2)),
                               post_address[items.channel[going]], items.rank[going], np.full(len(going), -1)))
        neurons = ids[ids < n]
        synapses = tables[0].synapses
        weights = np.ones(len(synapses))  # 1.0 on an output's line to the teacher
        weights[synapses >= 0] = bp.weights[synapses[synapses >= 0]]
        owned = synapses[:tables[0].start[len(neurons)]]
        owned = owned[owned >= 0]
        imports = {c: self._import(c, terminals) for c, (_, there, _, _) in enumerate(self.channels) if there == place}
        for table in (*tables, terminals.axon):
            table.synapses = None  # read only here: a slice's numbers them its own way
        return Part(
            place, self.places, n, ids, [bp.kinds[i] for i in neurons], [bp.activations[i] for i in neurons],
            bp.biases[neurons], weights, bp.loss, *tables,
            owned if not isinstance(bp, Slice) else bp.numbers[owned],
            posts=[(c, *self.channels[c][2:], self.channels[c][1], bool(self._relays(c))) for c in mine],
            imports=imports, reach=tuple(reach), terminals=terminals,
        )

    def _relays(self, c: int) -> bool:
        """Whether channel c carries activities to terminals or errors to be fanned out (not plain lines)."""
        items = self.items[self.channels[c][2]]
        return bool((items.order[items.channel[items.order] == c] >= items.plains).all())

    def _terminals(self, place: int) -> PlacedTerminals:
        """The terminals at `place`: one for each neuron elsewhere with a synapse here, by neuron number."""
        line, items = self.lines[ACTIVITY], self.items[ACTIVITY]
        here = items.plains + np.flatnonzero(items.there[items.plains:] == place)  # by sender, one each
        lines_, fans = items.members(here)
        start = np.zeros(len(here) + 1, dtype=np.int64)
        np.cumsum(fans, out=start[1:])
        axon = Table(start, self.local[line.receivers[lines_]].astype(np.int32), line.slots[lines_],
                     line.synapses[lines_])
        return PlacedTerminals(items.senders[here], axon, self.blueprint.weights[line.synapses[lines_]],
                               int(self.counts[place]))

    def _import(self, c: int, terminals: PlacedTerminals) -> tuple:
        """Channel c at its end: each value's receivers and slots there, and how many each value goes to."""
        kind = self.channels[c][2]
        line, items = self.lines[kind], self.items[kind]
        chosen = items.order[items.channel[items.order] == c]  # in rank order
        if (chosen < items.plains).all():
            plain = items.first[chosen]  # the line itself
            return kind, self.local[line.receivers[plain]], line.slots[plain], None
        if kind == ACTIVITY:  # each activity to its axon's terminal here
            where = np.searchsorted(terminals.sources, items.senders[chosen])
            return kind, terminals.first + where, np.zeros(len(chosen), np.int64), None
        fanned, fans = items.members(chosen)  # each error to its sources here
        return kind, self.local[line.receivers[fanned]], line.slots[fanned], fans


@dataclass
class Crossings:
    """What crosses between places in one direction, as items: a plain line (the feeder's, the teacher's,
    an output's to the teacher), or a neuron's lines along synapses to one other place, which cross as one
    value (its activity, to its axon's terminal there; its error, fanned out there to its sources)."""

    senders: np.ndarray
    there: np.ndarray
    first: np.ndarray  # the item's first line
    plains: int  # items 0..plains-1 are plain lines, the others a neuron's lines to a place
    plain: np.ndarray  # for each line, the item it is if it is a plain crossing line, else -1
    far: np.ndarray  # for each line, the item it belongs to if it crosses along a synapse, else -1
    grouped: np.ndarray  # the lines along synapses, by item, each item's in line order
    start: np.ndarray  # item plains + i's lines are grouped[start[i]:start[i + 1]]
    channel: np.ndarray
    rank: np.ndarray  # the item's slot in its channel's post
    order: np.ndarray | None = None  # the items by channel, then rank

    def members(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The lines of these items (not plain ones), one item after another, and how many each has."""
        first, last = self.start[chosen - self.plains], self.start[chosen - self.plains + 1]
        fans = last - first
        if not len(chosen):
            return np.empty(0, np.int64), fans
        picks = np.repeat(first - (np.cumsum(fans) - fans), fans) + np.arange(fans.sum())
        return self.grouped[picks], fans


def crossings(line: Lines, home: np.ndarray, places: int) -> Crossings:
    """The items crossing between places in one direction (see `Crossings`)."""
    origin, there = home[line.senders], home[line.receivers]
    crossing = origin != there
    plain = np.flatnonzero(crossing & (line.synapses < 0))
    far = np.flatnonzero(crossing & (line.synapses >= 0))
    pairs, first, which = np.unique(line.senders[far].astype(np.int64) * places + there[far], return_index=True,
                                    return_inverse=True)
    items = len(plain) + len(pairs)
    plain_of, far_of = np.full(len(line.senders), -1, np.int64), np.full(len(line.senders), -1, np.int64)
    plain_of[plain] = np.arange(len(plain))
    which = which.ravel()
    far_of[far] = len(plain) + which
    start = np.zeros(len(pairs) + 1, dtype=np.int64)
    np.cumsum(np.bincount(which, minlength=len(pairs)), out=start[1:])
    return Crossings(
        np.concatenate((line.senders[plain], pairs // places)).astype(np.int64),
        np.concatenate((there[plain], pairs % places)), np.concatenate((plain, far[first])), len(plain),
        plain_of, far_of, far[np.argsort(which, kind="stable")], start, np.full(items, -1, np.int64),
        np.zeros(items, np.int64))


@dataclass
class PlacedTerminals(Terminals):
    """Terminals with the address of the first one at their place (the others follow it)."""

    first: int = 0

    def at(self, synapses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The terminal's address and the slot on its axon of each of these synapses (all of them here)."""
        order = np.argsort(self.axon.synapses, kind="stable")
        where = order[np.searchsorted(self.axon.synapses[order], synapses)]
        terminal = np.searchsorted(self.axon.start, where, side="right") - 1
        return self.first + terminal, where - self.axon.start[terminal]

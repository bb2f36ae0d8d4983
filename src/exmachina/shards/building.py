"""Each place makes its own part, so that no process holds the layout of every line.

Every place is sent what they all share, a `Plan` (where each process lives, its depth, the keys of
the channels, the neurons' kinds, activations and biases), then the blueprint's synapses a chunk at
a time (`chunks`). A place keeps the synapses that touch it (`Assembly.take`) and makes its part
from them (`wiring.Slice`): the driver holds the blueprint and a chunk or two in flight, each shard
its own share, and a part is the same as the one the whole layout would give.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..actors.lines import CHUNK
from ..actors.wiring import Layout, Part, Slice, channel_keys, depths, touching

SYNAPSES_PER_CHUNK = 64 * CHUNK  # 1 M synapses, 16 MB a chunk: the driver's share while it sends

Chunk = tuple[int, np.ndarray, np.ndarray, np.ndarray]  # the first synapse's number, sources, targets, weights


@dataclass
class Plan:
    """What every place needs to know of the whole to make its part: a few numbers per neuron."""

    home: np.ndarray
    depth: np.ndarray
    keys: tuple[np.ndarray, np.ndarray]
    kinds: list[str]
    activations: list[str]
    biases: np.ndarray
    loss: str
    sensors: np.ndarray
    outputs: np.ndarray


def plan(blueprint, home: np.ndarray) -> Plan:
    """The plan of a blueprint placed so (`placement.place`)."""
    depth = depths(blueprint)
    return Plan(home, depth, channel_keys(blueprint, home, depth), list(blueprint.kinds),
                list(blueprint.activations), blueprint.biases.copy(), blueprint.loss, blueprint.sensors,
                blueprint.outputs)


def chunks(blueprint) -> Iterator[Chunk]:
    """The blueprint's synapses in order, a chunk at a time, their wiring as 32-bit integers."""
    for a in range(0, len(blueprint.sources), SYNAPSES_PER_CHUNK):
        b = a + SYNAPSES_PER_CHUNK
        yield (a, blueprint.sources[a:b].astype(np.int32), blueprint.targets[a:b].astype(np.int32),
               blueprint.weights[a:b])


class Assembly:
    """One place's part in the making: the synapses that touch it, kept as their chunks come."""

    def __init__(self, plan: Plan, place: int) -> None:
        self.plan, self.place = plan, place
        # (first number, sources, targets, weights, numbers) of each chunk, after an empty one
        self.kept: list[tuple] = [(-1, *(np.empty(0, t) for t in (np.int32, np.int32, float, np.int64)))]

    def take(self, first: int, sources: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> None:
        chosen = np.flatnonzero(touching(self.plan.home, self.place, sources, targets))
        self.kept.append((first, sources[chosen], targets[chosen], weights[chosen], chosen + first))

    def part(self) -> Part:
        """The place's part, from the synapses kept (in the order of their numbers, as the chunks came)."""
        plan, kept = self.plan, sorted(self.kept, key=lambda chunk: chunk[0])
        self.kept = []
        sources, targets, weights, numbers = (np.concatenate(column) for column in list(zip(*kept))[1:])
        del kept
        piece = Slice(plan.kinds, plan.activations, plan.biases, plan.loss, sources, targets, weights, numbers,
                      plan.sensors, plan.outputs)
        return Layout(piece, plan.home, plan.depth, plan.keys).part(self.place)


def parts(blueprint, home: np.ndarray) -> list[Part]:
    """Every place's part, each made as a shard makes its own (for shards in one process)."""
    shared = plan(blueprint, home)
    assemblies = [Assembly(shared, p) for p in range(int(home.max()) + 1)]
    for chunk in chunks(blueprint):
        for assembly in assemblies:
            assembly.take(*chunk)
    return [assembly.part() for assembly in assemblies]

"""Which shard each neuron lives on: the partitions of a network over its shards."""

from __future__ import annotations

import numpy as np

PARTITIONS = ("spread", "layers")


def place(blueprint, shards: int, partition: str = "spread") -> np.ndarray:
    """The place of every process: 0 for the feeder and teacher, 1..shards for the neurons.

    `spread` splits every layer evenly over the shards, so that every shard works in every wave (a
    layer with fewer neurons than shards has one on each of as many shards);
    `layers` gives each shard whole consecutive layers of about equal work, which pipelines examples
    when several are in flight.
    """
    if partition not in PARTITIONS:
        raise ValueError(f"unknown partition {partition!r}; choose one of {', '.join(PARTITIONS)}")
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    layers = blueprint.layers()
    home = np.zeros(blueprint.size + 2, dtype=np.int64)
    if partition == "spread":
        largest = max(len(layer) for layer in layers)
        if shards > largest:
            raise ValueError(f"{shards} shards but the largest layer has {largest} neurons: spread over the "
                             f"shards, some shard would host none; use at most {largest}")
        for depth, layer in enumerate(layers):
            if len(layer) >= shards:
                home[layer] = 1 + np.arange(len(layer)) * shards // len(layer)
            else:  # fewer neurons than shards: one on each of as many shards, a different few each layer
                home[layer] = 1 + (np.arange(len(layer)) + depth) % shards
        return home
    if shards > len(layers):
        raise ValueError(f"{shards} shards but the network has {len(layers)} layers: with whole layers on "
                         f"each shard, use at most {len(layers)} shards")
    fans = np.bincount(blueprint.sources, minlength=blueprint.size) + np.bincount(blueprint.targets,
                                                                                 minlength=blueprint.size)
    work = np.array([fans[layer].sum() + len(layer) for layer in layers], dtype=float)
    share, shard = work.sum() / shards, 0
    done = 0.0
    for i, layer in enumerate(layers):
        left = len(layers) - i  # layers not yet placed, this one included
        # the next shard once this one has its share (counting half of this layer), or when the layers
        # left are just enough to give each shard after it one
        if i and shard < shards - 1 and (left == shards - 1 - shard or done + work[i] / 2 >= share * (shard + 1)):
            shard += 1
        home[layer] = 1 + shard
        done += work[i]
    return home

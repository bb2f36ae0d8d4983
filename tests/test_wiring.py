"""The society's wiring: every route where the protocol says it goes, whatever the order in which a
blueprint lists its synapses, and built within a bounded number of bytes per synapse."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from exmachina import Blueprint, layered
from exmachina.actors.runtime import LocalRuntime
from exmachina.actors.society import Society

from test_oracle import skip_wiring


def shuffled(blueprint: Blueprint, seed: int = 5) -> Blueprint:
    """The same network with its synapses listed in another order."""
    p = np.random.default_rng(seed).permutation(len(blueprint.sources))
    return Blueprint(blueprint.kinds, blueprint.activations, blueprint.biases, blueprint.sources[p],
                     blueprint.targets[p], blueprint.weights[p], blueprint.loss)


BLUEPRINTS = {
    "layered": lambda: layered([5, 7, 4, 3], seed=1),
    "skip connections": lambda: skip_wiring("tanh", "squared"),
    "layered, synapses shuffled": lambda: shuffled(layered([5, 7, 4, 3], seed=1)),
    "skip connections, synapses shuffled": lambda: shuffled(skip_wiring("tanh", "squared")),
}


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_every_route_goes_to_its_slot_and_every_weight_to_its_synapse(name):
    """Counted here one neuron at a time from the synapses themselves: a neuron's axon goes to its
    targets in ascending order, each to the slot that is the neuron's rank among that target's
    sources; its dendrites go back to its sources in ascending order, each to the slot that is its
    rank among that source's targets; its weights follow its axon; and the state read back is the
    blueprint's, synapse for synapse, however the blueprint lists them."""
    blueprint = BLUEPRINTS[name]()
    n, sources, targets = blueprint.size, blueprint.sources.tolist(), blueprint.targets.tolist()
    weight = {(s, t): w for s, t, w in zip(sources, targets, blueprint.weights.tolist())}
    onward = {i: sorted(t for s, t in weight if s == i) for i in range(n)}
    back = {i: sorted(s for s, t in weight if t == i) for i in range(n)}
    sensors, outputs = blueprint.sensors.tolist(), blueprint.outputs.tolist()
    society = Society(blueprint, LocalRuntime(), None, 0.1)
    for i, neuron in enumerate(society.neurons):
        if i in outputs:
            assert list(neuron.axon) == [(n + 1, outputs.index(i))]  # to the teacher
        else:
            assert list(neuron.axon) == [(t, back[t].index(i)) for t in onward[i]]
            assert neuron.weights.tolist() == [weight[i, t] for t in onward[i]]
        if i in sensors:
            assert list(neuron.dendrites) == [(n, sensors.index(i))]  # to the feeder
        else:
            assert list(neuron.dendrites) == [(s, onward[s].index(i)) for s in back[i]]
    state = society.state()
    assert np.array_equal(state.weights, blueprint.weights) and np.array_equal(state.biases, blueprint.biases)


@pytest.mark.parametrize("order", ["as built", "shuffled"])
def test_building_a_society_peaks_within_36_bytes_per_synapse(order):
    """A society of 315,000 synapses, built from its blueprint, takes at its peak (NumPy's arrays and
    every Python object, as tracemalloc counts them) at most 36 bytes per synapse beside the
    blueprint: what it keeps (its routes, 16; its weights, 8; its processes, about 8 at this size)
    and little more; 4 more when the synapses must first be put in order. Building every line whole
    (senders and synapses too), then inserting the feeder's and teacher's lines into copies, took 53."""
    blueprint = layered([500, 400, 250, 60], seed=0)
    if order == "shuffled":  # the synapses in no order: sorting them costs 4 bytes per synapse more
        blueprint = shuffled(blueprint)
    synapses = len(blueprint.weights)
    tracemalloc.start()
    try:
        society = Society(blueprint, LocalRuntime(), None, 0.1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(society.neurons) == blueprint.size
    assert peak / synapses <= 36 + 4 * (order == "shuffled"), f"{peak / synapses:.1f} bytes per synapse"

"""An axon's terminals: how a neuron whose synapses reach other shards sends each value across once.

NEST's two-tier connections, in the nine steps. A neuron's axon may have synapses on other shards.
Its activity crosses to each such shard once, and there a **terminal** of its axon weighs it for
the synapses on that shard (step 3) and sends each weighted activity on (step 4). The terminal is
part of the neuron: a process that holds replicas of those synapses' weights and the activity it
was given, and steps each replica from its target's error as the neuron steps its own weight
(steps 8, 9: `w_jk -= rate * delta_k * a_j`, the same numbers in the same arithmetic, so the same
bits). Backward, a target's error crosses once to each shard that holds its inputs, where it is
fanned out to them; the neuron folds it with its own weights (step 5) as if it had come along the
synapse. So the values crossing per example scale with the neurons and the shards, not with the
synapses (784-100-10 over two shards: 994 values instead of 79,400).

A terminal is a neuron with the identity for activation, a bias of -0.0 that it never learns (so
its total input is the activity itself, to the bit: -0.0 + a == a, -0.0 included), one dendrite
(the activity, from the neuron's shard) and no route back: its error sum is not sent anywhere, as
the neuron's own is computed at home.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import activation
from .neuron import Neuron
from .routes import Routes

NOWHERE = Routes([], [])  # a terminal's error goes nowhere: its neuron computes its own at home


def terminal(address: int, runtime: Any, axon: Routes, weights: np.ndarray, learning_rate: float | None) -> Neuron:
    """The terminal at `address` of an axon: the synapses `axon` with replicas of their `weights`."""
    made = Neuron(address, runtime, activation("identity"), -0.0, NOWHERE, axon, weights, learning_rate)
    made.fan_in = 1  # the activity of the neuron it belongs to, once
    made.learns_bias = False
    return made


def reach(neuron: Neuron, axon: Routes, forward: Routes, backward: Routes) -> None:
    """Give a neuron the routes of an axon that reaches other shards (receivers -1 on `axon`, the
    synapses whose terminals weigh its activity there), and its routes to the other shards' posts:
    its activity to each shard holding targets (`forward`), its error to each holding inputs."""
    if len(forward):
        here = np.append(axon.receivers >= 0, False)
        # where each run of local synapses starts and ends
        edges = np.flatnonzero(np.diff(np.concatenate(([False], here))))
        neuron.branches = [(int(a), Routes(axon.receivers[a:b], axon.slots[a:b]))
                           for a, b in zip(edges[::2].tolist(), edges[1::2].tolist())]
        neuron.terminals = [Routes(forward.receivers[i:i + 1], forward.slots[i:i + 1]) for i in range(len(forward))]
    if len(backward):
        neuron.far_inputs = [Routes(backward.receivers[i:i + 1], backward.slots[i:i + 1]) for i in range(len(backward))]

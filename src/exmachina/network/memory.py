"""What a network costs in memory, estimated before it is built or read, so that a run too big for
the machine is refused in one line instead of dying of a MemoryError half-way (or the kernel's
out-of-memory killer taking it). One estimate for every path: `--layers`, layers derived from the
data, the scikit-learn estimators, and a model file's declared sizes.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..data.reading import available_memory, gib

# Peak memory measured with `Network.fit` on 4,220,000 synapses (100-2000-2000-10) and on 200,012
# neurons (10-200000-2), either engine, plus a margin: what a network costs while it learns.
SYNAPSE_BYTES = 200
NEURON_BYTES = 2000
# Loading a model file, beyond its arrays: the neuron numbers widened and sorted for the duplicate
# check (about 20 bytes a synapse), each neuron's kind and activation as a list and as arrays.
LOAD_SYNAPSE_BYTES = 24
LOAD_NEURON_BYTES = 300


def learning(layers: Sequence[int]) -> tuple[int, int, int]:
    """Synapses, neurons and the bytes a fully connected network of these layers needs to learn."""
    synapses = sum(a * b for a, b in zip(layers, layers[1:]))
    neurons = sum(layers)
    return synapses, neurons, synapses * SYNAPSE_BYTES + neurons * NEURON_BYTES


def affordable(layers: Sequence[int], what: str) -> None:
    """A ValueError, beginning with `what` (such as `--layers 2,100,1`), when these layers would need
    more memory than there is, naming the estimate."""
    synapses, neurons, need = learning(layers)
    room = available_memory()
    if need > room:
        raise ValueError(f"{what}: {synapses:,} synapses and {neurons:,} neurons would need about {gib(need)} of "
                         f"memory ({SYNAPSE_BYTES} bytes a synapse, {NEURON_BYTES:,} a neuron); {gib(room)} is "
                         "available")


def loading(neurons: int, synapses: int) -> int:
    """The bytes that loading a model of this size takes beyond its arrays."""
    return synapses * LOAD_SYNAPSE_BYTES + neurons * LOAD_NEURON_BYTES

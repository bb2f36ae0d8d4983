"""Large sparse networks built directly as a Blueprint (NumPy arrays, no Python loop per synapse).

Layers of equal width; every neuron past the first layer is wired to `fan_in` distinct random
neurons of the layer before. The first of those sources follows a random permutation of the
previous layer, so every neuron feeds at least one other and the blueprint stays valid. The sources
are drawn for a million synapses at a time: building peaks at little more than the blueprint.
"""

from __future__ import annotations

import numpy as np

from exmachina.network.blueprint import Blueprint


def shape_for(neurons: int, synapses: int, width: int = 1000) -> tuple[int, int, int]:
    """(layers, width, fan_in) that come closest to the neuron and synapse counts asked for."""
    if neurons < 2 or synapses < 1:
        raise ValueError(f"need at least 2 neurons and 1 synapse, got {neurons} and {synapses}")
    width = max(1, min(width, neurons // 2))
    layers = max(2, neurons // width)
    fan_in = int(round(synapses / ((layers - 1) * width)))
    return layers, width, max(1, min(fan_in, width))


def sparse_blueprint(
    layers: int, width: int, fan_in: int, activation: str = "sigmoid", loss: str = "squared",
    seed: int = 0,
) -> Blueprint:
    """`layers` layers of `width` neurons, each wired to `fan_in` random neurons of the layer before."""
    if layers < 2 or width < 1 or not 1 <= fan_in <= width:
        raise ValueError(f"need layers >= 2, width >= 1 and 1 <= fan_in <= width; got {layers}, {width}, {fan_in}")
    rng = np.random.default_rng(seed)
    n = layers * width
    kinds = ["sensor"] * width + ["hidden"] * (n - 2 * width) + ["output"] * width
    activations = ["identity"] * width + [activation] * (n - width)
    count = (layers - 1) * width  # the targets: every neuron past the first layer
    first = np.concatenate([rng.permutation(width) for _ in range(layers - 1)])  # (count,)
    sources = np.empty(count * fan_in, dtype=np.int64)
    rows = max(1, (1 << 20) // fan_in)  # targets a step: temporaries of about a million synapses
    for a in range(0, count, rows):
        b = min(a + rows, count)
        # distinct offsets per target: sorted draws plus 0, 1, 2, ... never collide
        offsets = np.zeros((b - a, fan_in), dtype=np.int64)
        if fan_in > 1:
            draws = rng.integers(1, width - fan_in + 2, size=(b - a, fan_in - 1))
            draws.sort(axis=1)
            offsets[:, 1:] = draws + np.arange(fan_in - 1)
        before = np.arange(a, b) // width * width  # the first neuron of each target's previous layer
        sources[a * fan_in:b * fan_in] = ((first[a:b, None] + offsets) % width + before[:, None]).ravel()
    targets = np.repeat(np.arange(width, n, dtype=np.int64), fan_in)
    limit = np.sqrt(3.0 / fan_in)  # Glorot for fan-in = fan-out = fan_in
    weights = rng.uniform(-limit, limit, count * fan_in)
    return Blueprint(kinds, activations, np.zeros(n), sources.ravel(), targets, weights, loss)

"""Ten small networks and how they learn: the bits they learned before the dendrites folded
messages as they arrive are kept in fixtures/bits.npz, and every runtime must learn them again.

`python tests/bits.py` writes the fixtures (run it only on a runtime whose bits are the reference).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from exmachina import Blueprint, Network, layered

FIXTURES = Path(__file__).with_name("fixtures") / "bits.npz"


def early_both_ways(activation: str, loss: str, seed: int = 5) -> Blueprint:
    """Wired so that, delivered in order, a message comes before its turn both ways: neuron 3 (deep,
    behind 2) is slot 0 of the outputs and neuron 4 (shallow) slot 1, so 4's activity arrives first;
    backward, 4's error reaches the sensors' axon slot 1 before 2's reaches slot 0."""
    synapses = [(0, 2), (1, 2), (0, 4), (1, 4), (2, 3), (3, 5), (4, 5), (3, 6), (4, 6), (1, 6)]
    rng = np.random.default_rng(seed)
    output = "identity" if loss == "cross_entropy" else activation
    return Blueprint(
        kinds=["sensor"] * 2 + ["hidden"] * 3 + ["output"] * 2,
        activations=["identity"] * 2 + [activation] * 3 + [output] * 2,
        biases=np.r_[0, 0, rng.normal(0, 0.3, 5)],
        sources=[s for s, _ in synapses], targets=[t for _, t in synapses],
        weights=rng.normal(0, 0.7, len(synapses)), loss=loss,
    )


def skip(activation: str, loss: str, seed: int = 3) -> Blueprint:
    """Not layered: a hidden neuron fed by a sensor and a hidden one, outputs fed past the hidden layer."""
    synapses = [(0, 3), (1, 3), (2, 3), (0, 4), (3, 4), (3, 5), (1, 6), (4, 6), (5, 6), (2, 7), (4, 7), (5, 7)]
    rng = np.random.default_rng(seed)
    output = "identity" if loss == "cross_entropy" else activation
    return Blueprint(
        kinds=["sensor"] * 3 + ["hidden"] * 3 + ["output"] * 2,
        activations=["identity"] * 3 + [activation] * 3 + [output] * 2,
        biases=np.r_[0, 0, 0, rng.normal(0, 0.3, 5)],
        sources=[s for s, _ in synapses], targets=[t for _, t in synapses],
        weights=rng.normal(0, 0.7, len(synapses)), loss=loss,
    )


# name: (blueprint, fit's settings)
CASES = {
    "tanh online": (lambda: layered([6, 5, 4, 3], "tanh", loss="cross_entropy", seed=4), {}),
    "sigmoid squared online": (lambda: layered([6, 7, 3], "sigmoid", loss="squared", seed=1), {}),
    "relu mse online": (lambda: layered([6, 8, 3], "relu", loss="mse", seed=2), {}),
    "tanh batches": (lambda: layered([6, 5, 4, 3], "tanh", loss="cross_entropy", seed=4), {"batch_size": 4}),
    "sigmoid short batches": (lambda: layered([6, 7, 3], "sigmoid", loss="squared", seed=6), {"batch_size": 7}),
    "skip connections online": (lambda: skip("tanh", "cross_entropy"), {}),
    "early both ways online": (lambda: early_both_ways("tanh", "cross_entropy"), {}),
    "early both ways batches": (lambda: early_both_ways("sigmoid", "squared"), {"batch_size": 3}),
    "leaky relu with noise": (lambda: layered([6, 5, 3], "leaky_relu", loss="cross_entropy", seed=8), {"noise": 0.2}),
    # runs of 37 and 21 receivers: a batch's gradients are summed sixteen and four receivers side by side,
    # and the rest one by one (kept from the runtime before that: c536cf1)
    "wide batches": (lambda: layered([37, 21, 3], "sigmoid", loss="cross_entropy", seed=7), {"batch_size": 6}),
}


def learn(name: str, **settings) -> Network:
    """The network of case `name` after two passes over 20 examples (0.3 a step, examples' order seeded)."""
    make, fit = CASES[name]
    net = Network(make())
    rng = np.random.default_rng(11)
    x = rng.normal(size=(20, len(net.blueprint.sensors)))
    labels = rng.integers(0, len(net.blueprint.outputs), 20)
    net.fit(x, labels, epochs=2, learning_rate=0.3, seed=9, **{**fit, **settings})
    return net


def saved() -> dict[str, np.ndarray]:
    with np.load(FIXTURES) as kept:
        return dict(kept)


if __name__ == "__main__":
    bits = {}
    for name in CASES:
        net = learn(name)
        bits[f"{name}/weights"], bits[f"{name}/biases"] = net.blueprint.weights, net.blueprint.biases
    np.savez(FIXTURES, **bits)
    print(f"{FIXTURES}: {len(CASES)} networks")

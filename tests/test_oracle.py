"""The actor network against PyTorch (float64) and the matrix engine: same numbers, to 1e-12."""

from __future__ import annotations

import numpy as np
import pytest

from exmachina import Blueprint, MatrixEngine, Network, layered
from exmachina.actors.society import Society

from recording import RecordingRuntime

pytestmark = pytest.mark.xdist_group("torch")  # PyTorch imported by one worker only (tests/conftest.py)
RTOL, ATOL = 1e-12, 1e-13


def skip_wiring(activation: str, loss: str, seed: int = 3) -> Blueprint:
    """Not a layered network: 3 sensors, hidden 3 and 4 (4 also fed by a sensor directly), a neuron
    with a single input (5), and outputs 6 and 7, one of them fed straight from the sensors."""
    synapses = [(0, 3), (1, 3), (2, 3), (0, 4), (3, 4), (3, 5), (1, 6), (4, 6), (5, 6), (2, 7), (4, 7), (5, 7)]
    rng = np.random.default_rng(seed)
    output = "identity" if loss == "cross_entropy" else activation
    return Blueprint(
        kinds=["sensor"] * 3 + ["hidden"] * 3 + ["output"] * 2,
        activations=["identity"] * 3 + [activation] * 3 + [output] * 2,
        biases=np.r_[0, 0, 0, rng.normal(0, 0.3, 5)],
        sources=[s for s, _ in synapses],
        targets=[t for _, t in synapses],
        weights=rng.normal(0, 0.7, len(synapses)),
        loss=loss,
    )


def torch_network(blueprint: Blueprint):
    """The oracle: PyTorch imported by the tests that use it, not by every worker as it collects the suite."""
    from oracle import TorchNetwork

    return TorchNetwork(blueprint)


def data(blueprint: Blueprint, n: int = 50, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, len(blueprint.sensors)))
    outputs = len(blueprint.outputs)
    if blueprint.loss == "cross_entropy":
        return x, np.eye(outputs)[rng.integers(0, outputs, n)]
    return x, rng.uniform(0, 1, (n, outputs))


BLUEPRINTS = {
    "two hidden layers": lambda activation, loss: layered([4, 5, 3, 2], activation, None, loss, seed=7),
    "skip connections": skip_wiring,
}
CASES = [
    (wiring, activation, loss)
    for wiring in BLUEPRINTS
    for activation in ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
    for loss in ["squared", "mse", "cross_entropy"]
]


@pytest.mark.parametrize("wiring,activation,loss", CASES)
def test_fifty_sgd_steps_match_pytorch(wiring, activation, loss):
    blueprint = BLUEPRINTS[wiring](activation, loss)
    x, desired = data(blueprint)
    rate = 0.05 if activation in ("identity", "relu", "leaky_relu") else 0.2

    torch_weights, torch_biases = torch_network(blueprint).train(x, desired, rate)
    net = Network(blueprint.copy())
    net.fit(x, desired, epochs=1, learning_rate=rate, shuffle=False)
    np.testing.assert_allclose(net.blueprint.weights, torch_weights, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(net.blueprint.biases, torch_biases, rtol=RTOL, atol=ATOL)
    # the weights did move: the comparison is not between two copies of the start
    assert np.abs(net.blueprint.weights - blueprint.weights).max() > 1e-3


@pytest.mark.parametrize("wiring,activation,loss", CASES)
def test_activities_and_errors_of_one_example_match_pytorch(wiring, activation, loss):
    blueprint = BLUEPRINTS[wiring](activation, loss)
    x, desired = data(blueprint, n=1)
    activities, errors = torch_network(blueprint).step_details(x, desired)

    runtime = RecordingRuntime()
    society = Society(blueprint, runtime, lambda *_: None, learning_rate=0.1)
    society.feeder.feed([(0, x[0].tolist(), desired[0])])
    runtime.run()
    neurons = range(blueprint.size)
    np.testing.assert_allclose([runtime.activities[i, 0] for i in neurons], activities, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose([runtime.errors[i, 0] for i in neurons], errors, rtol=RTOL, atol=ATOL)

    matrix = MatrixEngine(blueprint).step(x, desired, 0.1)
    np.testing.assert_allclose(matrix.activities[0], activities, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(matrix.errors[0], errors, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("batch_size", [4, 16])
@pytest.mark.parametrize("activation,loss", [("sigmoid", "cross_entropy"), ("tanh", "squared"), ("relu", "mse")])
def test_mini_batches_match_pytorch_and_the_matrix_engine(activation, loss, batch_size):
    blueprint = layered([4, 6, 5, 3], activation, None, loss, seed=2)
    x, desired = data(blueprint, n=50 + 3)  # the last batch is a short one
    torch_weights, torch_biases = torch_network(blueprint).train(x, desired, 0.1, batch_size)
    for engine in ("actors", "matrix"):
        net = Network(blueprint.copy())
        net.fit(x, desired, epochs=1, learning_rate=0.1, batch_size=batch_size, shuffle=False, engine=engine)
        np.testing.assert_allclose(net.blueprint.weights, torch_weights, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(net.blueprint.biases, torch_biases, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("wiring,activation,loss", CASES[::4])
def test_actors_match_the_matrix_engine_over_several_passes(wiring, activation, loss):
    blueprint = BLUEPRINTS[wiring](activation, loss)
    x, desired = data(blueprint, n=40)
    actors, matrix = Network(blueprint.copy()), Network(blueprint.copy())
    actors.fit(x, desired, epochs=3, learning_rate=0.05, seed=5)
    matrix.fit(x, desired, epochs=3, learning_rate=0.05, seed=5, engine="matrix")
    np.testing.assert_allclose(actors.blueprint.weights, matrix.blueprint.weights, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(actors.blueprint.biases, matrix.blueprint.biases, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(actors.predict(x), matrix.predict(x, engine="matrix"), rtol=RTOL, atol=ATOL)

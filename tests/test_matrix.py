"""The matrix engine on wirings that are not a stack of whole layers, and on passes longer than it
copies out at once: the actors' weights and scores, to 1e-12."""

from __future__ import annotations

import numpy as np
import pytest

from exmachina import Blueprint, Network, layered
from exmachina.actors.activations import ACTIVATIONS
from exmachina.network.matrix import MatrixEngine, sigmoid
from exmachina.network.network import ORDERED_CHUNK

RTOL, ATOL = 1e-12, 1e-13


def tangled() -> Blueprint:
    """4 sensors; hidden 4-6 at depth 1 (sigmoid, tanh, relu) fed by some sensors each; 7-8 at depth 2
    (leaky ReLU, sigmoid) fed from depths 0 and 1, not by every source; outputs 9-10 fed from all
    three depths. No layer is fed by the whole of one layer."""
    synapses = [(0, 4), (2, 4), (1, 5), (3, 5), (0, 6), (1, 6), (2, 6), (3, 6), (4, 7), (5, 7), (6, 7), (4, 8),
                (6, 8), (3, 8), (0, 9), (7, 9), (8, 9), (5, 10), (7, 10), (8, 10), (1, 10)]
    rng = np.random.default_rng(1)
    return Blueprint(
        kinds=["sensor"] * 4 + ["hidden"] * 5 + ["output"] * 2,
        activations=["identity"] * 4 + ["sigmoid", "tanh", "relu", "leaky_relu", "sigmoid", "sigmoid", "tanh"],
        biases=np.r_[0, 0, 0, 0, rng.normal(0, 0.3, 7)],
        sources=[s for s, _ in synapses], targets=[t for _, t in synapses],
        weights=rng.normal(0, 0.7, len(synapses)), loss="squared",
    )


def fit_both(blueprint: Blueprint, x: np.ndarray, targets: np.ndarray, **settings) -> dict[str, tuple]:
    found = {}
    for engine in ("actors", "matrix"):
        net = Network(blueprint.copy())
        history = net.fit(x, targets, engine=engine, **settings)
        found[engine] = net.blueprint, history
    return found


def same_scores(matrix: list[dict], actors: list[dict]) -> None:
    np.testing.assert_allclose([h["loss"] for h in matrix], [h["loss"] for h in actors], rtol=RTOL)
    assert [(h["accuracy"], h["examples"]) for h in matrix] == [(h["accuracy"], h["examples"]) for h in actors]


def test_its_sigmoid_is_the_activations_to_the_bit():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, 30, 100_000), [0.0, -0.0, 1e-300, -1e-300, 5e-324, -5e-324, 36.0, -36.0,
                                                     709.0, -709.0, 800.0, -800.0, np.inf, -np.inf, np.nan]])
    assert np.array_equal(sigmoid(z), ACTIVATIONS["sigmoid"].vector(z), equal_nan=True)
    assert np.array_equal(sigmoid(z.reshape(-1, 5)), ACTIVATIONS["sigmoid"].vector(z.reshape(-1, 5)), equal_nan=True)


@pytest.mark.parametrize("batch_size", [1, 4, 23])
def test_a_tangled_wiring_learns_what_the_actors_learn(batch_size):
    blueprint = tangled()
    rng = np.random.default_rng(2)
    x, desired = rng.normal(0, 1, (23, 4)), rng.uniform(0, 1, (23, 2))  # 23: the last batch of 4 is short
    found = fit_both(blueprint, x, desired, epochs=3, learning_rate=0.2, batch_size=batch_size, seed=4)
    (actors, actors_scores), (matrix, matrix_scores) = found["actors"], found["matrix"]
    assert np.abs(matrix.weights - blueprint.weights).max() > 1e-2  # it did learn
    np.testing.assert_allclose(matrix.weights, actors.weights, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(matrix.biases, actors.biases, rtol=RTOL, atol=ATOL)
    same_scores(matrix_scores, actors_scores)
    np.testing.assert_allclose(Network(matrix).predict(x, engine="matrix"), Network(actors).predict(x),
                               rtol=RTOL, atol=ATOL)


def test_a_pass_longer_than_the_engine_copies_out_at_once_is_learned_and_scored_whole():
    blueprint = layered([4, 5, 3], "sigmoid", loss="squared", seed=3)
    rng = np.random.default_rng(5)
    examples = ORDERED_CHUNK + 104  # batches of 3 straddle no chunk: the chunk is a multiple of 3
    x, labels = rng.normal(0, 1, (examples, 4)), rng.integers(0, 3, examples)
    found = fit_both(blueprint, x, labels, epochs=1, learning_rate=0.1, batch_size=3)
    (actors, actors_scores), (matrix, matrix_scores) = found["actors"], found["matrix"]
    np.testing.assert_allclose(matrix.weights, actors.weights, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(matrix.biases, actors.biases, rtol=RTOL, atol=ATOL)
    assert matrix_scores[0]["examples"] == examples and matrix_scores[0]["accuracy"] > 0
    same_scores(matrix_scores, actors_scores)


def test_an_engine_loaded_with_a_later_state_computes_what_a_new_engine_on_it_computes():
    """The live view keeps one engine a run and loads each snapshot's weights into it."""
    blueprint = tangled()
    rng = np.random.default_rng(6)
    x, desired = rng.normal(0, 1, (9, 4)), rng.uniform(0, 1, (9, 2))
    engine = MatrixEngine(blueprint)
    engine.predict(x)  # its arrays made for this batch size before it is loaded
    later = Network(blueprint.copy())
    later.fit(x, desired, epochs=2, learning_rate=0.5, engine="actors", seed=1)
    assert np.abs(later.blueprint.weights - blueprint.weights).max() > 1e-2
    loaded, fresh = engine.load(later.blueprint), MatrixEngine(later.blueprint)
    assert np.array_equal(loaded.predict(x), fresh.predict(x))
    assert np.array_equal(loaded.forward(x)[1], fresh.forward(x)[1])
    assert np.array_equal(loaded.state().weights, later.blueprint.weights)
    assert np.array_equal(loaded.state().biases, later.blueprint.biases)

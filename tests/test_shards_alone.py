"""Shards without Ray (`shards.alone`): the shards' own work, bits and traffic, in one process.

The Ray tests (test_shards.py) prove the same on a real cluster; these run in a second and say
what crosses between shards: with axon terminals, a neuron's activity once per other shard that
holds its targets, a target's error once per other shard that holds its inputs.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from exmachina import Network
from exmachina.actors.runtime import LocalRuntime
from exmachina.actors.society import Society
from exmachina.shards.alone import Alone
from exmachina.shards.placement import place
from exmachina.shards.shard import Post

from test_oracle import skip_wiring


def blueprint(wiring: str):
    if wiring == "skip":
        return skip_wiring("tanh", "squared")
    return Network.layered([12, 6, 5, 3], activation="sigmoid", loss="squared", seed=1).blueprint


def examples(bp, n: int, batch: int, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, len(bp.sensors))), rng.uniform(0, 1, (n, len(bp.outputs)))
    if batch == 1:
        return [(i, x[i], y[i]) for i in range(n)]
    return [(i, x[i:i + batch].T.copy(), y[i:i + batch].T.copy()) for i in range(0, n, batch)]


def one_process(bp, given: list, rate: float, **options) -> tuple:
    society = Society(bp.copy(), LocalRuntime(), None, rate, **options)
    society.feed(given)
    learned = society.state()
    return learned.weights.tobytes(), learned.biases.tobytes(), society.messages


CASES = [("layered", 1, "spread", 1), ("layered", 2, "spread", 1), ("layered", 3, "spread", 1),
         ("layered", 2, "layers", 1), ("layered", 3, "layers", 1), ("skip", 2, "spread", 1),
         ("skip", 3, "layers", 1), ("skip", 3, "spread", 1), ("layered", 2, "spread", 4), ("skip", 3, "layers", 3)]


@pytest.mark.parametrize("wiring, shards, partition, batch", CASES)
def test_shards_alone_learn_the_very_bits_of_one_process_and_send_every_message_once(wiring, shards, partition,
                                                                                     batch):
    bp = blueprint(wiring)
    given = examples(bp, 24, batch)
    weights, biases, messages = one_process(bp, given, 0.2)
    split = Alone(bp.copy(), shards, learning_rate=0.2, partition=partition)
    split.feed(given)
    learned = split.state()
    assert (learned.weights.tobytes(), learned.biases.tobytes()) == (weights, biases)
    assert split.messages == messages


def test_shards_alone_with_noise_learn_the_bits_of_one_process():
    bp = blueprint("layered")
    given = examples(bp, 16, 1)
    weights, biases, _ = one_process(bp, given, 0.2, noise=0.3, seed=5)
    split = Alone(bp.copy(), 3, learning_rate=0.2, noise=0.3, seed=5)
    split.feed(given)
    assert (split.state().weights.tobytes(), split.state().biases.tobytes()) == (weights, biases)


def expected_crossings(bp, home: np.ndarray) -> int:
    """Values crossing per example: each neuron's activity to each other shard with its targets, each
    target's error to each other shard with its inputs; the feeder's inputs and the sensors' errors,
    the outputs' activities and the teacher's errors (the feeder and the teacher live at place 0)."""
    sources, targets = np.asarray(bp.sources), np.asarray(bp.targets)
    apart = home[sources] != home[targets]
    forward = len({(s, home[t]) for s, t in zip(sources[apart], targets[apart])})
    backward = len({(t, home[s]) for s, t in zip(sources[apart], targets[apart])})
    return forward + backward + 2 * len(bp.sensors) + 2 * len(bp.outputs)


@pytest.mark.parametrize("shards, partition", [(2, "spread"), (3, "spread"), (2, "layers")])
def test_values_crossing_scale_with_neurons_and_shards_not_synapses(shards, partition):
    bp = Network.layered([40, 30, 20, 4], activation="sigmoid", loss="squared", seed=2).blueprint
    given = examples(bp, 5, 1)
    split = Alone(bp.copy(), shards, learning_rate=0.1, partition=partition)
    split.feed(given)
    home = place(bp, shards, partition)
    assert split.values == 5 * expected_crossings(bp, home)
    synapses_apart = int(np.sum(home[np.asarray(bp.sources)] != home[np.asarray(bp.targets)]))
    assert split.values < 5 * synapses_apart  # one value per synapse apart was what crossed before terminals


def test_messages_before_their_turn_wait_in_their_slots_and_make_no_object_each():
    """Spread over two shards, a hidden neuron's inputs from its own shard come before those from the
    other (its first slots): they wait in their slots, counted, until the gap closes. Once a wave's
    slots are made, they take no memory of their own (a NumPy vector and a dict entry each, before:
    over 100 bytes a message). Whole layers wait for nothing."""
    bp = Network.layered([200, 20, 4], activation="sigmoid", loss="squared", seed=0).blueprint
    given = examples(bp, 4, 1)
    split = Alone(bp.copy(), 2, learning_rate=0.1, partition="spread")
    split.feed(given[:2])  # every wave made once
    before = split.waited
    tracemalloc.start()
    split.feed(given[2:])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    held = split.waited - before
    assert held >= 2 * 10 * 100  # at least the 10 hidden neurons' 100 inputs at home on one shard, each example
    assert peak < 8 * held, (peak, held)
    layers = Alone(bp.copy(), 2, learning_rate=0.1, partition="layers")
    layers.feed(given)
    assert layers.waited == 0


@pytest.mark.parametrize("batch", [1, 4])
def test_a_post_is_handed_one_examples_values_as_one_array_kept_in_c(monkeypatch, batch):
    """What crosses to another place waits in its post's slots: one example's values in C, handed to
    the post as one array (a Python float each in a list, before), a batch's vectors as a list; the
    same bits as one process either way."""
    bp = blueprint("layered")
    given = examples(bp, 8, batch)
    weights, biases, _ = one_process(bp, given, 0.2)
    handed, posted = [], Post.on_activities

    def on_values(post, tag, values):
        handed.append(type(values))
        posted(post, tag, values)

    monkeypatch.setattr(Post, "on_activities", on_values)
    monkeypatch.setattr(Post, "on_errors", on_values)
    split = Alone(bp.copy(), 2, learning_rate=0.2)
    split.feed(given)
    assert (split.state().weights.tobytes(), split.state().biases.tobytes()) == (weights, biases)
    assert handed and set(handed) == ({np.ndarray} if batch == 1 else {list})

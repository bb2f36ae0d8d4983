"""Several examples in flight: what a neuron keeps of each is used again, not made anew."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from exmachina import layered
from exmachina.actors.runtime import LocalRuntime
from exmachina.actors.society import Society

EXAMPLES = 60


def batches(width: int, first_tag: int) -> list:
    """(tag, inputs, desired) for 12 sensors and 3 outputs; each a batch of `width` if `width`."""
    rng = np.random.default_rng(first_tag)
    shape = (12, width) if width else (12,)
    labels = rng.integers(0, 3, (EXAMPLES, max(width, 1)))
    return [(first_tag + i, rng.normal(size=shape), np.eye(3)[labels[i]].T if width else np.eye(3)[labels[i, 0]])
            for i in range(EXAMPLES)]


@pytest.mark.parametrize("in_flight", [2, 8])
@pytest.mark.parametrize("width", [0, 4], ids=["online", "batches of 4"])
def test_a_steady_stretch_in_flight_makes_no_new_vectors_for_the_neurons(in_flight, width):
    """After a first stretch of examples, every vector a neuron needs for an example in flight (its
    total input, its activity, the weights it fired with while a copy is stepped) is one it already
    has: NumPy memory made during a second stretch and still alive in its middle, with `in_flight`
    examples in the network, is the teacher's and nobody else's (what it scores, and for batches its
    mailbox: a copy of each output's vector for each example in flight, as for any process handed
    lists)."""
    blueprint = layered([12, 6, 4, 3], "sigmoid", seed=0)
    middle = []

    def listener(tag, *_):
        if tag == 1000 + EXAMPLES // 2:
            middle.append(tracemalloc.take_snapshot())

    runtime = LocalRuntime()
    society = Society(blueprint, runtime, listener, learning_rate=0.1, in_flight=in_flight)
    society.feeder.feed(batches(width, 0))
    runtime.run()
    stretch = batches(width, 1000)
    tracemalloc.start(8)
    try:
        society.feeder.feed(stretch)
        runtime.run()
    finally:
        tracemalloc.stop()
    made = middle[0].filter_traces([
        tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain),  # NumPy's memory for arrays
        tracemalloc.Filter(False, "*/teacher.py", all_frames=True),
        tracemalloc.Filter(False, "*/losses.py", all_frames=True),
    ]).traces
    teachers = in_flight * len(blueprint.outputs) if width else 0
    assert len(made) <= teachers, [trace.traceback.format(most_recent_first=True)[:2] for trace in made][:3]
    # the neurons did keep examples in flight (else the stretch proves nothing)
    assert max(len(neuron.kept) for neuron in society.neurons) == in_flight

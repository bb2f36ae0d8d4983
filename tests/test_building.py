"""Each shard makes its own part from the synapses that touch it (`shards.building`): the very part
the layout of every line gives, while the process that sends the chunks holds only a chunk or two."""

from __future__ import annotations

import dataclasses
import tracemalloc

import numpy as np
import pytest
from bench.sparse import sparse_blueprint

from exmachina.actors.wiring import Layout
from exmachina.shards import building
from exmachina.shards.placement import place
from test_shards_alone import blueprint


def assert_same(made, expected, where: str = "part") -> None:
    """Field by field, array by array."""
    if dataclasses.is_dataclass(expected):
        for field in dataclasses.fields(expected):
            assert_same(getattr(made, field.name), getattr(expected, field.name), f"{where}.{field.name}")
    elif isinstance(expected, dict):
        assert made.keys() == expected.keys(), where
        for key in expected:
            assert_same(made[key], expected[key], f"{where}[{key}]")
    elif isinstance(expected, (list, tuple)) and not isinstance(expected, str):
        assert len(made) == len(expected), where
        for k, (a, b) in enumerate(zip(made, expected)):
            assert_same(a, b, f"{where}[{k}]")
    elif isinstance(expected, (np.ndarray, range)):
        assert np.array_equal(np.asarray(made), np.asarray(expected)), where
    else:
        assert made == expected, where


@pytest.mark.parametrize("wiring", ["layered", "skip"])
@pytest.mark.parametrize("partition", ["spread", "layers"])
@pytest.mark.parametrize("shards", [1, 2, 3])
def test_a_part_made_from_its_synapses_is_the_whole_layouts(monkeypatch, wiring, partition, shards):
    monkeypatch.setattr(building, "SYNAPSES_PER_CHUNK", 7)  # chunks that split axons and dendrites
    bp = blueprint(wiring)
    home = place(bp, shards, partition)
    whole = Layout(bp, home)
    made = building.parts(bp, home)
    assert len(made) == shards + 1
    for p, part in enumerate(made):
        assert_same(part, whole.part(p))


def test_the_sender_holds_a_few_bytes_a_synapse_not_the_layout_of_every_line(monkeypatch):
    monkeypatch.setattr(building, "SYNAPSES_PER_CHUNK", 20_000)
    bp = sparse_blueprint(6, 300, 300)  # 450 k synapses over 3 shards
    home = place(bp, 3, "spread")
    tracemalloc.start()
    shared = building.plan(bp, home)
    sent = sum(len(sources) for _, sources, _, _ in building.chunks(bp))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sent == len(bp.sources) and len(shared.home) == bp.size + 2
    # its depths (Kahn's order over 32-bit sorts) and a chunk; the layout of every line, which the driver
    # made before each shard made its own part, peaks at ~190 bytes a synapse
    assert peak / len(bp.sources) < 16

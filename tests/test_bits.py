"""The weights are bit-identical to the runtime that kept every message until the last arrived.

The dendrites fold each message into the sum as it arrives, in slot order: the sums, and so every
bit learned, must be those of the runtime before the change (fixtures/bits.npz, see bits.py), in
whatever order the messages come.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import exmachina
import exmachina.network.network
from exmachina.actors.routes import Routes
from exmachina.actors.runtime import LocalRuntime

from bits import CASES, learn, saved

KEPT = saved()


class ReversedRuntime(LocalRuntime):
    """Holds every message sent while processes run, then delivers them last slot first: each neuron
    hears from its last dendrite (or axon line) first, its first one last."""

    intercepts = True

    def __init__(self) -> None:
        super().__init__()
        self.held: list[tuple[int, Any, int, int, Any]] = []

    def send(self, kind: int, tag: Any, routes: Routes, values: list) -> None:
        self.held += [(kind, tag, receiver, slot, value) for (receiver, slot), value in zip(routes, values)]

    def run(self) -> None:
        while self.held:
            held, self.held = self.held, []
            for kind, tag, receiver, slot, value in sorted(held, key=lambda message: -message[3]):
                super().send(kind, tag, Routes([receiver], [slot]), [value])
            super().run()

    def idle(self) -> bool:
        return not self.held and super().idle()


def assert_kept(name: str, net) -> None:
    assert net.blueprint.weights.tobytes() == KEPT[f"{name}/weights"].tobytes(), f"{name}: weights differ"
    assert net.blueprint.biases.tobytes() == KEPT[f"{name}/biases"].tobytes(), f"{name}: biases differ"


@pytest.mark.parametrize("name", CASES)
def test_in_order_delivery_learns_the_kept_bits(name):
    assert_kept(name, learn(name))


@pytest.mark.parametrize("name", CASES)
def test_shuffled_delivery_learns_the_kept_bits(name):
    assert_kept(name, learn(name, shuffle_delivery=True))


@pytest.mark.parametrize("name", CASES)
def test_reversed_delivery_learns_the_kept_bits(name, monkeypatch):
    monkeypatch.setattr(exmachina.network.network, "LocalRuntime", ReversedRuntime)
    assert_kept(name, learn(name))


def test_the_fixtures_are_not_the_starting_weights():
    """Each case learned something: its bits differ from the blueprint it started from."""
    for name, (make, _) in CASES.items():
        start = make()
        assert not np.array_equal(start.weights, KEPT[f"{name}/weights"]), name
        assert not np.array_equal(start.biases, KEPT[f"{name}/biases"]), name


SOURCE = """
import json, sys
sys.path.insert(0, {tests!r})
import exmachina.actors.runtime
from bits import CASES, learn
learned = {{"source": exmachina.actors.runtime.__file__.endswith(".py")}}
for name in CASES:
    net = learn(name)
    learned[name] = [net.blueprint.weights.tobytes().hex(), net.blueprint.biases.tobytes().hex()]
print(json.dumps(learned))
"""


@pytest.mark.subprocess
def test_the_python_source_learns_the_kept_bits(tmp_path):
    """Run from the .py files alone (nothing compiled), the ten networks learn the same bits."""
    shutil.copytree(Path(exmachina.__file__).parent, tmp_path / "exmachina",
                    ignore=shutil.ignore_patterns(*(f"*{suffix}" for suffix in EXTENSION_SUFFIXES), "*.c"))
    done = subprocess.run([sys.executable, "-c", SOURCE.format(tests=str(Path(__file__).parent))],
                          capture_output=True, text=True, timeout=300, check=True,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    learned = json.loads(done.stdout)
    assert learned.pop("source")
    for name, (weights, biases) in learned.items():
        assert weights == KEPT[f"{name}/weights"].tobytes().hex(), f"{name}: weights differ"
        assert biases == KEPT[f"{name}/biases"].tobytes().hex(), f"{name}: biases differ"

"""The network's description is data: it saves, loads, and refuses what is broken."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from exmachina import Blueprint, Network, layered

from test_cli import run


def test_save_and_load_keep_every_bit(tmp_path):
    net = Network.layered([5, 4, 3], "relu", loss="mse", seed=3)
    net.fit(np.random.default_rng(0).normal(size=(20, 5)), np.random.default_rng(1).normal(size=(20, 3)),
            epochs=2, learning_rate=0.01)
    path = tmp_path / "model.json"
    net.save(path)
    loaded = Network.load(path)
    for field in ("weights", "biases", "sources", "targets"):
        assert getattr(loaded.blueprint, field).tobytes() == getattr(net.blueprint, field).tobytes()
    assert loaded.blueprint.kinds == net.blueprint.kinds
    assert loaded.blueprint.activations == net.blueprint.activations
    assert loaded.blueprint.training["epochs"] == 2
    assert json.loads(path.read_text())["format"] == "exmachina-network"  # readable by anyone
    assert path.read_text().count("\n") == 20  # one field per line
    x = np.random.default_rng(2).normal(size=(7, 5))
    assert loaded.predict(x).tobytes() == net.predict(x).tobytes()


def test_string_classes_survive_a_save(tmp_path):
    net = Network.layered([2, 3, 2], seed=0)
    net.fit([[0, 0], [1, 1]], ["cat", "dog"], epochs=1)
    net.save(tmp_path / "m.json")
    assert Network.load(tmp_path / "m.json").classes == ["cat", "dog"]


def test_layers_group_neurons_by_depth():
    assert [list(layer) for layer in layered([2, 3, 1], loss="squared").layers()] == [[0, 1], [2, 3, 4], [5]]


def saved(blueprint, path):
    """What a saved file holds, as plain JSON."""
    blueprint.save(path)
    return json.loads(path.read_text())


def broken(path, change):
    data = saved(layered([2, 2, 1], loss="squared"), path)
    change(data)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("change,message", [
    (lambda d: d.update(format="something-else"), "not an exmachina network"),
    (lambda d: d.update(version=99), "version 99 is not supported"),
    (lambda d: d["synapses"].pop("weight"), "missing field 'weight'"),
    (lambda d: d["synapses"]["weight"].pop(), "as many sources, targets and weights"),
    (lambda d: d["synapses"]["source"].__setitem__(0, 4), "does not go forward"),
    (lambda d: d["neurons"]["activation"].__setitem__(2, "swish"), "unknown activation 'swish'"),
    (lambda d: d.update(loss="hinge"), "unknown loss 'hinge'"),
    (lambda d: d["synapses"]["weight"].__setitem__(0, "heavy"), "malformed network"),
    (lambda d: d.update(classes=["a", "b", "c"]), "3 classes but 1 output neurons"),
    (lambda d: d["synapses"]["source"].__setitem__(0, 0.5), "synapse sources must be whole numbers"),
    (lambda d: d.update(training=[1, 2]), "\"training\" must be an object"),
    (lambda d: d.update(training={"learning_rate": "fast"}), "learning rate must be a number"),
    (lambda d: d["neurons"]["activation"].__setitem__(0, "sigmoid"), "sensor 0 has a bias or an activation"),
])
def test_a_broken_file_is_a_one_line_error_naming_it(tmp_path, change, message):
    path = broken(tmp_path / "bad.json", change)
    with pytest.raises(ValueError, match=message) as error:
        Blueprint.load(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_not_json_and_missing_files(tmp_path):
    (tmp_path / "half.json").write_text('{"format": "exmachina-network", "neu')
    with pytest.raises(ValueError, match="not valid JSON"):
        Blueprint.load(tmp_path / "half.json")
    with pytest.raises(ValueError, match="No such file"):
        Blueprint.load(tmp_path / "absent.json")


def test_a_failed_save_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    net = Network.layered([2, 2, 1], loss="squared")
    net.save(path)
    before = path.read_bytes()
    net.blueprint.weights[:] = 0.5

    def interrupted(*args):
        raise KeyboardInterrupt  # as if Ctrl-C came between writing and renaming

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        net.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_a_sensor_has_no_bias(tmp_path):
    data = saved(layered([2, 2, 1], loss="squared"), tmp_path / "m.json")
    data["neurons"]["bias"][0] = 0.5
    with pytest.raises(ValueError, match="sensor 0 has a bias or an activation"):
        Blueprint.from_dict(data)


def test_cross_entropy_needs_two_outputs():
    with pytest.raises(ValueError, match="cross_entropy needs an output neuron per class"):
        layered([2, 3, 1], loss="cross_entropy")


def test_a_diverged_network_is_not_saved(tmp_path):
    net = Network.layered([2, 2, 1], loss="squared")
    net.blueprint.weights[0] = float("nan")
    with pytest.raises(ValueError, match="diverged"):
        net.save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def depths_one_by_one(blueprint: Blueprint) -> list[int]:
    """Each neuron's depth the plain way, neuron by neuron in their order (every synapse goes forward)."""
    depth = [0] * blueprint.size
    for source, target in sorted(zip(blueprint.sources.tolist(), blueprint.targets.tolist()), key=lambda p: p[1]):
        depth[target] = max(depth[target], depth[source] + 1)
    last = max(depth)
    return [last if kind == "output" else d for kind, d in zip(blueprint.kinds, depth)]


def skipping(rng: np.random.Generator, neurons: int) -> Blueprint:
    """A random network whose synapses skip layers: 2 sensors, 2 outputs, every neuron wired."""
    kinds = ["sensor"] * 2 + ["hidden"] * (neurons - 4) + ["output"] * 2
    pairs = {(int(rng.integers(0, min(t, neurons - 2))), t) for t in range(2, neurons) for _ in range(2)}
    pairs |= {(s, int(rng.integers(max(s + 1, 2), neurons))) for s in range(neurons - 2)}
    sources, targets = zip(*sorted(pairs))
    return Blueprint(kinds, ["identity"] * 2 + ["tanh"] * (neurons - 2), np.zeros(neurons), sources, targets,
                     rng.normal(size=len(sources)), "squared")


def test_layers_group_every_neuron_one_step_past_its_deepest_input():
    rng = np.random.default_rng(5)
    for blueprint in [skipping(rng, n) for n in (6, 17, 40)] + [layered([2] + [1] * 300 + [2])]:
        depth = depths_one_by_one(blueprint)
        found = blueprint.layers()
        assert [sorted(layer.tolist()) for layer in found] == \
            [[i for i, d in enumerate(depth) if d == level] for level in sorted(set(depth))]


@pytest.mark.subprocess
def test_info_on_a_model_forty_thousand_neurons_deep(tmp_path):
    """Once 15 s and more: layers() went over every synapse once per layer, and the table had a row per
    layer; now each synapse is looked at once, and the table shows the ends."""
    layered([1] * 40_000, loss="squared").save(tmp_path / "deep.npz")
    result = run("info", tmp_path / "deep.npz", timeout=120)
    assert result.returncode == 0 and "-1-1 (40,000 layers)" in result.stdout, result.stderr
    assert "39,980 layers more (all of them: --json)" in result.stdout and "layer 39999 " in result.stdout
    assert len(result.stdout.splitlines()) < 40  # the first and last ten layers, not forty thousand rows

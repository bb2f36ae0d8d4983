"""Scaling of features: learned from the training examples, saved in the model, applied by every command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_wine

from exmachina import Network
from exmachina.data.scaling import Scaling
from exmachina.network.blueprint import Blueprint
from exmachina.tracing.trace import trace_example
from exmachina.watch.pictures import Pictures

from test_cli import assert_refused, run

RAW = np.array([[1.0, 100.0, 5.0], [3.0, 300.0, 5.0], [5.0, 200.0, 5.0], [7.0, 400.0, 5.0]])


def test_standard_scaling_gives_mean_zero_and_spread_one():
    scaling = Scaling.learn("standard", RAW)
    scaled = scaling(RAW)
    assert np.allclose(scaled[:, :2].mean(axis=0), 0) and np.allclose(scaled[:, :2].std(axis=0), 1)
    assert (scaled[:, 2] == 0).all()  # a constant feature is shifted, never divided by zero


def test_minmax_scaling_gives_zero_to_one():
    scaled = Scaling.learn("minmax", RAW)(RAW)
    assert scaled[:, :2].min() == 0 and scaled[:, :2].max() == 1
    assert Scaling.learn("none", RAW) is None
    with pytest.raises(ValueError, match="--scale 'log' is unknown"):
        Scaling.learn("log", RAW)


def scaled_network(kind: str = "standard") -> Network:
    net = Network.layered([3, 4, 2], seed=1)
    net.blueprint.classes = [0, 1]
    net.blueprint.scaling = Scaling.learn(kind, RAW)
    return net


def test_the_model_file_keeps_the_scaling_exactly(tmp_path):
    net = scaled_network()
    net.save(tmp_path / "m.json")
    again = Network.load(tmp_path / "m.json")
    assert again.blueprint.scaling.kind == "standard"
    assert np.array_equal(again.blueprint.scaling.shift, net.blueprint.scaling.shift)
    assert np.array_equal(again.blueprint.scaling.factor, net.blueprint.scaling.factor)
    assert np.array_equal(again.predict(RAW), net.predict(RAW))


def test_a_model_saved_before_scaling_existed_still_loads(tmp_path):
    net = Network.layered([3, 4, 2], seed=1)
    net.save(tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    del data["scaling"]
    (tmp_path / "old.json").write_text(json.dumps(data))
    old = Network.load(tmp_path / "old.json")
    assert old.blueprint.scaling is None
    assert np.array_equal(old.predict(RAW), net.predict(RAW))


@pytest.mark.parametrize("scaling, complaint", [
    ({"kind": "standard", "shift": [0, 0], "factor": [1, 1]}, "the scaling has 2 features but the network 3"),
    ({"kind": "standard", "shift": [0, 0, 0], "factor": [1, 0, 1]}, "factors finite and positive"),
    ({"kind": "standard", "shift": [0, 0, 0]}, "missing 'factor'"),
    ({"kind": "log", "shift": [0, 0, 0], "factor": [1, 1, 1]}, "kind standard or minmax"),
    ([1, 2], "must be null or an object"),
])
def test_a_corrupt_scaling_is_one_line_naming_the_file(tmp_path, scaling, complaint):
    scaled_network().save(tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    data["scaling"] = scaling
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=complaint) as caught:
        Blueprint.load(tmp_path / "bad.json")
    assert str(caught.value).startswith(f"{tmp_path / 'bad.json'}: ")


def test_predict_fit_and_trace_feed_the_sensors_scaled_inputs():
    net = scaled_network()
    bare = Network(net.blueprint.copy())
    bare.blueprint.scaling = None
    scaled = net.blueprint.scaling(RAW)
    assert np.array_equal(net.predict(RAW), bare.predict(scaled))
    assert np.array_equal(net.predict(RAW, engine="matrix"), bare.predict(scaled, engine="matrix"))
    trace = trace_example(net, RAW[1].tolist())
    sensed = [e["value"] for e in trace.events if e["from"] == "feeder" and e["value"] is not None]
    assert sensed == scaled[1].tolist()
    net.fit(RAW, [0, 1, 0, 1], epochs=3, shuffle=False)
    bare.fit(scaled, [0, 1, 0, 1], epochs=3, shuffle=False)
    assert np.array_equal(net.blueprint.weights, bare.blueprint.weights)


def test_the_live_view_draws_what_the_sensors_receive():
    net = scaled_network("minmax")
    pictures = Pictures(net.blueprint, RAW, [0, 1, 0, 1], held_out=(RAW[:2], [0, 1]))
    assert np.array_equal(pictures.x, net.blueprint.scaling(RAW))
    assert np.array_equal(pictures.held_out[0], net.blueprint.scaling(RAW[:2]))


def write_wine(path) -> None:
    wine = load_wine()
    rows = [",".join([*wine.feature_names, "class"])]
    rows += [",".join(map(repr, [*x.tolist(), int(y)])) for x, y in zip(wine.data, wine.target)]
    path.write_text("\n".join(rows) + "\n")


@pytest.mark.subprocess
def test_raw_wine_from_a_csv_file_is_standardised_and_learned(tmp_path):
    write_wine(tmp_path / "wine.csv")
    learned = run("learn", "--data", "csv:wine.csv", "--save", "wine.json", "--report", "r.json", cwd=tmp_path)
    assert learned.returncode == 0, learned.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["scale"] == "standard" and report["test_accuracy"] >= 0.95
    model = json.loads((tmp_path / "wine.json").read_text())
    assert model["scaling"]["kind"] == "standard" and len(model["scaling"]["shift"]) == 13
    assert json.loads(run("info", "wine.json", "--json", cwd=tmp_path).stdout)["scaling"] == "standard"
    predicted = run("predict", "wine.json", "--data", "csv:wine.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    right = float(predicted.stdout.split("accuracy: ")[1].split("%")[0])
    assert right >= 95  # predict scales the raw file as learn did
    unscaled = run("learn", "--data", "csv:wine.csv", "--scale", "none", "--report", "raw.json", cwd=tmp_path)
    assert unscaled.returncode == 0, unscaled.stderr
    raw = json.loads((tmp_path / "raw.json").read_text())
    assert raw["scale"] == "none" and raw["test_accuracy"] < report["test_accuracy"]
    assert_refused(run("learn", "--data", "wine", "--scale", "log", cwd=tmp_path), "--scale 'log' is unknown")

"""The benchmark suite runs, writes its figures, and measures honest baselines. Nothing here is timed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the `bench` package lives beside `src`

from bench.baseline import ObjectGraph  # noqa: E402
from bench.sparse import sparse_blueprint  # noqa: E402

from exmachina import Network  # noqa: E402
from exmachina.network.blueprint import Blueprint  # noqa: E402


def run_suite(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "bench/run.py", *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_quick_run_prints_the_table_and_writes_every_figure(tmp_path):
    results = tmp_path / "results" / "latest.json"
    done = run_suite("--quick", "--json", str(results))
    assert done.returncode == 0, done.stderr
    assert "actors/matrix" in done.stdout and "object graph" in done.stdout
    figures = json.loads(results.read_text())
    assert {"cpu", "cpus", "python", "commit"} <= figures["machine"].keys()
    rows = figures["table"]
    assert {(r["network"], r["batch_size"]) for r in rows} == {
        ("256-8-10", 1), ("256-8-10", 64), ("64-32-10", 1), ("64-32-10", 64)}
    for row in rows:
        assert row["repeats"] == 3
        for engine in ("actors", "matrix", "object graph"):
            rate = row["engines"][engine]
            assert len(rate["runs"]) == 3 and rate["min"] <= rate["median"] <= rate["max"]
            assert rate["median"] > 0
            memory = row["memory"][engine]
            assert memory["peak_rss_mib"] > 0 and memory["traced_peak_mib"] > 0
        actors = row["engines"]["actors"]
        assert actors["messages_per_second"] > 0
        assert row["ratios"]["actors/matrix"] == pytest.approx(actors["median"] / row["engines"]["matrix"]["median"])


def test_bad_option_is_one_line_and_exit_2(tmp_path):
    done = run_suite("--repeats", "0", "--json", str(tmp_path / "never.json"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--repeats" in done.stderr
    assert not (tmp_path / "never.json").exists()


def test_missing_semeion_data_is_one_line_and_exit_2(tmp_path):
    done = run_suite("--semeion", "--semeion-data", str(tmp_path / "absent.data"), "--json", str(tmp_path / "r.json"))
    assert done.returncode == 2
    assert "absent.data" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
@pytest.mark.parametrize("batch_size", [1, 4])
def test_object_graph_learns_the_same_weights_as_the_matrix_engine(loss, batch_size):
    rng = np.random.default_rng(7)
    x, labels = rng.random((20, 6)), rng.integers(0, 3, 20)
    start = Network.layered([6, 5, 4, 3], loss=loss, seed=3).blueprint
    graph = ObjectGraph(start)
    graph.fit(x, np.eye(3)[labels], epochs=2, learning_rate=0.3, batch_size=batch_size, seed=5)
    matrix = Network(start.copy())
    matrix.fit(x, labels, epochs=2, learning_rate=0.3, batch_size=batch_size, seed=5, engine="matrix")
    learned = graph.state()
    assert not np.allclose(learned.weights, start.weights)  # it did learn
    np.testing.assert_allclose(learned.weights, matrix.blueprint.weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(learned.biases, matrix.blueprint.biases, rtol=1e-12, atol=1e-14)


def test_object_graph_online_is_bit_identical_to_the_actors():
    rng = np.random.default_rng(1)
    x, labels = rng.integers(0, 2, (30, 16)).astype(float), rng.integers(0, 10, 30)
    start = Network.layered([16, 8, 10], "sigmoid", loss="squared", seed=2).blueprint
    graph = ObjectGraph(start)
    graph.fit(x, np.eye(10)[labels], epochs=1, learning_rate=2.0)
    actors = Network(start.copy())
    actors.fit(x, labels, epochs=1, learning_rate=2.0, engine="actors")
    assert np.array_equal(graph.state().weights, actors.blueprint.weights)
    assert np.array_equal(graph.state().biases, actors.blueprint.biases)


def test_sparse_network_wiring():
    blueprint = sparse_blueprint(layers=20, width=100, fan_in=10, seed=4)
    assert blueprint.size == 2000 and len(blueprint.weights) == 19 * 100 * 10
    fan_in = np.bincount(blueprint.targets, minlength=blueprint.size)
    assert (fan_in[:100] == 0).all() and (fan_in[100:] == 10).all()
    layer_of = np.arange(blueprint.size) // 100
    assert (layer_of[blueprint.sources] + 1 == layer_of[blueprint.targets]).all()
    assert len(blueprint.layers()) == 20


def test_sparse_network_learns_with_the_actors_like_the_matrix_engine_and_survives_save_and_load(tmp_path):
    blueprint = sparse_blueprint(layers=20, width=100, fan_in=10, activation="tanh", seed=4)
    rng = np.random.default_rng(0)
    x, desired = rng.random((1, 100)), rng.random((1, 100))
    actors, matrix = Network(blueprint.copy()), Network(blueprint.copy())
    history = actors.fit(x, desired, epochs=1, learning_rate=0.5, engine="actors")
    matrix.fit(x, desired, epochs=1, learning_rate=0.5, engine="matrix")
    assert history[0]["messages"] > 2 * len(blueprint.weights)  # every synapse carried both ways
    assert not np.array_equal(actors.blueprint.weights, blueprint.weights)
    np.testing.assert_allclose(actors.blueprint.weights, matrix.blueprint.weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(actors.blueprint.biases, matrix.blueprint.biases, rtol=1e-12, atol=1e-15)
    path = tmp_path / "sparse.json"
    actors.save(path)
    loaded = Blueprint.load(path)
    assert np.array_equal(loaded.weights, actors.blueprint.weights)
    assert np.array_equal(loaded.sources, blueprint.sources) and loaded.kinds == blueprint.kinds
    np.testing.assert_allclose(Network(loaded).predict(x), actors.predict(x), rtol=0, atol=0)


@pytest.mark.slow
def test_the_shards_section_compares_one_process_with_two_shards(tmp_path):
    results = tmp_path / "shards.json"
    done = run_suite("--shards", "--quick", "--repeats", "1", "--json", str(results))
    assert done.returncode == 0, done.stderr
    rows = json.loads(results.read_text())["shards"]
    assert [r["workload"] for r in rows] == ["784-100-10, online, 8 in flight", "784-100-10, batch 64",
                                             "256-8-10, online"]
    for row in rows:
        one, split = row["one process"], row["2 shards"]
        assert row["speedup"] == pytest.approx(split["examples_per_second"]["median"]
                                               / one["examples_per_second"]["median"])
        assert split["transfers_per_example"]["median"] > 0 and split["bytes_per_transfer"]["median"] > 0
        assert 0 < one["cpu_per_wall"]["median"] and len(split["busy_share"]) == 2
    assert [r["same_weights"] for r in rows] == [None, True, True]  # several in flight: not claimed

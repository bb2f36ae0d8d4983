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

from bench import reference  # noqa: E402
from bench.baseline import layers_of  # noqa: E402
from bench.costmodel import predict  # noqa: E402
from bench.sparse import sparse_blueprint  # noqa: E402
from bench.speed import train  # noqa: E402

from exmachina import Network  # noqa: E402
from exmachina.network.blueprint import Blueprint  # noqa: E402

from bits import early_both_ways  # noqa: E402


def run_suite(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "bench/run.py", *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.subprocess
@pytest.mark.slow
def test_quick_run_prints_the_table_and_writes_every_figure(tmp_path):
    results = tmp_path / "results" / "latest.json"
    done = run_suite("--quick", "--network", "256-8-10", "--repeats", "2", "--json", str(results))
    assert done.returncode == 0, done.stderr
    assert "CPU seconds of one pass" in done.stdout and "Speed ratios" in done.stdout
    figures = json.loads(results.read_text())
    assert {"cpu", "cpus", "python", "commit", "load_before", "load_after"} <= figures["machine"].keys()
    rows = figures["table"]
    assert [(r["network"], r["batch_size"]) for r in rows] == [("256-8-10", 1), ("256-8-10", 64)]
    for row in rows:
        assert row["repeats"] == 2
        peers = ("actors", "matrix", "lean NumPy", "PyTorch")
        assert set(row["cpu_seconds"]) == set(peers + (("C program",) if row["batch_size"] == 1 else ()))
        for seconds in row["cpu_seconds"].values():
            assert len(seconds["runs"]) == 2 and 0 < seconds["min"] <= seconds["median"] <= seconds["max"]
        for engine in peers:
            memory = row["memory"][engine]
            assert memory["peak_rss_mib"] > 0 and memory["traced_peak_mib"] > 0
        against = row["weights_against_actors"]
        assert max(against[e] for e in peers[1:]) < 1e-12 and against.get("C program", 0.0) == 0.0
        ratio = row["ratios"]["actors/lean NumPy"]
        runs = zip(row["cpu_seconds"]["actors"]["runs"], row["cpu_seconds"]["lean NumPy"]["runs"])
        assert ratio["runs"] == pytest.approx([lean / actors for actors, lean in runs])


@pytest.mark.subprocess
def test_bad_option_is_one_line_and_exit_2(tmp_path):
    done = run_suite("--repeats", "0", "--json", str(tmp_path / "never.json"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--repeats" in done.stderr
    assert not (tmp_path / "never.json").exists()


@pytest.mark.subprocess
def test_missing_semeion_data_is_one_line_and_exit_2(tmp_path):
    done = run_suite("--semeion", "--semeion-data", str(tmp_path / "absent.data"), "--json", str(tmp_path / "r.json"))
    assert done.returncode == 2
    assert "absent.data" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("engine", ["lean NumPy", pytest.param("PyTorch", marks=pytest.mark.xdist_group("torch")),
                                    "matrix"])  # PyTorch: on the one worker that imports it (tests/conftest.py)
@pytest.mark.parametrize("batch_size", [1, 4])
def test_each_peer_learns_the_actors_weights_from_the_same_start_in_the_same_order(engine, batch_size):
    rng = np.random.default_rng(1)
    x, labels = rng.random((30, 12)), rng.integers(0, 10, 30)
    start = Network.layered([12, 6, 5, 10], "sigmoid", loss="squared", seed=2).blueprint
    actors = train("actors", start, x, labels, batch_size)["learned"]
    learned = train(engine, start, x, labels, batch_size)["learned"]
    assert np.abs(actors.weights - start.weights).max() > 1e-2  # they did learn
    np.testing.assert_allclose(learned.weights, actors.weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(learned.biases, actors.biases, rtol=1e-12, atol=1e-15)


def test_the_c_program_learns_the_actors_very_bits_in_their_order():
    rng = np.random.default_rng(3)
    x, labels = rng.integers(0, 2, (25, 16)).astype(float), rng.integers(0, 10, 25)
    start = Network.layered([16, 8, 10], "sigmoid", loss="squared", seed=4).blueprint
    actors = train("actors", start, x, labels, 1)["learned"]
    learned = train("C program", start, x, labels, 1)["learned"]
    assert np.array_equal(learned.weights, actors.weights) and np.array_equal(learned.biases, actors.biases)


def test_the_c_program_folds_a_message_that_comes_before_its_turn_as_the_actors_do(tmp_path):
    """A wiring where an activity and an error each arrive before their slot's turn: the C program
    parks them until the gap closes, and still learns the actors' bits."""
    start = early_both_ways("sigmoid", "squared")
    rng = np.random.default_rng(4)
    x, labels = rng.normal(size=(20, 2)), rng.integers(0, 2, 20)
    actors = Network(start.copy())
    actors.fit(x, labels, epochs=1, learning_rate=0.3, shuffle=False)
    learned, _ = reference.run(reference.build(tmp_path), start, x, np.eye(2)[labels], 0.3)
    assert np.abs(learned.weights - start.weights).max() > 1e-2
    assert learned.weights.tobytes() == actors.blueprint.weights.tobytes()
    assert learned.biases.tobytes() == actors.blueprint.biases.tobytes()


@pytest.mark.parametrize("blueprint,refusal", [
    (Network.layered([4, 3, 2], "tanh", loss="squared").blueprint, "sigmoid neurons with the squared loss"),
    (Network.layered([4, 3, 2], "sigmoid", loss="mse").blueprint, "sigmoid neurons with the squared loss"),
])
def test_the_lean_loop_refuses_what_it_does_not_compute(blueprint, refusal):
    with pytest.raises(ValueError, match=refusal):
        layers_of(blueprint)


def test_the_lean_loop_refuses_a_network_that_is_not_fully_connected_layers():
    blueprint = sparse_blueprint(layers=3, width=6, fan_in=2, seed=1)
    with pytest.raises(ValueError, match="fully connected layers only"):
        layers_of(blueprint)


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


@pytest.mark.ray
@pytest.mark.subprocess
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


def test_the_cost_model_is_latency_per_wave_and_bytes_over_bandwidth_beside_the_work_shared_out():
    """t1 / N + waves x latency + bytes / bandwidth; past 3 shards, work, waves and bytes on the line
    through 2 and 3 shards; the latency a wave may take for 1.6x (figures made up: 1 ms, 100 MB/s, t1 10 ms)."""
    row = {"workload": "w", "examples": 4, "one_process": 0.010,
           1: {"seconds": 0.02, "waves": 2, "bytes": 1e4, "work": 0.01},
           2: {"seconds": 0.03, "waves": 10, "bytes": 2e4, "work": 0.02},
           3: {"seconds": 0.04, "waves": 16, "bytes": 3e4, "work": 0.03}}
    found = predict(row, {"latency": 1e-3, "bandwidth": 1e8})
    two = found["measured"][1]
    assert two["shards"] == 2 and two["seconds"] == 0.03
    assert two["model"] == pytest.approx(0.010 / 2 + 10e-3 + 2e4 / 1e8)
    assert two["model_work"] == pytest.approx(0.02 / 2 + 10e-3 + 2e4 / 1e8)
    assert [p["shards"] for p in found["predicted"]] == [4, 8, 16]
    eight = found["predicted"][1]
    assert (eight["waves"], eight["bytes"], eight["work"]) == pytest.approx((46, 8e4, 0.08))
    assert eight["model"] == pytest.approx(0.010 / 8 + 46e-3 + 8e4 / 1e8)
    assert eight["model_work"] == pytest.approx(0.08 / 8 + 46e-3 + 8e4 / 1e8)
    # the most a wave may take for 1.6x one process: none for 1 shard, whatever its latency
    assert eight["latency_for_aim"] == pytest.approx((0.010 / 1.6 - 0.010 / 8 - 8e4 / 1e8) / 46)
    assert found["measured"][0]["latency_for_aim"] < 0

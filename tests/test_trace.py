"""The tracer: one message per synapse each way, in causal order, with the matrix engine's numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from exmachina import Blueprint, MatrixEngine, Network
from exmachina.tracing.trace import FORMAT, VERSION, Trace, atomic_lines, record, trace_example, trace_run


def skip_wired() -> Network:
    """3 sensors, 2 hidden, 2 outputs, with synapses that skip the hidden layer."""
    sources = [0, 0, 1, 1, 2, 2, 0, 3, 3, 4, 4, 2]
    targets = [3, 4, 3, 4, 3, 4, 5, 5, 6, 5, 6, 6]
    rng = np.random.default_rng(7)
    return Network(Blueprint(
        kinds=["sensor"] * 3 + ["hidden"] * 2 + ["output"] * 2,
        activations=["identity"] * 3 + ["tanh", "sigmoid"] + ["sigmoid"] * 2,
        biases=[0.0] * 3 + rng.normal(0, 0.3, 4).tolist(), sources=sources, targets=targets,
        weights=rng.normal(0, 0.8, len(sources)), loss="squared",
    ))


NETWORKS = {
    "layered-sigmoid-cross-entropy": lambda: Network.layered([4, 5, 3], seed=3),
    "layered-relu-squared-deep": lambda: Network.layered([3, 4, 3, 2], activation="relu", loss="squared", seed=5),
    "skip-wired": skip_wired,
}
INPUTS = {"layered-sigmoid-cross-entropy": ([0.3, -0.7, 1.2, 0.05], [0.0, 1.0, 0.0]),
          "layered-relu-squared-deep": ([0.9, -0.4, 0.6], [0.2, 0.8]),
          "skip-wired": ([0.5, -1.5, 0.25], [0.1, 0.9])}


def one(name: str, **options) -> tuple[Network, Trace]:
    net = NETWORKS[name]()
    inputs, desired = INPUTS[name]
    return net, trace_example(net, inputs, desired=desired, **options)


@pytest.mark.parametrize("name", NETWORKS)
def test_one_activity_and_one_error_message_per_synapse(name):
    net, trace = one(name)
    bp = net.blueprint
    for kind in ("activity", "error"):
        along = Counter(e["synapse"] for e in trace.of(kind) if e["synapse"] is not None)
        assert sorted(along) == list(range(len(bp.sources))), kind
        assert set(along.values()) == {1}, kind
        for e in trace.of(kind):
            if e["synapse"] is not None:
                s, t = int(bp.sources[e["synapse"]]), int(bp.targets[e["synapse"]])
                assert (e["from"], e["to"]) == ((s, t) if kind == "activity" else (t, s))
    sensors, outputs = bp.sensors.tolist(), bp.outputs.tolist()
    # the messages that are not along a synapse: the feeder's and the teacher's, documented
    assert sorted(e["to"] for e in trace.of("activity", synapse=None, **{"from": "feeder"})) == sensors
    assert sorted(e["from"] for e in trace.of("activity", synapse=None, to="teacher")) == outputs
    assert len(trace.of("desired", to="teacher")) == 1
    assert sorted(e["to"] for e in trace.of("error", synapse=None, **{"from": "teacher"})) == outputs
    assert sorted(e["from"] for e in trace.of("error", synapse=None, to="feeder")) == sensors
    messages = trace.of("activity") + trace.of("error") + trace.of("desired")
    assert len(messages) == 2 * len(bp.sources) + 2 * len(sensors) + 2 * len(outputs) + 1


@pytest.mark.parametrize("name", NETWORKS)
def test_order_is_causal(name):
    net, trace = one(name)
    clocks = [e["clock"] for e in trace.events]
    assert clocks == list(range(1, len(clocks) + 1))
    step = {(e["phase"], e["from"]): e["clock"] for e in trace.of("step")}
    teacher = step["teacher", "teacher"]
    for e in trace.of("activity"):
        if e["from"] != "feeder":
            assert e["clock"] > step["forward", e["from"]], "a neuron sent before it fired"
        receiver = ("forward", e["to"]) if e["to"] != "teacher" else ("teacher", "teacher")
        assert e["clock"] < step[receiver], "a process fired before all its inputs arrived"
    assert trace.of("desired")[0]["clock"] < teacher
    for e in trace.of("error"):
        assert e["clock"] > teacher, "an error before the teacher saw the outputs"
        if e["from"] != "teacher":
            assert e["clock"] > step["backward", e["from"]]
        if e["to"] != "feeder":
            assert e["clock"] < step["backward", e["to"]], "a neuron learned before all its errors came"
    for e in trace.of("update"):
        assert e["clock"] > step["backward", e["from"]]


@pytest.mark.parametrize("name", NETWORKS)
def test_traced_numbers_equal_the_matrix_engines(name):
    net = NETWORKS[name]()
    inputs, desired = INPUTS[name]
    matrix = MatrixEngine(net.blueprint)
    oracle = matrix.step(np.array([inputs]), np.array([desired]), 0.3)
    trace = trace_example(net, inputs, desired=desired, learn=True, learning_rate=0.3)
    n = net.blueprint.size
    forward = sorted(trace.of("step", phase="forward"), key=lambda e: e["from"])
    backward = sorted(trace.of("step", phase="backward"), key=lambda e: e["from"])
    assert [e["from"] for e in forward] == [e["from"] for e in backward] == list(range(n))
    close = dict(rtol=1e-12, atol=0)
    assert np.allclose([e["total_input"] for e in forward], oracle.total_inputs[0], **close)
    assert np.allclose([e["value"] for e in forward], oracle.activities[0], **close)
    assert np.allclose([e["value"] for e in backward], oracle.errors[0], **close)
    learned = matrix.state()
    weights = np.full(len(learned.weights), np.nan)
    for e in trace.of("update", parameter="weight"):
        weights[e["synapse"]] = e["value"]
    assert np.allclose(weights, learned.weights, **close)
    biases = net.blueprint.biases.copy()  # learn=True: the network holds what the trace says
    assert np.allclose(biases, learned.biases, **close)
    for e in trace.of("update", parameter="bias"):
        assert e["value"] == biases[e["from"]]
        assert e["value"] == pytest.approx(e["old"] - 0.3 * e["gradient"], rel=1e-12)
    for e in trace.of("update", parameter="weight"):
        assert e["value"] == pytest.approx(e["old"] - 0.3 * e["gradient"], rel=1e-12)
    assert np.array_equal(weights, net.blueprint.weights)


def test_without_learn_the_network_is_untouched_and_with_it_the_weights_change():
    net, trace = one("skip-wired")
    before = net.blueprint.copy()
    assert trace.header["learn"] is False and trace.of("update")
    assert np.array_equal(net.blueprint.weights, before.weights)
    assert np.array_equal(net.blueprint.biases, before.biases)
    trace_example(net, *INPUTS["skip-wired"], learn=True)
    assert not np.array_equal(net.blueprint.weights, before.weights)


def test_forward_only_has_no_backward_wave():
    net = NETWORKS["skip-wired"]()
    trace = trace_example(net, INPUTS["skip-wired"][0])
    assert not trace.of("error") and not trace.of("update")
    teacher = trace.of("step", phase="teacher")[0]
    assert teacher["desired"] is None and teacher["value"] is None
    outputs = net.predict([INPUTS["skip-wired"][0]], engine="matrix")[0]
    assert np.allclose(teacher["outputs"], outputs, rtol=1e-12, atol=0)


def test_a_class_label_is_encoded_like_fit_does():
    net = Network.layered([2, 3, 3], seed=1)
    net.fit([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], ["a", "b", "c"], epochs=1)
    trace = trace_example(net, [1.0, 0.0], desired="b")
    assert trace.of("desired")[0]["value"] == [0.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="'z'"):
        trace_example(net, [1.0, 0.0], desired="z")


def test_tracing_chosen_neurons_only():
    net, trace = one("layered-relu-squared-deep", neurons=[4])
    assert trace.header["neurons"] == [4]
    for e in trace.events:
        if e["kind"] in ("activity", "error", "update"):
            assert 4 in (e["from"], e["to"])
        if e["kind"] == "step" and e["phase"] != "teacher":
            assert e["from"] == 4
    fan_in = int((net.blueprint.targets == 4).sum())
    fan_out = int((net.blueprint.sources == 4).sum())
    assert len(trace.of("activity")) == fan_in + fan_out
    assert len(trace.of("error")) == fan_in + fan_out
    assert len(trace.of("update", parameter="weight")) == fan_out
    assert len(trace.of("desired")) == 1 and len(trace.of("step", phase="teacher")) == 1
    with pytest.raises(ValueError, match="no neuron 99"):
        one("layered-relu-squared-deep", neurons=[99])


def test_recording_a_whole_run_learns_exactly_what_fit_learns(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (12, 3))
    labels = (x.sum(axis=1) > 0).astype(int)
    traced, plain = Network.layered([3, 4, 2], seed=4), Network.layered([3, 4, 2], seed=4)
    path = tmp_path / "run.jsonl"
    lines = record(path, traced, x, labels, epochs=2, learning_rate=0.5, seed=9)
    plain.fit(x, labels, epochs=2, learning_rate=0.5, seed=9)
    assert np.array_equal(traced.blueprint.weights, plain.blueprint.weights)
    assert np.array_equal(traced.blueprint.biases, plain.blueprint.biases)
    trace = Trace.read(path)
    assert len(trace.events) + 1 == lines == len(path.read_text().splitlines())
    assert (trace.header["format"], trace.header["version"]) == (FORMAT, VERSION)
    assert [e["value"] for e in trace.of("pass")] == [1, 2]
    synapses = len(traced.blueprint.sources)
    assert len([e for e in trace.of("activity") if e["synapse"] is not None]) == 2 * 12 * synapses
    assert sorted({e["example"] for e in trace.of("desired")}) == list(range(12))


def test_a_run_can_trace_chosen_examples_only():
    x = np.random.default_rng(3).uniform(0, 1, (6, 2))
    events: list = []
    trace_run(Network.layered([2, 2, 2], seed=0), x, [0, 1, 0, 1, 1, 0], events.append, examples=[4])
    examples = {e["example"] for e in events[1:] if e["kind"] != "pass"}
    assert examples == {4}


def test_trace_files_round_trip_and_are_checked(tmp_path):
    _, trace = one("skip-wired")
    path = tmp_path / "t.jsonl"
    trace.write(path)
    first = json.loads(path.read_text().splitlines()[0])
    assert first["format"] == FORMAT and first["network"]["layers"] == [[0, 1, 2], [3, 4], [5, 6]]
    assert first["processes"] == {"feeder": 7, "teacher": 8}
    assert Trace.read(path).events == trace.events
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({**first, "version": VERSION + 1}) + "\n")
    with pytest.raises(ValueError, match="version"):
        Trace.read(newer)
    other = tmp_path / "other.jsonl"
    other.write_text("{}\n")
    with pytest.raises(ValueError, match="not an exmachina trace"):
        Trace.read(other)
    with pytest.raises(ValueError, match="missing.jsonl"):
        Trace.read(tmp_path / "missing.jsonl")


def test_writing_is_atomic(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_lines(path) as write:
            write("new")
            raise RuntimeError("crash in the middle")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]


@pytest.mark.subprocess
def test_the_library_runs_untraced_when_nobody_asks_for_a_trace():
    """Tracing compiled in but not used: the network never imports it and the runtime is the plain one."""
    program = """
import sys
import numpy as np
from exmachina import Network
from exmachina.actors import runtime
send, spawn, run = runtime.LocalRuntime.send, runtime.LocalRuntime.spawn, runtime.LocalRuntime.run
net = Network.layered([3, 4, 2], seed=1)
x = np.random.default_rng(0).uniform(0, 1, (20, 3)); y = (x[:, 0] > 0.5).astype(int)
net.fit(x, y, epochs=2)
assert "exmachina.tracing.trace" not in sys.modules, "fit imported the tracer"
assert "exmachina.tracing.runtime" not in sys.modules, "fit imported the tracing runtime"
import exmachina.tracing.trace
assert (runtime.LocalRuntime.send, runtime.LocalRuntime.spawn, runtime.LocalRuntime.run) == (send, spawn, run)
other = Network.layered([3, 4, 2], seed=1)
other.fit(x, y, epochs=2)
assert np.array_equal(net.blueprint.weights, other.blueprint.weights)
print("untouched")
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "untouched"

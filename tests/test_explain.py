"""`explain` shows the notes' numbers, computed by the library; `trace` and `explain` as real commands."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from exmachina import Network
from exmachina.tracing.explain import Grid, backprop, explain, losses, nand, perceptron, perceptron_rule

import commands


def test_perceptron_total_input_half_and_output_one():
    text = perceptron().text()
    assert "Total input = 4 + -5 + 3 + bias (-1.5) = 0.5" in text
    assert "Output = step(0.5) = 1 " in text


def test_nand_truth_table():
    worked = nand()
    grid = next(p for p in worked.parts if isinstance(p, Grid))
    table = [(r[0], r[1], r[3]) for r in grid.rows]
    assert table == [("0", "0", "1"), ("0", "1", "1"), ("1", "0", "1"), ("1", "1", "0")]
    assert [r[2] for r in grid.rows] == ["3", "1", "1", "-1"]
    assert "match NAND" in worked.text()


def test_the_perceptron_rule_learns_nand_from_the_notes_start():
    worked = perceptron_rule()
    text = worked.text()
    assert "Pass 1:" in text and "0 of 4 wrong" in text
    last = text.splitlines()[-1]
    assert "outputs [1, 1, 1, 0]" in last
    # the first update is the perceptron rule by hand: (0,0) should give 1, gives step(-0.1) = 0
    first = next(p for p in worked.parts if isinstance(p, Grid)).rows[0]
    assert first[3:] == ["0", "-1", "[0.2, -0.3]", "0"]  # bias -0.1 - 0.1 * (0 - 1) = 0


def test_losses_are_computed_honestly():
    text = losses().text()
    assert "0.2 + 0.2 + 0.2 + 0.2" in text and "0 + 0 + 0 + 0.6" in text
    assert "Summed, A looks worse (0.8 against 0.6)" in text
    assert "Squared, B is worse (0.18 against 0.08)" in text


def test_backprop_step_shows_every_message_and_agrees_with_the_matrix_engine():
    worked = backprop()
    grids = [p for p in worked.parts if isinstance(p, Grid)]
    rows = [r for g in grids for r in g.rows]
    kinds = [r[1] for r in rows]
    assert kinds.count("activity") == 6 + 2 + 1  # six synapses, two inputs, one output to the teacher
    assert kinds.count("error") == 6 + 2 + 1
    assert kinds.count("update weight") == 6 and kinds.count("update bias") == 3
    assert worked.parts[-1].endswith("differ by at most 0.")
    # by hand: the output is sigmoid(0.3 sigmoid(0.755) + 0.9 sigmoid(0.68))
    h = 1 / (1 + np.exp(-np.array([0.35 * 0.1 + 0.9 * 0.8, 0.35 * 0.4 + 0.9 * 0.6])))
    out = 1 / (1 + np.exp(-(0.3 * h[0] + 0.9 * h[1])))
    assert f"{out:.6g}" in [r[4] for r in rows if r[1] == "step (forward)" and r[2] == "4"]


def test_all_topics_by_default_and_bad_topics_refused():
    titles = [w.title for w in explain()]
    assert len(titles) == len(set(titles)) == 6
    assert [w.topic for w in explain(["sigmoid", "relu"])] == ["sigmoid"]
    with pytest.raises(ValueError, match="unknown topic 'bogus'"):
        explain(["bogus"])


# -- the commands, in real processes -------------------------------------------------------------


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAGER": "cat", "COLUMNS": "200"}
    return commands.run(args, cwd, env, timeout=120)


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.subprocess
def test_explain_command_prints_the_notes_numbers():
    done = run("explain", "perceptron", "nand")
    assert done.returncode == 0, done.stderr
    assert "= 0.5" in done.stdout and "step(0.5) = 1" in done.stdout
    assert "NAND" in done.stdout and "match NAND" in done.stdout
    one_line_error(run("explain", "bogus"), "bogus", "perceptron")


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "net.json"
    net = Network.layered([3, 4, 2], seed=2)
    net.fit([[0.0, 1.0, 0.5], [1.0, 0.0, 0.2]], [0, 1], epochs=1, learning_rate=0.3)
    net.save(path)
    return path


@pytest.mark.subprocess
def test_trace_command_table_in_causal_sections(model):
    done = run("trace", str(model), "--values", "0.2,0.4,0.6", "--target", "1", "--all")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    places = [out.index(s) for s in ("Forward wave", "Teacher", "Backward wave", "Updates", "nine steps")]
    assert places == sorted(places)
    assert "not applied" in out and "\x1b[" not in out  # plain text when piped
    assert "learning rate 0.3" in out  # the rate the model learned with


@pytest.mark.subprocess
def test_trace_command_writes_json_lines_and_learns(model, tmp_path):
    jsonl, saved = tmp_path / "t.jsonl", tmp_path / "learned.json"
    done = run("trace", str(model), "--values", "0.2,0.4,0.6", "--target", "1", "--jsonl", str(jsonl),
               "--learn", "--save", str(saved), "--neuron", "4")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert lines[0]["format"] == "exmachina-trace" and lines[0]["neurons"] == [4]
    assert all({"kind", "example", "from", "to", "value", "clock"} <= set(e) for e in lines[1:])
    updates = {e["synapse"]: e["value"] for e in lines[1:] if e["kind"] == "update" and e["parameter"] == "weight"}
    learned = json.loads(saved.read_text())["synapses"]["weight"]
    before = json.loads(model.read_text())["synapses"]["weight"]
    assert updates and all(learned[s] == w != before[s] for s, w in updates.items())
    done = run("trace", str(model), "--values", "0.2,0.4,0.6", "--jsonl", "-")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0]["version"] == 1 and not [e for e in events[1:] if e["kind"] == "error"]


@pytest.mark.subprocess
@pytest.mark.slow  # two processes that load scikit-learn
def test_trace_command_on_digits(tmp_path):
    path = tmp_path / "digits.json"
    Network.layered([64, 3, 10], seed=0).save(path)
    done = run("trace", str(path), "--data", "digits", "--example", "5", "--neuron", "65")
    assert done.returncode == 0, done.stderr
    assert "example 5" in done.stdout and "only neurons [65]" in done.stdout
    one_line_error(run("trace", str(path), "--data", "digits", "--example", "5000"), "--example 5000", "0..1796")


@pytest.mark.subprocess
def test_trace_command_errors(model, tmp_path):
    one_line_error(run("trace", str(tmp_path / "missing.json"), "--values", "1,2,3"), "missing.json")
    one_line_error(run("trace", str(model), "--values", "1,2,3", "--neuron", "42"), "no neuron 42", "0..8")
    one_line_error(run("trace", str(model), "--values", "1,2"), "2 columns", "3 sensors")
    one_line_error(run("trace", str(model)), "--data")
    one_line_error(run("trace", str(model), "--data", "nope"), "unknown data 'nope'")
    out = tmp_path / "out.jsonl"
    one_line_error(run("trace", str(model), "--values", "1,2,3", "--target", "7", "--jsonl", str(out)), "7")
    assert not out.exists()  # nothing half-written
    nowhere = tmp_path / "no-such-directory" / "t.jsonl"
    one_line_error(run("trace", str(model), "--values", "1,2,3", "--jsonl", str(nowhere)), str(nowhere))

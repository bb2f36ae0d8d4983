"""Durable runs: checkpoints on disk, and a run killed with SIGKILL (also in the middle of writing its
own checkpoint) that resumes to the very bits of an undisturbed run; a checkpoint that cannot be
resumed is one line, exit 2, and nothing on disk changes. Real processes, real kills."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from exmachina import Network
from exmachina.data import datasets
from exmachina.network import checkpoints

from test_cli import EXMACHINA, environment, run

# iris: 120 examples a pass, a checkpoint every 25 (4 within a pass, the 5th at its end), with noise,
# so that the noise generators' state matters
RUN = ["--data", "iris", "--epochs", "3", "--noise", "0.05", "--seed", "3", "--checkpoint-every", "25"]
# on shards, where every example's messages cross between processes, a shorter run: 48 examples a pass, a
# checkpoint every 10 (4 within a pass, the 5th at its end), noise too
SHARDED_RUN = ["--data", "xor2d", "--points", "60", "--epochs", "3", "--noise", "0.05", "--seed", "3",
               "--checkpoint-every", "10"]


def weights(model: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(model) as found:
        return found["synapses.weight"].copy(), found["neurons.bias"].copy()


def same_bits(a: Path, b: Path) -> bool:
    (wa, ba), (wb, bb) = weights(a), weights(b)
    return wa.tobytes() == wb.tobytes() and ba.tobytes() == bb.tobytes()


@pytest.fixture(scope="module")
def undisturbed(tmp_path_factory) -> Path:
    """The model of the run nobody disturbs (checkpointing as the others do)."""
    folder = tmp_path_factory.mktemp("undisturbed")
    done = run("learn", *RUN, "--checkpoint", folder / "ck", "--save", folder / "m.npz")
    assert done.returncode == 0, done.stderr
    return folder / "m.npz"


def killed(tmp_path: Path, args: list, hold: str | None = None, after: float | None = None,
           made: Path | None = None) -> int:
    """Start `exmachina learn ARGS` and SIGKILL it: held half-way through a checkpoint's write (`hold`,
    once it says so), or `after` seconds (after the file `made` is there). Ray's processes, if any, go
    after it."""
    env = environment()
    if hold:
        env[checkpoints.HOLD] = hold
    process = subprocess.Popen([*EXMACHINA, "learn", *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env, start_new_session=True)
    try:
        if hold:
            said = ""
            while f"held at {hold}" not in said and process.poll() is None:
                said = process.stderr.readline()
            assert process.poll() is None, said + process.stderr.read()
        else:
            while made is not None and not made.exists() and process.poll() is None:
                time.sleep(0.01)
            try:
                process.wait(after)
            except subprocess.TimeoutExpired:
                pass
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        return process.wait(60)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # what the driver started (Ray's own processes)
        except ProcessLookupError:
            pass


@pytest.mark.subprocess
@pytest.mark.parametrize("hold", [
    "model:3",  # the third checkpoint's model (and noise) whole, checkpoint.json still the second's
    "state:5",  # the end of pass 1: the new model whole, checkpoint.json's new text written, not in its place
    "state:12",  # in the middle of pass 3
])
def test_killed_while_writing_a_checkpoint_a_run_resumes_to_the_same_bits(tmp_path, undisturbed, hold):
    folder, model = tmp_path / "ck", tmp_path / "m.npz"
    assert killed(tmp_path, [*RUN, "--checkpoint", folder, "--save", model], hold) == -signal.SIGKILL
    assert not model.exists()
    left = {p.name for p in folder.iterdir()}
    assert "checkpoint.json" in left
    resumed = run("learn", "--resume", folder, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from" in resumed.stderr and "Traceback" not in resumed.stderr
    assert same_bits(model, undisturbed)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # the killed write's litter is gone
    assert len([p for p in folder.iterdir() if p.name.startswith("model-")]) == 1


@pytest.mark.subprocess
@pytest.mark.subprocess
def test_sigterm_in_the_middle_of_a_checkpoint_s_write_is_one_line_that_says_how_to_resume(tmp_path, undisturbed):
    """SIGTERM while checkpoint.json's new text is written: the write is undone, the previous checkpoint
    stays, the line says how to go on, and going on ends with the undisturbed run's bits."""
    folder, model = tmp_path / "ck", tmp_path / "m.npz"
    env = {**environment(), checkpoints.HOLD: "state:6"}
    process = subprocess.Popen([*EXMACHINA, "learn", *RUN, "--checkpoint", str(folder), "--save", str(model)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
    try:
        said = ""
        while "held at state:6" not in said and process.poll() is None:
            said = process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        err = process.communicate(timeout=60)[1].strip()
    finally:
        process.kill()
    assert process.returncode == 143, err
    assert len(err.splitlines()) == 1 and err.startswith("interrupted during pass 2 of 3 (SIGTERM)"), err
    assert err.endswith(f"exmachina learn --resume {folder} goes on from its last checkpoint"), err
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert run("learn", "--resume", folder, cwd=tmp_path).returncode == 0
    assert same_bits(model, undisturbed)


@pytest.mark.subprocess
@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_killed_again_and_again_at_random_moments_a_run_ends_with_the_same_bits(tmp_path, seed):
    """A longer run (the digits), SIGKILLed at random moments, resumed each time, ends as an undisturbed one."""
    args = ["--epochs", "2", "--layers", "64,12,10", "--noise", "0.02", "--checkpoint-every", "150",
            "--report"]
    whole = run("learn", *args, tmp_path / "whole.json", "--checkpoint", tmp_path / "whole", "--save",
                tmp_path / "whole.npz")
    assert whole.returncode == 0, whole.stderr
    folder, model, report = tmp_path / "ck", tmp_path / "m.npz", tmp_path / "r.json"
    chance, kills = random.Random(seed), 0
    command = [*args, report, "--checkpoint", folder, "--save", model]
    status, latest = 0, 1.5
    while status == 0:  # a moment drawn past the run's end kills nothing: start again, drawing sooner
        for leftover in (model, report, *(folder.iterdir() if folder.exists() else ())):
            leftover.unlink(missing_ok=True)
        status = killed(tmp_path, command, after=chance.uniform(0, latest), made=folder / "checkpoint.json")
        latest /= 2
    while status != 0 and kills < 4:  # each resumed run killed at any moment, from its start on
        kills += 1
        status = killed(tmp_path, ["--resume", folder], after=chance.uniform(0.5, 4.0))
    assert kills >= 1
    if not model.exists():
        done = run("learn", "--resume", folder)
        assert done.returncode == 0, done.stderr
    assert same_bits(model, tmp_path / "whole.npz")
    passes = json.loads(report.read_text())["history"]
    assert [p["epoch"] for p in passes] == [1, 2]
    assert [p["test_accuracy"] for p in passes] == [p["test_accuracy"] for p in
                                                   json.loads((tmp_path / "whole.json").read_text())["history"]]


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def made(tmp_path) -> Path:
    """A checkpoint folder of a run killed in pass 2."""
    folder = tmp_path / "ck"
    assert killed(tmp_path, [*RUN, "--checkpoint", folder, "--save", tmp_path / "m.npz"], "state:7") \
        == -signal.SIGKILL
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink()
    return folder


def damage_state(folder: Path) -> None:
    state = folder / "checkpoint.json"
    state.write_text(state.read_text()[:200])


def named(folder: Path, role: str) -> Path:
    """The file of `role` that checkpoint.json names (a killed write may have left the next one beside it)."""
    return folder / json.loads((folder / "checkpoint.json").read_text())["files"][role]["name"]


def damage_model(folder: Path) -> None:
    model = named(folder, "model")
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x55
    model.write_bytes(bytes(data))


def other_version(folder: Path) -> None:
    state = json.loads((folder / "checkpoint.json").read_text())
    state["exmachina"] = "0.0.9"
    (folder / "checkpoint.json").write_text(json.dumps(state))


def other_network(folder: Path) -> None:
    options = json.loads((folder / "learn.json").read_text())
    options["layers"] = "4,7,3"
    (folder / "learn.json").write_text(json.dumps(options))


def no_checkpoint(folder: Path) -> None:
    (folder / "checkpoint.json").unlink()


def noise_lost(folder: Path) -> None:
    named(folder, "noise").unlink()


@pytest.mark.subprocess
@pytest.mark.parametrize("spoil, words", [
    (damage_state, "damaged"), (damage_model, "damaged"), (other_version, "0.0.9"),
    (other_network, "another network"), (no_checkpoint, "no checkpoint there"), (noise_lost, "missing"),
])
def test_a_checkpoint_that_cannot_be_resumed_is_one_line_and_changes_nothing(tmp_path, made, spoil, words):
    spoil(made)
    before = fingerprint(made)
    refused = run("learn", "--resume", made, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in refused.stderr, refused.stderr
    assert fingerprint(made) == before
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.subprocess
def test_resume_takes_no_other_options_and_a_new_run_will_not_write_over_a_checkpoint(tmp_path, made):
    before = fingerprint(made)
    for args in (["--resume", made, "--epochs", "5"], [*RUN, "--checkpoint", made]):
        refused = run("learn", *args, cwd=tmp_path)
        assert refused.returncode == 2, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "--epochs" in run("learn", "--resume", made, "--epochs", "5", cwd=tmp_path).stderr
    assert fingerprint(made) == before


# -- the Python API --------------------------------------------------------------------------------


class Stop(Exception):
    pass


@pytest.mark.parametrize("settings", [
    {"noise": 0.05},  # each neuron's noise generator goes on where it was
    {"engine": "matrix"},
    {"batch_size": 4, "shuffle": True},
])
def test_fit_resumes_a_run_stopped_in_the_middle_of_a_pass_to_the_same_bits(tmp_path, settings):
    data = datasets.load("iris")
    x, y = data.inputs, data.labels
    kwargs = dict(epochs=3, learning_rate=0.1, checkpoint_every=11, seed=5, **settings)
    whole = Network.layered([4, 6, 3], seed=2)
    history = whole.fit(x, y, checkpoint=tmp_path / "whole", **kwargs)
    stopped = Network.layered([4, 6, 3], seed=2)
    scored = []

    def stop(epoch, board):
        scored.append(epoch)
        # in pass 2, between its fourth and fifth checkpoints (of 11 examples, or of 11 batches of 4)
        if len(scored) == (190 if settings.get("batch_size", 1) == 1 else 50):
            raise Stop

    with pytest.raises(Stop):
        stopped.fit(x, y, checkpoint=tmp_path / "ck", on_progress=stop, **kwargs)
    resumed = Network.layered([4, 6, 3], seed=2)
    again = resumed.fit(x, y, checkpoint=tmp_path / "ck", resume=True, **kwargs)
    assert resumed.blueprint.weights.tobytes() == whole.blueprint.weights.tobytes()
    assert resumed.blueprint.biases.tobytes() == whole.blueprint.biases.tobytes()
    assert [h["epoch"] for h in again] == [1, 2, 3]
    assert [h["examples"] for h in again] == [h["examples"] for h in history]


def test_fit_refuses_to_resume_with_other_data_another_network_or_other_settings(tmp_path):
    data = datasets.load("iris")
    x, y = data.inputs, data.labels
    Network.layered([4, 6, 3], seed=2).fit(x, y, epochs=1, checkpoint=tmp_path / "ck")
    before = fingerprint(tmp_path / "ck")
    for net, inputs, kwargs, words in (
        (Network.layered([4, 5, 3]), x, {}, "another network"),
        (Network.layered([4, 6, 3]), x * 2, {}, "other examples"),
        (Network.layered([4, 6, 3]), x, {"learning_rate": 0.2}, "learning_rate 0.1, not 0.2"),
    ):
        with pytest.raises(ValueError, match=words):
            net.fit(inputs, y, epochs=1, checkpoint=tmp_path / "ck", resume=True, **kwargs)
    with pytest.raises(ValueError, match="holds a checkpoint already"):
        Network.layered([4, 6, 3]).fit(x, y, epochs=1, checkpoint=tmp_path / "ck")
    assert fingerprint(tmp_path / "ck") == before


@pytest.mark.ray
@pytest.mark.subprocess
@pytest.mark.slow
@pytest.mark.xdist_group("ray-cluster")  # on test_shards.py's cluster, with its tests (tests/conftest.py)
def test_a_sharded_run_killed_while_writing_its_checkpoint_resumes_on_shards_to_the_same_bits(tmp_path, cluster):
    """The driver of 2 shards on the test cluster, SIGKILLed half-way through a checkpoint: the resumed run,
    on shards of the cluster again (its options), ends with the bits of the undisturbed run in one process."""
    folder, model, report = tmp_path / "ck", tmp_path / "m.npz", tmp_path / "r.json"
    alone = run("learn", *SHARDED_RUN, "--checkpoint", tmp_path / "alone", "--save", tmp_path / "alone.npz")
    assert alone.returncode == 0, alone.stderr
    args = [*SHARDED_RUN, "--shards", "2", "--cluster", cluster, "--checkpoint", folder, "--save", model,
            "--report", report]
    assert killed(tmp_path, args, "state:8") == -signal.SIGKILL  # in pass 2
    resumed = run("learn", "--resume", folder, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert same_bits(model, tmp_path / "alone.npz")
    figures = json.loads(report.read_text())
    assert figures["shards"] == 2 and [p["epoch"] for p in figures["history"]] == [1, 2, 3]

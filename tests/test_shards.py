"""Shards on a real Ray cluster started on this machine (two nodes; four for the last test): the same
bits, and they survive kills.

The cluster (a head and a second node, each with its own ports and temporary folder) is started once
for this file's tests and the sharded run that test_durable.py kills (the `cluster` and `ray` fixtures,
tests/conftest.py); pytest-xdist hands them to one worker (their `xdist_group` mark), so one drives it.
Shards without this cluster: test_shards_local.py.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from exmachina import Network

from test_cli import environment, run
from test_oracle import skip_wiring

pytestmark = [pytest.mark.ray, pytest.mark.xdist_group("ray-cluster")]  # one worker drives the cluster

RAY = str(Path(sys.executable).parent / "ray")
CLUSTER: dict = {}  # the test cluster, while it runs: its folder, its nodes' `ray start` and its address
PORTS = ("port", "node-manager-port", "object-manager-port", "dashboard-agent-listen-port",
         "dashboard-agent-grpc-port", "runtime-env-agent-port", "metrics-export-port")


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def start_node(folder: Path, head: str | None) -> tuple[subprocess.Popen, str]:
    """`ray start --block` for one node, with ports and a temporary folder of its own."""
    folder.mkdir(parents=True)
    ports = dict(zip(PORTS, free_ports(len(PORTS))))
    port = ports.pop("port")
    role = ["--head", f"--port={port}", "--include-dashboard=false"] if head is None else [f"--address={head}"]
    command = [RAY, "start", "--block", *role, "--node-ip-address=127.0.0.1", f"--temp-dir={folder}",
               "--num-cpus=2", "--disable-usage-stats", "--include-log-monitor=false",  # the drivers take no logs
               *(f"--{k}={v}" for k, v in ports.items())]
    log = open(folder / "start.log", "w")
    node = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=cluster_environment())
    deadline = time.monotonic() + 90
    while "Ray runtime started" not in (folder / "start.log").read_text():
        if node.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"ray start failed: {(folder / 'start.log').read_text()[-2000:]}")
        time.sleep(0.2)
    return node, head or f"127.0.0.1:{port}"


def stop_nodes(nodes: list[subprocess.Popen]) -> None:
    """Each node's `ray start --block` asked to stop (it stops its node's processes), killed past a minute."""
    for node in nodes:
        if node.poll() is None:
            node.send_signal(signal.SIGTERM)
    for node in nodes:
        try:
            node.wait(60)
        except subprocess.TimeoutExpired:
            node.kill()


def cluster_environment() -> dict[str, str]:
    # a test cluster on loopback: no token to hand around; no workers started ahead of the shards (as
    # exmachina's own Ray starts none: shards/starting.py); a node that stops answering is found lost after
    # about 2 s, not Ray's 15 (3 missed checks, one every 0.5 s), so that a lost node's test waits less
    return {**environment(), "RAY_AUTH_MODE": "disabled", "RAY_prestart_worker_first_driver": "0",
            "RAY_health_check_period_ms": "500", "RAY_health_check_failure_threshold": "3"}


def start_cluster() -> str:
    """A two-node cluster started (its folder and nodes in CLUSTER): its head's address. Tests get it
    from the `cluster` fixture (tests/conftest.py), which starts it once for the tests in a row that use it."""
    root = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short: Ray's socket paths must fit in 107 bytes
    CLUSTER.update(folder=root, nodes=[])
    try:
        head, address = start_node(root / "head", None)
        CLUSTER["nodes"].append(head)
        CLUSTER["nodes"].append(start_node(root / "second", address)[0])
    except BaseException:
        stop_cluster()
        raise
    CLUSTER["address"] = address
    return address


def stop_cluster() -> None:
    """This process's connection to the cluster closed, the cluster's nodes stopped, its folder removed."""
    if "ray" in sys.modules and sys.modules["ray"].is_initialized():
        sys.modules["ray"].shutdown()
    stop_nodes(CLUSTER.get("nodes", []))
    if "folder" in CLUSTER:
        shutil.rmtree(CLUSTER["folder"], ignore_errors=True)
    CLUSTER.clear()


def data(n=24, features=12, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, features)), rng.integers(0, classes, n)


def learned(net: Network) -> tuple[bytes, bytes]:
    return net.blueprint.weights.tobytes(), net.blueprint.biases.tobytes()


CASES = [
    pytest.param("layered", {}, 1, "spread", id="1 shard"),
    pytest.param("layered", {}, 2, "spread", id="2 shards"),
    pytest.param("layered", {}, 3, "spread", id="3 shards"),
    pytest.param("layered", {}, 2, "layers", id="2 shards, whole layers"),
    pytest.param("layered", {}, 3, "layers", id="3 shards, whole layers"),
    pytest.param("skip", {}, 2, "spread", id="skip connections, 2 shards"),
    pytest.param("skip", {}, 3, "layers", id="skip connections, 3 shards, whole layers"),
    pytest.param("layered", {"batch_size": 4}, 2, "spread", id="batches of 4, 2 shards"),
    pytest.param("skip", {"batch_size": 3}, 3, "layers", id="batches of 3, skip connections, 3 shards, layers"),
    pytest.param("layered", {"noise": 0.2}, 3, "spread", id="noise, 3 shards"),
]


@pytest.mark.parametrize("wiring, options, shards, partition", CASES)
def test_shards_learn_the_very_bits_of_one_process(ray, wiring, options, shards, partition):
    def network():
        if wiring == "skip":
            return Network(skip_wiring("tanh", "squared"))
        return Network.layered([12, 6, 5, 3], activation="sigmoid", seed=1)

    x, y = data(features=network().sensors, classes=network().outputs)
    if wiring == "skip":
        y = np.eye(network().outputs)[y % network().outputs]  # real-valued targets
    one, split = network(), network()
    alone = one.fit(x, y, epochs=2, learning_rate=0.2, **options)
    # a checkpoint within each pass, online and in batches (24 examples: 6 batches of 4, 8 of 3)
    history = split.fit(x, y, epochs=2, learning_rate=0.2, shards=shards, partition=partition, checkpoint_every=5,
                        **options)
    assert learned(split) == learned(one)
    assert history[-1]["shards"] == shards and history[-1]["restarts"] == 0
    assert history[-1]["transfers"] > 0 and history[-1]["bytes"] > 0
    # every message of the network was sent, and counted once
    assert [h["messages"] for h in history] == [h["messages"] for h in alone]


def test_ray_carries_one_call_per_shard_per_segment_and_the_bundles_go_peer_to_peer(ray):
    """24 examples in segments of 5 are 5 segments a pass: each of the 2 shards is called once in each,
    however many waves of bundles go between the places meanwhile."""
    x, y = data()
    history = Network.layered([12, 6, 5, 3], seed=1).fit(x, y, epochs=2, shards=2, checkpoint_every=5)
    assert [h["rounds"] for h in history] == [10, 10]
    assert all(h["waves"] > h["rounds"] for h in history)  # the driver heard from the shards far more often


def test_the_places_mailboxes_leave_no_file_behind_when_their_shards_are_killed(ray):
    """A shard's process is killed when the run closes (and may be at any time): its Unix socket is in
    Linux's abstract namespace, not a file that would be left in /tmp."""
    from exmachina.shards.sharded import Shards

    split = Shards(Network.layered([12, 6, 5, 3], seed=1).blueprint, 2, lambda *_: None, 0.1)
    places = [local.removeprefix("ipc://") for _, local, _ in split.addresses.values()]
    split.close()
    assert len(places) == 3
    assert not [place for place in places if Path(place).exists() or Path("/tmp", place.lstrip("@")).exists()]


def test_prediction_on_shards_is_the_same(ray):
    x, y = data()
    net = Network.layered([12, 6, 5, 3], seed=2)
    net.fit(x, y, epochs=1)
    assert np.array_equal(net.predict(x, shards=3), net.predict(x))
    assert np.array_equal(net.predict(x, shards=2, partition="layers"), net.predict(x))


def shard_processes() -> list[int]:
    """The process ids of the live shards of the test cluster, found by their process titles and their
    parent, a raylet of the cluster (other tests may run shards of their own meanwhile)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(b"ray::ShardProcess"):
                parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                if str(CLUSTER["folder"]).encode() in Path(f"/proc/{parent}/cmdline").read_bytes():
                    found.append(int(entry.name))
        except (OSError, IndexError):
            pass
    return found


@pytest.mark.slow
def test_three_kills_at_random_moments_leave_the_very_bits_of_an_undisturbed_run(ray):
    """SIGKILL a shard's process three times while it learns: Ray restarts it, the run recovers."""
    x, y = data(n=60, features=30, classes=4, seed=3)
    undisturbed = Network.layered([30, 12, 8, 4], seed=5)
    undisturbed.fit(x, y, epochs=3, learning_rate=0.1)
    scored, kills, finished = [0], [], threading.Event()

    def chaos():
        chance = random.Random(11)
        for _ in range(3):
            # a random moment once the run goes on (after a kill: recovered, and scoring new examples):
            # counted in examples, not seconds, so that the three fall within the run's 180 examples
            # however loaded the machine (a time of 0-0.5 s was 0-50 examples and needed 600)
            until = scored[0] + chance.randint(10, 30)
            while scored[0] < until:
                if finished.wait(0.002):
                    return
            victim = chance.choice(shard_processes())
            os.kill(victim, signal.SIGKILL)
            kills.append(victim)

    def progress(epoch, board):
        scored[0] += 1

    killer = threading.Thread(target=chaos, daemon=True)
    killer.start()
    net = Network.layered([30, 12, 8, 4], seed=5)
    try:
        history = net.fit(x, y, epochs=3, learning_rate=0.1, shards=2, checkpoint_every=10, on_progress=progress)
    finally:
        finished.set()
        killer.join()
    assert len(kills) == 3
    assert sum(h["restarts"] for h in history) == 3, kills
    assert learned(net) == learned(undisturbed)


def next_life(known: set[int], timeout: float = 120) -> int:
    """The process of a shard that Ray started after those `known` (waiting for it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        born = set(shard_processes()) - known
        if born:
            return born.pop()
        time.sleep(0.01)
    raise AssertionError("Ray restarted no shard")


@pytest.mark.slow
def test_a_shard_killed_again_before_it_answered_its_new_life_counts_both_restarts(ray):
    """Killed, and its new process killed too before the driver ever called it: Ray restarted the shard
    twice, and so says the report (the driver saw one new life)."""
    x, y = data(n=30, features=30, classes=4, seed=3)
    undisturbed = Network.layered([30, 12, 4], seed=5)
    undisturbed.fit(x, y, epochs=2, learning_rate=0.1)
    killed: list[int] = []

    def progress(epoch, board):  # the driver waits here: no call reaches the shards meanwhile
        if epoch == 1 and board.seen >= 25 and not killed:
            known = set(shard_processes())
            victim = min(known)
            for _ in range(2):
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
                known.add(victim)
                victim = next_life(known)
                known.add(victim)

    net = Network.layered([30, 12, 4], seed=5)
    history = net.fit(x, y, epochs=2, learning_rate=0.1, shards=2, checkpoint_every=10, on_progress=progress)
    assert len(killed) == 2
    assert sum(h["restarts"] for h in history) == 2
    assert learned(net) == learned(undisturbed)


FAULTY = """
import sys
from pathlib import Path
import numpy as np
import ray
from exmachina import Network

MARKER, ONCE = Path(sys.argv[2]), sys.argv[3] == "once"

def install():
    # runs in every Ray worker as it starts: hidden neurons whose handler raises on example 7
    import exmachina.actors.society
    from exmachina.actors.neuron import Neuron

    class Faulty(Neuron):
        c_mailbox = False  # its own on_activities, handed lists

        def on_activities(self, tag, values):
            if tag == 7 and MARKER.exists():
                try:
                    if ONCE:
                        MARKER.unlink()  # one neuron only, on whichever shard gets there first
                except FileNotFoundError:
                    pass
                else:
                    raise RuntimeError("a neuron's handler failed")
            super().on_activities(tag, values)

    exmachina.actors.society.KIND["hidden"] = Faulty

ray.init(address=sys.argv[1], log_to_driver=False, logging_level="ERROR",
         runtime_env={"worker_process_setup_hook": install})
rng = np.random.default_rng(0)
x, y = rng.normal(size=(30, 8)), rng.integers(0, 2, 30)
plain, split = Network.layered([8, 4, 2], seed=1), Network.layered([8, 4, 2], seed=1)
plain.fit(x, y, epochs=1, shuffle=False)
try:
    history = split.fit(x, y, epochs=1, shards=2, shuffle=False, checkpoint_every=5)
except RuntimeError as lost:
    first = Network.layered([8, 4, 2], seed=1).blueprint.weights
    result = f"lost: {lost} {np.array_equal(lost.model.weights, first)}"
else:
    same = np.array_equal(plain.blueprint.weights, split.blueprint.weights)
    result = f"{'same' if same else 'different'} {history[-1]['restarts']}"
Path(sys.argv[4]).write_text(result)
"""


@pytest.mark.subprocess
@pytest.mark.slow
@pytest.mark.parametrize("fault", ["once", "always"])
def test_a_neuron_that_raises_takes_its_shard_down_and_the_shard_is_recovered(cluster, tmp_path, fault):
    marker = tmp_path / "fault"
    marker.touch()
    result = tmp_path / "result"
    done = subprocess.run([sys.executable, "-c", FAULTY, cluster, str(marker), fault, str(result)],
                          capture_output=True, text=True, timeout=300, env=cluster_environment())
    assert done.returncode == 0, done.stderr[-3000:]
    # (the result goes to a file: Ray's notices of the deaths, printed by its own threads, once ran
    # into the printed result's line, and once it never came through a loaded run's pipe)
    assert result.exists(), f"no result; the output:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    line = result.read_text()
    if fault == "once":
        assert line.split() == ["same", "1"]
    else:  # it fails again on every replay: past the restarts, the run stops and names the example
        assert line.startswith("lost: shard ") and "died 4 times at example 7" in line, line
        assert line.endswith("False")  # the model checkpointed at example 5 has learned


@pytest.mark.subprocess
@pytest.mark.slow
def test_past_its_restarts_a_run_stops_in_one_line_and_saves_the_last_checkpoint(cluster, tmp_path):
    command = [*map(str, [Path(sys.executable).parent / "exmachina", "learn", "--epochs", "50", "--shards", "2",
                          "--cluster", cluster, "--save", tmp_path / "m.json"])]
    learning = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                                env=cluster_environment())
    deadline = time.monotonic() + 240
    while learning.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        for victim in shard_processes():
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
    out, err = learning.communicate(timeout=60)
    lines = err.strip().splitlines()
    assert learning.returncode == 1, err
    assert len(lines) == 1 and lines[0].startswith("error: shard "), err
    assert "past its 3 restarts" in lines[0] and "saved to" in lines[0]
    assert "Traceback" not in out + err
    Network.load(tmp_path / "m.json")  # a whole model


@pytest.mark.subprocess
@pytest.mark.slow
def test_learn_on_a_four_node_cluster_places_a_shard_on_each_and_learns_the_same(ray, cluster, tmp_path):
    """Two more nodes join the cluster for this test (the last of the file): 4 shards, one on each node."""
    extra = []
    try:
        for name in ("third", "fourth"):
            extra.append(start_node(CLUSTER["folder"] / name, cluster)[0])
        deadline = time.monotonic() + 60
        while sum(n["Alive"] for n in ray.nodes()) < 4:
            assert time.monotonic() < deadline, "the two more nodes never joined"
            time.sleep(0.2)
        common = ["learn", "--data", "xor2d", "--points", "40", "--epochs", "2", "--layers", "2,6,2"]
        single = run(*common, "--save", tmp_path / "one.json", cwd=tmp_path)
        assert single.returncode == 0, single.stderr
        sharded = run(*common, "--shards", "4", "--cluster", cluster, "--save", tmp_path / "four.json",
                      "--report", tmp_path / "four-report.json", cwd=tmp_path)
        assert sharded.returncode == 0, sharded.stderr
    finally:
        stop_nodes(extra)
    report = json.loads((tmp_path / "four-report.json").read_text())
    assert report["shards"] == 4 and report["restarts"] == 0 and report["transfers"] > 0
    assert len(set(report["shard_nodes"])) == 4, f"4 shards on {len(set(report['shard_nodes']))} nodes"
    assert "transfers between 4 shards" in sharded.stderr
    one, four = Network.load(tmp_path / "one.json"), Network.load(tmp_path / "four.json")
    assert np.array_equal(one.blueprint.weights, four.blueprint.weights)
    assert np.array_equal(one.blueprint.biases, four.blueprint.biases)
    # predict takes shards too, and says what one process says (a Ray started here without an address:
    # the README's shards block, and test_shards_local.py's SIGTERM)
    plain = run("predict", tmp_path / "four.json", "--values", "0,1", "--values", "1,1", cwd=tmp_path)
    split = run("predict", tmp_path / "four.json", "--values", "0,1", "--values", "1,1", "--shards", "2",
                "--partition", "layers", "--cluster", cluster, cwd=tmp_path)
    assert split.returncode == 0, split.stderr
    assert split.stdout == plain.stdout

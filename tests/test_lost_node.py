"""A lost node: a real two-node Ray cluster of the test's own (its ports, its folders), whose worker
node (its `ray start`, raylet and everything under them) is SIGKILLed while a run learns on it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from test_durable import same_bits
from test_shards import cluster_environment, start_node, stop_nodes
from test_shards_local import descendants

from test_cli import run

# a driver that waits until the cluster counts both nodes alive (as a run's driver places its shards)
WAIT_FOR_TWO = """
import sys, time, ray
ray.init(address=sys.argv[1], log_to_driver=False, logging_level="ERROR")
while sum(n["Alive"] for n in ray.nodes()) < 2:
    time.sleep(0.2)
"""
# three passes of about 4 s each with two shards on the cluster: the node is killed once the first is done,
# with two to go (its loss is seen within about 2 s: cluster_environment)
ARGS = ["--data", "iris", "--epochs", "3", "--seed", "4", "--checkpoint-every", "20"]


def shards_on(folder: Path) -> list[int]:
    """The shard processes of the node whose temporary folder is `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(b"ray::ShardProcess"):
                parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                if str(folder).encode() in Path(f"/proc/{parent}/cmdline").read_bytes():
                    found.append(int(entry.name))
        except (OSError, IndexError):
            pass
    return found


@pytest.mark.ray
@pytest.mark.subprocess
@pytest.mark.slow
def test_a_lost_node_s_shard_is_rebuilt_on_a_live_node_and_the_run_ends_with_the_same_bits(tmp_path):
    undisturbed = run("learn", *ARGS, "--save", tmp_path / "undisturbed.npz")
    assert undisturbed.returncode == 0, undisturbed.stderr
    root = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short: Ray's socket paths must fit in 107 bytes
    nodes = []
    try:
        head, address = start_node(root / "head", None)
        nodes.append(head)
        second, _ = start_node(root / "second", address)
        nodes.append(second)
        both = subprocess.run([sys.executable, "-c", WAIT_FOR_TWO, address], env=cluster_environment(), timeout=300)
        assert both.returncode == 0, "the second node never joined"
        learning = subprocess.Popen(
            [str(Path(sys.executable).parent / "exmachina"), "learn", *ARGS, "--shards", "2", "--cluster", address,
             "--save", str(tmp_path / "m.npz"), "--report", str(tmp_path / "r.json")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=cluster_environment())
        said: list[str] = []
        first_pass = threading.Event()  # its row printed: the run is learning, two passes to go

        def read() -> None:  # (keeps reading, so that the run never blocks on a full pipe)
            for line in learning.stderr:
                said.append(line)
                if line.split()[:1] == ["1/3"]:
                    first_pass.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.monotonic() + 300
        while not (shards_on(root / "second") and first_pass.is_set()):  # a shard learning on the second node
            assert learning.poll() is None and time.monotonic() < deadline, "".join(said)
            time.sleep(0.05)
        for pid in [second.pid, *descendants(second.pid)]:  # the node: all of it at once
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        learning.wait(timeout=300)
        reader.join(10)
        out, err = learning.stdout.read(), "".join(said)
        assert learning.returncode == 0, err
        assert "3/3" in err  # it learned every pass, not only those before the kill
        assert "Traceback" not in out + err
        assert same_bits(tmp_path / "m.npz", tmp_path / "undisturbed.npz")
        report = json.loads((tmp_path / "r.json").read_text())
        assert report["restarts"] >= 1
        assert len(set(report["shard_nodes"])) == 1  # both shards on the head, the one node left
        moved = report["shard_moves"]
        assert len(moved) == 1 and moved[0]["to"] == report["shard_nodes"][0] != moved[0]["from"], moved
    finally:
        stop_nodes(nodes)
        shutil.rmtree(root, ignore_errors=True)

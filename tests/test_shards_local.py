"""Shards without the test cluster: a Ray that `learn` starts here, options refused before any Ray
starts, and no Ray at all where no shard is asked for."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from test_cli import assert_refused, run


@pytest.mark.slow
def test_learn_starts_ray_here_without_an_address_and_predict_takes_shards_too(tmp_path):
    learned_ = run("learn", "--data", "xor", "--epochs", "20", "--layers", "2,3,2", "--loss", "cross_entropy",
                   "--shards", "1", "--save", tmp_path / "xor.json", cwd=tmp_path)
    assert learned_.returncode == 0, learned_.stderr
    plain = run("predict", tmp_path / "xor.json", "--values", "0,1", "--values", "1,1", cwd=tmp_path)
    split = run("predict", tmp_path / "xor.json", "--values", "0,1", "--values", "1,1", "--shards", "2",
                "--partition", "layers", cwd=tmp_path)
    assert split.returncode == 0, split.stderr
    assert split.stdout == plain.stdout


def test_bad_shard_options_are_refused_in_one_line(tmp_path):
    assert_refused(run("learn", "--data", "xor", "--shards", "0", cwd=tmp_path),
                   "--shards 0: the shards must be a whole number, at least 1")
    assert_refused(run("learn", "--data", "xor", "--shards", "4", cwd=tmp_path),
                   "4 shards but the largest layer has 3 neurons", "at most 3")
    assert_refused(run("learn", "--data", "xor", "--layers", "2,3,1", "--shards", "4", "--partition", "layers",
                       cwd=tmp_path), "3 layers")
    assert_refused(run("learn", "--data", "xor", "--cluster", "127.0.0.1:6379", cwd=tmp_path),
                   "--cluster '127.0.0.1:6379': needs --shards too")
    assert_refused(run("learn", "--data", "xor", "--shards", "2", "--engine", "matrix", cwd=tmp_path),
                   "--engine actors")
    assert_refused(run("learn", "--data", "xor", "--shards", "2", "--partition", "rows", cwd=tmp_path),
                   "--partition 'rows'")


def test_an_unreachable_cluster_is_refused_within_thirty_seconds(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nobody listens there once closed
    started = time.monotonic()
    assert_refused(run("learn", "--data", "xor", "--shards", "2", "--cluster", f"127.0.0.1:{port}", cwd=tmp_path,
                       timeout=60),
                   f"--cluster 127.0.0.1:{port}: cannot reach")
    assert time.monotonic() - started < 30


def test_without_ray_installed_shards_are_refused_and_nothing_else_needs_it(tmp_path):
    without_ray = "import sys; sys.modules['ray'] = None; from exmachina.cli import app; app()"
    refused = run("learn", "--data", "xor", "--shards", "2", how=[sys.executable, "-c", without_ray], cwd=tmp_path)
    assert_refused(refused, 'pip install "exmachina[cluster]"')
    plain = run("learn", "--data", "xor", "--epochs", "5", how=[sys.executable, "-c", without_ray], cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr


def test_without_shards_ray_is_never_imported():
    program = """
import sys
import numpy as np
from exmachina import Network
net = Network.layered([3, 4, 2], seed=1)
x = np.random.default_rng(0).uniform(0, 1, (20, 3)); y = (x[:, 0] > 0.5).astype(int)
net.fit(x, y, epochs=2)
net.predict(x)
assert "ray" not in sys.modules, "Ray was imported"
print("no ray")
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no ray"

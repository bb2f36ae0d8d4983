"""Shards without the test cluster: a Ray that `learn` starts here, options refused before any Ray
starts, and no Ray at all where no shard is asked for."""

from __future__ import annotations

import http.server
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from exmachina import Network

from test_cli import EXMACHINA, assert_refused, environment, run


@pytest.mark.subprocess
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


@pytest.mark.ray
@pytest.mark.subprocess
def test_an_unreachable_cluster_is_refused_without_waiting(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nobody listens there once closed
    # Ray alone would wait minutes: the run's timeout ends the test before that
    assert_refused(run("learn", "--data", "xor", "--shards", "2", "--cluster", f"127.0.0.1:{port}", cwd=tmp_path,
                       timeout=60),
                   f"--cluster 127.0.0.1:{port}: cannot reach")


@pytest.mark.subprocess
def test_without_ray_installed_shards_are_refused_and_nothing_else_needs_it(tmp_path):
    without_ray = "import sys; sys.modules['ray'] = None; from exmachina.cli import app; app()"
    refused = run("learn", "--data", "xor", "--shards", "2", how=[sys.executable, "-c", without_ray], cwd=tmp_path)
    assert_refused(refused, 'pip install "exmachina[cluster]"')
    plain = run("learn", "--data", "xor", "--epochs", "5", how=[sys.executable, "-c", without_ray], cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr


@pytest.mark.subprocess
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


@pytest.mark.ray
@pytest.mark.subprocess
def test_a_cluster_address_where_something_else_answers_is_refused_without_waiting(tmp_path):
    """A web server (or any service that is not a Ray head) on the port: Ray would wait for minutes (past
    the run's timeout)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        result = run("learn", "--data", "xor", "--shards", "2", "--cluster", f"127.0.0.1:{port}", cwd=tmp_path,
                     timeout=120)
    finally:
        server.shutdown()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"error: --cluster 127.0.0.1:{port}: what answers there is not a Ray "
                                          "cluster (it does not speak gRPC, as a Ray head's port does); give the "
                                          "address that `ray start --head` printed"]


@pytest.mark.subprocess
def test_where_ray_cannot_start_it_is_one_line_at_once(tmp_path):
    """Under an address-space limit (`ulimit -v`) Ray's raylet cannot map its object store: once a
    traceback after 35 s, now one line before Ray is started."""
    limit = 4 << 30

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    ray_folder = tmp_path / "ray"  # where Ray would make its session: it must never be started
    result = subprocess.run([*EXMACHINA, "learn", "--data", "xor", "--shards", "1", "--save", "m.json"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120, preexec_fn=limited,
                            env={**environment(), "RAY_TMPDIR": str(ray_folder)})
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        f"error: --shards: Ray cannot start under this address-space limit (ulimit -v {limit >> 10})")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.ray
@pytest.mark.subprocess
@pytest.mark.slow
@pytest.mark.parametrize("command", [["learn", "--data", "xor", "--save", "m.json"],
                                     ["predict", "model.json", "--values", "0,1"]])
def test_where_ray_fails_to_start_it_is_one_line_with_what_to_try_and_status_1(tmp_path, command):
    """Ray's own processes that do not start (here: its folder cannot be made; under load, its raylet
    timing out) are the machine's failure, not the command's: one line that says what to try, exit 1."""
    Network.layered([2, 3, 2]).save(tmp_path / "model.json")
    result = subprocess.run([*EXMACHINA, *command, "--shards", "1"], capture_output=True, text=True, cwd=tmp_path,
                            env={**environment(), "RAY_TMPDIR": "/proc/no-such-folder"}, timeout=300)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and "Traceback" not in result.stderr and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: --shards: Ray could not start on this machine (") and "/proc/no-such-folder" \
        in lines[0] and lines[0].endswith("or leave out --shards")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def descendants(pid: int) -> set[int]:
    """Every process started, directly or not, by `pid`."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.ray
@pytest.mark.subprocess
@pytest.mark.slow
def test_sigterm_while_shards_learn_is_one_line_143_keeps_the_model_and_leaves_no_process(tmp_path):
    model = tmp_path / "m.json"
    Network.layered([2, 3, 1], loss="squared", seed=1).save(model)
    before = model.read_bytes()
    learning = subprocess.Popen([*EXMACHINA, "learn", "--data", "xor", "--shards", "2", "--epochs", "100000",
                                 "--save", "m.json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=tmp_path, env=environment())
    try:
        deadline = time.monotonic() + 120
        while not any(Path(f"/proc/{p}/cmdline").read_bytes().startswith(b"ray::ShardProcess")
                      for p in descendants(learning.pid) if alive(p)):
            assert time.monotonic() < deadline and learning.poll() is None, "the shards never started"
            time.sleep(0.2)
        time.sleep(1)  # learning now
        started = descendants(learning.pid)
        learning.send_signal(signal.SIGTERM)
        out, err = learning.communicate(timeout=120)
    finally:
        learning.kill()
    assert learning.returncode == 143, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted during pass ") and "(SIGTERM)" in lines[0], err
    assert lines[0].endswith("m.json left as it was") and "Traceback" not in out + err
    assert model.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
    deadline = time.monotonic() + 30
    while [p for p in started if alive(p)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in started if alive(p)], "Ray's processes outlived the run"

"""Every setting of `fit` checked in one place, by name; the learning rate carried by one object."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from exmachina import Network
from exmachina.network.training import SettingError, Training

from viewing import request


@pytest.mark.parametrize("settings, field", [
    ({"epochs": -1}, "epochs"), ({"learning_rate": 0.0}, "learning_rate"), ({"batch_size": 0}, "batch_size"),
    ({"in_flight": 0}, "in_flight"), ({"noise": -0.1}, "noise"), ({"engine": "gpu"}, "engine"),
    ({"shards": 0}, "shards"), ({"partition": "rows"}, "partition"), ({"checkpoint_every": 0}, "checkpoint_every"),
    ({"engine": "matrix", "in_flight": 2}, "in_flight"), ({"engine": "matrix", "noise": 0.1}, "noise"),
    ({"cluster": "127.0.0.1:6379"}, "cluster"), ({"shards": 2, "shuffle_delivery": True}, "shuffle_delivery"),
])
def test_a_setting_out_of_range_is_refused_by_fit_naming_its_field(settings, field):
    net = Network.layered([2, 2, 2], seed=0)
    with pytest.raises(SettingError) as refused:
        net.fit(np.zeros((4, 2)), [0, 1, 0, 1], **settings)
    assert refused.value.field == field and str(refused.value).startswith(f"{field} ")
    assert np.array_equal(net.blueprint.weights, Network.layered([2, 2, 2], seed=0).blueprint.weights)


def test_numbers_from_numpy_are_numbers():
    training = Training(epochs=np.int64(3), batch_size=np.int32(2), learning_rate=np.float32(0.5))
    assert training.epochs == 3 and training.batch_size == 2
    with pytest.raises(SettingError):
        Training(learning_rate=True)


@pytest.mark.subprocess
def test_a_rate_set_on_the_page_is_the_rate_the_saved_model_records(tmp_path):
    """`learn --watch`: the page's rate reaches the neurons and the model file, not the rate it started with."""
    command = [sys.executable, "-m", "exmachina", "learn", "--data", "xor", "--epochs", "30", "--watch", "--paused",
               "--save", "m.json"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = process.stderr.readline()
        address = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert address, line + process.stderr.read()
        own = address.group(0).rstrip("/")
        headers = {"Content-Type": "application/json", "Origin": own}
        for control in ({"action": "learning_rate", "value": 0.5}, {"action": "resume"}):
            assert request(own, "POST", "/control", headers, json.dumps(control)) == 200
        for _ in range(600):  # saved, then served until interrupted
            if (tmp_path / "m.json").exists():
                break
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    training = Network.load(tmp_path / "m.json").blueprint.training
    assert training["learning_rate"] == 0.5 and training["epochs"] == 30 and training["data"] == "xor"


@pytest.mark.subprocess
def test_the_command_line_checks_checkpoint_every_by_fits_rule(tmp_path):
    """--checkpoint-every is `checkpoint_every`, refused by its rule in one line before any work."""
    refused = subprocess.run([sys.executable, "-m", "exmachina", "learn", "--checkpoint", "ck",
                              "--checkpoint-every", "0"], capture_output=True, text=True, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: --checkpoint-every 0: a checkpoint must come every 1 example or more"
    assert not (tmp_path / "ck").exists()

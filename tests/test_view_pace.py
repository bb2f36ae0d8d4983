"""The live view at a pace a person can follow: the page's pace control, `--paused`, a server that
outlives the learning, curves from the first example and a recent accuracy that rolls across passes.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from exmachina import Network

from test_cli import environment
from viewing import WAIT, digits, number, request, wait_examples, wait_state


def counted(page, seconds: float) -> int:
    """How many examples the page counts in `seconds`."""
    start = wait_examples(page, lambda count: True)
    page.wait_for_timeout(seconds * 1000)
    return int(number(page, "#examples")) - start


def test_the_pace_control_holds_learning_to_one_or_ten_examples_a_second_or_lets_it_run(page, runs):
    x, y = digits(300)
    run = runs(Network.layered([64, 8, 10], seed=0), x, y, epochs=100)
    page.goto(run.watcher.address)
    page.wait_for_selector("#network .neuron", timeout=WAIT)
    assert page.input_value("#pace") == ""  # unlimited until asked
    page.select_option("#pace", "1")
    deadline = time.monotonic() + WAIT / 1000
    while run.watcher.session.pace != 1:  # the page's request has reached the server: no example runs unpaced
        assert time.monotonic() < deadline, "the pace never reached the server"
        time.sleep(0.05)
    run.start()
    wait_examples(page, lambda count: count >= 1)
    assert run.watcher.session.pace == 1
    assert counted(page, 3) <= 4  # one a second (a frame may lag behind: four at most in three seconds)
    page.select_option("#pace", "10")
    page.wait_for_timeout(300)
    assert 5 <= counted(page, 2) <= 24  # ten a second
    page.select_option("#pace", "")
    page.wait_for_timeout(300)
    assert counted(page, 2) > 100  # unlimited: as fast as the machine goes
    assert run.watcher.session.pace is None


def test_a_pace_that_is_not_offered_is_refused(runs):
    run = runs(Network.layered([2, 3, 2], seed=0), np.zeros((4, 2)), [0, 1, 0, 1])
    for bad in (5, 0, -1, "10", True, 1e9, [10]):
        with pytest.raises(ValueError, match="pace must be one of 1, 10, 100"):
            run.watcher.session.control("pace", bad)
    assert run.watcher.session.pace is None


def test_curves_start_at_the_first_example_though_no_page_was_open(page, runs):
    x, y = digits(400)
    run = runs(Network.layered([64, 8, 10], seed=0), x[:300], y[:300], epochs=3, held_out=(x[300:], y[300:]))
    run.start()
    run.thread.join(60)
    page.goto(run.watcher.address)  # only now does anyone look
    wait_state(page, "finished")
    train = page.locator("#curves .curve.train.accuracy")
    assert train.get_attribute("data-first") == "1"  # the very first example is on the curve
    assert int(train.get_attribute("data-points")) >= 5  # a point each time progress is taken in (every 20 ms)
    held = page.locator("#curves .curve.held.loss")
    assert int(held.get_attribute("data-points")) >= 2  # a point per snapshot, taken while nobody watched
    assert held.get_attribute("data-first") == "0"  # from the untrained network on
    curve = run.watcher.frame()["curve"]["train"]
    assert curve["examples"][-1] <= 900 and len(curve["examples"]) <= 401
    hits = np.array(run.hits, dtype=float)  # the recorded accuracy is over the 200 before each point
    for examples, accuracy in list(zip(curve["examples"], curve["accuracy"]))[::40]:
        assert accuracy == pytest.approx(hits[max(0, examples - 200):examples].mean())


def test_the_recent_accuracy_rolls_across_passes(page, runs):
    x, y = digits(150)  # passes shorter than the 200 predictions the figure is over
    run = runs(Network.layered([64, 8, 10], seed=0), x, y, epochs=1000)  # more than the test waits for
    page.goto(run.watcher.address)
    run.start()
    wait_examples(page, lambda count: count > 320)
    page.click("#pause")
    wait_state(page, "paused")
    page.wait_for_selector(f"#examples[data-value='{run.watcher.session.examples}']", timeout=WAIT)
    shown = number(page, "#accuracy")
    assert shown == pytest.approx(np.mean(run.hits[-200:]))  # the last 200, reaching into the pass before


def served(process: subprocess.Popen, said: list[str]) -> str:
    """Read the command's stderr until it prints its address (the rest is read in a thread)."""
    while True:
        line = process.stderr.readline()
        assert line, f"the command ended without serving: {''.join(said)}"
        said.append(line)
        if "watch it learn at" in line:
            threading.Thread(target=lambda: said.extend(process.stderr), daemon=True).start()
            return re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)


def first_frame(address: str) -> dict:
    """The first frame the event stream sends."""
    host, port = address.split("//")[1].strip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=20)
    connection.request("GET", "/events")
    stream = connection.getresponse()
    try:
        for line in stream:
            if line.startswith(b"event: frame"):
                return json.loads(stream.readline().decode()[len("data: "):])
    finally:
        connection.close()
    raise AssertionError("no frame")


@pytest.mark.subprocess
@pytest.mark.parametrize("command", [
    ["learn", "--data", "xor", "--epochs", "50", "--watch"],
    ["watch", "MODEL", "--data", "xor", "--epochs", "50", "--paused"],
])
def test_a_watched_run_waits_for_a_page_or_the_page_and_the_server_keeps_the_final_state(tmp_path, command):
    """Without --paused a watched run waits for a page to open; with it, for the page to resume."""
    model = tmp_path / "model.json"
    Network.layered([2, 3, 1], loss="squared", seed=0).save(model)
    command = [str(model) if part == "MODEL" else part for part in command]
    process = subprocess.Popen([sys.executable, "-m", "exmachina", *command], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=environment())
    said: list[str] = []
    try:
        address = served(process, said)
        time.sleep(1)  # 200 examples of xor take a few milliseconds: a run that did not wait is over
        assert not any("until Ctrl-C" in line for line in said), "".join(said)
        frame = first_frame(address)  # a page opens
        if "--paused" in command:
            assert frame["examples"] == 0 and frame["paused"], frame  # nothing learned until the page says so
            assert request(address, "POST", "/control", {"Content-Type": "application/json",
                                                         "Origin": address.rstrip("/")},
                           json.dumps({"action": "resume"})) == 200
        deadline = time.monotonic() + 60
        while not any("until Ctrl-C" in line for line in said):
            assert time.monotonic() < deadline and process.poll() is None, "".join(said)
            time.sleep(0.1)
        frame = first_frame(address)  # the run is over, and its final state is still served
        assert frame["state"] == "finished" and frame["examples"] == 50 * 4, frame
        assert frame["curve"]["train"]["examples"][-1] == 200
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(30)
    time.sleep(0.2)
    text = "".join(said)
    assert code == 130, text  # served until Ctrl-C: 128 + SIGINT, as any command stops
    waits = "paused: press resume" if "--paused" in command else "waiting for a page to open"
    assert waits in text and "stopped" in text and "Traceback" not in text, text

"""The live view, driven in a real headless Chromium (Debian's `chromium`) through Playwright.

Each test serves a real network on a real uvicorn server, trains it in a thread with `fit`'s own
`on_progress` hook, and reads what the page shows. If Chromium is missing the tests fail, saying
how to install it: a browser test that skips would hide a view nobody checked.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import numpy as np
import pytest

from exmachina import Network
from exmachina.shards.placement import place
from exmachina.watch import serve

import commands
from test_cli import environment
from viewing import ROOT, WAIT, digits, examples, number, request, tip_of, wait_examples, wait_state

# -- what the page shows -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [[64, 16, 10], [2, 5, 4, 3]])
def test_the_page_loads_and_draws_every_neuron_of_the_blueprint(page, runs, shape):
    net = Network.layered(shape, activation="tanh", seed=1)
    if shape[0] == 64:
        x, y = digits(300)
    else:
        x = np.random.default_rng(0).normal(size=(90, 2))
        y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    run = runs(net, x, y, paused=True)
    page.goto(run.watcher.address)
    page.wait_for_selector("#network .neuron", timeout=WAIT)
    assert page.locator("#network .neuron").count() == net.blueprint.size
    assert page.locator("#network .neuron.output").count() == shape[-1]
    page.wait_for_selector(f"#synapses[data-drawn='{len(net.blueprint.sources)}']", timeout=WAIT)  # every one
    assert page.is_hidden("#shard-legend") and page.locator("#network .shard-ring, #network [data-shard]").count() == 0
    if shape[0] == 64:  # image data: each hidden neuron's weights as an image
        page.wait_for_selector("#images-panel:not([hidden])", timeout=WAIT)
        assert page.locator("#weights canvas").count() == shape[1]
        assert page.is_hidden("#plane-panel")
    else:  # the plane: a map inside each neuron and the output's confidence
        page.wait_for_selector("#plane-panel:not([hidden])", timeout=WAIT)
        page.wait_for_selector(f"#synapses[data-maps='{net.blueprint.size - shape[0]}']", timeout=WAIT)
        assert page.is_hidden("#images-panel")
    assert page.title() == "exmachina: watch it learn"
    # messages/s is worked out from a count per example, and the page says so
    assert "computed" in page.inner_text("#mps-name").lower()
    assert f"{run.watcher.messages_per_call:,} messages per example" in page.get_attribute("#mps-name", "title")


def watched_digits(page, runs, epochs: int, pace: int | None = None):
    """A 64-16-10 network learning 1,400 digits (the rest held out), on a page that is open.

    At `pace` examples a second if given (the page's own control), else as fast as it goes.
    """
    x, y = digits()
    run = runs(Network.layered([64, 16, 10], seed=0), x[:1400], y[:1400], epochs=epochs,
               held_out=(x[1400:], y[1400:]))
    page.goto(run.watcher.address)
    page.wait_for_selector("#network .neuron", timeout=WAIT)
    if pace is not None:
        page.select_option("#pace", str(pace))
        while run.watcher.session.pace != pace:  # the page has told the server
            page.wait_for_timeout(20)
    return run.start()


@pytest.mark.slow
def test_the_accuracy_shown_rises_while_training_runs(page, runs):
    # more passes than the test needs, so that a fast machine cannot finish before the page is read
    run = watched_digits(page, runs, epochs=30, pace=100)  # slow enough for the first frames to come early
    shown = []  # (examples, accuracy) as the page showed them

    def risen() -> bool:  # what the test checks below, as soon as the page shows it
        held = number(page, "#held-accuracy")
        return len(shown) >= 4 and shown[-1][1] >= shown[0][1] + 0.2 and held is not None and held > 0.5

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.thread.is_alive() and not risen():
        accuracy, seen = number(page, "#accuracy"), number(page, "#examples")
        # the shown accuracy is over the last 200 predictions: read it once it averages 50 or more
        if accuracy is not None and seen >= 50 and (not shown or shown[-1][0] != seen):
            shown.append((seen, accuracy))
        page.wait_for_timeout(100)
    assert len(shown) >= 3, shown
    first, last = shown[0], shown[-1]
    assert last[0] > first[0]
    assert last[1] >= first[1] + 0.2, shown  # from near chance to most digits right
    held = number(page, "#held-accuracy")
    assert held is not None and held > 0.5
    assert number(page, "#eps") is not None and number(page, "#mps") is not None


def test_pause_stops_the_counter_resume_restarts_it_and_step_lets_exactly_one_example_through(page, runs):
    x, y = digits(600)
    run = runs(Network.layered([64, 16, 10], seed=0), x, y, epochs=30)
    page.goto(run.watcher.address)
    run.start()
    wait_examples(page, lambda count: count > 20)
    page.click("#pause")
    wait_state(page, "paused")
    stopped = examples(page)
    assert stopped == run.watcher.session.examples
    page.wait_for_timeout(1000)
    assert examples(page) == stopped == run.watcher.session.examples
    for n in (1, 2):
        page.click("#step")
        wait_examples(page, lambda count, n=n: count == stopped + n)
        wait_state(page, "paused")
        page.wait_for_timeout(400)
        assert examples(page) == stopped + n == run.watcher.session.examples
    page.click("#resume")
    wait_examples(page, lambda count: count > stopped + 20)
    assert page.get_attribute("#status", "data-state") == "running"


def shown_outputs(page) -> list[float | None]:
    """The output neurons' activities as their tips on the page say."""
    values = []
    for k in range(page.locator("#network .neuron.output").count()):
        page.hover(f"#network .neuron.output >> nth={k}")
        page.wait_for_selector("#tip:not([hidden])", timeout=WAIT)
        raw = re.search(r"activity (\S+)", page.inner_text("#tip")).group(1)
        values.append(None if raw == "–" else float(raw))
    page.mouse.move(0, 0)
    return values


def guess_of(net, outputs) -> str:
    return str(net.classes[int(np.argmax(outputs))])


@pytest.mark.parametrize("engine", ["actors", "matrix"])
def test_the_current_example_is_the_one_the_teacher_just_scored_with_the_outputs_it_saw(page, runs, engine):
    x, y = digits(40)
    net = Network.layered([64, 8, 10], seed=3)
    run = runs(net, x, y, epochs=1, paused=True, shuffle=False, engine=engine)
    page.goto(run.watcher.address)
    page.wait_for_selector("#example:has-text('no example scored yet')", timeout=WAIT)
    assert page.get_attribute("#example", "data-index") == ""
    assert shown_outputs(page) == [None] * 10
    run.start()
    wait_state(page, "paused")  # before the first example
    for n in range(4):  # in the given order: examples 0, 1, 2, 3, one let through at a time
        page.click("#step")
        page.wait_for_selector(f"#example[data-index='{n}']", timeout=WAIT)
        wait_state(page, "paused")
        batch, outputs = run.scored[-1]
        assert batch.tolist() == [n]  # the teacher just scored example n and nothing after it
        assert page.get_attribute("#example", "data-label") == str(y[n])
        assert page.get_attribute("#example", "data-guess") == guess_of(net, outputs[0])
        assert page.inner_text("#example") == (f"example {n}: label {y[n]}, the network said "
                                               f"{guess_of(net, outputs[0])} "
                                               f"({'right' if guess_of(net, outputs[0]) == str(y[n]) else 'wrong'})")
        assert shown_outputs(page) == pytest.approx(outputs[0].tolist(), rel=1e-3, abs=1e-6)
    items = page.locator("#predictions .prediction")
    assert [items.nth(k).get_attribute("data-index") for k in range(items.count())] == ["3", "2", "1", "0"]
    for k in range(4):
        _, outputs = run.scored[3 - k]
        assert items.nth(k).get_attribute("data-guess") == guess_of(net, outputs[0])


def test_recent_predictions_are_the_last_twelve_scored_marked_right_or_wrong_against_their_labels(page, runs):
    x, y = digits(300)
    net = Network.layered([64, 16, 10], seed=0)
    run = runs(net, x, y, epochs=2000, batch_size=5)  # shuffled, five examples a call; more than the test waits for
    page.goto(run.watcher.address)
    run.start()
    wait_examples(page, lambda count: count > 100)
    page.click("#pause")
    wait_state(page, "paused")
    newest = run.scored[-1][0][-1]
    page.wait_for_selector(f"#example[data-index='{newest}']", timeout=WAIT)
    indices = np.concatenate([batch for batch, _ in run.scored[-3:]])[::-1][:12]  # newest first
    outputs = np.concatenate([rows for _, rows in run.scored[-3:]])[::-1][:12]
    items = page.locator("#predictions .prediction")
    assert items.count() == 12
    shown = [{key: items.nth(k).get_attribute(f"data-{key}") for key in ("index", "label", "guess", "right")}
             | {"class": items.nth(k).get_attribute("class")} for k in range(12)]
    assert [int(s["index"]) for s in shown] == indices.tolist()
    assert [s["label"] for s in shown] == [str(y[i]) for i in indices]
    assert [s["guess"] for s in shown] == [guess_of(net, row) for row in outputs]
    rights = [s["right"] == "true" for s in shown]
    assert rights == [guess_of(net, row) == str(y[i]) for i, row in zip(indices, outputs)]
    assert rights == run.hits[-12:][::-1]  # the teacher's own hits
    assert [("right" if r else "wrong") in s["class"].split() for r, s in zip(rights, shown)] == [True] * 12
    assert page.get_attribute("#example", "data-index") == str(indices[0])


def test_messages_per_example_match_the_runtimes_own_count(runs):
    x, y = digits(60)
    for batch_size in (1, 4):
        run = runs(Network.layered([64, 8, 10], seed=0), x, y, epochs=1, batch_size=batch_size)
        history = run.net.fit(x, y, epochs=1, batch_size=batch_size, on_progress=run.watcher.on_progress)
        assert history[0]["messages"] == run.watcher.session.calls * run.watcher.messages_per_call


def test_a_learning_rate_set_on_the_page_reaches_the_neurons(page, runs):
    x, y = digits(400)
    run = runs(Network.layered([64, 16, 10], seed=0), x, y, epochs=20, learning_rate=0.5, paused=True)
    page.goto(run.watcher.address)
    run.start()
    wait_state(page, "paused")
    session = run.watcher.session

    def step_and_measure() -> float:
        """How far one example moved the weights."""
        before, count = session.snapshot, session.examples
        page.click("#step")
        wait_examples(page, lambda shown: shown == count + 1)
        wait_state(page, "paused")
        return float(np.abs(session.snapshot.weights - before.weights).max())

    step_and_measure()  # the first example: scored, its errors not yet back when it pauses
    assert step_and_measure() > 1e-4  # at 0.5
    page.fill("#rate-input", "1e-6")
    page.click("#rate-set")
    step_and_measure()  # the rate is handed to fit when the paused example is let go
    assert run.rates == [1e-6]
    assert number(page, "#rate") == 1e-6
    assert step_and_measure() < 1e-5
    page.fill("#rate-input", "3")
    page.click("#rate-set")
    step_and_measure()
    assert step_and_measure() > 1e-4
    assert run.rates == [1e-6, 3.0]
    page.fill("#rate-input", "-1")
    page.click("#rate-set")
    page.wait_for_selector("#control-error:text('a number from 1e-06 to 10')", timeout=WAIT)


def test_a_page_on_a_finished_run_says_so_and_then_that_the_process_ended(page, runs):
    x, y = digits(200)
    run = runs(Network.layered([64, 8, 10], seed=0), x, y).start()
    run.thread.join(60)
    page.goto(run.watcher.address)
    wait_state(page, "finished")
    assert "finished" in page.inner_text("#banner")
    assert "200 examples" in page.inner_text("#banner")
    assert page.is_disabled("#pause") and page.is_disabled("#step")
    run.watcher.close()  # the process goes away
    wait_state(page, "ended")
    assert "ended" in page.inner_text("#banner")


# -- shards ------------------------------------------------------------------------------------------


def shown_shards(page) -> dict[int, int]:
    """Each neuron's shard as the drawing marks it, and that every ring has its shard's one colour."""
    cells, rings = page.locator("#network .neuron"), page.locator("#network .shard-ring")
    shown = {int(cells.nth(k).get_attribute("data-neuron")): int(cells.nth(k).get_attribute("data-shard"))
             for k in range(cells.count())}
    colours = {}
    for k in range(rings.count()):
        ring = rings.nth(k)
        colours.setdefault(int(ring.get_attribute("data-shard")), set()).add(ring.get_attribute("stroke"))
    assert all(len(c) == 1 for c in colours.values()) and len(set.union(*colours.values())) == len(colours), colours
    return shown


def check_shards_shown(page, blueprint, home: list[int], hovered: list[int]) -> None:
    """The drawing, the legend and the tips of the `hovered` neurons show the shards of `home`."""
    page.wait_for_selector("#shard-legend:not([hidden])", timeout=WAIT)
    assert shown_shards(page) == dict(enumerate(home))
    keys = page.locator("#shard-legend .shard-key")
    assert [keys.nth(k).inner_text().strip() for k in range(keys.count())] == [f"shard {k}" for k in
                                                                              range(1, max(home) + 1)]
    for n in hovered:
        assert f"neuron {n} ({blueprint.kinds[n]}, " in (text := tip_of(page, f"#network .neuron[data-neuron='{n}']"))
        assert f"on shard {home[n]}" in text, text


@pytest.mark.parametrize("shape, shards, partition", [([2, 5, 4, 3], 2, "layers"), ([64, 16, 10], 3, "spread")])
def test_the_page_shows_the_shard_each_neuron_lives_on(page, shape, shards, partition):
    net = Network.layered(shape, seed=0)
    x, y = (digits(100) if shape[0] == 64 else (np.random.default_rng(0).normal(size=(40, 2)), np.arange(40) % 3))
    home = place(net.blueprint, shards, partition)[:net.blueprint.size].tolist()
    assert set(home) == set(range(1, shards + 1))
    with serve(net, x, y, paused=True, quiet=True, shards=shards, partition=partition) as watcher:
        assert watcher.network["shards"] == home and watcher.network["partition"] == partition
        assert all(type(k) is int for k in watcher.network["shards"])
        page.goto(watcher.address)
        page.wait_for_selector("#network .neuron", timeout=WAIT)
        hovered = [layer[-1] for layer in net.blueprint.layers()]  # one neuron of each layer
        check_shards_shown(page, net.blueprint, home, hovered)
        # an image's sensors are cells edged in their shard's colour; every other neuron has a ring
        assert page.locator("#network .shard-ring").count() == net.blueprint.size - (64 if shape[0] == 64 else 0)
        assert page.locator("#network .neuron").count() == net.blueprint.size
        n = net.blueprint.size - 1  # the inspector says where a neuron lives too
        page.click(f"#network .neuron[data-neuron='{n}']")
        page.wait_for_selector(f"#inspected[data-neuron='{n}']", timeout=WAIT)
        assert page.inner_text("#inspected-where").endswith(f"on shard {home[n]}")


@pytest.mark.ray
@pytest.mark.subprocess
@pytest.mark.slow
def test_learn_on_shards_with_watch_shows_the_shard_of_every_neuron(page, tmp_path):
    """`exmachina learn --shards 2 --watch` for real: a local Ray, two shards, the page, then Ctrl-C."""
    command = [sys.executable, "-m", "exmachina", "learn", "--data", "xor2d", "--points", "80", "--layers", "2,6,2",
               "--epochs", "200", "--shards", "2", "--watch"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path, env=environment())
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(process.stderr), daemon=True)
    try:
        while not any("watch it learn at" in line for line in said):
            line = process.stderr.readline()
            assert line, f"the command ended without serving: {''.join(said)}"
            said.append(line)
        reader.start()  # keeps reading, so that the command never blocks on a full pipe
        address = re.search(r"http://127\.0\.0\.1:\d+/", "".join(said)).group(0)
        blueprint = Network.layered([2, 6, 2], seed=0).blueprint  # what learn builds: the same wiring
        home = place(blueprint, 2, "spread")[:blueprint.size].tolist()
        host, port = address.split("//")[1].strip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/events")
        stream = connection.getresponse()
        assert stream.readline().decode().strip() == "event: network"
        network = json.loads(stream.readline().decode()[len("data: "):])
        connection.close()
        assert network["shards"] == home and network["partition"] == "spread"
        page.goto(address)
        page.wait_for_selector("#network .neuron", timeout=WAIT)
        # Ray starts once the page opens (the run waits for one): its start-up and the first example, which
        # take seconds on an idle machine and minutes on a loaded one
        wait_examples(page, lambda count: count > 0, seconds=300)
        assert page.get_attribute("#status", "data-state") == "running"
        check_shards_shown(page, blueprint, home, hovered=list(range(blueprint.size)))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    if reader.ident:
        reader.join(10)
    assert code == 130, "".join(said)
    assert "Traceback" not in "".join(said) and "interrupted during pass" in "".join(said), "".join(said)


# -- security ----------------------------------------------------------------------------------------


def test_other_origins_are_refused_and_nothing_outside_static_is_served(page, runs):
    x, y = digits(100)
    run = runs(Network.layered([64, 8, 10], seed=0), x, y, paused=False)
    address = run.watcher.address
    own = address.rstrip("/")
    pause = json.dumps({"action": "pause"})
    as_json = {"Content-Type": "application/json"}
    assert request(address, "POST", "/control", {**as_json, "Origin": "http://evil.example"}, pause) == 403
    assert request(address, "POST", "/control", as_json, pause) == 403  # no Origin: not from the page
    assert request(address, "GET", "/events", {"Origin": "http://evil.example"}) == 403
    assert request(address, "GET", "/", {"Host": "evil.example"}) == 403  # DNS rebinding
    assert not run.watcher.session.paused
    for path in ("/static/../server.py", "/static/%2e%2e/server.py", "/server.py", "/session.py",
                 "/static/../../network.py", "/etc/passwd", "/static/", "/static/nothing.js"):
        assert request(address, "GET", path, {}) == 404, path
    assert request(address, "GET", "/static/app.js", {}) == 200
    assert request(address, "POST", "/control", {**as_json, "Origin": own}, "{nope") == 400
    assert request(address, "POST", "/control", {**as_json, "Origin": own},
                   json.dumps({"action": "delete"})) == 400
    assert request(address, "POST", "/control", {"Content-Type": "text/plain", "Origin": own}, pause) == 415
    assert not run.watcher.session.paused
    # a page from another origin (localhost is not 127.0.0.1 to a browser) cannot pause the run
    port = address.rsplit(":", 1)[1].strip("/")
    page.goto(f"http://localhost:{port}/static/style.css")
    outcome = page.evaluate("""async (target) => {
        try { const r = await fetch(target, {method: "POST", headers: {"Content-Type": "application/json"},
                                             body: JSON.stringify({action: "pause"})}); return r.status; }
        catch (e) { return "blocked"; } }""", f"{own}/control")
    assert outcome in ("blocked", 403)
    assert not run.watcher.session.paused
    assert request(address, "POST", "/control", {**as_json, "Origin": own}, pause) == 200
    assert run.watcher.session.paused


@pytest.mark.subprocess
def test_training_without_the_view_imports_none_of_it():
    code = ("import sys; from exmachina import Network; import exmachina.cli; "
            "Network.layered([2, 3, 1], loss='squared').fit([[0, 1], [1, 0]], [[1], [0]], epochs=2); "
            "print(sorted(m for m in ('exmachina.watch', 'starlette', 'uvicorn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- the command -------------------------------------------------------------------------------------


@contextmanager
def watching_a_saved_model(tmp_path, *options: str):
    """`exmachina watch` on a saved 64-8-10 network, in a subprocess that Ctrl-C must end cleanly."""
    model = tmp_path / "model.json"
    Network.layered([64, 8, 10], seed=0).save(model)
    process = subprocess.Popen([sys.executable, "-m", "exmachina", "watch", str(model), *options],
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 130  # served until Ctrl-C: 128 + SIGINT, as any command stops


@pytest.mark.subprocess
def test_exmachina_watch_serves_a_saved_model_until_interrupted(tmp_path):
    with watching_a_saved_model(tmp_path, "--data", "digits") as process:
        line = process.stderr.readline()
        address = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert request(address, "GET", "/", {}) == 200
        host, port = address.split("//")[1].strip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/events")
        stream = connection.getresponse()
        assert stream.getheader("content-type").startswith("text/event-stream")
        assert stream.readline().decode().strip() == "event: network"
        network = json.loads(stream.readline().decode()[len("data: "):])
        assert network["neurons"] == 82 and network["data"]["kind"] == "image"
        connection.close()
    assert "Traceback" not in process.stderr.read()


@pytest.mark.subprocess
@pytest.mark.parametrize("arguments, message", [
    (["missing.json"], "missing.json"),
    (["MODEL", "--port", "70000"], "--port"),
    (["MODEL", "--save", "x.json"], "--save needs --epochs"),
    (["MODEL", "--data", "nothing"], "unknown data 'nothing'"),
    (["MODEL", "--learning-rate", "-1"], "learning rate must be a positive number"),
    (["MODEL", "--epochs", "1", "--save", "nowhere/x.json"], "--save nowhere/x.json: no such directory"),
    (["MODEL", "--frobnicate"], "No such option: --frobnicate"),
])
def test_exmachina_watch_bad_input_is_one_line_and_status_2(tmp_path, arguments, message):
    model = tmp_path / "model.json"
    Network.layered([64, 8, 10], seed=0).save(model)
    arguments = [str(model) if a == "MODEL" else a for a in arguments]
    done = commands.run(["watch", *arguments], tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.subprocess
def test_exmachina_watch_on_a_port_in_use_is_one_line_and_status_2(tmp_path):
    model = tmp_path / "model.json"
    Network.layered([64, 8, 10], seed=0).save(model)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = commands.run(["watch", model, "--port", port], tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot serve on 127.0.0.1:{port}" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and "None" not in done.stderr


def test_a_server_that_cannot_start_says_so_and_leaves_nothing_open(monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: sys.exit(1))  # as uvicorn does
    net = Network.layered([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match=r"^cannot serve on 127\.0\.0\.1:(\d+): the server stopped") as bad:
        serve(net, np.zeros((4, 2)), [0, 1, 0, 1], quiet=True)
    assert "\n" not in str(bad.value)
    assert not [t for t in threading.enumerate() if t.name == "exmachina-watch"]
    port = int(re.match(r"cannot serve on 127\.0\.0\.1:(\d+)", str(bad.value)).group(1))
    with socket.socket() as again:  # the socket it bound was closed: the port can be listened on again
        again.bind(("127.0.0.1", port))
        again.listen()


@pytest.mark.subprocess
def test_serving_beyond_the_loopback_warns(tmp_path):
    with watching_a_saved_model(tmp_path, "--host", "0.0.0.0") as process:
        assert process.stderr.readline().startswith("warning: serving on 0.0.0.0")
        assert "watch it learn at http://0.0.0.0:" in process.stderr.readline()


# -- the pictures for the README and docs/view.md ------------------------------------------------------


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_one_command_regenerates_a_screenshot_of_each_feature(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "screenshots.py"), str(tmp_path)],
                          capture_output=True, text=True, timeout=600, env=environment())
    assert done.returncode == 0, done.stderr
    page = (ROOT / "docs" / "view.md").read_text()
    for name in ("learning", "inspector", "messages", "weights", "plane"):
        shot = tmp_path / f"view-{name}.png"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000, name
        assert f"](view-{name}.png)" in page and (ROOT / "docs" / f"view-{name}.png").exists(), name

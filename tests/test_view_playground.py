"""The controls TensorFlow Playground users expect, on the live view's page: data, layers and neurons,
activation, learning rate, batch, noise, the test share; restart and reset; the settings in the address.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from exmachina import Network
from exmachina.actors.losses import loss
from exmachina.network.matrix import MatrixEngine
from exmachina.watch.playground import Playground

from viewing import WAIT, wait_examples


@pytest.fixture
def grounds():
    started = []
    yield lambda *a, **k: started.append(Playground(*a, **k)) or started[-1]
    for ground in started:
        ground.close()


def neurons_drawn(page, count: int) -> None:
    page.wait_for_selector(f"#network[data-neurons='{count}']", timeout=WAIT)


def test_the_page_changes_layers_activation_and_rate_and_restarts_with_them(page, grounds):
    ground = grounds({"data": "xor2d"}, epochs=100)
    watcher = ground.serve(paused=True, quiet=True)
    page.goto(watcher.address)
    page.wait_for_selector("#playground:not([hidden])", timeout=WAIT)
    neurons_drawn(page, 2 + 8 + 2)
    assert page.get_attribute("#pg-layers", "data-hidden") == "8"
    page.click("#pg-add-layer")
    page.click(".pg-layer[data-layer='0'] .pg-more")
    page.click(".pg-layer[data-layer='1'] .pg-fewer")
    assert page.get_attribute("#pg-layers", "data-hidden") == "9,3"
    page.select_option("#pg-activation", "relu")
    page.fill("#pg-rate", "0.05")
    page.select_option("#pg-batch", "4")
    page.click("#pg-restart")
    neurons_drawn(page, 2 + 9 + 3 + 2)
    net = watcher.session.net
    assert [len(layer) for layer in net.blueprint.layers()] == [2, 9, 3, 2]
    assert net.blueprint.activations[2:14] == ["relu"] * 12
    assert ground.settings["learning_rate"] == 0.05 and ground.settings["batch"] == 4
    page.wait_for_selector("#status[data-state='paused']", timeout=WAIT)  # served paused: the restart is too
    page.click("#resume")
    wait_examples(page, lambda count: count >= 8)  # learning again, in batches of 4
    assert watcher.session.examples % 4 == 0 or watcher.session.examples == watcher.session.pass_total
    assert page.inner_text("#rate") == "now 0.05"
    shared = parse_qs(urlparse(page.url).query)  # the address says it all
    assert {k: v[0] for k, v in shared.items()} == {"data": "xor2d", "hidden": "9,3", "activation": "relu",
                                                  "rate": "0.05", "batch": "4", "noise": "0", "split": "0.2"}


def test_an_address_with_settings_opens_that_run(page, grounds):
    ground = grounds({"data": "xor2d"}, epochs=100)
    watcher = ground.serve(paused=True, quiet=True)
    page.goto(watcher.address + "?data=circle&hidden=3,3&activation=sigmoid&rate=0.2&batch=2&noise=0.1&split=0.3")
    neurons_drawn(page, 2 + 3 + 3 + 2)
    assert ground.settings == {"data": "circle", "hidden": [3, 3], "activation": "sigmoid", "learning_rate": 0.2,
                               "batch": 2, "noise": 0.1, "test_fraction": 0.3}
    held = watcher.pictures.held_out[0]
    assert len(held) == pytest.approx(0.3 * (len(held) + len(watcher.pictures.x)), abs=2)  # the test share


def test_reset_starts_over_from_the_first_weights_and_bad_settings_are_refused(page, grounds):
    ground = grounds({"data": "xor2d", "hidden": [4]}, epochs=100)
    watcher = ground.serve(quiet=True)
    page.goto(watcher.address)
    wait_examples(page, lambda count: count > 300)
    first = Network.layered([2, 4, 2], "tanh", None, "cross_entropy", seed=0).blueprint
    first_classes = list(watcher.session.net.blueprint.classes)
    assert not np.array_equal(watcher.session.net.snapshot().weights, first.weights)  # it learned
    generation = watcher.generation
    page.click("#pg-reset")
    while watcher.generation == generation:
        page.wait_for_timeout(50)
    # the run began again from the first weights: the held-out curve starts at their loss
    held_x, held_y = watcher.pictures.held_out
    outputs = MatrixEngine(first).predict(held_x)
    desired = np.eye(2)[[first_classes.index(label) for label in held_y]]
    expected = np.mean(loss("cross_entropy").measure(outputs.T, desired.T)[0])
    assert watcher.held_curve.points["examples"][0] == 0
    assert watcher.held_curve.points["loss"][0] == pytest.approx(expected, rel=1e-12)
    page.wait_for_selector(f"#network[data-generation='{generation + 1}']", timeout=WAIT)  # the page has it too
    page.fill("#pg-rate", "50")
    page.click("#pg-restart")
    page.wait_for_selector("#pg-error:text('learning_rate must be a number from 1e-06 to 10')", timeout=WAIT)
    assert watcher.generation == generation + 1  # nothing restarted


def test_a_paused_playground_stays_paused_reset_is_the_same_network_and_viewers_share_one_run(page, grounds):
    ground = grounds({"data": "xor2d", "hidden": [2]}, epochs=100)
    watcher = ground.serve(paused=True, quiet=True)
    # the only viewer opens an address with other settings: that run, paused as the command asked
    page.goto(watcher.address + "?data=xor2d&hidden=3&activation=tanh&rate=0.1&batch=1&noise=0&split=0.2")
    page.wait_for_selector("#network[data-generation='1']", timeout=WAIT)
    page.wait_for_selector("#status[data-state='paused']", timeout=WAIT)
    assert watcher.session.paused and watcher.session.examples == 0
    assert "weighted inputs" in page.inner_text("label:has(#pg-noise)")  # not noise in the data, as in Playground
    # a trace, then a restart: nothing of the old trace stays on the new network, and it is still paused
    page.click("#trace")
    page.wait_for_selector("#trace-examples span", timeout=WAIT)
    page.click(".pg-layer[data-layer='0'] .pg-more")
    page.click("#pg-restart")
    page.wait_for_selector("#network[data-generation='2']", timeout=WAIT)
    page.wait_for_selector("#status[data-state='paused']", timeout=WAIT)
    assert watcher.session.paused and ground.settings["hidden"] == [4]
    assert page.locator("#trace-examples span").count() == 0 and page.is_disabled("#play")
    assert page.get_attribute("#trace-title", "data-kind") is None
    assert page.evaluate("""() => { const c = document.getElementById('messages');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i]) return false; return true; }""")
    # reset starts the same network over: a setting changed but not applied is left out
    page.select_option("#pg-activation", "relu")
    page.click("#pg-reset")
    page.wait_for_selector("#network[data-generation='3']", timeout=WAIT)
    page.wait_for_selector("#status[data-state='paused']", timeout=WAIT)
    assert ground.settings["activation"] == "tanh" and page.input_value("#pg-activation") == "tanh"
    assert watcher.session.paused and watcher.session.examples == 0
    # one learning-rate field, which steers the run and is the one the address keeps
    assert page.is_visible("#pg-rate") and not page.is_visible("#rate-input")
    page.fill("#pg-rate", "0.07")
    page.press("#pg-rate", "Enter")
    page.wait_for_function("() => location.search.includes('rate=0.07')", timeout=WAIT)
    assert watcher.session.requested_rate == 0.07 or watcher.session.learning_rate == 0.07
    # another viewer opening an address with other settings does not restart the run for everyone
    other = page.context.new_page()
    other.goto(watcher.address + "?data=circle&hidden=3,3")
    other.wait_for_selector("#network[data-generation='3']", timeout=WAIT)
    other.wait_for_selector("#pg-error:has-text('restart')", timeout=WAIT)
    assert watcher.generation == 3 and ground.settings["data"] == "xor2d"
    assert other.input_value("#pg-data") == "circle"  # its settings wait on its page, for its restart
    other.close()

"""The messages of an example animated on the network drawing, the neuron inspector, and choosing the
example by clicking: what the page shows is checked against the library's own numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from exmachina import Network
from exmachina.network.matrix import MatrixEngine
from exmachina.tracing.trace import trace_example

from viewing import WAIT, digits, wait_examples, wait_state


def value(page, selector: str) -> float:
    return float(page.get_attribute(selector, "data-value"))


def position(page) -> dict[str, int]:
    return {key: int(page.get_attribute("#trace-position", f"data-{key}")) for key in ("message", "messages", "tick")}


def filled_slots(page) -> int:
    return page.locator("#mailbox tr.filled").count()


def done_steps(page) -> int:
    return int(page.get_attribute("#nine-steps", "data-done"))


def dot_colour(page) -> list[int]:
    """The colour the messages' canvas has where the page says the dot in flight is."""
    canvas = page.locator("#messages")
    where = [float(canvas.get_attribute("data-dot-x")), float(canvas.get_attribute("data-dot-y"))]
    return page.evaluate("""([x, y]) => { const s = window.devicePixelRatio || 1;
        const context = document.getElementById('messages').getContext('2d');
        return Array.from(context.getImageData(Math.round(x * s), Math.round(y * s), 1, 1).data); }""", where)


def next_message(page, k: int) -> None:
    """One stop at a time until message `k` is on its way (the neurons' steps are stops between messages)."""
    for _ in range(40):
        page.click("#forward-one")
        if position(page)["message"] == k and page.get_attribute("#trace-title", "data-kind") in (
                "activity", "error", "desired"):
            return
    raise AssertionError(f"message {k} never came: {position(page)}")


def play_to_the_end(page) -> None:
    page.select_option("#speed", "1000")
    page.click("#play")
    page.wait_for_selector("#trace-title[data-kind='done']", timeout=WAIT)


def test_the_inspector_shows_a_neurons_numbers_equal_to_the_librarys(page, runs):
    x, y = digits(30)
    net = Network.layered([64, 8, 10], seed=4)
    run = runs(net, x, y, learning_rate=0.5, paused=True).start()
    page.goto(run.watcher.address)
    wait_state(page, "paused")
    n = 64 + 5  # a hidden neuron
    page.click(f"#network .neuron[data-neuron='{n}']")
    page.wait_for_selector(f"#inspected[data-neuron='{n}']", timeout=WAIT)
    page.wait_for_selector("#mailbox tr.waiting", timeout=WAIT)  # traced: the current example, nothing sent yet
    assert page.get_attribute("#inspector", "data-example") == "0"
    assert filled_slots(page) == 0 and page.locator("#mailbox tr.waiting").count() == 64 and done_steps(page) == 0
    play_to_the_end(page)
    assert filled_slots(page) == 64 and done_steps(page) == 9
    # the library's numbers: the matrix engine, one SGD step on example 0 from the same weights
    blueprint = net.blueprint
    engine = MatrixEngine(blueprint.copy())
    desired = np.eye(10)[[y[0]]]
    step = engine.step(x[:1], desired, 0.5)
    learned = engine.state()
    exact = {"rel": 1e-12, "abs": 1e-15}
    assert value(page, "#computed [data-key='z']") == pytest.approx(step.total_inputs[0, n], **exact)
    assert value(page, "#computed [data-key='a']") == pytest.approx(step.activities[0, n], **exact)
    assert value(page, "#computed [data-key='delta']") == pytest.approx(step.errors[0, n], **exact)
    assert value(page, "#computed [data-key='bias']") == blueprint.biases[n]
    z, a = step.total_inputs[0, n], step.activities[0, n]
    assert value(page, "#computed [data-key='sum']") == pytest.approx(z - blueprint.biases[n], **exact)
    assert value(page, "#computed [data-key='derivative']") == pytest.approx(a * (1 - a), **exact)  # sigmoid
    slots = [value(page, f"#mailbox [data-slot='{k}']") for k in range(64)]
    incoming = np.flatnonzero(blueprint.targets == n)
    weighted = blueprint.weights[incoming] * x[0][blueprint.sources[incoming]]  # the sensors are neurons 0..63
    assert slots == pytest.approx(weighted.tolist(), **exact)
    outgoing = np.flatnonzero(blueprint.sources == n)
    for k in outgoing:
        cell = f"#updates [data-key='new'][data-parameter='{blueprint.targets[k]}']"
        assert value(page, cell) == pytest.approx(learned.weights[k], **exact)
        row = page.locator(cell).locator("xpath=..")
        assert float(row.locator("[data-key='old']").get_attribute("data-value")) == blueprint.weights[k]
        gradient = float(row.locator("[data-key='gradient']").get_attribute("data-value"))
        assert gradient == pytest.approx((blueprint.weights[k] - learned.weights[k]) / 0.5, rel=1e-9)
    assert value(page, "#updates [data-key='new'][data-parameter='bias']") == pytest.approx(learned.biases[n], **exact)
    assert run.watcher.session.examples == 0  # inspecting traced a copy: the training did not move


def test_messages_travel_one_at_a_time_and_a_neuron_fires_when_its_last_slot_fills(page, runs):
    x = np.random.default_rng(0).normal(size=(40, 2))
    y = (x[:, 0] > 0).astype(int)
    net = Network.layered([2, 3, 2], activation="tanh", seed=1)
    run = runs(net, x, y, learning_rate=0.3, paused=True).start()
    page.goto(run.watcher.address)
    wait_state(page, "paused")
    page.click("#network .neuron[data-neuron='3']")  # a hidden neuron with two slots
    page.wait_for_selector("#mailbox tr.waiting", timeout=WAIT)
    net.blueprint.classes = [0, 1]
    library = trace_example(Network(net.blueprint.copy()), x[0].tolist(), desired=int(y[0]), learning_rate=0.3)
    messages = [e for e in library.events if e["kind"] in ("activity", "error", "desired")]
    assert position(page)["messages"] == len(messages)
    seen = []  # (filled slots, fired) after each message
    for k in range(1, len(messages) + 1):
        next_message(page, k)
        message = messages[k - 1]
        title = page.inner_text("#trace-title")
        assert title.startswith("example 0: ")
        assert message["kind"] != "activity" or f"{message['value']:.5g}"[:5] in title
        if message["kind"] != "desired":  # the dot is on its way, in the example's colour, on its synapse
            canvas = page.locator("#messages")
            assert canvas.get_attribute("data-dot-example") == "0"
            pixel = dot_colour(page)
            assert pixel[:3] == [214, 39, 40] or message["kind"] == "error", pixel  # the first example's red
        seen.append((filled_slots(page), done_steps(page) >= 2))
    fired_at = next(k for k, (_, fired) in enumerate(seen) if fired)
    # the slots fill one message at a time, and the neuron fires once its last one is filled (when the run
    # queue comes to it), never before
    assert [count for count, _ in seen[:fired_at + 1]] == sorted(count for count, _ in seen[:fired_at + 1])
    assert all(b - a <= 1 for (a, _), (b, _) in zip(seen, seen[1:]))
    assert all(count == 2 for count, fired in seen if fired)  # never before its mailbox is full
    assert seen[fired_at][0] == 2
    page.click("#back-one")
    page.wait_for_selector(f"#trace-position[data-message='{len(messages) - 1}']", timeout=WAIT)


def test_several_examples_in_flight_each_have_their_own_colour(page, runs):
    x = np.random.default_rng(0).normal(size=(40, 2))
    y = (x[:, 0] > 0).astype(int)
    run = runs(Network.layered([2, 3, 2], seed=1), x, y, paused=True).start()
    page.goto(run.watcher.address)
    wait_state(page, "paused")
    page.select_option("#in-flight", "2")
    page.click("#trace")
    page.wait_for_selector("#trace-examples span[data-example='1']", timeout=WAIT)
    keys = page.locator("#trace-examples span")
    assert [keys.nth(k).get_attribute("data-example") for k in range(2)] == ["0", "1"]
    colours = {keys.nth(k).evaluate("e => getComputedStyle(e).backgroundColor") for k in range(2)}
    assert len(colours) == 2
    dots = {}  # the colour of a dot of each example
    for k in range(1, position(page)["messages"] + 1):
        next_message(page, k)
        canvas = page.locator("#messages")
        example = canvas.get_attribute("data-dot-example")
        if example is None or not page.inner_text("#trace-title").startswith(f"example {example}: step 4: neuron"):
            continue
        dots[example] = tuple(dot_colour(page)[:3])
        if len(dots) == 2:
            break
    assert len(dots) == 2 and dots["0"] != dots["1"], dots  # both examples in the network at once


def test_clicking_a_prediction_traces_that_example(page, runs):
    x, y = digits(200)
    net = Network.layered([64, 8, 10], seed=0)
    run = runs(net, x, y, epochs=10_000).start()  # still learning when paused, however fast the actors
    page.goto(run.watcher.address)
    wait_examples(page, lambda count: count > 30)
    page.click("#pause")
    wait_state(page, "paused")
    tiles = page.locator("#predictions .prediction")
    page.wait_for_selector("#predictions .prediction >> nth=11", timeout=WAIT)
    wrong = page.locator("#predictions .prediction.wrong")
    tile = wrong.first if wrong.count() else tiles.nth(5)  # a wrong one, if there is one
    index = int(tile.get_attribute("data-index"))
    tile.click()
    page.wait_for_selector(f"#trace-examples span[data-example='{index}']", timeout=WAIT)
    page.click(f"#network .neuron[data-neuron='{net.blueprint.size - 1}']")  # an output neuron
    page.wait_for_selector(f"#inspector[data-example='{index}']", timeout=WAIT)
    play_to_the_end(page)
    outputs = MatrixEngine(run.watcher.session.snapshot).predict(x[index][None, :])[0]
    assert value(page, "#computed [data-key='a']") == pytest.approx(outputs[-1], rel=1e-12)
